"""Variants of the client-credentials token request (order, case, repetition, omission, encodings,
methods, content types, authentication methods), each answer judged by what RFC 6749 allows
(oauth_conformance.search.token_requests)."""

from typing import Any

import pytest

pytestmark = [
    pytest.mark.search,
    *(getattr(pytest.mark, rid) for rid in (
        "RFC6749-5.2-error-shape",
        "RFC6749-3.2.1-auth-required",
        "RFC6749-2.3-single-method",
        "RFC6749-2.3.1-not-in-uri",
        "RFC6749-2.3.1-empty-secret",
        "RFC6749-3.2.1-unknown-client",
        "RFC6749-3.2-post",
        "RFC6749-3.2-no-dup",
        "RFC6749-5.1-no-store",
        "RFC6819-4.6.7-log-leak",
    )),
]


def test_token_request_variants(token_endpoint_search: Any) -> None:
    token_endpoint_search.run()
