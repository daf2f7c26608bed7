"""RFC 6749 token endpoint probes: each When sends one variant of a client-credentials request; each
Then hands what came back to the registered checks."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode

from pytest_bdd import parsers, then, when

from oauth_conformance.checks import BesideControl, Family, PositiveControl, Refusal, rfc6749, rfc6819
from oauth_conformance.errors import SuiteError
from oauth_conformance.http import HttpClient, json_object
from oauth_conformance.targets.identity import TokenResult, basic_credentials
from oauth_conformance.targets.standards import Client, StandardsTarget
from oauth_conformance.verdicts import Checker

from ..state import Probe
from .context import authenticated, client_auth, needs_issuing, require_part, token_form

_WRONG_SECRET = "not-the-secret-0123456789"
_UNKNOWN_CLIENT = "oauth-conformance-unknown-client"





def _post(standards: StandardsTarget, http: HttpClient, probe: Probe, **kwargs: object) -> None:
    probe.responses.append(http.post(standards.identity.token_endpoint, **kwargs))


def _form(standards: StandardsTarget, **extra: str) -> dict[str, str]:
    """A token request with the client's credentials in the body: for the scenarios about body credentials."""
    credentials = {"client_id": standards.client.client_id, "client_secret": standards.client.client_secret}
    return token_form(standards, **(credentials | extra))


def _post_authenticated(standards: StandardsTarget, http: HttpClient, probe: Probe, form: dict[str, str],
                        repeated: tuple[tuple[str, str], ...] = ()) -> None:
    """A token request whose subject is not the authentication method, authenticated the way the client
    authenticates here: a server allowing the client only Basic would refuse body credentials first.
    Always a form POST, also when the form is left empty (Basic, no grant_type): what is missing is then
    the parameter, not the request's media type. ``repeated`` are sent after the form, once more."""
    request = authenticated(standards, standards.client, form)
    headers = {**request.get("headers", {}), "Content-Type": "application/x-www-form-urlencoded"}
    _post(standards, http, probe, content=urlencode([*request["data"].items(), *repeated]), headers=headers)


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
    _post(standards, http, probe, data=token_form(standards), headers=client_auth(client))


@when("a token is requested without any client credentials")
def request_anonymous(standards: StandardsTarget, http: HttpClient, probe: Probe) -> None:
    _post(standards, http, probe, data=token_form(standards))


@when("the client requests a token with its client_id but without a secret")
def request_without_secret(standards: StandardsTarget, http: HttpClient, probe: Probe) -> None:
    _post(standards, http, probe, data=token_form(standards, client_id=standards.client.client_id))


@when("the client requests a token with HTTP Basic and a wrong secret")
def request_basic_wrong(standards: StandardsTarget, http: HttpClient, probe: Probe) -> None:
    _post(standards, http, probe, data=token_form(standards),
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
    _post_authenticated(standards, http, probe, token_form(standards), repeated=(("grant_type", "client_credentials"),))


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
    form = token_form(standards)
    if grant_type == "(missing)":
        del form["grant_type"]
    else:
        form["grant_type"] = grant_type
        if grant_type == "password":
            form |= {"username": "oauth-conformance", "password": "not-a-password"}
    _post_authenticated(standards, http, probe, form)


def _special_client(standards: StandardsTarget) -> Client:
    return require_part(standards.special_client, "OAUTH_SPECIAL_CLIENT_ID and OAUTH_SPECIAL_CLIENT_SECRET (a "
                        "client whose id or secret contains characters form-urlencoding changes; Creatio generates "
                        "hex only)")


@when("the special-characters client requests a token with urlencoded HTTP Basic credentials")
def request_special(standards: StandardsTarget, http: HttpClient, probe: Probe) -> None:
    _post(standards, http, probe, data=token_form(standards), headers=client_auth(_special_client(standards)))


@when("the special-characters client requests a token with a wrong secret in urlencoded HTTP Basic")
def request_special_wrong_secret(standards: StandardsTarget, http: HttpClient, probe: Probe) -> None:
    wrong = Client(_special_client(standards).client_id, "not-the-secret+%/0123456789")
    _post(standards, http, probe, data=token_form(standards), headers=client_auth(wrong))


@then("a token is issued, while the wrong secret was refused")
def special_issued(probe: Probe, token_control: PositiveControl, checker: Checker) -> None:
    needs_issuing(token_control)
    wrong = TokenResult(probe.responses[-2], json_object(probe.responses[-2]))
    control = PositiveControl("a wrong secret for the same client", not wrong.issued,
                              "a token" if wrong.issued else "refused", wrong.exchange)
    checker.verify(rfc6749.basic_credentials_urldecoded, BesideControl(probe.last, control))


@when("the public client requests a token with its client_id alone")
def request_public(standards: StandardsTarget, http: HttpClient, probe: Probe) -> None:
    client_id = require_part(standards.public_client_id,
                             "OAUTH_PUBLIC_CLIENT_ID (a client registered without a secret)")
    _post(standards, http, probe, data=token_form(standards, client_id=client_id))


@when(parsers.parse('the client requests a token with the scope "{scope}"'))
def request_scope(scope: str, standards: StandardsTarget, probe: Probe) -> None:
    probe.responses.append(standards.token(extra={"scope": scope}).response)


# -- checks -------------------------------------------------------------------------------------


@then("a token is issued")
def token_issued(probe: Probe, token_control: PositiveControl, checker: Checker) -> None:
    needs_issuing(token_control)
    checker.verify_tagged(Family.TOKEN_ISSUED, probe.last)


@then("no token is issued")
def no_token(probe: Probe, token_control: PositiveControl, checker: Checker) -> None:
    checker.verify_tagged(Family.TOKEN_NOT_ISSUED, BesideControl(probe.last, token_control))


@then(parsers.re(r"the token request is refused with (?P<errors>[a-z_]+(?: or [a-z_]+)*)$"))
def refused_with(errors: str, probe: Probe, token_control: PositiveControl, checker: Checker) -> None:
    refusal = Refusal(probe.last, expected=tuple(errors.split(" or ")), control=token_control)
    checker.verify_tagged(Family.TOKEN_REFUSED_WITH, refusal)


@then("a token is issued with access_token, token_type Bearer and a numeric expires_in")
def response_fields(probe: Probe, checker: Checker) -> None:
    # The next checks are of a response carrying a token (RFC 6749 §5.1): without one they do not apply.
    checker.require(rfc6749.token_response_fields, probe.last)


@then("the token response is JSON")
def response_json(probe: Probe, checker: Checker) -> None:
    checker.verify(rfc6749.token_response_json, probe.last)


@then("the token response carries Cache-Control no-store")
def response_no_store(probe: Probe, checker: Checker) -> None:
    checker.verify(rfc6749.no_store, probe.last)


@then("the token response carries Pragma no-cache")
def response_pragma(probe: Probe, checker: Checker) -> None:
    checker.verify(rfc6749.pragma_no_cache, probe.last)


@then("the token response carries no refresh token")
def response_no_refresh(probe: Probe, checker: Checker) -> None:
    checker.verify(rfc6749.no_refresh_token, probe.last)


@then("the token request is refused with HTTP 401 and a WWW-Authenticate Basic challenge")
def refused_401_basic(probe: Probe, token_control: PositiveControl, checker: Checker) -> None:
    checker.verify(rfc6749.invalid_client_basic_401, BesideControl(probe.last, token_control))


@then("the error response is JSON with a registered error code")
def error_shape(probe: Probe, token_control: PositiveControl, checker: Checker) -> None:
    checker.verify(rfc6749.error_response_shape, BesideControl(probe.last, token_control))


@then("the unknown client obtains no token")
def unknown_client_no_token(probe: Probe, token_control: PositiveControl, checker: Checker) -> None:
    checker.verify(rfc6749.unknown_client_refused, BesideControl(probe.responses[-1], token_control))


@then("the error response does not echo the secret it was sent")
def error_without_secret(probe: Probe, checker: Checker) -> None:
    checker.verify(rfc6819.token_not_echoed, rfc6819.RefusedSecret(probe.last, _WRONG_SECRET))


@then("both refusals have the same status and error")
def same_refusals(probe: Probe, token_control: PositiveControl, checker: Checker) -> None:
    refusals = rfc6749.CredentialRefusals(
        wrong_secret=probe.responses[-2], unknown_client=probe.responses[-1], control=token_control
    )
    checker.verify(rfc6749.no_client_enumeration, refusals)


def _requested_scope(probe: Probe) -> str:
    """The scope the last token request sent in its form body."""
    sent = parse_qs(probe.last.request.content.decode("utf-8"), keep_blank_values=True).get("scope")
    if not sent:
        raise SuiteError("the scope scenario's token request sent no scope parameter")
    return sent[0]


@then("the scope is refused with invalid_scope or narrowed and echoed")
def scope_handling(probe: Probe, token_control: PositiveControl, checker: Checker) -> None:
    needs_issuing(token_control)
    checker.verify(rfc6749.scope_echoed, rfc6749.ScopeRequest(probe.last, requested=_requested_scope(probe)))


@then("the two access tokens differ and each carries at least 128 bits")
def tokens_unguessable(probe: Probe, token_control: PositiveControl, checker: Checker) -> None:
    needs_issuing(token_control)
    first, second = probe.responses[-2], probe.responses[-1]
    checker.verify(rfc6749.tokens_unguessable, rfc6749.TokenPair(first, second))
