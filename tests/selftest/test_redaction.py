"""Secrets reach reports only as a prefix and a hash."""

from __future__ import annotations

import pytest

from oauth_conformance.redaction import Redactor, mask

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
