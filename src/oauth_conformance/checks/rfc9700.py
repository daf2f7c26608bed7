"""Checks of RFC 9700, Best Current Practice for OAuth 2.0 Security, as far as it applies to a client
credentials setup (https://www.rfc-editor.org/rfc/rfc9700)."""

from __future__ import annotations

from dataclasses import dataclass

import httpx2

from oauth_conformance.checks._judgements import token_not_issued
from oauth_conformance.checks._observations import BesideControl, IssuedJwt
from oauth_conformance.checks._outcome import Outcome, judged, measured, violated
from oauth_conformance.checks._predicates import media_type
from oauth_conformance.checks._registry import Family, check
from oauth_conformance.http import exchange_id

__all__ = [
    "MetadataLookup",
    "client_impersonation_review",
    "least_privilege_review",
    "metadata_published",
    "password_grant_refused",
]


@dataclass(frozen=True)
class MetadataLookup:
    """What looking for the authorization server's metadata at its well-known URLs found: the document's
    answer, or None and every URL tried with its answer."""

    response: httpx2.Response | None
    problem: str | None = None
    exchange: str | None = None


@check("RFC9700-2.6-publish-metadata")
def metadata_published(observed: MetadataLookup) -> Outcome:
    """Holds when a metadata document (OpenID discovery or RFC 8414) answers HTTP 200 as
    ``application/json`` at one of its well-known URLs. RFC 9700 §2.6: "authorization servers SHOULD
    publish their metadata" (RFC 8414). Where none is published this is the one finding: the checks of
    the metadata's contents are then blocked by it (a SKIP naming it), since RFC 8414 binds only servers
    that publish metadata.
    """
    metadata = observed.response
    if metadata is None:
        return violated(observed.problem or "no metadata found", [observed.exchange])
    published = metadata.status_code == 200 and media_type(metadata) == "application/json"
    return judged(published, f"metadata at {metadata.request.url}", [exchange_id(metadata)])


@check("RFC9700-4.15-client-impersonation", Family.JWT_SUBJECT_REVIEW)
def client_impersonation_review(jwt: IssuedJwt) -> Outcome:
    """Records the token's subject claims for a human. RFC 9700 §4.15: a client must not be able to
    choose an identifier that a resource server confuses with a person's; only the deployment knows
    its accounts.
    """
    return measured(
        f"subject claims {jwt.subject_claims}: the client cannot choose them; confirm none equals a person's account",
        [jwt.exchange],
    )


@check("RFC9700-2.3-least-privilege", Family.JWT_SUBJECT_REVIEW)
def least_privilege_review(jwt: IssuedJwt) -> Outcome:
    """Records the token's scope for a human. RFC 9700 §2.3: "the privileges associated with an access
    token SHOULD be restricted to the minimum required"; only the deployment knows what that minimum is.
    """
    scope = jwt.claims.get("scope", jwt.response_body.get("scope"))
    return measured(
        f"scope {scope!r}: compare with what the integration needs (for Creatio, the technical user's roles)",
        [jwt.exchange],
    )


@check("RFC9700-2.4-no-ropc", Family.TOKEN_NOT_ISSUED)
def password_grant_refused(observed: BesideControl) -> Outcome:
    """Holds when the integration client's token request with ``grant_type=password`` (and made-up
    resource owner credentials) obtains no token, whatever the refusal. RFC 9700 §2.4: "The resource
    owner password credentials grant [RFC6749] MUST NOT be used."
    """
    return token_not_issued(observed)
