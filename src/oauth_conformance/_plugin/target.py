"""Subplugin: the target of the run and what scenarios use of it.

Fixtures: ``evidence`` (every exchange of the run), ``http`` (the one HTTP client), ``target`` (opened
from the registry when a scenario first needs it, closed at the end), ``creatio_env``, ``standards``,
``stale_leftovers`` and ``cleanup`` (what one scenario created, undone at its teardown).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from oauth_conformance._plugin.settings import settings_of
from oauth_conformance.checks import creatio
from oauth_conformance.cleanup import Cleanup, Leftover
from oauth_conformance.errors import FeatureNotOfferedError, SuiteError
from oauth_conformance.http import EvidenceLog, HttpClient, TransportPolicy
from oauth_conformance.settings import RUN_PREFIX_FAMILY, Settings
from oauth_conformance.targets import TARGETS, CreatioEnvironment, Target
from oauth_conformance.targets.standards import StandardsTarget
from oauth_conformance.verdicts import Checker

__all__ = [
    "TargetRun",
    "cleanup",
    "configure",
    "creatio_env",
    "evidence",
    "http",
    "item_finished",
    "item_started",
    "run_of",
    "stale_leftovers",
    "standards",
    "target",
]


@dataclass
class TargetRun:
    """What the run learnt of its target."""

    evidence: EvidenceLog = field(default_factory=EvidenceLog)
    description: str = "not started"
    # Names left on the target by an earlier run that could not clean up (a crash, a kill).
    stale: list[str] = field(default_factory=list)
    # What this run created and could not remove, with what to do by hand.
    leftovers: list[Leftover] = field(default_factory=list)


_RUN = pytest.StashKey[TargetRun]()


def configure(config: pytest.Config) -> None:
    settings = settings_of(config)
    config.stash[_RUN] = TargetRun(description=TARGETS[settings.target].describe(settings))


def run_of(config: pytest.Config) -> TargetRun:
    return config.stash[_RUN]


def item_started(item: pytest.Item) -> None:
    run_of(item.config).evidence.current_test = item.nodeid


def item_finished(item: pytest.Item) -> None:
    run_of(item.config).evidence.current_test = None


@pytest.fixture(scope="session")
def evidence(pytestconfig: pytest.Config) -> EvidenceLog:
    return run_of(pytestconfig).evidence


@pytest.fixture(scope="session")
def http(settings: Settings, evidence: EvidenceLog) -> Iterator[HttpClient]:
    client = HttpClient(TransportPolicy(timeout=settings.timeout, verify=settings.tls_verify), evidence)
    yield client
    client.close()


@pytest.fixture(scope="session")
def target(pytestconfig: pytest.Config, http: HttpClient) -> Iterator[Target]:
    settings = settings_of(pytestconfig)
    opened = TARGETS[settings.target].open(settings, http)
    run_of(pytestconfig).description = opened.description
    yield opened
    # Read again at the end: a target may learn more of itself during the run (where its metadata is).
    run_of(pytestconfig).description = opened.description
    opened.close()


@pytest.fixture(scope="session")
def creatio_env(target: Target) -> CreatioEnvironment:
    try:
        return target.creatio()
    except FeatureNotOfferedError as missing:
        pytest.skip(str(missing))


@pytest.fixture(scope="session")
def standards(pytestconfig: pytest.Config, target: Target) -> Iterator[StandardsTarget]:
    """What the standards checks need, built by the target (clients it provisions are deleted at the end;
    what cannot be is listed in the run's leftovers, never an ERROR of the last test)."""
    pending = Cleanup()
    try:
        try:
            provided = target.standards(pending)
        except FeatureNotOfferedError as missing:
            pytest.skip(str(missing))
        yield provided
    finally:
        run_of(pytestconfig).leftovers += pending.run()


@pytest.fixture(scope="session")
def stale_leftovers(pytestconfig: pytest.Config, creatio_env: CreatioEnvironment) -> list[str]:
    """Integrations and users of earlier runs still on the target: reported, never deleted (a run may be
    going on elsewhere)."""
    stale = creatio_env.leftovers(RUN_PREFIX_FAMILY)
    run_of(pytestconfig).stale = stale
    return stale


@pytest.fixture
def cleanup(request: pytest.FixtureRequest, checker: Checker) -> Iterator[Cleanup]:
    """What one scenario created, removed at its teardown. In a scenario tagged with the cleanup
    requirement, the outcome is a finding of its own (a leftover never turns what already passed into an
    ERROR); elsewhere a leftover is a broken run."""
    pending = Cleanup()
    yield pending
    left = pending.run()
    run_of(request.config).leftovers += left
    if creatio.cleanup_complete.requirement in checker.tags:
        if pending.done or left:
            checker.verify(creatio.cleanup_complete, creatio.CleanupOutcome(tuple(pending.done), tuple(left)))
    elif left:
        raise SuiteError("cleanup left things behind: " + "; ".join(item.describe() for item in left))
