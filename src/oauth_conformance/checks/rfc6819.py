"""Checks of RFC 6819, the OAuth 2.0 Threat Model and Security Considerations
(https://www.rfc-editor.org/rfc/rfc6819)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import assert_never
from urllib.parse import quote, quote_plus

import httpx2

from oauth_conformance.checks._judgements import (
    audience_restricted,
    lifetime_at_most,
    refusal_as_expected,
    token_endpoint_not_plain,
)
from oauth_conformance.checks._observations import (
    IssuedJwt,
    JwtAndKeys,
    JwtOfClient,
    PlainHttpAnswer,
    Refusal,
    TokenLifetime,
)
from oauth_conformance.checks._outcome import Outcome, judged
from oauth_conformance.checks._predicates import directives, entropy_bits
from oauth_conformance.checks._registry import Family, check
from oauth_conformance.http import exchange_id
from oauth_conformance.jwt import verify_signature
from oauth_conformance.redaction import RedactedRepr

__all__ = [
    "MIN_SECRET_BITS",
    "IssuedSecret",
    "RefusedSecret",
    "VerifiedHttpsFetch",
    "answers_not_cached",
    "audience_bound",
    "bound_to_client",
    "deactivated_secret_refused",
    "secret_entropy",
    "server_authenticated",
    "short_expiry",
    "token_endpoint_confidential",
    "token_not_echoed",
    "tokens_unforgeable",
]

# RFC 6819 §5.1.4.2.2: a guess succeeds with probability at most 2^(-128).
MIN_SECRET_BITS = 128
# A signature segment alone is as good as the token to a log reader; shorter segments can match by chance.
_ECHO_MIN_SEGMENT = 16


@dataclass(frozen=True, repr=False)
class IssuedSecret(RedactedRepr):
    """A client secret as the server issued it (the standards client's)."""

    secret: str = field(repr=False)


@dataclass(frozen=True)
class VerifiedHttpsFetch:
    """An https exchange the suite made with certificate verification on (the discovery document), and
    whether it brought back a document."""

    answered: bool
    exchange: str | None = None


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


@check("RFC6819-5.1.4.2.2-secret-entropy")
def secret_entropy(issued: IssuedSecret) -> Outcome:
    """Holds when the client secret can carry at least 128 random bits: its length times the bits of the
    alphabet it draws from (hex: 4 bits a character; letters, digits and the base64 symbols: the union
    of the classes it uses). An upper bound: a shorter secret cannot be random enough, whatever made
    it. RFC 6819 §5.1.4.2.2: "The probability of any two token values being identical should be less
    than or equal to 2^(-128) and should be less than or equal to 2^(-160)", for secrets "not intended
    for usage by human users (e.g., client secrets or token handles)".
    """
    bits = entropy_bits(issued.secret)
    return judged(bits >= MIN_SECRET_BITS, f"{len(issued.secret)} characters, at most {bits:.0f} bits")


@check("RFC6819-5.1.2-server-auth")
def server_authenticated(fetch: VerifiedHttpsFetch) -> Outcome:
    """Holds when an https exchange with certificate verification on brought back its document: the
    server's chain is trusted and its name matches (a failed verification never gets that far). RFC
    6819 §5.1.2: "HTTPS server authentication or similar means can be used to authenticate the identity
    of a server."
    """
    return judged(fetch.answered, "the https exchange with certificate verification succeeded", [fetch.exchange])


@check("RFC6819-4.6.3-guessing")
def tokens_unforgeable(observed: JwtAndKeys) -> Outcome:
    """Holds when the JWT access token's signature verifies with the published key its ``kid`` names,
    for any asymmetric algorithm (RS*, PS*, ES*): no one without the issuer's private key can make
    such a token. No key by that kid, ``alg`` none or HMAC, or a signature the key does not verify,
    violates it (whether the algorithm is RS256 is RFC9068-2.1-signed's check). RFC 6819 §4.6.3
    ("Guessing Access Tokens") names the countermeasure "Sign Self-Contained Tokens" (§5.1.5.9).
    """
    jwt = observed.jwt
    kid = jwt.header.get("kid")
    key = next((k for k in observed.keys if k.get("kid") == kid), None)
    ok = key is not None and verify_signature(jwt.token, dict(key))
    alg = jwt.header.get("alg")
    message = (f"{alg} signature verifies with the published key" if ok
               else f"no verifiable signature (alg={alg!r}, key found: {key is not None})")
    return judged(ok, message, [jwt.exchange])


@check("RFC6819-4.6.4-phishing", Family.JWT_AUDIENCE)
def audience_bound(jwt: IssuedJwt) -> Outcome:
    """Holds when the JWT access token's ``aud`` is a non-empty string or a list holding one, so a
    counterfeit resource server that phished it cannot replay it elsewhere. RFC 6819 §4.6.4 ("Access
    Token Phishing by Counterfeit Resource Server") names as countermeasures binding the token to the
    resource server it is meant for and restricting its audience (§5.1.5.5).
    """
    return audience_restricted(jwt)


@check("RFC6819-4.6.6-proxy-cache")
def answers_not_cached(response: httpx2.Response) -> Outcome:
    """Holds when a 2xx answer of the protected resource carries ``Cache-Control`` with ``no-store`` or
    ``private`` (beside any other directives); a refusal, or an answer a shared cache may store,
    violates it. RFC 6819 §4.6.6 ("Leak of Confidential Data in HTTP Proxies"): a shared cache may
    keep and serve an answer fetched with a token; the countermeasure is a Cache-Control header that
    forbids it (no-store, or private at the resource server).
    """
    value = response.headers.get("cache-control", "")
    ok = 200 <= response.status_code < 300 and bool(directives(value) & {"no-store", "private"})
    return judged(ok, f"HTTP {response.status_code}, Cache-Control: {value!r}", [exchange_id(response)])


@dataclass(frozen=True, repr=False)
class RefusedSecret(RedactedRepr):
    """The token endpoint's refusal of a client secret, beside the secret the request presented."""

    response: httpx2.Response
    sent_secret: str = field(repr=False)


@check("RFC6819-4.6.7-log-leak")
def token_not_echoed(observed: httpx2.Response | RefusedSecret) -> Outcome:
    """Holds when an error answer does not carry the credential the request presented: the protected
    resource's answer to a (forged) bearer token does not contain that token, nor any of its segments
    of 16 characters or more (a signature alone identifies the token); the token endpoint's refusal of
    a client secret contains that secret neither as sent nor form-urlencoded, in its body or headers.
    RFC 6819 §4.6.7 ("Token Leakage via Log Files and HTTP Referrers"): error answers end up in logs,
    so they must not carry the credentials.
    """
    match observed:
        case RefusedSecret(response=response, sent_secret=secret):
            answer = response.text + " ".join(f"{k}: {v}" for k, v in response.headers.items())
            echoed = any(form and form in answer for form in (secret, quote(secret, safe=""), quote_plus(secret)))
            return judged(not echoed, "the refusal echoes the client secret" if echoed
                          else "the refusal does not echo the client secret", [exchange_id(response)])
        case httpx2.Response() as response:
            sent = response.request.headers.get("authorization", "").removeprefix("Bearer ")
            pieces = [sent, *(segment for segment in sent.split(".") if len(segment) >= _ECHO_MIN_SEGMENT)]
            echoed = any(piece and piece in response.text for piece in pieces)
            return judged(not echoed, "the body echoes the token" if echoed else "the body does not echo the token",
                          [exchange_id(response)])
        case _:
            assert_never(observed)


@check("RFC6819-5.1.5.3-short-exp", Family.TOKEN_LIFETIME)
def short_expiry(lifetime: TokenLifetime) -> Outcome:
    """Holds when the token response's ``expires_in`` is a number above 0 and at most the scenario's
    limit (600 seconds); absent, a string or 0 violates it. RFC 6819 §5.1.5.3 ("Use Short Expiration
    Time"): "A short expiration time for tokens is a means of protection against [...] replay".
    """
    return lifetime_at_most(lifetime)


@check("RFC6819-5.1.5.8-bind-client")
def bound_to_client(observed: JwtOfClient) -> Outcome:
    """Holds when the JWT access token's ``client_id`` claim is exactly the id of the client that
    requested it; absent or another value violates it. RFC 6819 §5.1.5.8 ("Bind Token to Client id"):
    "An authorization server may bind a token to a certain client identifier. This identifier should be
    validated for every request with that token."
    """
    claim = observed.jwt.claims.get("client_id")
    ok = claim == observed.client_id
    return judged(ok, "client_id claim matches" if ok else f"client_id={claim!r}", [observed.jwt.exchange])
