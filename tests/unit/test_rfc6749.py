"""The checks of ``checks/rfc6749.py`` on canned token-endpoint answers."""

from __future__ import annotations

from oauth_conformance.checks import Status, rfc6749
from tests.unit.cases import Case, assert_case, cases_of, error_response, response, token_response

HELD, VIOLATED = Status.HELD, Status.VIOLATED

CASES = [
    Case(rfc6749.basic_authentication_supported, token_response(), HELD, "token issued"),
    Case(rfc6749.basic_authentication_supported, error_response(401), VIOLATED, "refused"),
    Case(rfc6749.basic_authentication_supported, token_response(access_token=""), VIOLATED, "empty token"),
    Case(rfc6749.pragma_no_cache, token_response(), HELD, "no-cache"),
    Case(rfc6749.pragma_no_cache, response(200, json={}, headers={"Pragma": "x, No-Cache"}), HELD, "among others"),
    Case(rfc6749.pragma_no_cache, response(200, json={}), VIOLATED, "absent"),
]


@cases_of(CASES)
def test_check(case: Case) -> None:
    assert_case(case)
