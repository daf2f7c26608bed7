"""The checks of ``checks/rfc9700.py`` on canned answers and decoded tokens."""

from __future__ import annotations

import httpx2

from oauth_conformance.checks import IssuedJwt, Status, rfc9700
from tests.unit.cases import Case, assert_case, cases_of, controlled, error_response, response, token_response

HELD, VIOLATED, MEASURED = Status.HELD, Status.VIOLATED, Status.MEASURED

_METADATA_URL = "https://is.example.test/.well-known/openid-configuration"
_METADATA = {"issuer": "https://is.example.test", "token_endpoint": "https://is.example.test/connect/token"}


def _jwt(claims: dict[str, object], body: dict[str, object] | None = None) -> IssuedJwt:
    return IssuedJwt("eyJ.canned.token", {"alg": "RS256", "typ": "at+jwt"}, claims, body or {}, "E1")


def found(answer: httpx2.Response) -> rfc9700.MetadataLookup:
    return rfc9700.MetadataLookup(answer)


CASES = [
    Case(rfc9700.password_grant_refused, error_response(400, "unauthorized_client"), HELD, "unauthorized_client"),
    Case(rfc9700.password_grant_refused, error_response(400, "invalid_grant"), HELD, "invalid_grant"),
    Case(rfc9700.password_grant_refused, error_response(400, "unsupported_grant_type"), HELD, "grant unsupported"),
    Case(rfc9700.password_grant_refused, token_response(), VIOLATED, "token for the password grant"),
    Case(rfc9700.metadata_published, found(response(200, json=_METADATA, method="GET", url=_METADATA_URL)), HELD,
         "200 JSON"),
    Case(rfc9700.metadata_published,
         found(response(200, json=_METADATA, method="GET", url=_METADATA_URL,
                        headers={"Content-Type": "application/json; charset=utf-8"})),
         HELD, "charset parameter"),
    Case(rfc9700.metadata_published,
         found(response(200, text='{"issuer": "x"}', method="GET", url=_METADATA_URL,
                        headers={"Content-Type": "text/plain"})),
         VIOLATED, "served as text/plain"),
    Case(rfc9700.metadata_published, rfc9700.MetadataLookup(None, f"no metadata: {_METADATA_URL} (HTTP 404)", "E1"),
         VIOLATED, "none at any well-known URL"),
    Case(rfc9700.client_impersonation_review, _jwt({"sub": "client-1", "client_id": "client-1"}), MEASURED,
         "subject claims recorded"),
    Case(rfc9700.client_impersonation_review, _jwt({}), MEASURED, "no subject claims"),
    Case(rfc9700.least_privilege_review, _jwt({"scope": "read"}), MEASURED, "scope claim recorded"),
    Case(rfc9700.least_privilege_review, _jwt({}, {"scope": "read write"}), MEASURED, "scope of the response"),
]


CASES = controlled(CASES)


@cases_of(CASES)
def test_check(case: Case) -> None:
    assert_case(case)
