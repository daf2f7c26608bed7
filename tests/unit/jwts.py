"""Real signed JWT access tokens for the unit tests: one RSA key, made once per run, and a compliant
claim set that each test bends where its case needs it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from joserfc import jwt
from joserfc.jwk import RSAKey

from oauth_conformance.checks import IssuedJwt

__all__ = ["CLAIMS", "CLIENT_ID", "KEY", "KID", "LIFETIME", "NOW", "issued", "signed"]

KID = "k1"
KEY = RSAKey.generate_key(2048, parameters={"kid": KID}, private=True)
CLIENT_ID = "8F2A6B1C9D3E4F5A6B7C8D9E0F1A2B3C"
NOW = 1_767_225_600
LIFETIME = 3600
CLAIMS: dict[str, Any] = {
    "iss": "https://is.example.test", "exp": NOW + LIFETIME, "aud": "https://api.example.test", "sub": CLIENT_ID,
    "client_id": CLIENT_ID, "iat": NOW, "jti": "0b6f1a52-5a8e-4c1e-9d1a-7c0e6a1f2b3c", "scope": "ApplicationAccess",
}


def _without_absent(members: Mapping[str, Any]) -> dict[str, Any]:
    """A member given None is left out."""
    return {k: v for k, v in members.items() if v is not None}


def signed(header: Mapping[str, Any] | None = None, key: Any = KEY, **claims: Any) -> str:
    """A compact JWS of ``CLAIMS`` with ``claims`` over them, RS256 with ``kid`` and ``typ`` at+jwt unless
    ``header`` says otherwise (a header member given None is left out)."""
    head = _without_absent({"alg": "RS256", "typ": "at+jwt", "kid": KID} | dict(header or {}))
    return jwt.encode(head, _without_absent(CLAIMS | claims), key, algorithms=[head["alg"]], default_type=None)


def issued(token: str | None = None, *, body: Mapping[str, Any] | None = None, **claims: Any) -> IssuedJwt:
    """The token as a step hands it over: decoded beside a token response (expires_in 3600 unless ``body``)."""
    response_body = {"token_type": "Bearer", "expires_in": LIFETIME, "scope": "ApplicationAccess"} | dict(body or {})
    return IssuedJwt.decode(token or signed(**claims), _without_absent(response_body), "E2")
