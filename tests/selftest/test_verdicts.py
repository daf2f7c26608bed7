"""The verdict engine: the requirement's level decides; a failed MUST is recorded and the scenario goes
on, unless the step requires it."""

from __future__ import annotations

import httpx2
import pytest

from oauth_conformance.catalogue import Catalogue, Level, Requirement, load_catalogue
from oauth_conformance.checks import Family, Outcome, Status, held, measured, rfc6749, violated
from oauth_conformance.errors import BlockedError, SuiteError, blocking_requirement
from oauth_conformance.verdicts import Checker, ConformanceFailure, Finding, Verdict, aggregate
from oauth_conformance.verdicts.settle import settle


def _catalogue() -> Catalogue:
    def req(rid: str, level: Level) -> Requirement:
        return Requirement(rid, "doc", "1", level, f"{rid} summary", "https://example.test")

    requirements = (req("R-must", Level.MUST), req("R-should", Level.SHOULD), req("R-may", Level.MAY))
    review = Requirement("R-review", "doc", "1", Level.SHOULD, "measured", "https://example.test", check="review")
    return Catalogue({r.id: r for r in (*requirements, review)})


def test_failed_must_records_fail_and_goes_on() -> None:
    checker = Checker(_catalogue(), test="t")
    assert checker.record("R-must", violated("broken")) is False
    assert checker.record("R-should", held("fine")) is True
    assert [f.verdict for f in checker.findings] == [Verdict.FAIL, Verdict.PASS]


def test_a_required_check_that_does_not_hold_blocks_the_rest_naming_its_finding() -> None:
    tags = ("RFC6749-5.1-pragma",)
    checker = Checker(load_catalogue(), tags=tags)
    plain = httpx2.Response(200, json={}, request=httpx2.Request("POST", "https://t/token"))
    with pytest.raises(BlockedError) as blocked:
        checker.require(rfc6749.pragma_no_cache, plain)
    assert blocking_requirement(str(blocked.value)) == "RFC6749-5.1-pragma"
    assert [f.verdict for f in checker.findings] == [Verdict.FAIL]


def test_a_conformance_failure_names_every_failed_must() -> None:
    failures = [Finding("R-a", Verdict.FAIL, "one"), Finding("R-b", Verdict.FAIL, "two")]
    error = ConformanceFailure(failures)
    assert str(error) == "[R-a] one; [R-b] two"
    assert error.finding.requirement == "R-a" and error.stopped is None
    with pytest.raises(ValueError, match="at least one"):
        ConformanceFailure([])


@pytest.mark.parametrize(("rid", "verdict"), [("R-should", Verdict.WARN), ("R-may", Verdict.INFO)])
def test_lower_levels_record_and_continue(rid: str, verdict: Verdict) -> None:
    checker = Checker(_catalogue())
    assert checker.record(rid, violated("not quite")) is False
    assert checker.findings[-1].verdict is verdict


def test_holding_condition_records_pass() -> None:
    checker = Checker(_catalogue())
    assert checker.record("R-must", held("fine", ["E1", None]))
    assert checker.findings == [Finding("R-must", Verdict.PASS, "fine", None, ("E1",))]


def test_unknown_requirement_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown requirement ID 'R-nope'"):
        Checker(_catalogue()).record("R-nope", held("x"))


def test_a_review_requirement_takes_only_a_measurement_and_a_verdict_one_never() -> None:
    checker = Checker(_catalogue())
    assert checker.record("R-review", measured("took 3 s"))
    assert checker.findings[-1].verdict is Verdict.REVIEW
    with pytest.raises(SuiteError, match="measures for review"):
        checker.record("R-review", held("fine"))
    with pytest.raises(SuiteError, match="decided by its level"):
        checker.record("R-must", Outcome(Status.MEASURED, "took 3 s"))


def test_a_shared_step_runs_and_records_the_tagged_members_of_its_family() -> None:
    tags = ("RFC6749-2.3.1-basic", "RFC6749-2.3.1-post", "RFC6749-5.1-pragma")
    checker = Checker(load_catalogue(), tags=tags)
    refused = httpx2.Response(401, json={"error": "invalid_client"}, request=httpx2.Request("POST", "https://t/token"))
    checker.verify_tagged(Family.TOKEN_ISSUED, refused)
    # Both tagged members recorded; the untagged members and other checks were not run.
    assert [(f.requirement, f.verdict) for f in checker.findings] == [
        ("RFC6749-2.3.1-basic", Verdict.FAIL), ("RFC6749-2.3.1-post", Verdict.INFO)]  # a MAY
    with pytest.raises(SuiteError, match="tagged with none"):
        Checker(load_catalogue(), tags=("RFC6749-5.1-pragma",)).verify_tagged(Family.TOKEN_ISSUED, refused)


def test_aggregate_takes_the_most_serious() -> None:
    findings = [Finding("R", v, "") for v in (Verdict.PASS, Verdict.REVIEW, Verdict.SKIP)]
    assert aggregate(findings) is Verdict.REVIEW
    assert aggregate([*findings, Finding("R", Verdict.ERROR, "")]) is Verdict.ERROR
    assert aggregate([]) is Verdict.NOT_RUN


def test_settle_blocked_keeps_what_was_checked_and_blocks_only_what_was_not() -> None:
    recorded = [Finding("R-a", Verdict.FAIL, "broken", "t")]
    blocked = Finding("", Verdict.SKIP, "blocked by R-a: broken", "t")
    settled = settle("t", ["R-a", "R-b"], recorded, blocked)
    assert [(f.requirement, f.verdict, f.message) for f in settled] == [
        ("R-a", Verdict.FAIL, "broken"), ("R-b", Verdict.SKIP, "blocked by R-a: broken")]


def test_settle_another_problem_covers_every_requirement_and_silence_is_an_error() -> None:
    passed = [Finding("R-a", Verdict.PASS, "fine", "t")]
    broken = Finding("", Verdict.ERROR, "call: TransportFailedError: refused", "t")
    assert [f.verdict for f in settle("t", ["R-a", "R-b"], passed, broken)] == [
        Verdict.PASS, Verdict.ERROR, Verdict.ERROR]
    silent = settle("t", ["R-a", "R-b"], passed, None)
    assert [(f.requirement, f.verdict) for f in silent] == [("R-a", Verdict.PASS), ("R-b", Verdict.ERROR)]
