"""Subplugin: whether the search runs (OAUTH_SEARCH), and saying so when it does not.

The search creates, edits and deletes integrations and sends thousands of requests: against the bundled
mock that is seconds of loopback traffic, against a real instance it is load and audit-log entries on
someone's Creatio. So by default (``auto``) it runs against the mock only; elsewhere its tests are
left out of the run, and the summary says how to opt in.

Hypothesis's own pytest plugin serves tests decorated with ``@given``; the search runs Hypothesis inside
its fixtures and has no use for it. Left registered in a run that has neither, it would still import all
of Hypothesis for its terminal summary, so such a run unregisters it once the tests are collected.

Under pytest-xdist with ``--dist loadgroup`` (as ``make conformance`` runs) the lifecycle search runs as
two parts per worker (``oauth_conformance.search.parts``), and every worker starts with the searches, the
run's longest tests. That scheduler hands out one test at a time (each test not in a group is a scope of
its own), so the parts start on different workers and the short scenarios fill in around them. xdist's
default scheduler sends each worker a run of consecutive tests at first, which would put the parts on one
worker: under it, as in a run of one process, the search stays whole.
"""

from __future__ import annotations

from typing import Any

import pytest

from oauth_conformance._plugin import xdist
from oauth_conformance._plugin.settings import settings_of
from oauth_conformance.search.parts import SearchPart

__all__ = ["HYPOTHESIS_PLUGIN", "MARK", "PARTED_FIXTURE", "PARTS_PER_WORKER", "deselect_unless_running", "heard",
           "release_hypothesis", "searches_first", "split", "summary", "tell_controller"]

# The marker of the search's tests (tests/conformance/test_search_*.py).
MARK = "search"
# The name Hypothesis's pytest plugin is registered under (its pytest11 entry point).
HYPOTHESIS_PLUGIN = "hypothesispytest"
# The fixture of the search that is split into parts under xdist (steps/search.py), and into how many
# parts per worker: two, so that a part that drew long sequences is evened out by the worker that drew
# short ones taking the next part.
PARTED_FIXTURE = "lifecycle_search"
PARTS_PER_WORKER = 2
_LEFT_OUT = pytest.StashKey[int]()
_LEFT_OUT_WORDS = "oauth_conformance.search_left_out"


def split(metafunc: pytest.Metafunc) -> None:
    """A test of the lifecycle search, on a worker of N under ``--dist loadgroup``: 2N tests, one per part,
    never more than it has sequences (else the one whole test). Every worker has the same settings, so
    every worker collects the same tests, as xdist requires."""
    config = metafunc.config
    # What a worker knows of --dist: xdist hands it ``loadgroup`` (its ``dist`` is its own, "no").
    if PARTED_FIXTURE not in metafunc.fixturenames or not getattr(config.option, "loadgroup", False):
        return
    settings, workers = settings_of(config), xdist.worker_count(config)
    count = min(PARTS_PER_WORKER * workers, settings.search_sequences)
    if workers < 2 or count < 2 or not settings.search_runs:
        return  # (a search left out of the run is one test left out, as in a run of one process)
    parts = [SearchPart(index, count, workers) for index in range(count)]
    metafunc.parametrize(PARTED_FIXTURE, [pytest.param(part, id=part.id) for part in parts], indirect=True)


def searches_first(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On a worker: the searches first, in their order, then the rest in theirs (every worker sorts the same
    collection alike, as xdist requires)."""
    if xdist.is_worker(config):
        items.sort(key=lambda item: item.get_closest_marker(MARK) is None)


def deselect_unless_running(config: pytest.Config, items: list[pytest.Item]) -> None:
    if settings_of(config).search_runs:
        return
    left_out = [item for item in items if item.get_closest_marker(MARK) is not None]
    if not left_out:
        return
    # Left out of the run, not deselected: the user chose no subset (-m, -k), so the run is reported as a
    # whole run, its requirements judged by the scenarios; the summary says the search did not run.
    items[:] = [item for item in items if item.get_closest_marker(MARK) is None]
    config.stash[_LEFT_OUT] = len(left_out)


def release_hypothesis(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Unregister Hypothesis's pytest plugin when none of the tests to run is the search's or a Hypothesis
    test (``@given`` marks its test ``is_hypothesis_test``); the tests are collected and deselected by now,
    and its session start (which balances its import) is over."""
    plugin = config.pluginmanager.get_plugin(HYPOTHESIS_PLUGIN)
    if plugin is None:
        return  # -p no:hypothesispytest, or not installed
    for item in items:
        searches = item.get_closest_marker(MARK) is not None
        if searches or getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
            return
    config.pluginmanager.unregister(plugin)


def tell_controller(config: pytest.Config) -> None:
    """Worker, at the end: how many search tests it left out, for the controller's summary."""
    config.workeroutput[_LEFT_OUT_WORDS] = config.stash.get(_LEFT_OUT, 0)  # type: ignore[attr-defined]


def heard(node: Any) -> None:
    """Controller: a worker's count of the search tests left out (every worker collects the same tests)."""
    left_out = getattr(node, "workeroutput", {}).get(_LEFT_OUT_WORDS)
    if isinstance(left_out, int) and left_out:
        node.config.stash[_LEFT_OUT] = left_out


def summary(terminalreporter: Any, config: pytest.Config) -> None:
    left_out = config.stash.get(_LEFT_OUT, 0)
    if left_out:
        settings = settings_of(config)
        why = ("OAUTH_SEARCH=off" if settings.search == "off"
               else f"OAUTH_SEARCH=auto runs it against the bundled mock only, and this is the {settings.target} "
               "target; --search=on runs it here, within OAUTH_SEARCH_REQUESTS and OAUTH_SEARCH_RATE")
        terminalreporter.write_line(f"search: not run ({left_out} tests left out): {why}")
