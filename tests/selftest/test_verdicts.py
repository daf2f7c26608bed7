"""The verdict engine: the requirement's level decides; a failed MUST stops the scenario."""

from __future__ import annotations

import pytest

from oauth_conformance.catalogue import Catalogue, Level, Requirement
from oauth_conformance.errors import SuiteError
from oauth_conformance.verdicts import Checker, ConformanceFailure, Finding, Verdict, aggregate


def _catalogue() -> Catalogue:
    def req(rid: str, level: Level) -> Requirement:
        return Requirement(rid, "doc", "1", level, f"{rid} summary", "https://example.test")

    requirements = (req("R-must", Level.MUST), req("R-should", Level.SHOULD), req("R-may", Level.MAY))
    return Catalogue({r.id: r for r in requirements})


def test_failed_must_raises_and_records_fail() -> None:
    checker = Checker(_catalogue(), test="t")
    with pytest.raises(ConformanceFailure, match=r"\[R-must\] broken"):
        checker.require("R-must", False, "broken")
    assert [f.verdict for f in checker.findings] == [Verdict.FAIL]


@pytest.mark.parametrize(("rid", "verdict"), [("R-should", Verdict.WARN), ("R-may", Verdict.INFO)])
def test_lower_levels_record_and_continue(rid: str, verdict: Verdict) -> None:
    checker = Checker(_catalogue())
    assert checker.require(rid, False, "not quite") is False
    assert checker.findings[-1].verdict is verdict


def test_holding_condition_records_pass() -> None:
    checker = Checker(_catalogue())
    assert checker.require("R-must", True, "fine", ["E1", None])
    assert checker.findings == [Finding("R-must", Verdict.PASS, "fine", None, ("E1",))]


def test_unknown_requirement_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown requirement ID 'R-nope'"):
        Checker(_catalogue()).require("R-nope", True, "x")


def test_pick_chooses_the_scenario_tag() -> None:
    checker = Checker(_catalogue(), tags=("R-should",))
    assert checker.pick("R-must", "R-should") == "R-should"
    with pytest.raises(SuiteError):
        checker.pick("R-may")


def test_aggregate_takes_the_most_serious() -> None:
    findings = [Finding("R", v, "") for v in (Verdict.PASS, Verdict.REVIEW, Verdict.SKIP)]
    assert aggregate(findings) is Verdict.REVIEW
    assert aggregate([*findings, Finding("R", Verdict.ERROR, "")]) is Verdict.ERROR
    assert aggregate([]) is Verdict.NOT_RUN
