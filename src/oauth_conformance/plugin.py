"""The pytest plugin, registered by the project's root ``conftest.py``: a dispatcher.

Each hook hands its work to the subplugin that owns it (``oauth_conformance._plugin``), in the order a
run needs; the fixtures live with their subplugin, which ``pytest_configure`` registers as a plugin of
its own (the subplugins define no hooks, so nothing runs twice).

    settings   --target, --env-file, --waivers ...: the settings of the run
    target     the target (mock, creatio, oauth) and its fixtures
    verdicts   the checker, findings per test, waivers as expected failures, the gate (--fail-on)
    reports    conformance.json, evidence.jsonl, the JUnit path, scrubbing, the summary
    allure     Allure's results: requirement links, each exchange attached to its step
    xdist      a run spread over pytest-xdist workers, judged and reported by the controller as one
    logs       every log record redacted, whichever handler shows it
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest

from oauth_conformance._plugin import allure, logs, reports, settings, target, verdicts, xdist

__all__: list[str] = []

# Where the fixtures are: settings; evidence, http, target, creatio_env, standards, stale_leftovers and
# cleanup; checker.
_FIXTURES = (settings, target, verdicts)


def pytest_addoption(parser: pytest.Parser) -> None:
    settings.add_options(parser)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    for subplugin in _FIXTURES:
        if not config.pluginmanager.is_registered(subplugin):
            config.pluginmanager.register(subplugin, subplugin.__name__)
    xdist.configure_early(config)
    logs.install(config)
    try:
        settings.configure(config)
    except pytest.UsageError:
        reports.forget_previous(config, settings_failed=True)
        raise
    verdicts.configure(config)
    target.configure(config)
    xdist.configure(config)
    reports.configure(config)
    allure.configure(config)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    xdist.configure_node(node)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    xdist.node_down(node)


@pytest.hookimpl(wrapper=True)
def pytest_report_from_serializable(config: pytest.Config, data: dict[str, Any]) -> Generator[None, Any, Any]:
    # The controller receives each report of a worker's test here, with what the test found.
    report = yield
    if isinstance(report, pytest.TestReport):
        xdist.received(config, report)
    return report


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    logs.install(session.config)  # pytest's logging handlers exist from here on


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if verdicts.collected(config, items) and not config.option.collectonly:
        reports.forget_previous(config)


def pytest_deselected(items: list[pytest.Item]) -> None:
    verdicts.deselected(items)


def pytest_runtest_setup(item: pytest.Item) -> None:
    target.item_started(item)
    allure.scenario_finished(item.config)  # pytest-bdd skips its after-scenario hook when a step fails


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    allure.scenario_finished(item.config)  # what the teardown sends is the teardown's, whatever the steps did


@pytest.hookimpl(wrapper=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> Generator[None, object, object]:
    return (yield from verdicts.judge_call(pyfuncitem))


@pytest.hookimpl(trylast=True)  # after allure-pytest-bdd has started its test case
def pytest_bdd_before_scenario(request: pytest.FixtureRequest) -> None:
    allure.scenario_started(request)


@pytest.hookimpl(tryfirst=True)
def pytest_bdd_after_scenario(request: pytest.FixtureRequest) -> None:
    allure.scenario_finished(request.config)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    report: pytest.TestReport = yield
    reports.redact(report)
    verdicts.record_report(item, call, report)
    if report.when == "teardown":
        target.item_finished(item)
        xdist.send_test(item, report)
    return report


def pytest_sessionfinish(session: pytest.Session) -> None:
    if xdist.is_worker(session.config):
        xdist.worker_finished(session)  # the controller judges the run and writes its reports
    else:
        results = verdicts.finish(session)
        if results is not None:
            reports.write(session, results)
    allure.finish(session)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    reports.terminal_summary(terminalreporter, config)


def pytest_unconfigure(config: pytest.Config) -> None:
    if reports.is_configured(config) and not xdist.is_worker(config):
        reports.scrub(config)  # the controller, once every worker has written its last file
