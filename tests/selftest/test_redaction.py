"""Secrets reach reports only as a prefix and a hash."""

from __future__ import annotations

import base64
import json
import logging
import sys
from typing import Any
from urllib.parse import quote, quote_plus
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

import pytest

from oauth_conformance._plugin import logs
from oauth_conformance.redaction import REDACTOR, RedactingFilter, Redactor, encoded_forms, mask

SECRET = "B73F3EE5" + "A1" * 26 + "335A"
JWT = "eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJpc3MiOiJodHRwOi8vaXMifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ"


def test_mask_shows_prefix_and_hash_only() -> None:
    masked = mask(SECRET)
    assert masked.startswith("B73F…#") and len(masked) == len("B73F…#") + 8
    assert SECRET not in masked


def test_short_values_are_masked_entirely() -> None:
    assert mask("Supervisor").startswith("…#")


@pytest.mark.parametrize(
    "text",
    [
        f"grant_type=client_credentials&client_id=ABC&client_secret={SECRET}",
        f'{{"access_token":"{JWT}","expires_in":3600}}',
        f'{{"AddClientResult":{{"success":true,"clientSecret":"{SECRET}"}}}}',
        f"error body echoing {JWT} back",
        f'{{"UserName":"Supervisor","UserPassword":"{SECRET}"}}',
    ],
)
def test_patterns_catch_unregistered_secrets(text: str) -> None:
    redacted = Redactor().text(text)
    assert SECRET not in redacted and JWT not in redacted


def test_registered_secret_is_masked_anywhere() -> None:
    redactor = Redactor()
    redactor.register(SECRET)
    assert SECRET not in redactor.text(f"a log line with {SECRET} inside a sentence")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("Authorization", f"Bearer {JWT}"),
        ("Authorization", "Basic QUJDREVGOkIzN0YzRUU1QTFBMUExQTFBMUEx"),
        ("Cookie", f".ASPXAUTH={SECRET}; BPMCSRF=csrf-token-value-123"),
        ("Set-Cookie", f"BPMCSRF={SECRET}; path=/"),
        ("BPMCSRF", SECRET),
    ],
)
def test_sensitive_headers_are_masked(name: str, value: str) -> None:
    redacted = Redactor().header(name, value)
    credential = value.split(" ", 1)[1] if name == "Authorization" else SECRET
    assert credential not in redacted
    assert "…#" in redacted


def test_cookie_attributes_stay_readable() -> None:
    assert "path=/" in Redactor().header("Set-Cookie", f"BPMCSRF={SECRET}; path=/")


# -- every form of a registered secret ------------------------------------------------------------

# Every character an encoding changes: space, + % / & = " < > ' \ and a non-ASCII one.
SPECIAL = 'canary secret+1%/&="<x>\'\\ £'


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def _travelling_forms(secret: str) -> dict[str, str]:
    """How a secret is seen on the wire and in files, worked out here without the redactor's help."""
    return {
        "raw": secret,
        "quote_plus": quote_plus(secret),
        "quote": quote(secret, safe=""),
        "quote (default safe)": quote(secret),
        "JSON": json.dumps(secret)[1:-1],
        "JSON, ensure_ascii off": json.dumps(secret, ensure_ascii=False)[1:-1],
        "XML text": xml_escape(secret),
        "XML attribute": quoteattr(secret)[1:-1],
        "repr": repr(secret)[1:-1],
        "base64": _b64(secret),
        "base64url": base64.urlsafe_b64encode(secret.encode("utf-8")).decode("ascii").rstrip("="),
    }


@pytest.mark.parametrize("secret", [SECRET, SPECIAL, "  spaced secret value  "])
def test_every_form_of_a_registered_secret_is_masked(secret: str) -> None:
    redactor = Redactor()
    redactor.register(secret)
    for name, form in _travelling_forms(secret).items():
        redacted = redactor.text(f"before {form} after")
        assert form not in redacted, name
        assert "…#" in redacted, name


@pytest.mark.parametrize("client_id", ["", "a", "ab", "abc", "canary-client", "id with space:+%"])
@pytest.mark.parametrize("secret", [SECRET, SPECIAL])
def test_basic_of_any_client_is_masked_from_the_secret_alone(client_id: str, secret: str) -> None:
    # Only the secret is registered: the client id in front of it shifts the base64 by 0, 1 or 2 bytes.
    redactor = Redactor()
    redactor.register(secret)
    for pair in (f"{quote(client_id, safe='')}:{quote(secret, safe='')}", f"{quote_plus(client_id)}:"
                 f"{quote_plus(secret)}", f"{client_id}:{secret}"):
        value = _b64(pair)
        # As an echoing server would put it: in a JSON list of headers, with no "Basic " before it too.
        for text in (f'[["authorization", "Basic {value}"]]', f"x-echo: {value}", value):
            assert value not in redactor.text(text), (pair, text)


def test_a_secret_keeps_its_spaces_and_is_masked_without_them_too() -> None:
    redactor = Redactor()
    redactor.register("  spaced secret value  ")
    assert "spaced secret value" not in redactor.text("a server that strips: spaced secret value.")


def test_short_values_are_not_registered_and_nothing_is_masked_for_them() -> None:
    redactor = Redactor()
    redactor.register("abc", "", None)
    assert redactor.text("abc YWJj") == "abc YWJj"


def test_the_forms_are_derived_by_the_redactor() -> None:
    forms = encoded_forms(SPECIAL)
    assert {quote_plus(SPECIAL), quote(SPECIAL, safe=""), json.dumps(SPECIAL)[1:-1]} <= forms
    assert all(len(form) >= 4 for form in forms)


# -- credentials the suite never saw ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("Authorization: Basic QUJDREVGOkIzN0YzRUU1QTFBMUExQTFBMUEx", "QUJDREVGOkIzN0YzRUU1QTFBMUExQTFBMUEx"),
        ('{"authorization": "bearer 8f3a2c1d9e7b6a5f4e3d2c1b"}', "8f3a2c1d9e7b6a5f4e3d2c1b"),
        ("receive_response_headers.complete return_value=(b'HTTP/1.1', 200, b'OK', [(b'set-cookie', "
         "b'.ASPXAUTH=0123456789ABCDEF0123; path=/')])", "0123456789ABCDEF0123"),
        ("[(b'authorization', b'Bearer opaque-0123456789abcdef')]", "opaque-0123456789abcdef"),
        ("{'client_secret': 'locals-secret-1', 'scope': 'read'}", "locals-secret-1"),
        ("body=b'grant_type=client_credentials&client_secret=form-secret-2'", "form-secret-2"),
        ("b'client_secret=form-secret-3&client_id=x'", "form-secret-3"),
        ("POST /token HTTP/1.1\ncookie: BPMCSRF=csrf-value-4; .ASPXAUTH=session-5\n", "session-5"),
        ('{"UserPassword" : "admin-password-6"}', "admin-password-6"),
    ],
)
def test_patterns_catch_credentials_in_logs_locals_and_echoes(text: str, hidden: str) -> None:
    assert hidden not in Redactor().text(text)


@pytest.mark.parametrize(
    "text",
    [
        'WWW-Authenticate: Basic realm="conformance"',
        "HTTP Basic authentication (client_secret_basic)",
        "client_secret_basic QUJDREVGOkIzN0YzRUU1QTFBMUExQTFBMUEx",
        'Bearer error="invalid_token", error_description="The access token expired"',
        "Bearer tokens and the token endpoint at /connect/token",
        '"token_type": "Bearer"',
    ],
)
def test_words_that_only_look_like_credentials_stay_readable(text: str) -> None:
    assert Redactor().text(text) == text


def test_redacting_twice_changes_nothing_more() -> None:
    redactor = Redactor()
    redactor.register(SPECIAL)
    once = redactor.text(f"client_secret={quote_plus(SPECIAL)} Basic {_b64('id:' + SPECIAL)} {JWT}")
    assert redactor.text(once) == once


# -- log records ----------------------------------------------------------------------------------


def _record(msg: str, *args: object, exc_info: Any = None) -> logging.LogRecord:
    return logging.LogRecord("httpx2", logging.INFO, __file__, 1, msg, args, exc_info)


def test_the_filter_redacts_the_message_with_its_arguments() -> None:
    redactor = Redactor()
    redactor.register(SPECIAL)
    record = _record("HTTP Request: %s %s", "POST", f"https://as.example/token?client_secret={quote_plus(SPECIAL)}")
    assert RedactingFilter(redactor).filter(record) is True
    assert quote_plus(SPECIAL) not in record.getMessage() and "…#" in record.getMessage()


def test_the_filter_redacts_a_traceback_and_survives_a_malformed_record() -> None:
    redactor = Redactor()
    redactor.register(SECRET)
    try:
        raise ValueError(f"refused {SECRET}")
    except ValueError:
        record = _record("failed", exc_info=sys.exc_info())
    RedactingFilter(redactor).filter(record)
    assert SECRET not in logging.Formatter().format(record)
    malformed = _record("two %s %s", SECRET)  # one argument short: logging would report, not raise
    RedactingFilter(redactor).filter(malformed)
    assert SECRET not in malformed.getMessage()


def test_the_plugin_filters_pytests_log_capture(caplog: pytest.LogCaptureFixture) -> None:
    # This process runs the suite's plugin (the root conftest): its filter is on pytest's handlers.
    assert logs.FILTER in caplog.handler.filters
    REDACTOR.register(SECRET)
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("httpcore2.http11").debug("send_request_body.started request=%s", SECRET)
    assert SECRET not in caplog.text and "…#" in caplog.text


@pytest.mark.parametrize("longer_first", [False, True], ids=["shorter-registered-first", "longer-registered-first"])
def test_a_secret_that_contains_another_is_masked_whole(longer_first: bool) -> None:
    """Forms are replaced longest first, whatever the order they were registered in: a secret holding
    another registered one is shown as its own mask, not as the other's mask amid its clear remainder."""
    redactor = Redactor()
    inner, outer = SECRET, "prefix-" + SECRET + "-suffix-of-the-longer-one"
    for value in ((outer, inner) if longer_first else (inner, outer)):
        redactor.register(value)
        redactor.register(JWT + value[:3])  # registrations in between, with and without a JWT's start
    shown = redactor.text(f"sent {outer} and {inner}")
    assert shown == f"sent {mask(outer)} and {mask(inner)}"
