"""Checks of RFC 7009, OAuth 2.0 Token Revocation, where the server advertises the endpoint
(https://www.rfc-editor.org/rfc/rfc7009)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx2

from oauth_conformance.checks._judgements import beside_control
from oauth_conformance.checks._observations import BesideControl, PositiveControl
from oauth_conformance.checks._outcome import Outcome, judged, measured
from oauth_conformance.checks._predicates import error_code
from oauth_conformance.checks._registry import Family, check
from oauth_conformance.http import exchange_id, json_object

__all__ = [
    "AdvertisedRevocationEndpoint",
    "ApiAnswerAfterRevocation",
    "ForeignRevocationAftermath",
    "IntrospectionView",
    "access_token_revoked",
    "endpoint_is_https",
    "foreign_revocation_ignored",
    "introspected_active",
    "revocation_effect_review",
    "unknown_token_answered_200",
    "wrong_hint_answered_200",
]


@dataclass(frozen=True)
class AdvertisedRevocationEndpoint:
    """The ``revocation_endpoint`` URL the server's metadata advertises."""

    url: str


@dataclass(frozen=True)
class ApiAnswerAfterRevocation:
    """The protected resource's answer to an access token right after the client revoked it."""

    response: httpx2.Response


@dataclass(frozen=True)
class IntrospectionView:
    """The client's own introspection of an untouched fresh token (the control) and of the token another
    client tried to revoke."""

    control: httpx2.Response
    answer: httpx2.Response


@dataclass(frozen=True)
class ForeignRevocationAftermath:
    """A second client's attempt to revoke the client's fresh token, the protected resource's answer to
    that token afterwards, and, where the server advertises introspection, the client's own view of it.

    ``introspection`` is None where no introspection endpoint is advertised.
    """

    revocation: httpx2.Response
    api: httpx2.Response
    # The client's own revocation of its own token, seen to take effect.
    control: PositiveControl
    introspection: IntrospectionView | None = None


@check("RFC7009-2-post-tls")
def endpoint_is_https(endpoint: AdvertisedRevocationEndpoint) -> Outcome:
    """Holds when the advertised revocation endpoint is an https URL. RFC 7009 §2: "Since requests to the
    token revocation endpoint result in the transmission of plaintext credentials in the HTTP request,
    URLs for token revocation endpoints MUST be HTTPS URLs." (A plain-http endpoint on loopback, where
    the whole deployment is served over plain http, is not looked at: the scenario skips.)
    """
    return judged(urlsplit(endpoint.url).scheme == "https", f"revocation_endpoint={endpoint.url!r}")


def _answered_200(response: httpx2.Response) -> Outcome:
    error = error_code(response)
    return judged(
        response.status_code == 200,
        f"HTTP {response.status_code}" + (f", error={error!r}" if error else ""),
        [exchange_id(response)],
    )


@check("RFC7009-2.2-invalid-200")
def unknown_token_answered_200(observed: BesideControl) -> Outcome:
    """Holds when revoking a token the server never issued is answered HTTP 200 (with any body). RFC 7009
    §2.2: "The authorization server responds with HTTP status code 200 if the token has been revoked
    successfully or if the client submitted an invalid token." Any 200 would do, so it counts only where
    the same endpoint, in the same run, revoked the client's own fresh access token with 200 (the
    control): a 200 from something that is no revocation endpoint (an echo, a login page) proves nothing.
    """
    return beside_control(observed.control, _answered_200(observed.response))


@check("RFC7009-2.1-hint")
def wrong_hint_answered_200(observed: BesideControl) -> Outcome:
    """Holds when revoking a fresh access token sent with the wrong ``token_type_hint`` (refresh_token)
    is answered HTTP 200, where the same revocation without a hint is answered 200 too. RFC 7009 §2.1:
    "If the server is unable to locate the token using the given hint, it MUST extend its search across
    all of its supported token types." A server that cannot revoke access tokens at all refuses both;
    that limitation is RFC7009-2-access-tokens' (a SHOULD), not this MUST's, so without the control this
    check is undecided.
    """
    return beside_control(observed.control, _answered_200(observed.response))


@check("RFC7009-2-access-tokens", Family.REVOCATION_ANSWERED)
def access_token_revoked(response: httpx2.Response) -> Outcome:
    """Holds when revoking a fresh access token is answered HTTP 200; ``unsupported_token_type`` (or any
    other refusal) violates it. RFC 7009 §2: "Implementations MUST support the revocation of refresh
    tokens and SHOULD support the revocation of access tokens".
    """
    return _answered_200(response)


@check("RFC7009-effect")
def revocation_effect_review(observed: ApiAnswerAfterRevocation) -> Outcome:
    """Records, for a human, how the protected resource answers a token right after its revocation.
    RFC 7009 §2.1: "The invalidation takes place immediately, and the token cannot be used again after
    the revocation. In practice, there could be a propagation delay"; a resource server that validates
    self-contained JWTs locally may accept one until it expires, and only the deployment knows whether
    that is acceptable.
    """
    status = observed.response.status_code
    return measured(
        f"right after revocation the API answers HTTP {status}"
        + ("" if status == 401 else " (a self-contained JWT may live until it expires)"),
        [exchange_id(observed.response)],
    )


def introspected_active(introspection: httpx2.Response) -> object:
    """The ``active`` member of an introspection answer; None when it was refused or is not 200."""
    return (json_object(introspection) or {}).get("active") if introspection.status_code == 200 else None


@check("RFC7009-2.1-client-auth")
def foreign_revocation_ignored(observed: ForeignRevocationAftermath) -> Outcome:
    """Holds when, after a second client tried to revoke the client's token, the protected resource still
    serves that token (2xx) and, where introspection can be trusted, the client's own introspection still
    calls it ``active: true``. Introspection is trusted only once it calls an untouched fresh token
    active (the control): an endpoint that says "inactive" to everything, or refuses this client, tells
    nothing about the revocation. RFC 7009 §2.1: "The authorization server first validates the client
    credentials (in case of a confidential client) and then verifies whether the token was issued to
    the client making the revocation request. If this validation fails, the request is refused".
    Against a resource server that validates JWTs locally, the resource alone cannot show whether the
    other client's revocation took effect; the message says so when introspection was unusable. The
    token still working counts only where the client's own revocation was seen to take effect in the
    same run (the positive control): else a revocation endpoint that revokes nothing would pass.
    """
    valid = 200 <= observed.api.status_code < 300
    message = f"after the other client's revocation attempt the token gets HTTP {observed.api.status_code}"
    evidence = [exchange_id(observed.revocation), exchange_id(observed.api)]
    unused = "; introspection unusable (not advertised, refused, or a fresh token not active)"
    view = observed.introspection
    if view is not None:
        control, active = introspected_active(view.control), introspected_active(view.answer)
        if control is True and active is not None:
            valid = valid and active is True
            message += f"; introspection says active={active!r} (a fresh token: active=True)"
            evidence += [exchange_id(view.control), exchange_id(view.answer)]
            unused = ""
    return beside_control(observed.control, judged(valid, message + unused, evidence))
