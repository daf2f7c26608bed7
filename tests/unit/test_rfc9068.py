"""The checks of ``checks/rfc9068.py`` (RFC 9068, RFC 8725) on real signed tokens and canned resource answers.

The tokens are really signed (``tests/unit/jwts.py``).
"""

from __future__ import annotations

import httpx2

from oauth_conformance.checks import IssuedJwt, JwtOfClient, Status, rfc9068
from oauth_conformance.jwt import forge
from tests.unit.cases import Case, assert_case, cases_of, controlled, response
from tests.unit.jwts import CLIENT_ID, LIFETIME, NOW, issued, signed

HELD, VIOLATED, MEASURED, UNDECIDED = Status.HELD, Status.VIOLATED, Status.MEASURED, Status.UNDECIDED

def typed(typ: str | None) -> IssuedJwt:
    return issued(signed({"typ": typ}))


def of_client(jwt_: IssuedJwt, client_id: str = CLIENT_ID) -> JwtOfClient:
    return JwtOfClient(jwt_, client_id)


API = "https://api.example.test"


def asked(jwt_: IssuedJwt, scope: str | None = None, *resources: str) -> rfc9068.JwtAsRequested:
    """The token beside what its request asked for (no scope, no resource unless given)."""
    return rfc9068.JwtAsRequested(jwt_, scope, resources)


FORGED_401 = response(401, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}, method="GET",
                      url="https://api.example.test/odata/Contact")


def _resource(status: int) -> httpx2.Response:
    return response(status, json={"value": []} if status == 200 else None, method="GET",
                    url="https://api.example.test/odata/Contact")


CASES = [
    # §2.2 (client credentials): the subject is measured for review, whatever it is.
    Case(rfc9068.client_credentials_subject_review, issued(), MEASURED, "sub is the client id"),
    Case(rfc9068.client_credentials_subject_review, issued(sub="Supervisor"), MEASURED, "sub names a user"),
    # §2.1: typ is the access-token media type, short form or not, any case.
    Case(rfc9068.typed_access_token, typed("at+jwt"), HELD, "at+jwt"),
    Case(rfc9068.typed_access_token, typed("application/at+jwt"), HELD, "the long form"),
    Case(rfc9068.typed_access_token, typed("AT+JWT"), HELD, "media types ignore case"),
    Case(rfc9068.typed_access_token, typed("JWT"), VIOLATED, "plain JWT"),
    Case(rfc9068.typed_access_token, typed(None), VIOLATED, "no typ"),
    Case(rfc9068.typed_access_token, typed("at+jwt; v=1"), VIOLATED, "a media type with parameters is not it"),
    # RFC 8725 §3.11: the same header read as explicit typing.
    Case(rfc9068.explicitly_typed, typed("at+jwt"), HELD, "at+jwt"),
    Case(rfc9068.explicitly_typed, typed("application/AT+JWT"), HELD, "long form, upper case"),
    Case(rfc9068.explicitly_typed, typed("JWT"), VIOLATED, "plain JWT, as an ID token is typed"),
    Case(rfc9068.explicitly_typed, typed(None), VIOLATED, "untyped"),
    # §2.1: signed with RS256.
    Case(rfc9068.rs256_signed, issued(), HELD, "RS256"),
    Case(rfc9068.rs256_signed, issued(signed({"alg": "PS256"})), VIOLATED, "PS256: signed, but not RS256"),
    Case(rfc9068.rs256_signed, issued(forge(signed(), "alg-none")), VIOLATED, "alg none"),
    Case(rfc9068.rs256_signed, issued(signed({"alg": "RS256"}), body={}), HELD, "the token response plays no part"),
    # §2.2: every required claim, and exp - iat matching expires_in within 5 s.
    Case(rfc9068.required_claims, issued(), HELD, "all claims, exp-iat == expires_in"),
    Case(rfc9068.required_claims, issued(exp=NOW + LIFETIME + 5), HELD, "5 s apart: within the tolerance"),
    Case(rfc9068.required_claims, issued(exp=NOW + 600, body={"expires_in": 600}), HELD, "ten minutes"),
    Case(rfc9068.required_claims, issued(exp=NOW + LIFETIME + 6), VIOLATED, "6 s apart"),
    Case(rfc9068.required_claims, issued(jti=None), VIOLATED, "no jti"),
    Case(rfc9068.required_claims, issued(aud=None), VIOLATED, "no aud"),
    Case(rfc9068.required_claims, issued(client_id=None, sub=None), VIOLATED, "no client_id nor sub"),
    Case(rfc9068.required_claims, issued(body={"expires_in": 86400}), VIOLATED, "expires_in says a day"),
    Case(rfc9068.required_claims, issued(body={"expires_in": "3600"}), VIOLATED, "expires_in a string"),
    Case(rfc9068.required_claims, issued(body={"expires_in": None}), HELD,
         "no expires_in (RFC 6749 §5.1 only recommends it): nothing to compare"),
    # §4 with RFC 8414 §3.3: iss is exactly the metadata's issuer.
    Case(rfc9068.issuer_matches_metadata, rfc9068.JwtBesideIssuer(issued(), "https://is.example.test"), HELD,
         "the same issuer"),
    Case(rfc9068.issuer_matches_metadata, rfc9068.JwtBesideIssuer(issued(), "https://is.example.test/"), VIOLATED,
         "a trailing slash apart"),
    Case(rfc9068.issuer_matches_metadata, rfc9068.JwtBesideIssuer(issued(iss=None), "https://is.example.test"),
         VIOLATED, "no iss"),
    Case(rfc9068.required_claims, issued(exp="never"), VIOLATED, "exp not a number"),
    # §4 and RFC 8725 §3.1: a forged token gets 401.
    Case(rfc9068.forged_tokens_rejected, FORGED_401, HELD, "401 invalid_token"),
    Case(rfc9068.forged_tokens_rejected, _resource(200), VIOLATED, "served"),
    Case(rfc9068.forged_tokens_rejected, _resource(403), VIOLATED, "403: the token was taken as valid"),
    Case(rfc9068.forged_tokens_rejected, _resource(500), VIOLATED, "500"),
    Case(rfc9068.algorithms_allow_listed, FORGED_401, HELD, "401 invalid_token"),
    Case(rfc9068.algorithms_allow_listed, response(401, method="GET"), HELD, "401 with an empty body"),
    Case(rfc9068.algorithms_allow_listed, _resource(200), VIOLATED, "served"),
    Case(rfc9068.algorithms_allow_listed, _resource(400), VIOLATED, "400"),
    # §4: a genuine token for another resource gets 401 (beside a control: the resource serves the client's own).
    Case(rfc9068.foreign_audience_refused, FORGED_401, HELD, "401 invalid_token"),
    Case(rfc9068.foreign_audience_refused, response(401, method="GET"), HELD, "401 with an empty body"),
    Case(rfc9068.foreign_audience_refused, _resource(200), VIOLATED, "served: aud is not checked"),
    Case(rfc9068.foreign_audience_refused, _resource(403), VIOLATED, "403: taken as valid, only not permitted"),
    # §3: aud is never empty.
    Case(rfc9068.audience_by_default, issued(), HELD, "one audience"),
    Case(rfc9068.audience_by_default, issued(aud=["", "https://api.example.test"]), HELD, "a list with one"),
    Case(rfc9068.audience_by_default, issued(aud=None), VIOLATED, "absent"),
    Case(rfc9068.audience_by_default, issued(aud=""), VIOLATED, "empty string"),
    Case(rfc9068.audience_by_default, issued(aud=[]), VIOLATED, "empty list"),
    Case(rfc9068.audience_by_default, issued(aud=[7]), VIOLATED, "a list without a string"),
    # §2.2.3: a scope claim beside a granted scope.
    Case(rfc9068.scope_claim_present, issued(), HELD, "scope string"),
    Case(rfc9068.scope_claim_present, issued(scope=["read", "write"]), HELD, "scope as a list"),
    Case(rfc9068.scope_claim_present, issued(scope=None), VIOLATED, "no scope claim"),
    Case(rfc9068.scope_claim_present, issued(scope=""), VIOLATED, "empty scope claim"),
    # §2.2.3 with RFC 6749 §3.3, §5.1: the scope claim is, as a set, the scope granted.
    Case(rfc9068.scope_claim_granted, asked(issued()), HELD, "claim is the response's scope"),
    Case(rfc9068.scope_claim_granted, asked(issued(scope="write read", body={"scope": "read write"})), HELD,
         "same names in another order"),
    Case(rfc9068.scope_claim_granted, asked(issued(scope=["read", "write"], body={"scope": "read write"})), HELD,
         "claim written as a list"),
    Case(rfc9068.scope_claim_granted, asked(issued(scope="read", body={"scope": None}), "read"), HELD,
         "no scope in the response: the requested one was granted"),
    Case(rfc9068.scope_claim_granted, asked(issued(scope="read", body={"scope": "read"}), "read write"), HELD,
         "the response's narrowed scope wins over the request"),
    Case(rfc9068.scope_claim_granted, asked(issued(scope="ApplicationAccess IdentityServerApi")), VIOLATED,
         "claim names a scope the response did not grant"),
    Case(rfc9068.scope_claim_granted, asked(issued(scope="read", body={"scope": "read write"})), VIOLATED,
         "claim names fewer scopes than granted"),
    Case(rfc9068.scope_claim_granted, asked(issued(scope="read write", body={"scope": None}), "read"), VIOLATED,
         "response silent, claim wider than the request"),
    Case(rfc9068.scope_claim_granted, asked(issued(scope="Read", body={"scope": "read"})), VIOLATED,
         "scope names are case-sensitive"),
    Case(rfc9068.scope_claim_granted, asked(issued(scope=7)), VIOLATED, "claim is a number"),
    Case(rfc9068.scope_claim_granted, asked(issued(scope=None)), UNDECIDED,
         "no scope claim: the presence check's business"),
    Case(rfc9068.scope_claim_granted, asked(issued(body={"scope": None})), UNDECIDED,
         "neither the response nor the request names a scope"),
    # §3: a requested resource is in aud.
    Case(rfc9068.audience_names_resource, asked(issued(aud=API), None, API), HELD, "aud is the resource"),
    Case(rfc9068.audience_names_resource, asked(issued(aud=[API, "urn:other"]), None, API), HELD,
         "aud lists the resource among others"),
    Case(rfc9068.audience_names_resource, asked(issued(aud=["urn:a", "urn:b"]), None, "urn:a", "urn:b"), HELD,
         "two resources, both in aud"),
    Case(rfc9068.audience_names_resource, asked(issued(aud="ApplicationAccess_1"), None, API), VIOLATED,
         "the default audience: the parameter was ignored"),
    Case(rfc9068.audience_names_resource, asked(issued(aud=f"{API}/"), None, API), VIOLATED,
         "a trailing slash apart"),
    Case(rfc9068.audience_names_resource, asked(issued(aud=["urn:a"]), None, "urn:a", "urn:b"), VIOLATED,
         "one of two resources missing"),
    Case(rfc9068.audience_names_resource, asked(issued(aud=None), None, API), VIOLATED, "no aud"),
    Case(rfc9068.audience_names_resource, asked(issued()), UNDECIDED, "no resource parameter was sent"),
    # §5: sub is the client's id, or absent.
    Case(rfc9068.subject_not_confusable, of_client(issued()), HELD, "sub is the client id"),
    Case(rfc9068.subject_not_confusable, of_client(issued(sub=None)), HELD, "no sub: nothing to confuse"),
    Case(rfc9068.subject_not_confusable, of_client(issued(sub="410006e1-ca4e-4502-a9ec-e54d922d2c00")), VIOLATED,
         "sub is a user's id"),
    Case(rfc9068.subject_not_confusable, of_client(issued(), CLIENT_ID.lower()), VIOLATED,
         "sub differs from the client id in case"),
]


CASES = controlled(CASES)


@cases_of(CASES)
def test_check(case: Case) -> None:
    assert_case(case)
