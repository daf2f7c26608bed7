"""Small request/response helpers shared by both mock apps.

Every body either app reads goes through ``read_body`` and, for JSON, ``parse_json``: one bounded
reader, so that no input (a body too large, nested too deeply, not UTF-8, with numbers or strings
JSON cannot carry back out) can get past it into a handler and come back as a 500. What they refuse
each endpoint answers with its own 4xx, as for any body it cannot read.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any
from urllib.parse import parse_qsl, unquote_plus

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

__all__ = [
    "IDENTITYSERVER_NO_CACHE",
    "MAX_BODY_BYTES",
    "MAX_JSON_DEPTH",
    "RFC6749_NO_CACHE",
    "JsonRefused",
    "basic_scheme",
    "empty",
    "json_response",
    "parse_basic",
    "parse_json",
    "read_body",
    "read_form",
    "read_json_object",
]

# What IdentityServer sends on token and error responses (IdentityServer `SetNoCache`). [INF]
IDENTITYSERVER_NO_CACHE = {"Cache-Control": "no-store, no-cache, max-age=0", "Pragma": "no-cache"}
# RFC 6749 §5.1 exactly.
RFC6749_NO_CACHE = {"Cache-Control": "no-store", "Pragma": "no-cache"}

# [INF] the mock's own bound: no request either API takes comes near it (Kestrel and IIS refuse bodies
# over about 30 MB; the mock need not hold that much for anyone).
MAX_BODY_BYTES = 1 << 20
# How much of a body over the bound is still read (and dropped) so that the client gets the refusal:
# a server that stops reading and closes makes the client's TCP stack reset the connection, often
# before the answer is read. Beyond this, the connection is given up.
_DRAIN_BYTES = 64 << 20
# The deepest body either API takes nests 3 levels (a WCF wrapper around a DTO with Properties); 32 is
# far beyond, and far below where parsing or printing the value could exhaust the stack.
MAX_JSON_DEPTH = 32

_BODY_STATE = "mock_body"  # where read_body keeps what it read, so a second read sees the same


class JsonRefused(ValueError):
    """A body that is no JSON the mock can hold: malformed, too deep, or with values JSON (or UTF-8)
    cannot carry back out (NaN, infinities, unpaired surrogates)."""


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse(body, status_code=status, headers=headers)


def empty(status: int, headers: dict[str, str] | None = None) -> Response:
    return Response(status_code=status, headers=headers)


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def _declared_length(request: Request) -> int | None:
    value = request.headers.get("content-length", "").strip()
    # ASCII digits only: str.isdigit() also takes "²", which int() refuses.
    if not value or not value.isascii() or not value.isdigit():
        return None
    return int(value) if len(value) <= 18 else _DRAIN_BYTES + 1


async def read_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes | None:
    """The request body, or None when it is larger than ``limit`` bytes.

    Read chunk by chunk, so that memory is bounded by ``limit`` whatever the client declares or sends.
    """
    if hasattr(request.state, _BODY_STATE):
        kept: bytes | None = getattr(request.state, _BODY_STATE)
        return kept
    body: bytes | None = None
    declared = _declared_length(request)
    if declared is None or declared <= _DRAIN_BYTES:
        body = await _read_bounded(request, limit)
    setattr(request.state, _BODY_STATE, body)
    return body


async def _read_bounded(request: Request, limit: int) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    # ClientDisconnect goes on to the router, which answers nobody: the client is gone.
    async for chunk in request.stream():
        size += len(chunk)
        if size > _DRAIN_BYTES:
            return None
        if size <= limit:
            chunks.append(chunk)
    return b"".join(chunks) if size <= limit else None


async def read_form(request: Request, limit: int = MAX_BODY_BYTES) -> list[tuple[str, str]] | None:
    """Decode an ``application/x-www-form-urlencoded`` body keeping duplicates and blanks.

    Parsed by hand rather than with ``request.form()`` so that duplicated parameters stay visible
    (RFC 6749 §3.2). None when the body is not form-encoded UTF-8 (or is over ``limit``). A broken
    percent-escape decodes to U+FFFD, as ASP.NET's form reader does, rather than failing the body.
    """
    if media_type(request) != "application/x-www-form-urlencoded":
        return None
    body = await read_body(request, limit)
    if body is None:
        return None
    try:
        return parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except (UnicodeDecodeError, ValueError):
        return None


def _refuse_constant(name: str) -> Any:
    raise JsonRefused(f"{name} is not JSON")


def _finite(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):  # "1e999": a number no JSON answer could carry back
        raise JsonRefused(f"number out of range: {text[:20]}")
    return value


def _check_tree(value: Any) -> None:
    """Depth and strings of a parsed value, walked without recursion (the value may be deep)."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            _check_text(item)
        elif isinstance(item, dict | list):
            if depth >= MAX_JSON_DEPTH:
                raise JsonRefused(f"nested deeper than {MAX_JSON_DEPTH} levels")
            if isinstance(item, dict):
                for key, member in item.items():
                    _check_text(key)
                    stack.append((member, depth + 1))
            else:
                stack.extend((member, depth + 1) for member in item)


def _check_text(text: str) -> None:
    # "\ud800" is valid JSON text but no UTF-8: every later encode (an answer, a call to the IS, a
    # password compare) would fail on it.
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as error:
            raise JsonRefused("an unpaired surrogate") from error


def parse_json(data: bytes | str) -> Any:
    """A JSON value (RFC 8259, in UTF-8, UTF-16 or UTF-32) within the mock's bounds, or JsonRefused."""
    try:
        value = json.loads(data, parse_constant=_refuse_constant, parse_float=_finite)
    except RecursionError as error:
        raise JsonRefused("nested too deeply") from error
    except JsonRefused:
        raise
    except ValueError as error:  # malformed, not Unicode, or an integer of more than 4300 digits
        raise JsonRefused(str(error)) from error
    _check_tree(value)
    return value


async def read_json_object(request: Request, limit: int = MAX_BODY_BYTES) -> dict[str, Any] | None:
    """The body as a JSON object, or None when it is not one (or is over ``limit``, or is refused)."""
    data = await read_body(request, limit)
    if data is None:
        return None
    try:
        body = parse_json(data or b"null")
    except JsonRefused:
        return None
    return body if isinstance(body, dict) else None


def parse_basic(header: str | None, urldecode: bool = True) -> tuple[str, str] | None:
    """Credentials of an ``Authorization: Basic`` header, or None when absent or malformed.

    ``urldecode``: RFC 6749 §2.3.1, for OAuth clients: client id and secret are form-urlencoded
    before base64, so both are unquoted (``+`` is a space); IdentityServer's Basic parser does the
    same. False is plain RFC 7617 (base64 of user-id ":" password in UTF-8, nothing more), for any
    other login.
    """
    if header is None:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    user, sep, password = decoded.partition(":")
    if not sep:
        return None
    if not urldecode:
        return user, password
    return unquote_plus(user), unquote_plus(password)


def basic_scheme(header: str | None) -> bool:
    """Whether the Authorization header uses the Basic scheme at all (well-formed or not)."""
    return header is not None and header.strip().partition(" ")[0].lower() == "basic"
