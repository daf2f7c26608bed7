"""The lifecycle state machine against the target's Creatio: sequences of edits, deactivations,
reactivations, deletions and rotations nobody wrote down, each step judged by what the documented
procedure promises (oauth_conformance.search.lifecycle)."""

from typing import Any

import pytest

from oauth_conformance.search.requirements import LIFECYCLE_REQUIREMENTS

pytestmark = [
    pytest.mark.search,
    pytest.mark.creatio,
    pytest.mark.managed,
    # What the model judges, what it measures for a person, and the removal of what it created.
    *(getattr(pytest.mark, rid) for rid in (*LIFECYCLE_REQUIREMENTS, "CRE-active-off-existing", "CRE-cleanup")),
]


def test_integration_lifecycle(lifecycle_search: Any) -> None:
    lifecycle_search.run()
