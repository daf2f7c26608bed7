"""Checks of RFC 6819, the OAuth 2.0 Threat Model and Security Considerations
(https://www.rfc-editor.org/rfc/rfc6819)."""

from __future__ import annotations

from oauth_conformance.checks._judgements import refusal_as_expected, token_endpoint_not_plain
from oauth_conformance.checks._observations import PlainHttpAnswer, Refusal
from oauth_conformance.checks._outcome import Outcome
from oauth_conformance.checks._registry import Family, check


@check("RFC6819-5.2.3.6-revoke-secret", Family.TOKEN_REFUSED_WITH)
def deactivated_secret_refused(refusal: Refusal) -> Outcome:
    """Holds when a deactivated client's token request is refused with the expected error
    (``invalid_client``), HTTP 400 or 401, and no token. RFC 6819 §5.2.3.6: "Revoke client
    secrets": once revoked, the secret must no longer authenticate the client.
    """
    return refusal_as_expected(refusal)


@check("RFC6819-5.1.1-tls", Family.PLAIN_HTTP_TOKEN_ENDPOINT)
def token_endpoint_confidential(answer: PlainHttpAnswer) -> Outcome:
    """Holds when made-up credentials sent to the token endpoint over plain http are not served (see
    RFC6749-3.2-tls). RFC 6819 §5.1.1: "Ensure Confidentiality of Requests": requests carrying
    credentials travel over TLS only.
    """
    return token_endpoint_not_plain(answer)
