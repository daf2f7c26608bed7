"""Subplugin: Allure's view of the run. Where its results go; each scenario linked to its requirements;
each exchange attached to the step that made it; step parameters the Gherkin values, not fixtures; and,
once the run is over, its environment and categories beside the results.

Under pytest-xdist every worker writes its own test cases into the one results folder, which only the
controller empties (at its configure, before any worker starts).
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from pathlib import Path

import allure_commons
import pytest

from oauth_conformance import allure_files
from oauth_conformance._plugin import target, verdicts, xdist
from oauth_conformance._plugin.settings import settings_of
from oauth_conformance.evidence_allure import AllureEvidence, gherkin_values_only

__all__ = ["configure", "finish", "results_dir", "scenario_finished", "scenario_started", "step_called"]

_RUN = pytest.StashKey[AllureEvidence]()


def configure(config: pytest.Config) -> None:
    """Allure writes into the reports folder unless told otherwise. Runs before allure-pytest-bdd's own
    configure, which opens the folder (and empties it when asked to)."""
    if not hasattr(config.option, "allure_report_dir"):
        return  # allure-pytest-bdd is not loaded (-p no:allure_pytest_bdd)
    if config.option.allure_report_dir is None:
        config.option.allure_report_dir = str(settings_of(config).reports_dir / "allure-results")
        config.option.clean_alluredir = True
    if xdist.is_worker(config):
        # A worker parses the same command line, so it finds the same folder; the controller emptied it
        # before any worker started. A worker started later (one replacing a crashed worker) would
        # otherwise delete what the others wrote.
        config.option.clean_alluredir = False
    if results_dir(config) is None:
        return
    evidence = AllureEvidence()
    config.stash[_RUN] = evidence
    target.run_of(config).evidence.listeners.append(evidence.attach)
    allure_commons.plugin_manager.register(evidence)
    config.add_cleanup(lambda: allure_commons.plugin_manager.unregister(evidence))


def results_dir(config: pytest.Config) -> str | None:
    """Where Allure writes its results in this run, if it is active."""
    return getattr(config.option, "allure_report_dir", None)


def scenario_started(request: pytest.FixtureRequest) -> None:
    evidence = request.config.stash.get(_RUN, None)
    if evidence is None:
        return
    catalogue = verdicts.run_of(request.config).catalogue
    profile = settings_of(request.config).standards_profile
    requirements = [catalogue[i] for i in verdicts.requirement_ids(request.node, catalogue)]
    evidence.scenario_started(request.node.nodeid, [(r, r.level_for(profile)) for r in requirements])


@contextmanager
def step_called(request: pytest.FixtureRequest, step_args: MutableMapping[str, object]) -> Iterator[None]:
    """Around allure-pytest-bdd's record of a step's arguments: the Gherkin values only. By now pytest-bdd
    has requested every fixture the step takes, so the request names them all."""
    if _RUN not in request.config.stash:
        yield  # Allure is not writing this run
        return
    with gherkin_values_only(step_args, request.fixturenames):
        yield


def scenario_finished(config: pytest.Config) -> None:
    evidence = config.stash.get(_RUN, None)
    if evidence is not None:
        evidence.scenario_finished()


def finish(session: pytest.Session) -> None:
    """Once the run's verdicts are in (called in every process of the run, xdist workers included): the
    process that reports the run writes the environment and the categories."""
    config = session.config
    folder = results_dir(config)
    if folder is None or xdist.is_worker(config) or config.option.collectonly:
        return
    settings = settings_of(config)
    waiver_files = [_shown(Path(w.source), config.rootpath) for w in verdicts.run_of(config).waivers]
    workers = getattr(config.option, "numprocesses", None) or 0
    properties = allure_files.environment(
        settings, target.run_of(config).description, waiver_files, workers if isinstance(workers, int) else 0
    )
    allure_files.write_environment(Path(folder), properties)
    allure_files.write_categories(Path(folder))


def _shown(path: Path, root: Path) -> str:
    """A waiver file as the reports name it: relative to the project when it is in it."""
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
