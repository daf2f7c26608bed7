"""The WWW-Authenticate parser the challenge checks share (RFC 9110 §11.6.1)."""

from __future__ import annotations

import pytest

from oauth_conformance.checks._challenges import Challenge, parse_challenges
from tests.unit.cases import Case

# Not a table of check cases: the parser is a helper (the registry self-test reads CASES).
CASES: list[Case] = []

PARSED = [
    ('Bearer realm="api", error="invalid_token", error_description="a, b"',
     [Challenge("bearer", {"realm": "api", "error": "invalid_token", "error_description": "a, b"})]),
    ('DPoP algs="ES256 PS256", Bearer realm="x", error=invalid_token',
     [Challenge("dpop", {"algs": "ES256 PS256"}), Challenge("bearer", {"realm": "x", "error": "invalid_token"})]),
    ("bearer", [Challenge("bearer")]),
    ("Basic abc==, Bearer", [Challenge("basic", {}, "abc=="), Challenge("bearer")]),
    # RFC 9110 §11.6.1's own example.
    ('Newauth realm="apps", type=1, title="Login to \\"apps\\"", Basic realm="simple"',
     [Challenge("newauth", {"realm": "apps", "type": "1", "title": 'Login to "apps"'}),
      Challenge("basic", {"realm": "simple"})]),
    ("", []),
]


@pytest.mark.parametrize(("header", "expected"), PARSED, ids=[h or "(empty)" for h, _ in PARSED])
def test_challenges_are_parsed_as_rfc_9110_defines_them(header: str, expected: list[Challenge]) -> None:
    assert parse_challenges([header]) == expected


def test_challenges_of_several_fields_are_read_in_order() -> None:
    assert parse_challenges(['DPoP algs="ES256"', 'Bearer realm="api"']) == [
        Challenge("dpop", {"algs": "ES256"}), Challenge("bearer", {"realm": "api"})
    ]
