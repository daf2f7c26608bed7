"""``reports/conformance.json``: one entry per catalogue requirement, its verdict, and why."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from oauth_conformance.catalogue import Catalogue
from oauth_conformance.http import Exchange
from oauth_conformance.verdicts import SEVERITY, Finding, Verdict, aggregate
from oauth_conformance.waivers import Waiver, WaiverOutcome, apply_waivers

__all__ = [
    "RequirementResult",
    "build_results",
    "summary_counts",
    "waive",
    "write_conformance_json",
    "write_evidence",
]


@dataclass(frozen=True)
class RequirementResult:
    id: str
    level: str
    verdict: Verdict
    message: str
    evidence: tuple[str, ...]
    tests: tuple[str, ...]
    findings: tuple[Finding, ...]


def build_results(
    catalogue: Catalogue, findings: Iterable[Finding], tagged: dict[str, set[str]], profile: str | None = None
) -> list[RequirementResult]:
    by_id: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_id[finding.requirement].append(finding)
    results = []
    for requirement in catalogue:
        own = by_id.get(requirement.id, [])
        verdict = aggregate(own)
        deciding = [f for f in own if f.verdict is verdict]
        if deciding:
            message = deciding[0].message
        elif not requirement.black_box:
            message = f"not black-box testable: {requirement.why}"
        elif requirement.id in tagged:
            message = "scenarios were collected but none ran (deselected or interrupted)"
        else:
            message = "no scenario checks this requirement yet"
        evidence = tuple(dict.fromkeys(e for f in deciding for e in f.evidence))
        tests = tuple(sorted(tagged.get(requirement.id, set()) | {f.test for f in own if f.test}))
        results.append(
            RequirementResult(
                requirement.id, requirement.level_for(profile).value, verdict, message, evidence, tests, tuple(own)
            )
        )
    return results


def waive(
    results: list[RequirementResult], waivers: list[Waiver], today: dt.date
) -> tuple[list[RequirementResult], list[WaiverOutcome]]:
    """Apply the waivers: a waived FAIL or WARN becomes WAIVED, its message says until when and why."""
    verdicts, outcomes = apply_waivers({r.id: r.verdict for r in results}, waivers, today)
    applied = {o.waiver.id: o for o in outcomes if o.status == "applied"}
    waived = []
    for result in results:
        outcome = applied.get(result.id)
        if outcome is None:
            waived.append(result)
            continue
        message = (
            f"waived until {outcome.waiver.expires}: {outcome.waiver.reason} "
            f"(otherwise {result.verdict.value}: {result.message})"
        )
        waived.append(replace(result, verdict=verdicts[result.id], message=message))
    return waived, outcomes


def summary_counts(results: Iterable[RequirementResult]) -> dict[str, int]:
    counts = Counter(result.verdict.value for result in results)
    return {verdict.value: counts.get(verdict.value, 0) for verdict in Verdict}


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
                "level": result.level,
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


def write_evidence(path: Path, exchanges: Iterable[Exchange]) -> None:
    """Every exchange, redacted, one JSON object a line; findings cite them by ID (E1, E2, ...)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for exchange in exchanges:
            out.write(json.dumps(exchange.as_dict(), ensure_ascii=False) + "\n")
