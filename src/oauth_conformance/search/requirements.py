"""What the lifecycle search judges, by requirement ID: apart from the state machine, so that the test
module that marks the search with them imports no Hypothesis in a run where the search does not run."""

from __future__ import annotations

__all__ = ["LIFECYCLE_REQUIREMENTS"]

# What the model judges (CRE-active-off-existing is measured beside them, CRE-cleanup at the end).
LIFECYCLE_REQUIREMENTS = (
    "CRE-token-issued",
    "CRE-edit-keeps-credentials",
    "CRE-active-off-new",
    "CRE-reactivate",
    "CRE-secret-rotate",
    "CRE-active-off-isolated",
    "CRE-techuser-isolation",
    "CRE-token-acts-as-techuser",
)
