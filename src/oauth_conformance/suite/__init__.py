"""The suite itself, as the plugin runs it: the Gherkin features, their step library, the test modules
that bind them to pytest, and the waiver profiles.

In the project's checkout they are the folders ``features/``, ``steps/``, ``tests/conformance/`` and
``profiles/``; a wheel or an install carries the same folders inside this package (pyproject.toml maps
them), so the installed suite is the checkout's, file for file. This module says where each is for the
running interpreter, wherever that is.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

__all__ = ["SCENARIOS", "STEP_MODULES", "features_dir", "profiles_dir", "scenarios_dir"]

# The step library, registered as plugins in this order: the controls last, as they reuse the
# introspection and context steps' helpers.
STEP_MODULES = tuple(
    f"oauth_conformance.suite.steps.{name}"
    for name in (
        "state",
        "creatio.context",
        "creatio.diagnostics",
        "creatio.integrations",
        "creatio.token",
        "creatio.api",
        "standards.context",
        "standards.token_endpoint",
        "standards.bearer",
        "standards.jwt",
        "standards.discovery",
        "standards.introspection",
        "standards.security",
        "standards.transport",
        "standards.revocation",
        "standards.claims",
        "standards.controls",
        "search",
    )
)
# The test modules that bind the features to pytest.
SCENARIOS = "oauth_conformance.suite.scenarios"


def _folder(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"{package} is not installed with the suite")
    return Path(next(iter(spec.submodule_search_locations)))


def features_dir() -> Path:
    return _folder("oauth_conformance.suite.features")


def profiles_dir() -> Path:
    return _folder("oauth_conformance.suite.profiles")


def scenarios_dir() -> Path:
    return _folder(SCENARIOS)
