"""Checks of RFC 9068, JWT profile for OAuth 2.0 access tokens, and RFC 8725, JWT best current
practices (https://www.rfc-editor.org/rfc/rfc9068, https://www.rfc-editor.org/rfc/rfc8725)."""

from __future__ import annotations

from oauth_conformance.checks._observations import IssuedJwt
from oauth_conformance.checks._outcome import Outcome, measured
from oauth_conformance.checks._registry import Family, check


@check("RFC9068-2.2-sub-cc", Family.JWT_SUBJECT_REVIEW)
def client_credentials_subject_review(jwt: IssuedJwt) -> Outcome:
    """Records the token's subject claims for a human. RFC 9068 §2.2: for the client credentials grant
    "the value of the sub claim" identifies the client; whether it names a user instead only the
    deployment can say.
    """
    subject = {k: jwt.claims[k] for k in ("sub", "client_id", "prop:SysAdminUnitId") if k in jwt.claims}
    return measured(f"subject claims {subject}: is sub the client, or a user?", [jwt.exchange])
