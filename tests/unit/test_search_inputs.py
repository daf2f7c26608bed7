"""The search's input properties without a server: the token-request oracle on canned answers, the steps
free of credentials, the derived values covering what a request sends, and token mutations that all
differ from the genuine token."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import get_args
from urllib.parse import unquote_plus

import httpx2
import pytest
from hypothesis import given, settings
from joserfc import jwt
from joserfc.jwk import RSAKey

from oauth_conformance.checks import PositiveControl, Status
from oauth_conformance.redaction import encoded_forms
from oauth_conformance.search.token_mutations import MutationKind, TokenMutation, token_mutations
from oauth_conformance.search.token_mutations import judgements as mutation_judgements
from oauth_conformance.search.token_requests import (
    HttpMethod,
    TokenRequestVariant,
    judgements,
    token_request_variants,
)
from oauth_conformance.targets.identity import basic_credentials
from oauth_conformance.targets.standards import Client
from tests.unit.cases import NOT_SHOWN, SHOWN, Case, assert_case, cases_of, error_response, response, token_response

HELD, VIOLATED, UNDECIDED = Status.HELD, Status.VIOLATED, Status.UNDECIDED
FORM = "application/x-www-form-urlencoded"
# Creatio's credentials: 32 and 64 upper-case hex characters.
CLIENT = Client("6F1C0A9B2D3E4F5061728394A5B6C7D8", "C3A1F09B7E2D4C6A8B0F1E3D5C7A9B2E4F6081A3C5E7092B4D6F8A1C3E5072D4")
OTHER = Client("0D9E8F7A6B5C4D3E2F1A0B9C8D7E6F5A", "5E4D3C2B1A0F9E8D7C6B5A4F3E2D1C0B9A8F7E6D5C4B3A2F1E0D9C8B7A6F5E4D")
SECRET, CLIENT_ID = CLIENT.client_secret, CLIENT.client_id
PROPERTY = settings(max_examples=300, deadline=None, derandomize=True, database=None)


def _variant(body: str | bytes = b"", *, media: str | None = FORM, auth: str | None = None,
             method: HttpMethod = "POST", query: tuple[tuple[str, str], ...] = ()) -> TokenRequestVariant:
    headers = ((("Content-Type", media),) if media else ()) + ((("Authorization", auth),) if auth else ())
    raw = body.encode() if isinstance(body, str) else body
    return TokenRequestVariant(method=method, query=query, headers=headers, body=raw, steps=("canned",),
                               client=CLIENT, other=OTHER)


BASIC = basic_credentials(CLIENT_ID, SECRET)
GRANT = "grant_type=client_credentials"
POST_BODY = f"{GRANT}&client_id={CLIENT_ID}&client_secret={SECRET}"
NO_STORE_TOKEN = token_response()
CACHED_TOKEN = response(200, json={"access_token": "eyJ.canned.token", "token_type": "Bearer"},
                        headers={"Cache-Control": "private"})
REFUSED = error_response(401, "invalid_client")


@dataclass(frozen=True)
class Row:
    why: str
    variant: TokenRequestVariant
    answer: httpx2.Response
    # Every requirement the oracle judges the answer by, and the outcome it must give.
    expect: Mapping[str, Status]
    control: PositiveControl = SHOWN


ROWS = [
    Row("valid Basic, token with no-store", _variant(GRANT, auth=BASIC), NO_STORE_TOKEN,
        {"RFC6749-5.1-no-store": HELD}),
    Row("valid body credentials, token without no-store", _variant(POST_BODY, media=f"{FORM}; charset=UTF-8"),
        CACHED_TOKEN, {"RFC6749-5.1-no-store": VIOLATED}),
    Row("parameters in another order, a needless escape", _variant(f"client%5Fsecret={SECRET}&{GRANT}&client_id="
                                                                  f"{CLIENT_ID}"), NO_STORE_TOKEN,
        {"RFC6749-5.1-no-store": HELD}),
    Row("an empty second client_secret counts as omitted", _variant(f"{GRANT}&client_secret=", auth=BASIC),
        NO_STORE_TOKEN, {"RFC6749-5.1-no-store": HELD}),
    Row("secret with a trailing space served", _variant(f"{GRANT}&client_id={CLIENT_ID}&client_secret={SECRET}+"),
        NO_STORE_TOKEN, {"RFC6749-5.1-no-store": HELD, "RFC6749-3.2.1-auth-required": VIOLATED}),
    Row("secret with a trailing space refused", _variant(f"{GRANT}&client_id={CLIENT_ID}&client_secret={SECRET}+"),
        REFUSED, {"RFC6749-5.2-error-shape": HELD, "RFC6749-3.2.1-auth-required": HELD,
                  "RFC6819-4.6.7-log-leak": HELD}),
    Row("secret with a space echoed", _variant(f"{GRANT}&client_id={CLIENT_ID}&client_secret=+{SECRET}"),
        response(401, json={"error": "invalid_client", "error_description": f"The value ' {SECRET}' is not valid"}),
        {"RFC6749-5.2-error-shape": HELD, "RFC6749-3.2.1-auth-required": HELD, "RFC6819-4.6.7-log-leak": VIOLATED}),
    Row("secret in another case through Basic", _variant(GRANT, auth=basic_credentials(CLIENT_ID, SECRET.lower())),
        NO_STORE_TOKEN, {"RFC6749-5.1-no-store": HELD, "RFC6749-3.2.1-auth-required": VIOLATED}),
    Row("one character double-encoded", _variant(f"{GRANT}&client_id={CLIENT_ID}&client_secret=%25{ord(SECRET[0]):02X}"
                                                 f"{SECRET[1:]}"), NO_STORE_TOKEN,
        {"RFC6749-5.1-no-store": HELD, "RFC6749-3.2.1-auth-required": VIOLATED}),
    Row("repeated secret, one right", _variant(f"{POST_BODY}&client_secret=not-the-secret-0123456789"),
        NO_STORE_TOKEN, {"RFC6749-5.1-no-store": HELD, "RFC6749-3.2-no-dup": VIOLATED}),
    Row("repeated secret refused invalid_client", _variant(f"{POST_BODY}&client_secret={SECRET}"), REFUSED,
        {"RFC6749-5.2-error-shape": HELD, "RFC6749-3.2-no-dup": HELD, "RFC6819-4.6.7-log-leak": HELD}),
    Row("scope once empty, once set: not repeated", _variant(f"{GRANT}&scope=&scope=read", auth=BASIC),
        NO_STORE_TOKEN, {"RFC6749-5.1-no-store": HELD}),
    Row("two methods served", _variant(POST_BODY, auth=BASIC), NO_STORE_TOKEN,
        {"RFC6749-5.1-no-store": HELD, "RFC6749-2.3-single-method": VIOLATED}),
    Row("credentials in the query only", _variant(GRANT, query=(("client_id", CLIENT_ID), ("client_secret", SECRET))),
        NO_STORE_TOKEN, {"RFC6749-5.1-no-store": HELD, "RFC6749-2.3.1-not-in-uri": VIOLATED}),
    Row("non-ASCII client id answered 500", _variant(f"{GRANT}&client_id={CLIENT_ID}%C3%A9&client_secret={SECRET}"),
        response(500, text=""), {"RFC6749-5.2-error-shape": VIOLATED, "RFC6749-3.2.1-unknown-client": HELD,
                                 "RFC6819-4.6.7-log-leak": HELD}),
    Row("client_id alone served", _variant(f"{GRANT}&client_id={CLIENT_ID}"), NO_STORE_TOKEN,
        {"RFC6749-5.1-no-store": HELD, "RFC6749-2.3.1-empty-secret": VIOLATED}),
    Row("client_secret under another case is unrecognized", _variant(f"{GRANT}&client_id={CLIENT_ID}&Client_Secret="
                                                                     f"{SECRET}"), NO_STORE_TOKEN,
        {"RFC6749-5.1-no-store": HELD, "RFC6749-2.3.1-empty-secret": VIOLATED}),
    Row("no client authentication", _variant(GRANT), error_response(400, "invalid_request"),
        {"RFC6749-5.2-error-shape": HELD, "RFC6749-3.2.1-auth-required": HELD}),
    Row("GET with the credentials in the query served", _variant(media=None, method="GET", query=(
        ("grant_type", "client_credentials"), ("client_id", CLIENT_ID), ("client_secret", SECRET))),
        NO_STORE_TOKEN, {"RFC6749-5.1-no-store": HELD, "RFC6749-3.2-post": VIOLATED}),
    Row("PUT answered 405: HTTP's own answer", _variant(POST_BODY, method="PUT"),
        response(405, json={"error": "invalid_request"}), {"RFC6749-3.2-post": HELD, "RFC6819-4.6.7-log-leak": HELD}),
    Row("a long value refused with an unregistered code", _variant(f"{GRANT}&scope={'a' * 1200}", auth=BASIC),
        error_response(400, "request_too_large"),
        {"RFC6749-5.2-error-shape": VIOLATED, "RFC6819-4.6.7-log-leak": HELD}),
    Row("JSON credentials are no token request", _variant(json.dumps(
        {"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": SECRET}),
        media="application/json"), NO_STORE_TOKEN, {"RFC6749-5.1-no-store": HELD}),
    Row("a wrong secret in JSON served", _variant(json.dumps({"client_id": CLIENT_ID, "client_secret": SECRET[:-1]}),
                                                  media="application/json"), NO_STORE_TOKEN,
        {"RFC6749-5.1-no-store": HELD, "RFC6749-3.2.1-auth-required": VIOLATED}),
    Row("JSON refused 415: HTTP's own answer", _variant(json.dumps({"client_id": CLIENT_ID}),
                                                        media="application/json"), response(415, text=""),
        {"RFC6749-2.3.1-empty-secret": HELD}),
    Row("no positive control", _variant(f"{GRANT}&client_id={CLIENT_ID}&client_secret={SECRET}+"), REFUSED,
        {"RFC6749-5.2-error-shape": UNDECIDED, "RFC6749-3.2.1-auth-required": UNDECIDED,
         "RFC6819-4.6.7-log-leak": HELD}, NOT_SHOWN),
]


@pytest.mark.parametrize("row", ROWS, ids=[r.why for r in ROWS])
def test_the_oracle_judges_each_answer_by_exactly_its_requirements(row: Row) -> None:
    found = {j.check.requirement: j.outcome().status for j in judgements(row.variant, row.answer, row.control)}
    assert found == dict(row.expect)


def test_the_exactly_valid_forms_are_told_apart() -> None:
    assert ROWS[0].variant.exactly_valid and ROWS[1].variant.exactly_valid and ROWS[2].variant.exactly_valid
    assert ROWS[3].variant.exactly_valid
    assert not any(r.variant.exactly_valid for r in ROWS[4:])


# -- mutations ----------------------------------------------------------------------------------

_ISSUER_KEY = RSAKey.generate_key(2048, parameters={"kid": "issuer-key"}, private=True)
TOKEN = jwt.encode({"alg": "RS256", "kid": "issuer-key", "typ": "at+jwt"},
                   {"iss": "https://is.example.test", "sub": CLIENT_ID, "client_id": CLIENT_ID, "aud": "api",
                    "exp": 4102444800, "iat": 1700000000, "jti": "canned", "scope": "read"}, _ISSUER_KEY)
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="api", error="invalid_token"'}


def _mutation(kind: MutationKind) -> TokenMutation:
    return TokenMutation(TOKEN + "x", ("canned",), kind)


MUTATION_ROWS = [
    Row("forged signature refused with the challenge", _variant(), response(401, headers=CHALLENGE, method="GET"),
        {"RFC9068-4-rs-validation": HELD, "RFC6750-3.1-invalid-token": HELD}),
    Row("forged signature refused bare", _variant(), response(401, method="GET"),
        {"RFC9068-4-rs-validation": HELD, "RFC6750-3.1-invalid-token": VIOLATED}),
    Row("forged signature served", _variant(), response(200, json={"value": []}, method="GET"),
        {"RFC9068-4-rs-validation": VIOLATED}),
    Row("forged signature refused 403", _variant(), response(403, headers=CHALLENGE, method="GET"),
        {"RFC9068-4-rs-validation": VIOLATED, "RFC6750-3.1-invalid-token": VIOLATED}),
]
ALG_ROWS = [
    Row("alg none served", _variant(), response(200, json={"value": []}, method="GET"),
        {"RFC8725-3.1-alg-allowlist": VIOLATED}),
    Row("alg none refused", _variant(), response(401, headers=CHALLENGE, method="GET"),
        {"RFC8725-3.1-alg-allowlist": HELD, "RFC6750-3.1-invalid-token": HELD}),
]


@pytest.mark.parametrize(("kind", "row"), [("signature", r) for r in MUTATION_ROWS] + [("alg", r) for r in ALG_ROWS],
                         ids=[r.why for r in MUTATION_ROWS + ALG_ROWS])
def test_a_mutation_is_judged_as_its_kind_says(kind: MutationKind, row: Row) -> None:
    found = {j.check.requirement: j.outcome().status
             for j in mutation_judgements(_mutation(kind), row.answer, row.control)}
    assert found == dict(row.expect)


MUTATIONS = token_mutations(TOKEN)


@PROPERTY
@given(MUTATIONS)
def test_every_mutation_differs_from_the_token_and_its_steps_show_none_of_it(mutation: TokenMutation) -> None:
    assert mutation.token != TOKEN
    assert mutation.kind in get_args(MutationKind)
    assert mutation.steps and all(step and "\n" not in step for step in mutation.steps)
    shown = " ".join(mutation.steps)
    assert not any(window in shown for part in TOKEN.split(".") for window in _windows(part, 8))
    assert mutation.derived_values() == (mutation.token,)


def _unb64(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


@PROPERTY
@given(MUTATIONS)
def test_a_flipped_bit_is_one_bit_of_the_decoded_bytes_re_encoded_canonically(mutation: TokenMutation) -> None:
    if not mutation.steps[0].startswith("one bit flipped"):
        return
    changed = [(a, b) for a, b in zip(TOKEN.split("."), mutation.token.split("."), strict=True) if a != b]
    assert len(changed) == 1
    original, flipped = (_unb64(s) for s in changed[0])
    assert len(original) == len(flipped)
    assert sum(bin(x ^ y).count("1") for x, y in zip(original, flipped, strict=True)) == 1
    assert base64.urlsafe_b64encode(flipped).rstrip(b"=").decode() == changed[0][1]


# -- variants: steps and derived values ---------------------------------------------------------


def _windows(value: str, size: int) -> Iterator[str]:
    return (value[i:i + size] for i in range(max(len(value) - size + 1, 1)))


VARIANTS = token_request_variants(CLIENT, OTHER)


@PROPERTY
@given(VARIANTS)
def test_steps_never_show_a_credential(variant: TokenRequestVariant) -> None:
    shown = "\n".join(variant.steps).lower()
    assert variant.steps and all(step and "\n" not in step for step in variant.steps)
    for credential in (CLIENT_ID, SECRET, OTHER.client_id, OTHER.client_secret):
        assert not any(window.lower() in shown for window in _windows(credential, 8)), variant.steps
    authorization = dict(variant.headers).get("Authorization", "")
    assert not authorization or authorization.split(" ", 1)[1].lower() not in shown


def _secret_like(text: str) -> bool:
    """Whether ``text`` carries a client secret or anything made from one: eight characters of it in a
    row in any letter case, or a prefix of four or more (a cut secret)."""
    lowered = text.lower()
    for secret in (SECRET, OTHER.client_secret):
        if any(window.lower() in lowered for window in _windows(secret, 8)):
            return True
        stripped = text.strip()
        if len(stripped) >= 4 and secret.startswith(stripped):
            return True
    return False


def _sent_pieces(variant: TokenRequestVariant) -> Iterator[tuple[str, str]]:
    """(as sent, as decoded) for every value a request carries: body names and values, query values,
    JSON members, the Basic credential."""
    media = dict(variant.headers).get("Content-Type", "")
    if "json" in media:
        for value in json.loads(variant.body).values():
            yield value, value
    else:
        for segment in variant.body.split(b"&"):
            for part in segment.split(b"=", 1):
                wire = part.decode("utf-8", "replace")
                yield wire, unquote_plus(wire)
    for _, value in variant.query:
        yield value, value
    authorization = dict(variant.headers).get("Authorization")
    if authorization:
        token = authorization.split(" ", 1)[1]
        yield token, base64.b64decode(token).decode("utf-8", "replace")


@settings(PROPERTY, max_examples=600)
@given(VARIANTS)
def test_derived_values_cover_everything_sent_that_is_derived_from_a_secret(variant: TokenRequestVariant) -> None:
    covered = {form for value in variant.derived_values() for form in (value, *encoded_forms(value))}
    for wire, decoded in _sent_pieces(variant):
        if _secret_like(decoded) or _secret_like(wire):
            assert wire in covered, (wire, variant.steps)


# -- the table every unit test module gives test_check_registry ------------------------------------

CASES = [Case(j.check, j.observation, row.expect[j.check.requirement], row.why)
         for row in ROWS for j in judgements(row.variant, row.answer, row.control)]
_BY_KIND: tuple[tuple[MutationKind, list[Row]], ...] = (("signature", MUTATION_ROWS), ("alg", ALG_ROWS))
CASES += [Case(j.check, j.observation, row.expect[j.check.requirement], row.why)
          for kind, rows in _BY_KIND for row in rows
          for j in mutation_judgements(_mutation(kind), row.answer, row.control)]


@cases_of(CASES)
def test_check(case: Case) -> None:
    assert_case(case)
