"""The checks of ``checks/rfc7009.py`` on canned revocation, API and introspection answers."""

from __future__ import annotations

import httpx2

from oauth_conformance.checks import Status, rfc7009
from tests.unit.cases import SHOWN, Case, assert_case, cases_of, controlled, error_response, response

HELD, VIOLATED, MEASURED = Status.HELD, Status.VIOLATED, Status.MEASURED

REVOKE = "https://is.example.test/connect/revocation"
API = "https://creatio.example.test/0/odata/Contact"
INTROSPECT = "https://is.example.test/connect/introspect"


def revoked(status: int = 200, error: str | None = None) -> httpx2.Response:
    return response(status, json={"error": error} if error else None, url=REVOKE, exchange="E1")


def api(status: int) -> httpx2.Response:
    return response(status, json={"value": []} if status == 200 else None, method="GET", url=API, exchange="E2")


def introspected(active: object, status: int = 200, exchange: str = "E3") -> httpx2.Response:
    return response(status, json={"active": active} if status == 200 else {"error": "invalid_client"},
                    url=INTROSPECT, exchange=exchange)


def aftermath(api_status: int, control: object = None, answer: object = None,
              control_status: int = 200) -> rfc7009.ForeignRevocationAftermath:
    """The second client's revocation, the API's answer, and (when ``control`` is given) the introspections."""
    view = (
        rfc7009.IntrospectionView(introspected(control, control_status), introspected(answer, exchange="E4"))
        if control is not None else None
    )
    return rfc7009.ForeignRevocationAftermath(revoked(), api(api_status), SHOWN, view)


CASES = [
    # §2: https only.
    Case(rfc7009.endpoint_is_https, rfc7009.AdvertisedRevocationEndpoint(REVOKE), HELD, "https"),
    Case(rfc7009.endpoint_is_https, rfc7009.AdvertisedRevocationEndpoint("http://is.example.test/connect/revocation"),
         VIOLATED, "plain http"),
    # §2.2: an unknown token is answered 200.
    Case(rfc7009.unknown_token_answered_200, revoked(), HELD, "200 empty"),
    Case(rfc7009.unknown_token_answered_200, response(200, json={}, url=REVOKE), HELD, "200 with a JSON body"),
    Case(rfc7009.unknown_token_answered_200, revoked(400, "invalid_token"), VIOLATED, "400 invalid_token"),
    # §2.1: a wrong hint does not stop the lookup.
    Case(rfc7009.wrong_hint_answered_200, revoked(), HELD, "200"),
    Case(rfc7009.wrong_hint_answered_200, revoked(400, "unsupported_token_type"), VIOLATED, "refused for the hint"),
    # §2: access tokens can be revoked.
    Case(rfc7009.access_token_revoked, revoked(), HELD, "200"),
    Case(rfc7009.access_token_revoked, revoked(400, "unsupported_token_type"), VIOLATED, "unsupported_token_type"),
    Case(rfc7009.access_token_revoked, error_response(401), VIOLATED, "client refused"),
    # The API's answer right after revocation, for review.
    Case(rfc7009.revocation_effect_review, rfc7009.ApiAnswerAfterRevocation(api(401)), MEASURED, "refused"),
    Case(rfc7009.revocation_effect_review, rfc7009.ApiAnswerAfterRevocation(api(200)), MEASURED,
         "still served (self-contained JWT)"),
    # §2.1: one client cannot revoke another's token.
    Case(rfc7009.foreign_revocation_ignored, aftermath(200), HELD, "API still serves it, no introspection"),
    Case(rfc7009.foreign_revocation_ignored, aftermath(200, True, True), HELD, "API and introspection agree"),
    Case(rfc7009.foreign_revocation_ignored, aftermath(200, False, False), HELD,
         "introspection untrusted: the control is inactive"),
    Case(rfc7009.foreign_revocation_ignored, aftermath(200, True, None, control_status=401), HELD,
         "introspection refused: untrusted"),
    Case(rfc7009.foreign_revocation_ignored, aftermath(401), VIOLATED, "the API refuses it"),
    Case(rfc7009.foreign_revocation_ignored, aftermath(200, True, False), VIOLATED,
         "introspection says it was revoked"),
    Case(rfc7009.foreign_revocation_ignored, aftermath(401, True, True), VIOLATED, "API refuses, introspection active"),
]


CASES = controlled(CASES)


@cases_of(CASES)
def test_check(case: Case) -> None:
    assert_case(case)
