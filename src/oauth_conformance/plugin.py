"""The pytest plugin, registered through its ``pytest11`` entry point (and by the checkout's root
``conftest.py``): a dispatcher.

It does nothing unless asked: the ini option ``oauth_conformance = true`` (the checkout's
pyproject.toml sets it; ``oauth-conformance run`` passes it) makes it read its settings, register its
fixtures and the step library, and write its reports. Installed into a host project's environment, it
only adds its options, so the host's own tests run as before.

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

from oauth_conformance._plugin import allure, logs, reports, search, settings, target, verdicts, xdist
from oauth_conformance.suite import STEP_MODULES

__all__ = ["ACTIVATION"]

# The ini option that switches the plugin on.
ACTIVATION = "oauth_conformance"

# Where the fixtures are: settings; evidence, http, target, creatio_env, standards, stale_leftovers and
# cleanup; checker.
_FIXTURES = (settings, target, verdicts)


_ACTIVE = pytest.StashKey[bool]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(ACTIVATION, "run the OAuth conformance suite's plugin in this run", type="bool", default=False)


def pytest_load_initial_conftests(early_config: pytest.Config, parser: pytest.Parser, args: list[str]) -> None:
    # The suite's options only where it runs: installed beside a host project, options such as --env-file
    # or --target would clash with the host's own. The ini files (and -o) are read by now; the command
    # line is parsed after this hook.
    if early_config.getini(ACTIVATION):
        settings.add_options(parser)


def _active(config: pytest.Config) -> bool:
    return config.stash.get(_ACTIVE, False)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    config.stash[_ACTIVE] = bool(config.getini(ACTIVATION))
    if not _active(config):
        return
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
    for module in STEP_MODULES:
        config.pluginmanager.import_plugin(module)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    if _active(node.config):
        xdist.configure_node(node)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    if _active(node.config):
        xdist.node_down(node)
        search.heard(node)


@pytest.hookimpl(optionalhook=True)
def pytest_handlecrashitem(crashitem: str, report: pytest.TestReport, sched: object) -> None:
    config = getattr(sched, "config", None)  # every xdist scheduler keeps the run's config
    if isinstance(config, pytest.Config) and _active(config):
        xdist.crashed(config, crashitem)


@pytest.hookimpl(wrapper=True)
def pytest_report_from_serializable(config: pytest.Config, data: dict[str, Any]) -> Generator[None, Any, Any]:
    # The controller receives each report of a worker's test here, with what the test found.
    report = yield
    if isinstance(report, pytest.TestReport) and _active(config):
        xdist.received(config, report)
    return report


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    if _active(session.config):
        logs.install(session.config)  # pytest's logging handlers exist from here on
        if xdist.is_controller(session.config):
            # The workers collect, the controller reports: it removes the previous run's verdicts (its
            # baseline, if among them, was read at configure).
            reports.forget_previous(session.config)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if _active(metafunc.config):
        search.split(metafunc)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _active(config):
        search.deselect_unless_running(config, items)
    collected = _active(config) and verdicts.collected(config, items)
    if collected and not config.option.collectonly and not xdist.is_worker(config):
        reports.forget_previous(config)
    if _active(config):
        # Once the collection order is recorded (findings are read in it): the order a worker runs them in.
        search.searches_first(config, items)


def pytest_collection_finish(session: pytest.Session) -> None:
    if _active(session.config):
        search.release_hypothesis(session.config, session.items)


def pytest_deselected(items: list[pytest.Item]) -> None:
    if items and _active(items[0].config):
        verdicts.deselected(items)


def pytest_runtest_setup(item: pytest.Item) -> None:
    if _active(item.config):
        target.item_started(item)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    if _active(item.config):
        allure.scenario_finished(item.config)  # what the teardown sends is the teardown's, whatever the steps did


@pytest.hookimpl(wrapper=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> Generator[None, object, object]:
    __tracebackhide__ = verdicts.hide_waived  # as judge_call's own frame
    if not _active(pyfuncitem.config):
        return (yield)
    return (yield from verdicts.judge_call(pyfuncitem))


@pytest.hookimpl(trylast=True)  # after allure-pytest-bdd has started its test case
def pytest_bdd_before_scenario(request: pytest.FixtureRequest) -> None:
    if _active(request.config):
        allure.scenario_started(request)


@pytest.hookimpl(wrapper=True)  # around allure-pytest-bdd, which records the step's arguments
def pytest_bdd_before_step_call(
    request: pytest.FixtureRequest, step_func_args: dict[str, object]
) -> Generator[None, None, None]:
    if not _active(request.config):
        return (yield)
    with allure.step_called(request, step_func_args):
        return (yield)


@pytest.hookimpl(tryfirst=True)
def pytest_bdd_after_scenario(request: pytest.FixtureRequest) -> None:
    if _active(request.config):
        allure.scenario_finished(request.config)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    report: pytest.TestReport = yield
    if not _active(item.config):
        return report
    reports.redact(report)
    verdicts.record_report(item, call, report)
    if report.when == "teardown":
        target.item_finished(item)
        xdist.send_test(item, report)
    return report


@pytest.hookimpl(trylast=True)  # after pytest's own session teardown (-x, --maxfail stop before it)
def pytest_sessionfinish(session: pytest.Session) -> None:
    if not _active(session.config):
        return
    if xdist.is_worker(session.config):
        xdist.worker_finished(session)  # the controller judges the run and writes its reports
        search.tell_controller(session.config)
    else:
        results = verdicts.finish(session)
        if results is not None:
            reports.write(session, results)
    allure.finish(session)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if _active(config):
        search.summary(terminalreporter, config)
        reports.terminal_summary(terminalreporter, config)


def pytest_unconfigure(config: pytest.Config) -> None:
    if _active(config) and reports.is_configured(config) and not xdist.is_worker(config):
        reports.scrub(config)  # the controller, once every worker has written its last file
