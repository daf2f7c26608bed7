"""Secrets, tokens, passwords and cookies never reach a report, a log or the console in clear.

Every value that must stay secret is shown as a short prefix and a hash (``B73F…#3fa1c2d0``): enough to
tell two values apart within a run, never enough to use one. The hash is keyed with a random key per
run, so a report cannot be used to confirm a guessed password offline.

Known secrets are registered as they appear, and the redactor itself derives every form in which a value
travels or is written (``encoded_forms``): form-urlencoded both ways, the base64 that HTTP Basic carries
it in whatever client id precedes it, and the escapes of JSON, XML and Python reprs. So no call site can
forget a form, and a Basic header built anywhere is covered by the secret's registration alone.
Patterns catch the ones the suite never saw (a JWT in an error body, a Basic credential or a cookie
echoed by a hostile server, a header in an HTTP library's debug log).

``RedactingFilter`` applies the same to log records, so that httpx2's and httpcore2's records, at any
level, are redacted before any handler formats them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
import re
import secrets
import threading
from bisect import insort
from collections.abc import Iterable, Mapping
from urllib.parse import quote, quote_plus

__all__ = [
    "REDACTOR",
    "RedactedRepr",
    "RedactingFilter",
    "Redactor",
    "encoded_forms",
    "mask",
    "run_key",
    "use_run_key",
]

_PREFIX_LENGTH = 4
# Values shorter than this are masked entirely: a prefix of a short secret would give most of it away.
_MIN_PREFIX_SOURCE = 12
# Shorter values are not registered: they would mask ordinary words everywhere.
_MIN_SECRET = 4
# A base64 fragment shorter than this (6 bytes) could stand for too many innocent strings.
_MIN_FRAGMENT = 8
# Base64 carries credentials in HTTP Basic: client ids, secrets and passwords, which are short. A long
# value (a JWT, a session cookie) travels as itself, so its base64 forms are not worth their cost: each
# registered form is one more scan of every text redacted.
_MAX_BASE64_SOURCE = 256

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

# What every JWT (and JWS) in compact form starts with: the base64url of '{"'.
_JWT_START = "eyJ"
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*")
_HEADER_NAMES = "|".join(sorted(SENSITIVE_HEADERS, key=len, reverse=True))


def _preceded_by(options: Iterable[str]) -> str:
    """One of several fixed-width lookbehinds. Each pattern below starts with a literal character and
    looks back for the name from there: a pattern that starts with a class of names or quotes is tried
    at nearly every position of a JSON text, which costs many times more."""
    return "(?:" + "|".join(f"(?<={option})" for option in options) + ")"


# "name": "value" in JSON, and 'name': 'value' (or b'value') in a Python repr (pytest's -l locals),
# found from the colon.
_QUOTED_FIELD = re.compile(
    ":"
    + _preceded_by(f"(?i:{q}{re.escape(name)}{q}){space}:" for name in sorted(SENSITIVE_FIELDS | SENSITIVE_HEADERS)
                   for q in ('"', "'") for space in ("", " "))
    + r"""(?P<open>\s*b?(?P<v>["']))(?P<value>(?:(?!(?P=v))[^\\]|\\.)*)(?P<close>(?P=v))"""
)
# name=value in forms and query strings, also where a repr quotes the whole body (b'client_secret=...'),
# found from the "=": any name ending in a sensitive one (csrf_token=) is masked too.
_FORM_FIELD = re.compile("=" + _preceded_by(f"(?i:{re.escape(name)})=" for name in sorted(SENSITIVE_FIELDS))
                         + r"""([^&\s'"]*)""")
# A header as an HTTP library's debug log shows it: (b'set-cookie', b'.ASPXAUTH=...').
_HEADER_TUPLE = re.compile(
    r"""(?P<open>\(b?(?P<q>["'])(?P<name>(?i:""" + _HEADER_NAMES + r"""))(?P=q),\s*b?(?P<v>["']))"""
    r"""(?P<value>(?:(?!(?P=v))[^\\]|\\.)*)(?P<close>(?P=v)\))"""
)
# A header as a line of text: "Authorization: Basic ...", as an echoing server might write it.
_HEADER_LINE = re.compile(r"(?im)^(?P<open>[ \t]*(?P<name>" + _HEADER_NAMES + r")[ \t]*:[ \t]*)(?P<value>[^\r\n]+)")
# HTTP Basic and Bearer credentials anywhere in a text (RFC 7235 token68). Spelt as character classes,
# not (?i:...), and the word boundary before them checked by the caller: a pattern that starts with a
# class is searched for quickly, one that starts with a lookbehind is tried at every position.
_BASIC = re.compile(r"([Bb][Aa][Ss][Ii][Cc]\s+)([A-Za-z0-9+/]{4,}={0,2})(?![A-Za-z0-9+/=])")
_BEARER = re.compile(r"([Bb][Ee][Aa][Rr][Ee][Rr]\s+)([A-Za-z0-9\-._~+/]{16,}=*)(?![A-Za-z0-9\-._~+/=\"])")
_WORD = re.compile(r"[A-Za-z0-9_-]")
_AUTH_VALUE = re.compile(r"^(\s*[A-Za-z]+\s+)(.+)$")
# What any match of the field and header patterns contains, in lower case: a name followed by "=",
# a quote or ":". A text without any (most bodies and report files: "/connect/token" is no anchor)
# is spared the patterns, which cost many times a plain scan.
_FIELD_ENDS = ("=", '"', "'")
_FIELD_ANCHORS = tuple(f"{word}{end}" for word in ("secret", "password", "token", "assertion") for end in _FIELD_ENDS)
_HEADER_ANCHORS = tuple(f"{word}{end}" for word in ("authorization", "cookie", "bpmcsrf") for end in ('"', "'", ":"))


_RUN_KEY = secrets.token_bytes(32)


def run_key() -> bytes:
    """The key of this run's masks: the processes of one run (pytest-xdist workers) share it, so that one
    value is shown the same in every report."""
    return _RUN_KEY


def use_run_key(key: bytes) -> None:
    """Mask with the run's key given by the process that started this one, before anything is masked."""
    global _RUN_KEY
    if REDACTOR.registered():
        raise RuntimeError("the run key changes only before any secret is registered")
    _RUN_KEY = key


def mask(value: str) -> str:
    """Show a secret as a short prefix and 8 hex digits of its keyed hash."""
    digest = hmac.new(_RUN_KEY, value.encode("utf-8"), hashlib.sha256).hexdigest()[:8]
    if len(value) < _MIN_PREFIX_SOURCE:
        return f"…#{digest}"
    return f"{value[:_PREFIX_LENGTH]}…#{digest}"


def _base64_fragments(data: bytes) -> set[str]:
    """What the base64 of any text containing ``data`` is certain to contain, wherever ``data`` stands.

    Base64 encodes 3 bytes at a time; of ``data`` embedded anywhere (after ``client_id:`` in a Basic
    credential, for one), the first whole group starts 0, 1 or 2 bytes in, and the groups from there to
    its last whole group encode the same whatever comes before or after. So one fragment per offset,
    in both alphabets, covers every Basic value built with this secret, whichever client id precedes it.
    """
    found: set[str] = set()
    for offset in range(3):
        whole = data[offset:offset + 3 * ((len(data) - offset) // 3)]
        if len(whole) * 4 // 3 < _MIN_FRAGMENT:
            continue
        standard = base64.b64encode(whole).decode("ascii")
        found |= {standard, standard.replace("+", "-").replace("/", "_")}
    return found


def encoded_forms(value: str) -> set[str]:
    """Every form in which ``value`` travels or is written: as itself (and without surrounding spaces),
    form-urlencoded (``+`` or ``%20`` for a space), escaped in JSON, XML and Python reprs, and the
    base64 that HTTP Basic carries it in, raw or urlencoded (RFC 6749 §2.3.1)."""
    escaped_xml = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    urlencoded = {quote_plus(value), quote(value, safe=""), quote(value)}
    forms = {
        value,
        value.strip(),
        *urlencoded,
        json.dumps(value)[1:-1],
        json.dumps(value, ensure_ascii=False)[1:-1],
        escaped_xml,
        escaped_xml.replace('"', "&quot;"),
        escaped_xml.replace('"', "&quot;").replace("'", "&#x27;"),
        repr(value)[1:-1],
    }
    if len(value) <= _MAX_BASE64_SOURCE:
        for text in (value, *urlencoded):
            forms |= _base64_fragments(text.encode("utf-8"))
    return {form for form in forms if len(form) >= _MIN_SECRET}


def _longest_first(item: tuple[str, str]) -> int:
    return -len(item[0])


class Redactor:
    """Replaces registered secrets, in each of their forms, and anything that looks like a credential."""

    def __init__(self) -> None:
        # Each form of each registered value -> what is shown instead (the value's mask, whichever form).
        self._replacements: dict[str, str] = {}
        # The same, longest first, so that a form containing another is replaced whole; and the same without
        # the forms of JWTs. A run registers every token it is issued (the search, thousands), and most
        # texts hold none: only a text that holds a JWT's first characters is scanned for each of them.
        self._ordered: tuple[tuple[str, str], ...] = ()
        self._ordered_without_jwts: tuple[tuple[str, str], ...] = ()
        # The lists the snapshots above are copied from, kept in order as forms are added: sorting every
        # form again at each registration made a run's registrations cost the square of its tokens.
        self._longest_first: list[tuple[str, str]] = []
        self._longest_first_without_jwts: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        self._values: list[str] = []

    def registered(self) -> tuple[str, ...]:
        """The values registered so far (for the process that writes the run's reports)."""
        with self._lock:
            return tuple(self._values)

    def register(self, *values: str | None) -> None:
        """Remember values that must never appear in clear, in every form they may take (very short
        values would over-match and are not registered)."""
        with self._lock:
            added = False
            for value in values:
                if not value or len(value) < _MIN_SECRET or value in self._replacements:
                    continue
                self._values.append(value)
                shown = mask(value)
                for form in encoded_forms(value):
                    if form not in self._replacements:
                        self._replacements[form] = shown
                        insort(self._longest_first, (form, shown), key=_longest_first)
                        if not form.startswith(_JWT_START):
                            insort(self._longest_first_without_jwts, (form, shown), key=_longest_first)
                        added = True
            if added:
                self._ordered = tuple(self._longest_first)
                self._ordered_without_jwts = tuple(self._longest_first_without_jwts)

    def text(self, text: str) -> str:
        # Snapshots: registering replaces the tuples, never edits them. A form that starts with the JWT
        # prefix occurs only in a text that holds the prefix (a mask is too short to make a whole one).
        forms = self._ordered if _JWT_START in text else self._ordered_without_jwts
        for form, shown in forms:
            if form in text:
                text = text.replace(form, shown)
        # Each pattern runs only where its anchor word occurs: a plain scan is many times faster than a
        # pattern, and most texts (a large body, a report file) hold few of the words.
        lowered = text.lower()
        if "eyj" in lowered:
            text = _JWT.sub(lambda m: mask(m.group(0)), text)
        if "basic" in lowered:
            text = _BASIC.sub(self._basic, text)
        if "bearer" in lowered:
            text = _BEARER.sub(self._bearer, text)
        headers = any(name in lowered for name in _HEADER_ANCHORS)
        if headers:
            text = _HEADER_TUPLE.sub(self._header_match, text)
            text = _HEADER_LINE.sub(self._header_match, text)
        fields = any(name in lowered for name in _FIELD_ANCHORS)
        if fields or headers:
            text = _QUOTED_FIELD.sub(
                lambda m: ":" + m.group("open") + self._masked(m.group("value")) + m.group("close"), text
            )
        if fields:
            text = _FORM_FIELD.sub(lambda m: "=" + self._masked(m.group(1)), text)
        return text

    def header(self, name: str, value: str) -> str:
        if name.lower() not in SENSITIVE_HEADERS:
            return self.text(value)
        if name.lower() == "authorization" or name.lower() == "proxy-authorization":
            match = _AUTH_VALUE.match(value)
            if match:
                return match.group(1) + self._masked(match.group(2).strip())
            return self._masked(value)
        if name.lower() in ("cookie", "set-cookie"):
            return _redact_cookie_header(value)
        return self._masked(value)

    def headers(self, headers: Iterable[tuple[str, str]] | Mapping[str, str]) -> list[tuple[str, str]]:
        items = headers.items() if isinstance(headers, Mapping) else headers
        return [(name, self.header(name, value)) for name, value in items]

    def _masked(self, value: str) -> str:
        # Already masked by the registered-secret pass, or empty: leave it readable.
        if not value or "…#" in value:
            return value
        return mask(value)

    def _basic(self, match: re.Match[str]) -> str:
        # Only what decodes to "id:secret" is a credential: "Basic realm" and "Basic authentication" stay,
        # and so does a word that merely ends in "basic" (client_secret_basic).
        if _follows_word(match):
            return match.group(0)
        try:
            decoded = base64.b64decode(match.group(2), validate=True)
        except (binascii.Error, ValueError):
            return match.group(0)
        return match.group(1) + mask(match.group(2)) if b":" in decoded else match.group(0)

    def _bearer(self, match: re.Match[str]) -> str:
        return match.group(0) if _follows_word(match) else match.group(1) + self._masked(match.group(2))

    def _header_match(self, match: re.Match[str]) -> str:
        value = match.group("value")
        close = match.groupdict().get("close") or ""
        return match.group("open") + (value if "…#" in value else self.header(match.group("name"), value)) + close


def _follows_word(match: re.Match[str]) -> bool:
    """Whether the match continues a word (``client_secret_basic x``) instead of starting one."""
    start = match.start()
    return start > 0 and _WORD.match(match.string, start - 1) is not None


def _redact_cookie_header(value: str) -> str:
    parts = []
    for index, part in enumerate(value.split(";")):
        name, sep, cookie_value = part.partition("=")
        # In Set-Cookie only the first pair is the cookie; the rest are attributes (Path, Expires...).
        is_cookie_pair = index == 0 or "," in name or name.strip() not in _COOKIE_ATTRIBUTES
        if sep and is_cookie_pair and cookie_value and "…#" not in cookie_value:
            parts.append(f"{name}={mask(cookie_value)}")
        else:
            parts.append(part)
    return ";".join(parts)


_COOKIE_ATTRIBUTES = frozenset(
    {"Path", "path", "Expires", "expires", "Domain", "domain", "Max-Age", "max-age", "SameSite", "samesite"}
)

# One redactor for the whole process: a secret seen by any part of the suite is masked everywhere.
REDACTOR = Redactor()

# Set on a record once redacted: a record passes every handler's filters, and one pass is enough.
_REDACTED_MARK = "oauth_conformance_redacted"
_EXCEPTION_FORMATTER = logging.Formatter()


class RedactingFilter(logging.Filter):
    """A handler filter: the record's message, its traceback and its stack are redacted before any
    formatter sees them; the record is always passed on.

    The message is rendered once (``msg % args``) and kept as text, since a redacted argument could no
    longer be formatted the way the format string asks.
    """

    def __init__(self, redactor: Redactor = REDACTOR) -> None:
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, _REDACTED_MARK, False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: what it holds is still shown, redacted, not lost
            message = f"{record.msg!r} % {record.args!r}"
        record.msg, record.args = self.redactor.text(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = _EXCEPTION_FORMATTER.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redactor.text(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redactor.text(record.stack_info)
        setattr(record, _REDACTED_MARK, True)
        return True


class RedactedRepr:
    """Mixin for dataclasses (declared with ``repr=False``) that hold secrets: reports that show a
    value's repr (pytest tracebacks, Allure step parameters) get it redacted."""

    def __repr__(self) -> str:
        fields = getattr(self, "__dataclass_fields__", {})
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name, spec in fields.items() if spec.repr)
        return REDACTOR.text(f"{type(self).__name__}({inner})")
