"""The checks of ``checks/rfc7662.py`` on canned introspection answers."""

from __future__ import annotations

import httpx2

from oauth_conformance.checks import Status, rfc7662
from tests.unit.cases import Case, assert_case, cases_of, controlled, response

HELD, VIOLATED = Status.HELD, Status.VIOLATED

INTROSPECT = "https://is.example.test/connect/introspect"
CLIENT = "client-1"
ACTIVE = {"active": True, "client_id": CLIENT, "scope": "api", "exp": 1_900_000_000}


def answer(status: int = 200, body: object = None, method: str = "POST") -> httpx2.Response:
    return response(status, json=body, text="" if body is None else None, method=method, url=INTROSPECT)


def own(body: dict[str, object], status: int = 200, granted: str | None = None,
        exp: int | None = None) -> rfc7662.OwnIntrospection:
    return rfc7662.OwnIntrospection(answer(status, body), CLIENT, granted, exp)


CASES = [
    # §2.1: POST; a GET learns nothing about the token.
    Case(rfc7662.get_reveals_nothing, answer(405, {"error": "invalid_request"}, "GET"), HELD, "405"),
    Case(rfc7662.get_reveals_nothing, answer(401, method="GET"), HELD, "401 empty"),
    Case(rfc7662.get_reveals_nothing, answer(200, {"active": False}, "GET"), HELD, "inactive"),
    Case(rfc7662.get_reveals_nothing, answer(200, ACTIVE, "GET"), VIOLATED, "answered active"),
    # §2.1: some form of authorization; 401 or 403 without token metadata.
    Case(rfc7662.unauthenticated_refused, answer(401, {"error": "invalid_client"}), HELD, "401"),
    Case(rfc7662.unauthenticated_refused, answer(403), HELD, "403"),
    Case(rfc7662.unauthenticated_refused, answer(200, ACTIVE), VIOLATED, "answered"),
    Case(rfc7662.unauthenticated_refused, answer(401, {"active": False}), VIOLATED, "401 with active"),
    Case(rfc7662.unauthenticated_refused, answer(400, {"error": "invalid_request"}), HELD,
         "400 invalid_request (RFC 6749 §5.2)"),
    Case(rfc7662.unauthenticated_refused, answer(400, {"error": "invalid_client"}), HELD, "400 invalid_client"),
    Case(rfc7662.unauthenticated_refused, answer(400, {"error": "invalid_token"}), VIOLATED,
         "400 with a code for something else"),
    Case(rfc7662.unauthenticated_refused, answer(400), VIOLATED, "400 without an error"),
    # §2.3: invalid client credentials get 401.
    Case(rfc7662.bad_credentials_refused, answer(401, {"error": "invalid_client"}), HELD, "401"),
    Case(rfc7662.bad_credentials_refused, answer(403), VIOLATED, "403 is not 401"),
    Case(rfc7662.bad_credentials_refused, answer(401, {"client_id": CLIENT}), VIOLATED, "401 naming the client"),
    Case(rfc7662.bad_credentials_refused, answer(200, ACTIVE), VIOLATED, "answered"),
    # §2.2: a fresh token is active, with the client's client_id where one is given.
    Case(rfc7662.fresh_token_active, own(ACTIVE), HELD, "active, own client_id"),
    Case(rfc7662.fresh_token_active, own({"active": True}), HELD, "active without client_id"),
    Case(rfc7662.fresh_token_active, own({"active": True, "client_id": "Integration display name"}), VIOLATED,
         "someone else's client_id"),
    Case(rfc7662.fresh_token_active, own({"active": False}), VIOLATED, "inactive"),
    Case(rfc7662.fresh_token_active, own({"active": "true", "client_id": CLIENT}), VIOLATED, "a string, not a boolean"),
    Case(rfc7662.fresh_token_active, own({"error": "invalid_client"}, 401), VIOLATED, "refused"),
    # §2.2 with RFC 6749 §5.1: the metadata is the token's, where both sides give it.
    Case(rfc7662.fresh_token_active, own({"active": True, "scope": "b a"}, granted="a b", exp=1700000000), HELD,
         "the granted scope in another order, no exp"),
    Case(rfc7662.fresh_token_active, own({"active": True, "scope": "a b c"}, granted="a b"), VIOLATED,
         "a scope wider than granted"),
    Case(rfc7662.fresh_token_active, own({"active": True, "exp": 1700000000}, exp=1700000000), HELD,
         "the JWT's exp"),
    Case(rfc7662.fresh_token_active, own({"active": True, "exp": 1700003600}, exp=1700000000), VIOLATED,
         "an exp an hour after the token's"),
    Case(rfc7662.fresh_token_active, own({"active": True, "scope": "a", "exp": 1}), HELD,
         "nothing to compare with"),
    # §2.2: an unknown token is {"active": false} and nothing else.
    Case(rfc7662.revoked_token_inactive, answer(200, {"active": False}), HELD, "inactive after revocation"),
    Case(rfc7662.revoked_token_inactive, answer(200, ACTIVE), VIOLATED, "still active"),
    Case(rfc7662.revoked_token_inactive, answer(401), VIOLATED, "refused"),
    Case(rfc7662.inactive_minimal, answer(200, {"active": False}), HELD, "minimal"),
    Case(rfc7662.inactive_minimal, answer(200, {"active": False, "error": "token_not_found"}), VIOLATED,
         "says why"),
    Case(rfc7662.inactive_minimal, answer(200, {"active": "false"}), VIOLATED, "a string"),
    Case(rfc7662.inactive_minimal, answer(404, {"active": False}), VIOLATED, "404"),
    Case(rfc7662.inactive_minimal, answer(200, ACTIVE), VIOLATED, "active"),
]


CASES = controlled(CASES)


@cases_of(CASES)
def test_check(case: Case) -> None:
    assert_case(case)
