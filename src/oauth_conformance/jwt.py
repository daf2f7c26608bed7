"""JWT helpers: reading a token's header and claims (verification against the JWKS comes with the JWT checks)."""

from __future__ import annotations

import base64
import json
from typing import Any

__all__ = ["decode_unverified"]


def _segment(part: str) -> dict[str, Any]:
    padded = part + "=" * (-len(part) % 4)
    value = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    if not isinstance(value, dict):
        raise ValueError("a JWT segment is not a JSON object")
    return value


def decode_unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and claims of a compact JWS, without checking the signature. ValueError when it is not one."""
    parts = token.split(".")
    if len(parts) != 3:
        raise ValueError(f"not a compact JWT: {len(parts)} segments")
    try:
        return _segment(parts[0]), _segment(parts[1])
    except (ValueError, UnicodeDecodeError) as error:
        raise ValueError(f"not a JWT: {error}") from None
