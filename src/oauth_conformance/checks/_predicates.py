"""Predicates more than one check relies on, defined once: what counts as an issued token, a refusal
with a given error, a media type, a cache directive, a base64url integer, an entropy bound, a challenge."""

from __future__ import annotations

import base64
import math
from collections.abc import Iterable

import httpx2

from oauth_conformance.checks._challenges import Challenge, challenges
from oauth_conformance.http import json_object

__all__ = [
    "challenge",
    "challenge_error",
    "describe_token_response",
    "directives",
    "entropy_bits",
    "error_code",
    "issued",
    "media_type",
    "plain_http_message",
    "refused_with",
    "scheme_challenge",
    "served_in_clear",
    "uint_bits",
]


def issued(response: httpx2.Response) -> bool:
    """A token was issued: HTTP 200 with a JSON object whose access_token is a non-empty string (RFC 6749 §5.1)."""
    token = (json_object(response) or {}).get("access_token")
    return response.status_code == 200 and isinstance(token, str) and bool(token)


def error_code(response: httpx2.Response) -> object:
    """The ``error`` member of a JSON error body (RFC 6749 §5.2), whatever its type; None without one."""
    return (json_object(response) or {}).get("error")


def refused_with(response: httpx2.Response, errors: Iterable[str]) -> bool:
    """Refused as RFC 6749 §5.2 says: no token, HTTP 400 or 401, and one of ``errors`` as the error code."""
    return not issued(response) and response.status_code in (400, 401) and error_code(response) in set(errors)


def describe_token_response(response: httpx2.Response) -> str:
    error = error_code(response)
    return f"HTTP {response.status_code}" + (f", error={error!r}" if error else "") + (
        ", token issued" if issued(response) else ""
    )


def media_type(response: httpx2.Response) -> str:
    """The Content-Type without parameters, lower-cased ("application/json; charset=utf-8" → "application/json")."""
    return str(response.headers.get("content-type", "")).split(";")[0].strip().lower()


def directives(value: str) -> set[str]:
    """The directives of a comma-separated header such as Cache-Control or Pragma, lower-cased."""
    return {part.strip().lower() for part in value.split(",") if part.strip()}


def uint_bits(value: object) -> int:
    """The bit length of a base64url-encoded unsigned integer (a JWK's ``n``); 0 when it does not decode."""
    text = str(value or "")
    try:
        return int.from_bytes(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)), "big").bit_length()
    except ValueError:
        return 0


# Character classes a generator draws from. A value's alphabet is the union of the classes its characters
# fall in: the characters one value happens to use would understate it.
_HEX = frozenset("0123456789abcdef")
_CLASSES = (frozenset("0123456789"), frozenset("abcdefghijklmnopqrstuvwxyz"),
            frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), frozenset("-_"), frozenset("+/"), frozenset("."))


def _alphabet(values: Iterable[str]) -> int:
    chars = set("".join(values))
    if chars <= _HEX or chars <= {c.upper() for c in _HEX}:
        return 16
    known = [cls for cls in _CLASSES if chars & cls]
    return sum(len(cls) for cls in known) + len(chars - frozenset().union(*_CLASSES))


def entropy_bits(value: str, alphabet_of: Iterable[str] = ()) -> float:
    """An upper bound on the random bits in ``value``: its length times the bits of its alphabet.

    The alphabet is that of ``value`` together with ``alphabet_of`` (other values of the same generator,
    such as a second token). A value shorter than the bound cannot carry that many random bits.
    """
    return len(value) * math.log2(max(_alphabet([value, *alphabet_of]), 2))




def challenge(response: httpx2.Response) -> str:
    """The WWW-Authenticate header, empty when there is none."""
    return str(response.headers.get("www-authenticate", ""))


def scheme_challenge(response: httpx2.Response, scheme: str) -> Challenge | None:
    """The first challenge of ``scheme`` (any case) among all the response's challenges, in any order
    (RFC 9110 §11.6.1): a DPoP challenge listed before the Bearer one hides nothing."""
    return next((c for c in challenges(response) if c.scheme == scheme.lower()), None)


def challenge_error(response: httpx2.Response) -> str | None:
    """The ``error`` auth-param of the Bearer challenge (RFC 6750 §3), None without one."""
    bearer = scheme_challenge(response, "bearer")
    return bearer.params.get("error") if bearer is not None else None


def served_in_clear(response: httpx2.Response | None, evaluated: bool) -> str | None:
    """Why a plain-http answer shows the request was served, or None when it was not.

    Not served: nothing listening, a redirect (to https), or a refusal of plain http as such ("plain
    HTTP request sent to HTTPS port", "HTTPS required"). ``evaluated``: the answer shows the endpoint
    looked at the made-up credentials (invalid_client and the like, an invalid_token challenge).
    """
    if response is None:
        return None
    if 200 <= response.status_code < 300:
        return f"plain http: HTTP {response.status_code}"
    if evaluated:
        return f"plain http: HTTP {response.status_code}, evaluated by the endpoint itself"
    return None


def plain_http_message(response: httpx2.Response | None) -> str:
    return "nothing answered on plain http" if response is None else f"plain http: HTTP {response.status_code}"
