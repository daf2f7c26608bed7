"""The Identity Service's signing key: RS256 JWTs and the public JWKS."""

from __future__ import annotations

from typing import Any

from joserfc import jwt
from joserfc.jwk import RSAKey

from .ids import upper_hex


class SigningKey:
    """One RSA 2048 key with a ``kid``. Generated per mock so tokens never verify across mocks."""

    def __init__(self) -> None:
        # IdentityServer derives the kid from the certificate; any stable opaque string will do.
        self.kid = upper_hex(16)
        self._key = RSAKey.generate_key(
            2048, parameters={"kid": self.kid, "use": "sig", "alg": "RS256"}, private=True
        )

    def jwks(self) -> dict[str, Any]:
        """The public JWK Set: ``n``/``e`` with ``kid``, ``use: sig``, ``alg``; never private parts."""
        return {"keys": [self._key.as_dict(private=False)]}

    def sign(self, claims: dict[str, Any], typ: str = "at+jwt") -> str:
        # [INF] creatio-oauth.md §1.4: IdentityServer 4.x marks access tokens "typ": "at+jwt".
        header = {"alg": "RS256", "kid": self.kid, "typ": typ}
        return jwt.encode(header, claims, self._key, algorithms=["RS256"])

    def verify(self, token: str) -> dict[str, Any] | None:
        """Claims of a token this key signed, or None. Lifetime is the caller's business."""
        try:
            decoded = jwt.decode(token, self._key, algorithms=["RS256"])
        except Exception:  # joserfc raises JoseError, ValueError or TypeError on garbage input
            return None
        return dict(decoded.claims)
