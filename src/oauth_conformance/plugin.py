"""The pytest plugin, registered by the project's root ``conftest.py``: a dispatcher.

Each hook hands its work to the subplugin that owns it (``oauth_conformance._plugin``), in the order a
run needs; the fixtures live with their subplugin, which ``pytest_configure`` registers as a plugin of
its own (the subplugins define no hooks, so nothing runs twice).

    settings   --target, --env-file, --waivers ...: the settings of the run
    target     the target (mock, creatio, oauth) and its fixtures
    verdicts   the checker, findings per test, waivers as expected failures, the gate (--fail-on)
    reports    conformance.json, evidence.jsonl, the JUnit path, scrubbing, the summary
    allure     Allure's results: requirement links, each exchange attached to its step
    logs       every log record redacted, whichever handler shows it
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest

from oauth_conformance._plugin import allure, logs, reports, settings, target, verdicts

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
    logs.install(config)
    try:
        settings.configure(config)
    except pytest.UsageError:
        reports.forget_previous(config, settings_failed=True)
        raise
    verdicts.configure(config)
    target.configure(config)
    reports.configure(config)
    allure.configure(config)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    logs.install(session.config)  # pytest's logging handlers exist from here on


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if verdicts.collected(config, items) and not config.option.collectonly:
        reports.forget_previous(config)


def pytest_runtest_setup(item: pytest.Item) -> None:
    target.item_started(item)
    allure.scenario_finished(item.config)  # pytest-bdd skips its after-scenario hook when a step fails


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
    return report


def pytest_sessionfinish(session: pytest.Session) -> None:
    results = verdicts.finish(session)
    if results is not None:
        reports.write(session, results)
    allure.finish(session)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    reports.terminal_summary(terminalreporter, config)


def pytest_unconfigure(config: pytest.Config) -> None:
    if reports.is_configured(config):
        reports.scrub(config)
