"""Checks of RFC 7517, JSON Web Key, of RFC 7518 §3.3 (RSA key sizes), and of the key-set lookup a
resource server performs (https://www.rfc-editor.org/rfc/rfc7517)."""

from __future__ import annotations

from oauth_conformance.checks._observations import JwtAndKeys
from oauth_conformance.checks._outcome import Outcome, judged
from oauth_conformance.checks._registry import check


@check("JWKS-kid-resolves")
def kid_resolves(observed: JwtAndKeys) -> Outcome:
    """Holds when the token header's ``kid`` names exactly one key of the published key set. RFC 7517
    §4.5: "When "kid" values are used within a JWK Set, different keys within the JWK Set SHOULD use
    distinct "kid" values"; a resource server finds the verification key by it.
    """
    kid = observed.jwt.header.get("kid")
    matches = [k for k in observed.keys if k.get("kid") == kid]
    return judged(
        kid is not None and len(matches) == 1,
        f"kid={kid!r}: {len(matches)} matching key(s) of {len(observed.keys)}",
        [observed.jwt.exchange],
    )
