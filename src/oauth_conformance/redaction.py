"""Secrets, tokens, passwords and cookies never reach a report, a log or the console in clear.

Every value that must stay secret is shown as a short prefix and a hash (``B73F…#3fa1c2d0``): enough to
tell two values apart within a run, never enough to use one. The hash is keyed with a random key per
run, so a report cannot be used to confirm a guessed password offline.
Known secrets are registered as they appear; patterns catch the ones the suite never saw (a JWT in an
error body, a secret echoed by a hostile server).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
from collections.abc import Iterable, Mapping

__all__ = ["REDACTOR", "RedactedRepr", "Redactor", "mask"]

_PREFIX_LENGTH = 4
# Values shorter than this are masked entirely: a prefix of a short secret would give most of it away.
_MIN_PREFIX_SOURCE = 12

SENSITIVE_HEADERS = frozenset({"authorization", "cookie", "set-cookie", "bpmcsrf", "proxy-authorization"})
SENSITIVE_FIELDS = frozenset(
    {
        "access_token",
        "refresh_token",
        "id_token",
        "client_secret",
        "clientsecret",
        "password",
        "userpassword",
        "secret",
        "token",
        "assertion",
    }
)

_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*")
_FIELD_NAMES = "|".join(sorted(SENSITIVE_FIELDS, key=len, reverse=True))
# "name": "value" in JSON, and name=value in forms and query strings.
_JSON_FIELD = re.compile(r'("(?i:' + _FIELD_NAMES + r')"\s*:\s*")([^"\\]*(?:\\.[^"\\]*)*)(")')
_FORM_FIELD = re.compile(r"((?:^|[?&\s])(?i:" + _FIELD_NAMES + r")=)([^&\s]*)")
_AUTH_VALUE = re.compile(r"^(\s*[A-Za-z]+\s+)(.+)$")


_RUN_KEY = secrets.token_bytes(32)


def mask(value: str) -> str:
    """Show a secret as a short prefix and 8 hex digits of its keyed hash."""
    digest = hmac.new(_RUN_KEY, value.encode("utf-8"), hashlib.sha256).hexdigest()[:8]
    if len(value) < _MIN_PREFIX_SOURCE:
        return f"…#{digest}"
    return f"{value[:_PREFIX_LENGTH]}…#{digest}"


class Redactor:
    """Replaces registered secrets and anything that looks like a credential."""

    def __init__(self) -> None:
        self._secrets: set[str] = set()
        self._lock = threading.Lock()

    def register(self, *values: str | None) -> None:
        """Remember values that must never appear in clear (very short values would over-match)."""
        with self._lock:
            self._secrets.update(v for v in values if v and len(v) >= 4)

    def text(self, text: str) -> str:
        with self._lock:
            known = sorted(self._secrets, key=len, reverse=True)
        for secret in known:
            if secret in text:
                text = text.replace(secret, mask(secret))
        text = _JWT.sub(lambda m: mask(m.group(0)), text)
        text = _JSON_FIELD.sub(lambda m: m.group(1) + self._masked(m.group(2)) + m.group(3), text)
        return _FORM_FIELD.sub(lambda m: m.group(1) + self._masked(m.group(2)), text)

    def header(self, name: str, value: str) -> str:
        if name.lower() not in SENSITIVE_HEADERS:
            return self.text(value)
        if name.lower() == "authorization" or name.lower() == "proxy-authorization":
            match = _AUTH_VALUE.match(value)
            if match:
                return match.group(1) + mask(match.group(2).strip())
            return mask(value)
        if name.lower() in ("cookie", "set-cookie"):
            return _redact_cookie_header(value)
        return mask(value)

    def headers(self, headers: Iterable[tuple[str, str]] | Mapping[str, str]) -> list[tuple[str, str]]:
        items = headers.items() if isinstance(headers, Mapping) else headers
        return [(name, self.header(name, value)) for name, value in items]

    def _masked(self, value: str) -> str:
        # Already masked by the registered-secret pass, or empty: leave it readable.
        if not value or "…#" in value:
            return value
        return mask(value)


def _redact_cookie_header(value: str) -> str:
    parts = []
    for index, part in enumerate(value.split(";")):
        name, sep, cookie_value = part.partition("=")
        # In Set-Cookie only the first pair is the cookie; the rest are attributes (Path, Expires...).
        is_cookie_pair = index == 0 or "," in name or name.strip() not in _COOKIE_ATTRIBUTES
        if sep and is_cookie_pair and cookie_value:
            parts.append(f"{name}={mask(cookie_value)}")
        else:
            parts.append(part)
    return ";".join(parts)


_COOKIE_ATTRIBUTES = frozenset(
    {"Path", "path", "Expires", "expires", "Domain", "domain", "Max-Age", "max-age", "SameSite", "samesite"}
)

# One redactor for the whole process: a secret seen by any part of the suite is masked everywhere.
REDACTOR = Redactor()


class RedactedRepr:
    """Mixin for dataclasses (declared with ``repr=False``) that hold secrets: reports that show a
    value's repr (pytest tracebacks, Allure step parameters) get it redacted."""

    def __repr__(self) -> str:
        fields = getattr(self, "__dataclass_fields__", {})
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name, spec in fields.items() if spec.repr)
        return REDACTOR.text(f"{type(self).__name__}({inner})")
