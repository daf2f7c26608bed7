"""Per-requirement results: every finding of the run folded into one verdict per catalogue requirement,
with the message, evidence and replay steps that decided it, and the waivers applied."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace

from oauth_conformance.catalogue import Catalogue, Level, StandardsProfile
from oauth_conformance.verdicts.checker import Finding
from oauth_conformance.verdicts.levels import Verdict, most_serious
from oauth_conformance.verdicts.waivers import Waiver, WaiverOutcome, apply_waivers

__all__ = ["RequirementResult", "aggregate", "build_results", "summary_counts", "waive"]


@dataclass(frozen=True)
class RequirementResult:
    id: str
    # The level the run graded it at (the standards profile may change the catalogue's).
    level: Level
    verdict: Verdict
    message: str
    evidence: tuple[str, ...]
    tests: tuple[str, ...]
    findings: tuple[Finding, ...]
    # The replay steps of the finding whose message this is (a search's shrunk example), if it has any.
    steps: tuple[str, ...] = ()


def aggregate(findings: Iterable[Finding]) -> Verdict:
    """The verdict of one requirement: its most serious finding, NOT_RUN when it has none."""
    return most_serious(f.verdict for f in findings)


def build_results(
    catalogue: Catalogue,
    findings: Iterable[Finding],
    tagged: dict[str, set[str]],
    profile: StandardsProfile | None = None,
    deselected: frozenset[str] = frozenset(),
) -> list[RequirementResult]:
    """One result per catalogue requirement. ``tagged``: the collected tests of each requirement;
    ``deselected``: those a run of a subset of the scenarios (-m, -k) left out."""
    by_id: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_id[finding.requirement].append(finding)
    results = []
    for requirement in catalogue:
        own = by_id.get(requirement.id, [])
        verdict = aggregate(own)
        deciding = [f for f in own if f.verdict is verdict]
        steps: tuple[str, ...] = ()
        if deciding:
            # The steps go with the message they replay, so both are the first deciding finding's.
            message, steps = deciding[0].message, deciding[0].steps
        elif not requirement.black_box:
            message = f"not black-box testable: {requirement.why}"
        elif requirement.id in tagged and tagged[requirement.id] <= deselected:
            message = "not selected in this run: its scenarios were deselected (-m, -k)"
        elif requirement.id in tagged:
            message = "scenarios were selected but none ran (the run was interrupted)"
        else:
            message = "no scenario checks this requirement yet"
        evidence = tuple(dict.fromkeys(e for f in deciding for e in f.evidence))
        tests = tuple(sorted(tagged.get(requirement.id, set()) | {f.test for f in own if f.test}))
        results.append(
            RequirementResult(
                requirement.id, requirement.level_for(profile), verdict, message, evidence, tests, tuple(own), steps
            )
        )
    return results


def waive(
    results: list[RequirementResult], waivers: list[Waiver], today: dt.date, selected: frozenset[str] | None = None
) -> tuple[list[RequirementResult], list[WaiverOutcome]]:
    """Apply the waivers: a waived FAIL or WARN becomes WAIVED, its message says until when and why."""
    verdicts, outcomes = apply_waivers({r.id: r.verdict for r in results}, waivers, today, selected)
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
    """The count per verdict, every verdict named (conformance.json ``summary``)."""
    counts = Counter(result.verdict.value for result in results)
    return {verdict.value: counts.get(verdict.value, 0) for verdict in Verdict}
