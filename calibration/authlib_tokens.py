"""JWT access tokens (RFC 9068) with Authlib's own generator, validator, introspection and revocation.

The server keeps no tokens: as Authlib's RFC 9068 documentation describes it, the signature is the
proof of a token's validity, so a JWT access token is valid until its ``exp`` and cannot be revoked.
Authlib's JWT endpoints pass anything that is not one of this server's JWTs on to the next endpoint
registered under the same name (``ContinueIteration``); without one the view would return nothing, so
each gets a fallback that, having no stored tokens, finds none.

What differs from Authlib's defaults, and why:

- The audience is the resource server (``get_audiences``): Authlib's default is the client's own id,
  which names no resource server, while RFC 9068 §3 asks for a default resource indicator and the
  resource server checks ``aud`` against its own identifier.
- The lifetime is 600 s: Authlib's default for client_credentials is 864000 s (10 days,
  ``BearerTokenGenerator.GRANT_TYPES_EXPIRES_IN``); RFC 6819 §5.1.5.3 advises short-lived tokens.
- A client may introspect the tokens issued to it (``check_permission``, which Authlib leaves to the
  deployer; RFC 7662 §4 lets the server decide who may introspect what).
- Introspection and revocation take the same two client authentication methods as the token endpoint.
"""

from __future__ import annotations

from typing import Any

from authlib.oauth2.rfc7009 import RevocationEndpoint  # type: ignore[import-untyped]
from authlib.oauth2.rfc7662 import IntrospectionEndpoint  # type: ignore[import-untyped]
from authlib.oauth2.rfc9068 import (  # type: ignore[import-untyped]
    JWTBearerTokenGenerator,
    JWTBearerTokenValidator,
    JWTIntrospectionEndpoint,
    JWTRevocationEndpoint,
)
from joserfc.jwk import KeySet, RSAKey

__all__ = [
    "ACCESS_TOKEN_LIFETIME_S",
    "CLIENT_AUTH_METHODS",
    "AccessTokenGenerator",
    "AccessTokenValidator",
    "JwtIntrospection",
    "JwtRevocation",
    "NoStoredTokenIntrospection",
    "NoStoredTokenRevocation",
    "signing_keys",
]

ACCESS_TOKEN_LIFETIME_S = 600
# The two methods of RFC 6749 §2.3.1; each client still uses the one it registered (authlib_clients).
CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]
_ALG = "RS256"  # RFC 9068 §2.1: the one algorithm every authorization and resource server supports


def signing_keys(private_key_pem: str) -> tuple[KeySet, KeySet]:
    """The signing key set and the public key set published at the JWKS endpoint.

    A key set rather than a bare key, so joserfc writes the key's ``kid`` into every token header and
    a verifier can pick the key from the published set (RFC 7515 §4.1.4).
    """
    key = RSAKey.import_key(private_key_pem, {"use": "sig", "alg": _ALG})
    key.ensure_kid()  # the RFC 7638 thumbprint
    public = RSAKey.import_key(key.as_dict(private=False))
    return KeySet([key]), KeySet([public])


class AccessTokenGenerator(JWTBearerTokenGenerator):  # type: ignore[misc]  # Authlib is untyped
    def __init__(self, issuer: str, keys: KeySet, audience: str) -> None:
        super().__init__(issuer, alg=_ALG, expires_generator=ACCESS_TOKEN_LIFETIME_S)
        self._keys = keys
        self._audience = audience

    def get_jwks(self) -> KeySet:
        return self._keys

    def get_audiences(self, client: Any, user: Any, scope: str) -> str:
        return self._audience


class AccessTokenValidator(JWTBearerTokenValidator):  # type: ignore[misc]  # Authlib is untyped
    """The resource server's check: signature, issuer, this resource server as audience, expiry, scope."""

    def __init__(self, issuer: str, audience: str, keys: KeySet) -> None:
        super().__init__(issuer=issuer, resource_server=audience)
        self._keys = keys

    def get_jwks(self) -> KeySet:
        return self._keys


class JwtIntrospection(JWTIntrospectionEndpoint):  # type: ignore[misc]  # Authlib is untyped
    CLIENT_AUTH_METHODS = CLIENT_AUTH_METHODS

    def __init__(self, issuer: str, keys: KeySet) -> None:
        super().__init__(issuer=issuer)
        self._keys = keys

    def get_jwks(self) -> KeySet:
        return self._keys

    def check_permission(self, token: Any, client: Any, request: Any) -> bool:
        return bool(token.get("client_id") == client.get_client_id())


class NoStoredTokenIntrospection(IntrospectionEndpoint):  # type: ignore[misc]  # Authlib is untyped
    """Whatever is not one of this server's JWT access tokens: no stored token matches it, so it is
    reported inactive (RFC 7662 §2.2)."""

    CLIENT_AUTH_METHODS = CLIENT_AUTH_METHODS

    def query_token(self, token_string: str, token_type_hint: str | None) -> None:
        return None

    def check_permission(self, token: Any, client: Any, request: Any) -> bool:
        return False  # never asked: query_token finds nothing

    def introspect_token(self, token: Any) -> dict[str, Any]:
        raise AssertionError("no stored token to introspect")


class JwtRevocation(JWTRevocationEndpoint):  # type: ignore[misc]  # Authlib is untyped
    CLIENT_AUTH_METHODS = CLIENT_AUTH_METHODS

    def __init__(self, issuer: str, keys: KeySet) -> None:
        super().__init__(issuer=issuer)
        self._keys = keys

    def get_jwks(self) -> KeySet:
        return self._keys


class NoStoredTokenRevocation(RevocationEndpoint):  # type: ignore[misc]  # Authlib is untyped
    """Whatever is not one of this server's JWT access tokens: no stored token matches it, which
    RFC 7009 §2.2 answers with 200."""

    CLIENT_AUTH_METHODS = CLIENT_AUTH_METHODS

    def query_token(self, token_string: str, token_type_hint: str | None) -> None:
        return None

    def revoke_token(self, token: Any, request: Any) -> None:
        raise AssertionError("no stored token to revoke")
