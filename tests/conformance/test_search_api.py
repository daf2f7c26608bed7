"""Mutations of a genuine access token (a flipped bit anywhere, truncation, header and claim edits
re-signed with the attacker's keys, alg, kid and typ variants), each of which the API must refuse
(oauth_conformance.search.token_mutations)."""

from typing import Any

import pytest

pytestmark = [
    pytest.mark.search,
    *(getattr(pytest.mark, rid) for rid in (
        "RFC9068-4-rs-validation",
        "RFC8725-3.1-alg-allowlist",
        "RFC6750-3.1-invalid-token",
    )),
]


def test_mutated_access_tokens(api_search: Any) -> None:
    api_search.run()
