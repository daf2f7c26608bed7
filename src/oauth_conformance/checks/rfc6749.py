"""Checks of RFC 6749, the OAuth 2.0 Authorization Framework: the token endpoint and the client
credentials grant (https://www.rfc-editor.org/rfc/rfc6749)."""

from __future__ import annotations

import httpx

from oauth_conformance.checks._judgements import forged_token_refused, token_endpoint_not_plain, token_issued
from oauth_conformance.checks._observations import MetadataDocument, PlainHttpAnswer
from oauth_conformance.checks._outcome import Outcome, judged
from oauth_conformance.checks._predicates import directives, issued
from oauth_conformance.checks._registry import Family, check
from oauth_conformance.http import exchange_id, json_object


@check("RFC6749-2.3.1-basic", Family.TOKEN_ISSUED)
def basic_authentication_supported(response: httpx.Response) -> Outcome:
    """Holds when the token request authenticated with HTTP Basic obtained a token. RFC 6749 §2.3.1:
    "The authorization server MUST support the HTTP Basic authentication scheme for authenticating
    clients that were issued a client password."
    """
    return token_issued(response)


@check("RFC6749-5.1-pragma")
def pragma_no_cache(response: httpx.Response) -> Outcome:
    """Holds when the token response carries ``Pragma: no-cache`` (other directives beside it are
    fine). RFC 6749 §5.1: "The authorization server MUST include [...] the "Pragma" response header
    field [RFC2616] with a value of "no-cache"."
    """
    value = response.headers.get("pragma", "")
    return judged("no-cache" in directives(value), f"Pragma: {value!r}", [exchange_id(response)])


@check("RFC6749-7-rs-validate", Family.FORGED_TOKEN_REFUSED)
def resource_server_validates(response: httpx.Response) -> Outcome:
    """Holds when the protected resource answers a forged access token with 401. RFC 6749 §7: "The
    resource server MUST validate the access token and ensure that it has not expired and that its
    scope covers the requested resource"; a token the issuer did not sign is not valid, and RFC 6750
    §3.1 gives 401 for an invalid token.
    """
    return forged_token_refused(response)


@check("RFC6749-3.3-default-scope")
def default_scope_applied(response: httpx.Response) -> Outcome:
    """Holds when a token request without a scope obtains a token (a default scope applied) or is
    refused with ``invalid_scope``. RFC 6749 §3.3: "If the client omits the scope parameter when
    requesting authorization, the authorization server MUST either process the request using a
    pre-defined default value or fail the request indicating an invalid scope."
    """
    body = json_object(response) or {}
    granted = issued(response)
    message = f"token issued, scope {body.get('scope')!r}" if granted else f"HTTP {response.status_code} {body}"
    return judged(granted or body.get("error") == "invalid_scope", message, [exchange_id(response)])


@check("RFC6749-3.2-tls", Family.PLAIN_HTTP_TOKEN_ENDPOINT)
def token_endpoint_requires_tls(answer: PlainHttpAnswer) -> Outcome:
    """Holds when made-up credentials sent to the token endpoint over plain http are not served:
    nothing listens, a redirect, or a refusal of plain http as such. A token, or an OAuth error that
    shows the credentials were evaluated, violates it. RFC 6749 §3.2: "the authorization server MUST
    require the use of TLS [...] when sending requests to the token endpoint."
    """
    return token_endpoint_not_plain(answer)


@check("RFC6749-10.8-no-cleartext")
def no_cleartext_endpoints(metadata: MetadataDocument) -> Outcome:
    """Holds when no ``*_endpoint`` or ``*_uri`` member of the metadata is an ``http://`` URL. RFC 6749
    §10.8: "the authorization server MUST require the use of TLS [...] when sending requests" with
    credentials, so no advertised endpoint may lead a client to send them in the clear.
    """
    plain = [
        name for name, value in metadata.body.items()
        if name.endswith(("_endpoint", "_uri")) and isinstance(value, str) and value.startswith("http://")
    ]
    return judged(not plain, f"plain http endpoints: {plain or 'none'}", [metadata.exchange])
