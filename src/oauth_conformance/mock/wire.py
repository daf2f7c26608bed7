"""Small request/response helpers shared by both mock apps."""

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
    "RFC6749_NO_CACHE",
    "basic_scheme",
    "empty",
    "json_response",
    "parse_basic",
    "read_form",
    "read_json_object",
]

# What IdentityServer sends on token and error responses (IdentityServer `SetNoCache`). [INF]
IDENTITYSERVER_NO_CACHE = {"Cache-Control": "no-store, no-cache, max-age=0", "Pragma": "no-cache"}
# RFC 6749 §5.1 exactly.
RFC6749_NO_CACHE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse(body, status_code=status, headers=headers)


def empty(status: int, headers: dict[str, str] | None = None) -> Response:
    return Response(status_code=status, headers=headers)


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


async def read_form(request: Request) -> list[tuple[str, str]] | None:
    """Decode an ``application/x-www-form-urlencoded`` body keeping duplicates and blanks.

    Parsed by hand rather than with ``request.form()`` so that duplicated parameters stay visible
    (RFC 6749 §3.2). None when the body is not form-encoded UTF-8.
    """
    if media_type(request) != "application/x-www-form-urlencoded":
        return None
    try:
        text = (await request.body()).decode("utf-8")
        return parse_qsl(text, keep_blank_values=True, strict_parsing=False)
    except (UnicodeDecodeError, ValueError):
        return None


async def read_json_object(request: Request) -> dict[str, Any] | None:
    """The body as a JSON object, or None when it is not one."""
    try:
        body = json.loads(await request.body() or b"null")
    except (UnicodeDecodeError, ValueError):
        return None
    return body if isinstance(body, dict) else None


def parse_basic(header: str | None, urldecode: bool = True) -> tuple[str, str] | None:
    """Credentials of an ``Authorization: Basic`` header, or None when absent or malformed.

    RFC 6749 §2.3.1: client id and secret are form-urlencoded before base64, so both are unquoted
    (``+`` is a space). IdentityServer's Basic parser does the same.
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
