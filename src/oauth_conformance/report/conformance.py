"""``reports/conformance.json``: one entry per catalogue requirement, its verdict, and why."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from oauth_conformance.catalogue import Catalogue
from oauth_conformance.verdicts.levels import SEVERITY
from oauth_conformance.verdicts.results import RequirementResult, summary_counts

__all__ = ["conformance_document", "write_conformance_json"]


def conformance_document(
    catalogue: Catalogue, results: list[RequirementResult], run: dict[str, Any]
) -> dict[str, Any]:
    """What conformance.json holds: the run, the count per verdict, every requirement with its findings
    (and, where the finding that decided it has them, the steps that replay its example)."""
    requirements = []
    for result in results:
        requirement = catalogue[result.id]
        entry: dict[str, Any] = {
            "id": result.id,
            "document": requirement.document,
            "section": requirement.section,
            "level": result.level.value,
            "summary": requirement.summary,
            "url": requirement.url,
            "verdict": result.verdict.value,
            "message": result.message,
            "evidence": list(result.evidence),
        }
        if result.steps:
            # How to replay the example that decided the verdict (a search's shrunk failing example).
            entry["steps"] = list(result.steps)
        entry["tests"] = list(result.tests)
        entry["findings"] = [f.as_dict() for f in sorted(result.findings, key=lambda f: -SEVERITY[f.verdict])]
        requirements.append(entry)
    return {"run": run, "summary": summary_counts(results), "requirements": requirements}


def write_conformance_json(path: Path, document: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
