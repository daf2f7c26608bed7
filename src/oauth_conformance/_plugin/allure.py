"""Subplugin: Allure's view of the run. Where its results go, each scenario linked to its requirements,
each exchange attached to the step that made it.

Allure only has a test case between pytest-bdd's before- and after-scenario hooks; exchanges made
outside one (starting the target, session fixtures) stay in the evidence log only.
"""

from __future__ import annotations

import pytest

from oauth_conformance._plugin import verdicts
from oauth_conformance._plugin.settings import settings_of
from oauth_conformance.evidence_allure import AllureEvidence

__all__ = ["configure", "finish", "results_dir", "scenario_finished", "scenario_started"]

_RUN = pytest.StashKey[AllureEvidence]()


def configure(config: pytest.Config) -> None:
    """Allure writes into the reports folder unless told otherwise."""
    config.stash[_RUN] = AllureEvidence()
    if hasattr(config.option, "allure_report_dir") and config.option.allure_report_dir is None:
        config.option.allure_report_dir = str(settings_of(config).reports_dir / "allure-results")
        config.option.clean_alluredir = True


def results_dir(config: pytest.Config) -> str | None:
    """Where Allure writes its results in this run, if it is active."""
    return getattr(config.option, "allure_report_dir", None)


def scenario_started(request: pytest.FixtureRequest) -> None:
    catalogue = verdicts.run_of(request.config).catalogue
    requirements = [catalogue[i] for i in verdicts.requirement_ids(request.node, catalogue)]
    request.config.stash[_RUN].scenario_started(requirements)


def scenario_finished(config: pytest.Config) -> None:
    config.stash[_RUN].scenario_finished()


def finish(session: pytest.Session) -> None:
    """Once the run's verdicts are in (called in every process of the run, xdist workers included)."""
