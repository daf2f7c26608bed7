"""The lifecycle state machine against the target's Creatio: sequences of edits, deactivations,
reactivations, deletions and rotations nobody wrote down, each step judged by what the documented
procedure promises (oauth_conformance.search.lifecycle)."""

from typing import Any

import pytest

pytestmark = [
    pytest.mark.search,
    pytest.mark.creatio,
    pytest.mark.managed,
    *(getattr(pytest.mark, rid) for rid in (
        "CRE-token-issued",
        "CRE-edit-keeps-credentials",
        "CRE-active-off-new",
        "CRE-reactivate",
        "CRE-secret-rotate",
        "CRE-active-off-isolated",
        "CRE-techuser-isolation",
        "CRE-token-acts-as-techuser",
        "CRE-active-off-existing",
        "CRE-cleanup",
    )),
]


def test_integration_lifecycle(lifecycle_search: Any) -> None:
    lifecycle_search.run()
