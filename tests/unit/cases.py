"""Canned observations for the unit tests of the checks, and the case table every test module fills.

Each ``tests/unit/test_<module>.py`` defines ``CASES``: for every check of ``checks/<module>.py``, at least
one observation it holds on and one it is violated by (review checks: one it measures). The self-test
``tests/selftest/test_check_registry.py`` reads the tables to hold every check to that.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx2
import pytest

from oauth_conformance.checks import BesideControl, Check, PositiveControl, Refusal, Status

__all__ = [
    "NOT_SHOWN",
    "SHOWN",
    "Case",
    "assert_case",
    "cases_of",
    "controlled",
    "error_response",
    "refusal",
    "response",
    "token_response",
]

# The positive control of a refusal check: the valid request earlier in the run did (or did not) work.
SHOWN = PositiveControl("a valid token request by the standards client", True, "HTTP 200, token issued", "E0")
NOT_SHOWN = PositiveControl("a valid token request by the standards client", False, "HTTP 500", "E0")


@dataclass(frozen=True)
class Case:
    check: Check[Any]
    observation: object
    expect: Status
    # What makes this observation hold or violate: the test's id.
    why: str


def refusal(answer: httpx2.Response, expected: tuple[str, ...], control: PositiveControl = SHOWN) -> Refusal:
    return Refusal(answer, expected, control)


def _takes_beside_control(check: Check[Any]) -> bool:
    hints = typing.get_type_hints(check.function)
    first = next(iter(name for name in hints if name != "return"), None)
    return first is not None and hints[first] is BesideControl


def controlled(cases: Sequence[Case]) -> list[Case]:
    """The table with every refusal check's observation beside a control that held, plus, for each such
    check, one case where the control did not hold: then the check is undecided, whatever was refused."""
    out: list[Case] = []
    undecided: set[str] = set()
    for case in cases:
        observation = case.observation
        if _takes_beside_control(case.check) and isinstance(observation, httpx2.Response):
            observation = BesideControl(observation, SHOWN)
            case = dataclasses.replace(case, observation=observation)
        out.append(case)
        control = getattr(observation, "control", None)
        if isinstance(control, PositiveControl) and case.check.requirement not in undecided:
            undecided.add(case.check.requirement)
            blind = dataclasses.replace(observation, control=NOT_SHOWN)  # type: ignore[type-var]
            out.append(Case(case.check, blind, Status.UNDECIDED, "no positive control"))
    return out


def cases_of(cases: Sequence[Case]) -> Callable[[Callable[[Case], None]], Callable[[Case], None]]:
    """``@cases_of(CASES)`` parametrizes a test over the table, each case named after its check and why."""
    mark = pytest.mark.parametrize(
        "case", cases, ids=[f"{c.check.requirement}:{c.expect.value}:{c.why}" for c in cases]
    )

    def parametrized(test: Callable[[Case], None]) -> Callable[[Case], None]:
        marked: Callable[[Case], None] = mark(test)
        return marked

    return parametrized


def assert_case(case: Case) -> None:
    outcome = case.check(case.observation)
    assert outcome.status is case.expect, f"{case.check.requirement} ({case.why}): {outcome.message}"
    assert outcome.message, "every outcome says what was seen"


def response(
    status: int = 200,
    *,
    json: object = None,
    text: str | None = None,
    headers: Mapping[str, str] | None = None,
    method: str = "POST",
    url: str = "https://is.example.test/connect/token",
    request_headers: Mapping[str, str] | None = None,
    exchange: str | None = "E1",
) -> httpx2.Response:
    """A response as the http client hands it to a step: with its request and its evidence ID."""
    request = httpx2.Request(method, url, headers=request_headers)
    extensions: dict[str, Any] = {"exchange_id": exchange} if exchange else {}
    if json is not None:
        result = httpx2.Response(status, json=json, headers=headers, request=request, extensions=extensions)
    else:
        result = httpx2.Response(status, text=text or "", headers=headers, request=request, extensions=extensions)
    return result


def token_response(**members: Any) -> httpx2.Response:
    """A compliant RFC 6749 §5.1 token response; ``members`` override or add body members."""
    body: dict[str, Any] = {"access_token": "eyJ.canned.token", "token_type": "Bearer", "expires_in": 3600}
    body |= members
    return response(200, json=body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


def error_response(
    status: int = 400, error: str | None = "invalid_client", headers: Mapping[str, str] | None = None
) -> httpx2.Response:
    return response(status, json={"error": error} if error else {}, headers=headers)
