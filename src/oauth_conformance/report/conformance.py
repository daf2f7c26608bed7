"""``reports/conformance.json``: one entry per catalogue requirement, its verdict, and why."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from oauth_conformance.catalogue import Catalogue
from oauth_conformance.verdicts.levels import SEVERITY
from oauth_conformance.verdicts.results import RequirementResult, summary_counts

__all__ = ["write_conformance_json"]


def write_conformance_json(
    path: Path, catalogue: Catalogue, results: list[RequirementResult], run: dict[str, Any]
) -> None:
    requirements = []
    for result in results:
        requirement = catalogue[result.id]
        requirements.append(
            {
                "id": result.id,
                "document": requirement.document,
                "section": requirement.section,
                "level": result.level.value,
                "summary": requirement.summary,
                "url": requirement.url,
                "verdict": result.verdict.value,
                "message": result.message,
                "evidence": list(result.evidence),
                "tests": list(result.tests),
                "findings": [
                    f.as_dict()
                    for f in sorted(result.findings, key=lambda f: -SEVERITY[f.verdict])
                ],
            }
        )
    document = {"run": run, "summary": summary_counts(results), "requirements": requirements}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
