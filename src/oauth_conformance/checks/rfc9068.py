"""Checks of RFC 9068, JWT profile for OAuth 2.0 access tokens, and RFC 8725, JWT best current
practices (https://www.rfc-editor.org/rfc/rfc9068, https://www.rfc-editor.org/rfc/rfc8725)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from oauth_conformance.checks._judgements import audience_restricted, forged_token_refused
from oauth_conformance.checks._observations import BesideControl, IssuedJwt, JwtOfClient
from oauth_conformance.checks._outcome import Outcome, held, judged, measured, undecided, violated
from oauth_conformance.checks._registry import Family, check
from oauth_conformance.redaction import RedactedRepr

__all__ = [
    "LIFETIME_TOLERANCE_S",
    "REQUIRED_CLAIMS",
    "JwtAsRequested",
    "JwtBesideIssuer",
    "algorithms_allow_listed",
    "audience_by_default",
    "audience_names_resource",
    "client_credentials_subject_review",
    "explicitly_typed",
    "foreign_audience_refused",
    "forged_tokens_rejected",
    "issuer_matches_metadata",
    "required_claims",
    "rs256_signed",
    "scope_claim_granted",
    "scope_claim_present",
    "subject_not_confusable",
    "typed_access_token",
]

# RFC 9068 §2.2, in the order the scenario names them.
REQUIRED_CLAIMS = ("iss", "exp", "aud", "sub", "client_id", "iat", "jti")
# exp - iat may differ from expires_in by the time the response took to build.
LIFETIME_TOLERANCE_S = 5


@check("RFC9068-2.2-sub-cc", Family.JWT_SUBJECT_REVIEW)
def client_credentials_subject_review(jwt: IssuedJwt) -> Outcome:
    """Records the token's subject claims for a human. RFC 9068 §2.2: for the client credentials grant
    "the value of the sub claim" identifies the client; whether it names a user instead only the
    deployment can say.
    """
    return measured(f"subject claims {jwt.subject_claims}: is sub the client, or a user?", [jwt.exchange])


def _typed(jwt: IssuedJwt) -> Outcome:
    typ = jwt.header.get("typ")
    ok = isinstance(typ, str) and typ.lower() in ("at+jwt", "application/at+jwt")
    return judged(ok, f"typ={typ!r}", [jwt.exchange])


@check("RFC9068-2.1-typ", Family.JWT_TYPED)
def typed_access_token(jwt: IssuedJwt) -> Outcome:
    """Holds when the token header's ``typ`` is ``at+jwt`` or ``application/at+jwt`` (media types are
    case-insensitive); ``JWT`` or no ``typ`` violates it. RFC 9068 §2.1: "JWT access tokens MUST include
    this media type in the "typ" header parameter to explicitly declare that the JWT represents an
    access token complying with this profile. [...] the "typ" value used SHOULD be "at+jwt"."
    """
    return _typed(jwt)


@check("RFC8725-3.11-explicit-typing", Family.JWT_TYPED)
def explicitly_typed(jwt: IssuedJwt) -> Outcome:
    """Holds when the token header's ``typ`` declares the access-token type (``at+jwt`` or
    ``application/at+jwt``, any case), so that no other kind of JWT passes for one. RFC 8725 §3.11:
    "Explicit JWT typing is accomplished by using the "typ" Header Parameter"; RFC 9068 is the
    application that defines the access-token type.
    """
    return _typed(jwt)


@check("RFC9068-2.1-signed")
def rs256_signed(jwt: IssuedJwt) -> Outcome:
    """Holds when the token header's ``alg`` is ``RS256``: ``none``, another algorithm or none named
    violates it. RFC 9068 §2.1: "JWT access tokens MUST be signed" and "MUST NOT use "none" as the
    signing algorithm"; "Authorization servers and resource servers conforming to this specification
    MUST include RS256 [...] among their supported signature algorithms". The suite asks that tokens
    actually use RS256, the one algorithm every conforming resource server verifies.
    """
    alg = jwt.header.get("alg")
    return judged(alg == "RS256", f"alg={alg!r}", [jwt.exchange])


@check("RFC9068-2.2-claims")
def required_claims(jwt: IssuedJwt) -> Outcome:
    """Holds when the token carries every claim RFC 9068 §2.2 marks REQUIRED (iss, exp, aud, sub,
    client_id, iat, jti) and its lifetime ``exp - iat`` matches the token response's ``expires_in``
    within 5 seconds (the time the response took to build), where the response carries one. A missing
    claim, a non-numeric exp, iat or expires_in, or a lifetime that differs, violates it: the token would
    outlive, or die before, what the client was told (RFC 6749 §5.1: expires_in is "The lifetime in
    seconds of the access token", and only RECOMMENDED, so its absence leaves nothing to compare).
    """
    missing = [name for name in REQUIRED_CLAIMS if name not in jwt.claims]
    if missing:
        return violated(f"missing: {', '.join(missing)}", [jwt.exchange])
    expires_in = jwt.response_body.get("expires_in")
    exp, iat = jwt.claims.get("exp"), jwt.claims.get("iat")
    if not (isinstance(exp, int | float) and isinstance(iat, int | float)):
        return violated(f"all present; exp={exp!r}, iat={iat!r}", [jwt.exchange])
    if expires_in is None:
        # RFC 6749 §5.1 only RECOMMENDS expires_in: without it there is nothing to compare.
        return held(f"all present; exp-iat={exp - iat!r}, no expires_in to compare", [jwt.exchange])
    if not isinstance(expires_in, int | float):
        return violated(f"all present; expires_in={expires_in!r} is not a number", [jwt.exchange])
    return judged(abs((exp - iat) - expires_in) <= LIFETIME_TOLERANCE_S,
                  f"all present; exp-iat={exp - iat!r} vs expires_in={expires_in!r}", [jwt.exchange])


@dataclass(frozen=True, repr=False)
class JwtBesideIssuer(RedactedRepr):
    """A JWT access token as issued, beside the ``issuer`` of the authorization server's metadata."""

    jwt: IssuedJwt
    metadata_issuer: object


@check("RFC9068-4-iss-match")
def issuer_matches_metadata(observed: JwtBesideIssuer) -> Outcome:
    """Holds when the token's ``iss`` equals, character for character, the ``issuer`` of the server's
    metadata. RFC 9068 §4: "The issuer identifier for the authorization server (which is typically
    obtained during discovery) MUST exactly match the value of the "iss" claim"; RFC 8414 §3.3 makes the
    metadata's issuer the server's issuer identifier. A token whose iss differs is refused by every
    resource server that validates as §4 says.
    """
    iss = observed.jwt.claims.get("iss")
    return judged(
        isinstance(iss, str) and iss == observed.metadata_issuer,
        f"iss={iss!r}, metadata issuer={observed.metadata_issuer!r}",
        [observed.jwt.exchange],
    )


@check("RFC9068-4-rs-validation", Family.FORGED_TOKEN_REFUSED)
def forged_tokens_rejected(observed: BesideControl) -> Outcome:
    """Holds when the protected resource answers a forged variant of a real token (alg none, HS256
    keyed with the public key, an unknown kid, a tampered payload, a stripped signature, a foreign key)
    with 401. RFC 9068 §4: "The resource server MUST validate the signature of all incoming JWT access
    tokens [...] The resource server MUST reject any JWT in which the value of "alg" is "none""; a
    failed check is answered as RFC 6750 §3.1 says, 401 invalid_token.
    """
    return forged_token_refused(observed)


@check("RFC8725-3.1-alg-allowlist", Family.FORGED_TOKEN_REFUSED)
def algorithms_allow_listed(observed: BesideControl) -> Outcome:
    """Holds when the protected resource answers a forged token with 401: a verifier with an algorithm
    allow-list refuses alg none and the HS256/RS256 confusion, and one that honours the list refuses a
    token its keys do not verify. RFC 8725 §3.1: "Libraries MUST enable the caller to specify a
    supported set of algorithms and MUST NOT use any other algorithms when performing cryptographic
    operations."
    """
    return forged_token_refused(observed)


@check("RFC9068-3-aud-default", Family.JWT_AUDIENCE)
def audience_by_default(jwt: IssuedJwt) -> Outcome:
    """Holds when ``aud`` is a non-empty string or a list holding a non-empty string, for a token
    requested without a ``resource`` parameter. RFC 9068 §3: "If the request does not include a
    "resource" parameter, the authorization server MUST use a default resource indicator in the "aud"
    claim."
    """
    return audience_restricted(jwt)


@check("RFC9068-2.2.3-scope")
def scope_claim_present(jwt: IssuedJwt) -> Outcome:
    """Holds when the token carries a non-empty ``scope`` claim (a string, or a list as some servers
    write it) while the token response names a granted scope (without one there is nothing to
    compare, and the step skips). RFC 9068 §2.2.3: "If an authorization request includes a scope
    parameter, the corresponding issued JWT access token SHOULD include a "scope" claim".
    """
    claim = jwt.claims.get("scope")
    return judged(
        isinstance(claim, str | list) and bool(claim),
        f"response scope {jwt.response_body.get('scope')!r}, claim {claim!r}",
        [jwt.exchange],
    )


@check("RFC9068-5-sub-confusion")
def subject_not_confusable(observed: JwtOfClient) -> Outcome:
    """Holds when the token has no ``sub`` (nothing to confuse) or its ``sub`` is the requesting
    client's id; a ``sub`` naming anything else (a user) violates it. RFC 9068 §5: "Authorization
    servers should prevent scenarios where clients can affect the value of the "sub" claim in ways
    that could confuse resource servers."
    """
    sub = observed.jwt.claims.get("sub")
    ok = sub is None or sub == observed.client_id
    return judged(ok, "no sub claim" if sub is None else ("sub is the client id" if ok else f"sub={sub!r}"),
                  [observed.jwt.exchange])


@dataclass(frozen=True, repr=False)
class JwtAsRequested(RedactedRepr):
    """A JWT access token as issued, beside what its token request asked for: the ``scope`` parameter as
    sent (None: the request carried none) and the RFC 8707 ``resource`` parameters, in the order sent."""

    jwt: IssuedJwt
    requested_scope: str | None
    resources: tuple[str, ...] = ()


def _split(scope: str) -> frozenset[str]:
    """RFC 6749 §3.3: scope = scope-token *( SP scope-token )."""
    return frozenset(name for name in scope.split(" ") if name)


def _scope_names(value: object) -> frozenset[str] | None:
    """The scope names of a claim: RFC 6749 §3.3's space-delimited string, or a list of names (as some
    servers write it); None for anything else."""
    if isinstance(value, str):
        return _split(value)
    if isinstance(value, list) and all(isinstance(name, str) for name in value):
        return frozenset(name for name in value if name)
    return None


def _names(names: Iterable[str]) -> str:
    return " ".join(sorted(names)) or "none"


@check("RFC9068-2.2.3-scope-granted")
def scope_claim_granted(observed: JwtAsRequested) -> Outcome:
    """Holds when the token's ``scope`` claim names the same set of scopes as the scope the token
    response granted: the response's ``scope``, or, where the response names none, the ``scope`` the
    request asked for. Names are compared as sets, case-sensitively: RFC 6749 §3.3: "The value of the
    scope parameter is expressed as a list of space-delimited, case-sensitive strings. The strings are
    defined by the authorization server. If the value contains multiple space-delimited strings, their
    order does not matter"; §5.1: scope is "OPTIONAL, if identical to the scope requested by the
    client; otherwise, REQUIRED"; §3.3: "If the issued access token scope is different from the one
    requested by the client, the authorization server MUST include the "scope" response parameter to
    inform the client of the actual scope granted." The claim is the token's scope as resource servers
    read it (RFC 9068 §2.2.3 cites RFC 8693 §4.2: "a space-separated list of scopes associated with the
    token"); a claim written as a list of names is compared by its names. A claim naming more or fewer
    scopes than were granted violates it; a claim that is neither a string nor a list of strings too.
    Undecided where the token carries no scope claim (RFC9068-2.2.3-scope judges that) or neither the
    response nor the request names a scope (the server's default scope is unknown to the client).
    """
    jwt = observed.jwt
    claim = jwt.claims.get("scope")
    if claim is None:
        return undecided(f"the token carries no scope claim ({scope_claim_present.requirement} judges that)",
                         [jwt.exchange])
    answered = jwt.response_body.get("scope")
    if isinstance(answered, str) and answered.strip():
        granted, source = _split(answered), "the token response's scope"
    elif observed.requested_scope and observed.requested_scope.strip():
        granted = _split(observed.requested_scope)
        source = "the requested scope (the token response names none, so it granted the one requested)"
    else:
        return undecided("neither the token response nor the request names a scope: the default scope the "
                         "server applied is unknown to the client, nothing to compare the claim with", [jwt.exchange])
    names = _scope_names(claim)
    if names is None:
        return violated(f"scope claim {claim!r} is neither a space-delimited string nor a list of names",
                        [jwt.exchange])
    extra, missing = names - granted, granted - names
    detail = "" if names == granted else (f"; only in the claim: {_names(extra)}; "
                                          f"granted but not claimed: {_names(missing)}")
    return judged(names == granted, f"scope claim {_names(names)!r}, {source} {_names(granted)!r}{detail}",
                  [jwt.exchange])


def _audiences(aud: object) -> list[str]:
    if isinstance(aud, str):
        return [aud]
    return [a for a in aud if isinstance(a, str)] if isinstance(aud, list) else []


@check("RFC9068-3-aud-resource")
def audience_names_resource(observed: JwtAsRequested) -> Outcome:
    """Holds when the token's ``aud`` (a string, or an array of strings) contains every ``resource``
    parameter its token request carried, character for character. RFC 9068 §3: "If the request includes
    a resource parameter (as defined in [RFC8707]), the resulting JWT access token "aud" claim SHOULD
    have the same value as the resource parameter in the request." An ``aud`` that also names other
    audiences holds (RFC 7519 §4.1.3 lets aud be an array, and the requested resource is among them; the
    message lists the others); an ``aud`` without the requested resource, or no ``aud``, violates it: a
    server that ignores the parameter issues its default audience. Undecided where the request carried
    no resource parameter (RFC9068-3-aud-default judges the default audience).
    """
    jwt = observed.jwt
    if not observed.resources:
        return undecided(f"the token request carried no resource parameter ({audience_by_default.requirement} "
                         "judges the default audience)", [jwt.exchange])
    aud = jwt.claims.get("aud")
    audiences = _audiences(aud)
    missing = [r for r in observed.resources if r not in audiences]
    others = [a for a in audiences if a not in observed.resources]
    extra = f"; other audiences: {others}" if others and not missing else ""
    return judged(not missing, f"requested resource {list(observed.resources)}, aud {aud!r}{extra}", [jwt.exchange])


@check("RFC9068-4-aud-validation")
def foreign_audience_refused(observed: BesideControl) -> Outcome:
    """Holds when the protected resource answers with 401 a genuine token the server issued for another
    resource: signed by the issuer, unexpired, its ``aud`` naming another resource and none of the
    audiences of the token the resource serves (the control). RFC 9068 §4: "The resource server MUST
    validate that the "aud" claim contains a resource indicator value corresponding to an identifier the
    resource server expects for itself. The JWT access token MUST be rejected if "aud" does not contain
    a resource indicator of the current resource server as a valid audience"; a failed check is
    answered as RFC 6750 §3.1 says, 401 invalid_token. It counts only where the same resource serves the
    client's own token (the control).
    """
    return forged_token_refused(observed)
