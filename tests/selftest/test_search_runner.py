"""The search's runner and budget on their own: a violation shrinks to the smallest example and becomes
a finding with its replayable steps; a waived one is recorded and looked past; what held is a PASS that
counts what it rests on; what nothing decided is a SKIP with the reason; the budget stops a search before
it sends more than it may."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import strategies as st

from oauth_conformance.catalogue import load_catalogue
from oauth_conformance.checks import creatio
from oauth_conformance.http import EvidenceLog, Exchange
from oauth_conformance.search import RequestBudget, Search, SearchSettings
from oauth_conformance.targets.identity import TokenResult
from oauth_conformance.verdicts import Checker, Verdict
from tests.unit.cases import error_response, token_response


def _exchange(evidence: EvidenceLog) -> str:
    exchange_id = evidence.next_id()
    evidence.add(Exchange(id=exchange_id, method="POST", url="http://127.0.0.1/token", request_headers=[],
                          request_body="", status=200, response_headers=[], response_body="", elapsed_ms=1.0,
                          error=None, test=None))
    return exchange_id


def _search(tmp_path: Path, evidence: EvidenceLog, limit: int = 10_000, waived: frozenset[str] = frozenset(),
            examples: int = 200) -> Search:
    checker = Checker(catalogue=load_catalogue(), test="t", tags=("CRE-token-issued", "CRE-reactivate"))
    return Search("the test search", "number", checker, evidence, RequestBudget(evidence, limit),
                  SearchSettings(examples, 5, True, tmp_path / "db"), ("CRE-token-issued", "CRE-reactivate"),
                  waived)


def _token(issued: bool) -> TokenResult:
    answer = token_response(access_token="x" * 40) if issued else error_response(400, "invalid_client")
    return TokenResult(answer, answer.json())


def _property(search: Search, evidence: EvidenceLog, breaks_at: int) -> None:
    """Numbers from 0 to 1000: a token is issued below ``breaks_at`` and refused from it on."""

    def body(number: int) -> None:
        exchange = _exchange(evidence)
        search.step(f"ask with {number} ({exchange})")
        search.judge(creatio.token_issued, creatio.TokenAnswer(str(number), _token(number < breaks_at)))

    search.run_property(st.integers(0, 1000), body)


def test_a_violation_is_shrunk_and_becomes_a_finding_with_its_steps(tmp_path: Path) -> None:
    evidence = EvidenceLog()
    search = _search(tmp_path, evidence)
    _property(search, evidence, breaks_at=500)
    search.finish()
    findings = {f.requirement: f for f in search.checker.findings}
    broken = findings["CRE-token-issued"]
    assert broken.verdict is Verdict.FAIL
    # Shrunk: the smallest number that breaks it, and the one step that showed it.
    assert len(broken.steps) == 1 and broken.steps[0].startswith("ask with 500 (E")
    assert "shrunk to 1 step" in broken.message
    # The evidence the finding cites is kept; the hundreds of other exchanges are not.
    kept = {e.id for e in evidence.exchanges}
    assert set(broken.evidence) <= kept and len(kept) < evidence.sent
    # Never reached: NOT_RUN, which leaves what the scenarios found to stand.
    assert findings["CRE-reactivate"].verdict is Verdict.NOT_RUN


def test_what_held_is_a_pass_counting_what_it_rests_on(tmp_path: Path) -> None:
    evidence = EvidenceLog()
    search = _search(tmp_path, evidence, examples=30)
    _property(search, evidence, breaks_at=10_000)
    search.finish()
    passed = next(f for f in search.checker.findings if f.requirement == "CRE-token-issued")
    assert passed.verdict is Verdict.PASS and "held in" in passed.message and passed.evidence


def test_a_waived_violation_is_recorded_and_the_search_goes_on(tmp_path: Path) -> None:
    evidence = EvidenceLog()
    search = _search(tmp_path, evidence, waived=frozenset({"CRE-token-issued"}), examples=40)
    _property(search, evidence, breaks_at=500)
    search.finish()
    waived = next(f for f in search.checker.findings if f.requirement == "CRE-token-issued")
    assert waived.verdict is Verdict.FAIL and waived.steps  # WAIVED once the run applies the waiver
    assert search.examples >= 40  # it did not stop at the first violation


def test_the_budget_stops_the_search_before_it_sends_more_than_it_may(tmp_path: Path) -> None:
    evidence = EvidenceLog()
    search = _search(tmp_path, evidence, limit=25)

    def body(number: int) -> None:
        if search.budget.allows(1):
            _exchange(evidence)
            search.judge(creatio.token_issued, creatio.TokenAnswer(str(number), _token(True)))

    search.run_property(st.integers(0, 1000), body)
    search.finish()
    assert search.budget.used <= 25 and search.budget.exhausted
    passed = next(f for f in search.checker.findings if f.requirement == "CRE-token-issued")
    assert "request budget (OAUTH_SEARCH_REQUESTS=25) ran out after 25 requests" in passed.message


def test_the_rate_limit_spaces_the_requests() -> None:
    budget = RequestBudget(EvidenceLog(), 100, rate=1000.0)
    assert all(budget.allows(1) for _ in range(20))  # 20 requests at 1000/s: about 20 ms, never refused


@pytest.mark.parametrize("cost", [1, 5])
def test_cleanup_keeps_its_reserve(cost: int) -> None:
    evidence = EvidenceLog()
    budget = RequestBudget(evidence, 10)
    budget.reserve(8)
    assert budget.allows(2) and not budget.allows(cost + 2)


def test_a_violation_the_shrinker_left_for_another_is_still_reported(tmp_path: Path) -> None:
    """Shrinking may slip from one broken promise to another with a smaller example; the first is still a
    violation (unshrunk), never a PASS."""
    evidence = EvidenceLog()
    search = _search(tmp_path, evidence, examples=300)

    def body(number: int) -> None:
        exchange = _exchange(evidence)
        search.step(f"ask with {number} ({exchange})")
        # Both judged in every example, so that each also holds somewhere.
        search.judge(creatio.token_issued, creatio.TokenAnswer(str(number), _token(not 10 <= number < 20)))
        search.judge(creatio.reactivate, creatio.CredentialsToken(str(number), _token(not 20 <= number < 30)))

    search.run_property(st.integers(0, 40), body)
    search.finish()
    verdicts = {f.requirement: f.verdict for f in search.checker.findings}
    assert verdicts == {"CRE-token-issued": Verdict.FAIL, "CRE-reactivate": Verdict.FAIL}, verdicts
