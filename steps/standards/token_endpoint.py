"""RFC 6749 token endpoint probes: each When sends one variant of a client-credentials request."""

from __future__ import annotations

import math
import re
from urllib.parse import urlencode

import httpx
import pytest
from pytest_bdd import parsers, then, when

from oauth_conformance.checks import rfc6749
from oauth_conformance.http import HttpClient, exchange_id, json_object
from oauth_conformance.targets.identity import basic_credentials
from oauth_conformance.targets.standards import StandardsTarget
from oauth_conformance.verdicts import Checker
from steps.standards.context import client_auth, require_part
from steps.state import Probe

# RFC 6749 §5.2 error codes for the token endpoint (and invalid_token etc. are not among them).
REGISTERED_ERRORS = frozenset(
    {"invalid_request", "invalid_client", "invalid_grant", "unauthorized_client", "unsupported_grant_type",
     "invalid_scope"}
)
# §5.2: error, error_description and error_uri use a restricted character set.
_ERROR_CHARSET = re.compile(r"[\x20-\x21\x23-\x5B\x5D-\x7E]*")
_WRONG_SECRET = "not-the-secret-0123456789"
_UNKNOWN_CLIENT = "oauth-conformance-unknown-client"


def _post(standards: StandardsTarget, http: HttpClient, probe: Probe, **kwargs: object) -> None:
    probe.responses.append(http.post(standards.identity.token_endpoint, **kwargs))


def _form(standards: StandardsTarget, **extra: str) -> dict[str, str]:
    return {"grant_type": "client_credentials", "client_id": standards.client.client_id,
            "client_secret": standards.client.client_secret, **extra}


def _issued(response: httpx.Response) -> bool:
    body = json_object(response)
    return response.status_code == 200 and body is not None and isinstance(body.get("access_token"), str)


def _describe(response: httpx.Response) -> str:
    body = json_object(response)
    error = body.get("error") if body else None
    return f"HTTP {response.status_code}" + (f", error={error!r}" if error else "") + (
        ", token issued" if _issued(response) else ""
    )


# -- requests -----------------------------------------------------------------------------------


@when("the client requests a token with its credentials in the request body")
def request_body(standards: StandardsTarget, http: HttpClient, probe: Probe) -> None:
    _post(standards, http, probe, data=_form(standards))


@when("the client requests a token")
@when("the client requests a token again")
def request_any(standards: StandardsTarget, probe: Probe) -> None:
    probe.responses.append(standards.token().response)


@when("the client requests a token with HTTP Basic authentication")
def request_basic(standards: StandardsTarget, http: HttpClient, probe: Probe) -> None:
    client = standards.client
    _post(standards, http, probe, data={"grant_type": "client_credentials"},
          headers=client_auth(client))


@when("a token is requested without any client credentials")
def request_anonymous(standards: StandardsTarget, http: HttpClient, probe: Probe) -> None:
    _post(standards, http, probe, data={"grant_type": "client_credentials"})


@when("the client requests a token with its client_id but without a secret")
def request_without_secret(standards: StandardsTarget, http: HttpClient, probe: Probe) -> None:
    _post(standards, http, probe, data={"grant_type": "client_credentials", "client_id": standards.client.client_id})


@when("the client requests a token with HTTP Basic and a wrong secret")
def request_basic_wrong(standards: StandardsTarget, http: HttpClient, probe: Probe) -> None:
    _post(standards, http, probe, data={"grant_type": "client_credentials"},
          headers={"Authorization": basic_credentials(standards.client.client_id, _WRONG_SECRET)})


@when("the client requests a token with a wrong secret in the request body")
def request_body_wrong(standards: StandardsTarget, http: HttpClient, probe: Probe) -> None:
    _post(standards, http, probe, data=_form(standards, client_secret=_WRONG_SECRET))


@when("an unknown client requests a token")
def request_unknown_client(standards: StandardsTarget, http: HttpClient, probe: Probe) -> None:
    _post(standards, http, probe, data=_form(standards, client_id=_UNKNOWN_CLIENT, client_secret=_WRONG_SECRET))


@when("the client requests a token with its credentials in the query string only")
def request_query(standards: StandardsTarget, http: HttpClient, probe: Probe) -> None:
    _post(standards, http, probe, params=_form(standards))


@when("the client requests a token with GET")
def request_get(standards: StandardsTarget, http: HttpClient, probe: Probe) -> None:
    probe.responses.append(http.get(standards.identity.token_endpoint, params=_form(standards)))


@when("the client requests a token with the grant_type parameter repeated")
def request_duplicate(standards: StandardsTarget, http: HttpClient, probe: Probe) -> None:
    body = urlencode([*_form(standards).items(), ("grant_type", "client_credentials")])
    _post(standards, http, probe, content=body,
          headers={"Content-Type": "application/x-www-form-urlencoded"})


@when("the client requests a token with an extra unknown parameter")
def request_unknown_parameter(standards: StandardsTarget, probe: Probe) -> None:
    probe.responses.append(standards.token(extra={"oauth_conformance_probe": "ignored"}).response)


@when("the client requests a token with an empty scope parameter")
def request_empty_scope(standards: StandardsTarget, probe: Probe) -> None:
    probe.responses.append(standards.token(extra={"scope": ""}).response)


@when("the client requests a token with HTTP Basic and body credentials at once")
def request_two_methods(standards: StandardsTarget, http: HttpClient, probe: Probe) -> None:
    client = standards.client
    _post(standards, http, probe, data=_form(standards),
          headers=client_auth(client))


@when(parsers.re(r"the client requests a token with grant_type (?P<grant_type>\S+)"))
def request_grant_type(grant_type: str, standards: StandardsTarget, http: HttpClient, probe: Probe) -> None:
    form = _form(standards)
    if grant_type == "(missing)":
        del form["grant_type"]
    else:
        form["grant_type"] = grant_type
        if grant_type == "password":
            form |= {"username": "oauth-conformance", "password": "not-a-password"}
    _post(standards, http, probe, data=form)


@when("the special-characters client requests a token with urlencoded HTTP Basic credentials")
def request_special(standards: StandardsTarget, http: HttpClient, probe: Probe) -> None:
    require_part(standards.special_client, "OAUTH_SPECIAL_CLIENT_ID and OAUTH_SPECIAL_CLIENT_SECRET (a client "
                 "whose id or secret contains characters form-urlencoding changes; Creatio generates hex only)")
    assert standards.special_client is not None
    client = standards.special_client
    _post(standards, http, probe, data={"grant_type": "client_credentials"},
          headers=client_auth(client))


@when("the public client requests a token with its client_id alone")
def request_public(standards: StandardsTarget, http: HttpClient, probe: Probe) -> None:
    require_part(standards.public_client_id, "OAUTH_PUBLIC_CLIENT_ID (a client registered without a secret)")
    assert standards.public_client_id is not None
    _post(standards, http, probe, data={"grant_type": "client_credentials", "client_id": standards.public_client_id})


@when(parsers.parse('the client requests a token with the scope "{scope}"'))
def request_scope(scope: str, standards: StandardsTarget, probe: Probe) -> None:
    probe.responses.append(standards.token(extra={"scope": scope}).response)


# -- checks -------------------------------------------------------------------------------------


@then("a token is issued")
def token_issued(probe: Probe, checker: Checker) -> None:
    requirement = checker.pick(
        "RFC6749-5.1-fields", "RFC6749-2.3.1-basic", "RFC6749-2.3.1-post", "RFC6749-3.2-ignore-unknown",
        "RFC6749-3.2-empty-param", "RFC6749-2.3.1-basic-urlencode",
    )
    response = probe.last
    checker.require(requirement, _issued(response), _describe(response), [exchange_id(response)])


@then("no token is issued")
def no_token(probe: Probe, checker: Checker) -> None:
    requirement = checker.pick(
        "RFC6749-2.3.1-not-in-uri", "RFC6749-3.2-post", "RFC6749-2.3-single-method", "RFC9700-2.4-no-ropc",
        "RFC6749-4.4-confidential",
    )
    response = probe.last
    checker.require(requirement, not _issued(response), _describe(response), [exchange_id(response)])


@then(parsers.re(r"the token request is refused with (?P<errors>[a-z_]+(?: or [a-z_]+)*)$"))
def refused_with(errors: str, probe: Probe, checker: Checker) -> None:
    requirement = checker.pick(
        "RFC6749-3.2.1-auth-required", "RFC6749-2.3.1-empty-secret", "RFC6749-3.2-no-dup", "RFC6749-4.4.2-grant-type",
        "RFC6819-5.2.3.6-revoke-secret",
    )
    response = probe.last
    body = json_object(response) or {}
    checker.require(
        requirement,
        not _issued(response) and response.status_code in (400, 401) and body.get("error") in errors.split(" or "),
        f"expected {errors}: {_describe(response)}",
        [exchange_id(response)],
    )


@then("the token response has access_token, token_type Bearer and a numeric expires_in")
def response_fields(probe: Probe, checker: Checker) -> None:
    response = probe.last
    body = json_object(response) or {}
    token_type = body.get("token_type")
    expires_in = body.get("expires_in")
    ok = (
        isinstance(body.get("access_token"), str)
        and isinstance(token_type, str)
        and token_type.lower() == "bearer"
        and (expires_in is None or (isinstance(expires_in, int | float) and not isinstance(expires_in, bool)))
    )
    checker.require(
        "RFC6749-5.1-fields",
        ok,
        f"token_type={token_type!r}, expires_in={expires_in!r} ({type(expires_in).__name__})",
        [exchange_id(response)],
    )


@then("the token response is JSON")
def response_json(probe: Probe, checker: Checker) -> None:
    response = probe.last
    media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    checker.require("RFC6749-5.1-content-type", media_type == "application/json",
                    f"Content-Type: {response.headers.get('content-type')!r}", [exchange_id(response)])


def _directives(value: str) -> set[str]:
    return {part.strip().lower() for part in value.split(",") if part.strip()}


@then("the token response carries Cache-Control no-store")
def response_no_store(probe: Probe, checker: Checker) -> None:
    response = probe.last
    value = response.headers.get("cache-control", "")
    checker.require("RFC6749-5.1-no-store", "no-store" in _directives(value),
                    f"Cache-Control: {value!r}", [exchange_id(response)])


@then("the token response carries Pragma no-cache")
def response_pragma(probe: Probe, checker: Checker) -> None:
    checker.verify(rfc6749.pragma_no_cache, probe.last)


@then("the token response carries no refresh token")
def response_no_refresh(probe: Probe, checker: Checker) -> None:
    response = probe.last
    body = json_object(response) or {}
    checker.require("RFC6749-4.4.3-no-refresh", "refresh_token" not in body,
                    "refresh_token present" if "refresh_token" in body else "no refresh_token",
                    [exchange_id(response)])


@then("the token request is refused with HTTP 401 and a WWW-Authenticate Basic challenge")
def refused_401_basic(probe: Probe, checker: Checker) -> None:
    response = probe.last
    challenge = response.headers.get("www-authenticate", "")
    checker.require(
        "RFC6749-5.2-invalid-client-401",
        not _issued(response) and response.status_code == 401 and challenge.lower().startswith("basic"),
        f"{_describe(response)}, WWW-Authenticate: {challenge!r}",
        [exchange_id(response)],
    )


@then("the error response is JSON with a registered error code")
def error_shape(probe: Probe, checker: Checker) -> None:
    response = probe.last
    body = json_object(response) or {}
    error = body.get("error")
    texts = [body.get(k) for k in ("error", "error_description", "error_uri") if k in body]
    ok = (
        response.status_code in (400, 401)
        and error in REGISTERED_ERRORS
        and all(isinstance(t, str) and _ERROR_CHARSET.fullmatch(t) for t in texts)
    )
    checker.require("RFC6749-5.2-error-shape", ok, _describe(response), [exchange_id(response)])


@then("both refusals have the same status and error")
def same_refusals(probe: Probe, checker: Checker) -> None:
    wrong, unknown = probe.responses[-2], probe.responses[-1]
    same = wrong.status_code == unknown.status_code and (json_object(wrong) or {}).get("error") == (
        json_object(unknown) or {}
    ).get("error")
    checker.require(
        "RFC6749-5.2-no-enum",
        same and not _issued(wrong) and not _issued(unknown),
        f"wrong secret: {_describe(wrong)}; unknown client: {_describe(unknown)}",
        [exchange_id(wrong), exchange_id(unknown)],
    )


@then("the scope is refused with invalid_scope or narrowed and echoed")
def scope_handling(probe: Probe, checker: Checker) -> None:
    response = probe.last
    body = json_object(response) or {}
    requested = "urn:oauth-conformance:not-granted"
    if _issued(response):
        granted = body.get("scope")
        ok = isinstance(granted, str) and requested not in granted.split()
        message = f"token issued with scope {granted!r}"
    else:
        ok = body.get("error") == "invalid_scope"
        message = _describe(response)
    checker.require("RFC6749-3.3-scope-echo", ok, message, [exchange_id(response)])


# Character classes a token generator draws from; a token's alphabet is the union of the classes its
# characters fall in (the characters one token happens to use would understate it).
_HEX = frozenset("0123456789abcdef")
_CLASSES = (frozenset("0123456789"), frozenset("abcdefghijklmnopqrstuvwxyz"),
            frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), frozenset("-_"), frozenset("+/"), frozenset("."))


def _alphabet(tokens: list[str]) -> int:
    chars = set("".join(tokens))
    if chars <= _HEX or chars <= {c.upper() for c in _HEX}:
        return 16
    known = [cls for cls in _CLASSES if chars & cls]
    return sum(len(cls) for cls in known) + len(chars - frozenset().union(*_CLASSES))


def _entropy_bits(token: str, alphabet: int) -> float:
    # An upper bound from length and alphabet: a token shorter than this cannot carry 128 random bits.
    return len(token) * math.log2(max(alphabet, 2))


@then("the two access tokens differ and each carries at least 128 bits")
def tokens_unguessable(probe: Probe, checker: Checker) -> None:
    first, second = probe.responses[-2], probe.responses[-1]
    tokens = [(json_object(r) or {}).get("access_token") for r in (first, second)]
    ok = all(isinstance(t, str) for t in tokens) and tokens[0] != tokens[1]
    strings = [t for t in tokens if isinstance(t, str)]
    bits = min(_entropy_bits(t, _alphabet(strings)) for t in strings) if ok else 0.0
    checker.require(
        "RFC6749-10.3-unguessable",
        ok and bits >= 128,
        f"tokens {'differ' if ok else 'are equal or missing'}; at most {bits:.0f} bits by length and alphabet",
        [exchange_id(first), exchange_id(second)],
    )
