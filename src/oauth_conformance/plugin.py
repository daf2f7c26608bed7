"""The pytest plugin: settings, the target, the checker fixtures, and the verdicts of the whole run.

Registered by the project's root ``conftest.py``. Outcomes become findings in ``outcomes``; reports
are written by ``report``; the gate (``--fail-on``) turns the verdicts into the exit status.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from oauth_conformance.catalogue import Catalogue, load_catalogue
from oauth_conformance.cleanup import Cleanup
from oauth_conformance.errors import FeatureNotOfferedError, SettingsError, SuiteError
from oauth_conformance.evidence_allure import AllureEvidence
from oauth_conformance.http import EvidenceLog, HttpClient, TransportPolicy
from oauth_conformance.outcomes import problem_of, settle
from oauth_conformance.redaction import REDACTOR
from oauth_conformance.report.conformance import (
    RequirementResult,
    build_results,
    waive,
    write_conformance_json,
    write_evidence,
)
from oauth_conformance.report.scrub import scrub_reports
from oauth_conformance.report.summary import summary_lines
from oauth_conformance.settings import SETTINGS, Settings, load_settings, option_value
from oauth_conformance.targets import CreatioEnvironment, open_environment
from oauth_conformance.targets.mock import with_mock_tls
from oauth_conformance.verdicts import GATE, Checker, ConformanceFailure, Finding, Verdict
from oauth_conformance.waivers import Waiver, WaiverOutcome, load_waivers
from oauth_conformance.waivers import describe as describe_waiver

# Tags that are not requirement IDs: they group scenarios for selection with -m.
TAGS = {
    "creatio": "the documented Creatio procedure and outcomes",
    "managed": "creates and changes integrations: needs an admin login",
    "uses_tech_user": "needs an existing technical user with known rights",
}
# Every default run prefix starts with this (settings.default_run_prefix); leftovers are found by it.
RUN_PREFIX_FAMILY = "occ-"
REPORT_FILES = ("conformance.json", "evidence.jsonl")
DEFAULT_CREATIO_WAIVERS = Path("profiles/creatio.toml")


@dataclass
class RunState:
    settings: Settings
    catalogue: Catalogue
    evidence: EvidenceLog = field(default_factory=EvidenceLog)
    findings: list[Finding] = field(default_factory=list)
    tagged: dict[str, set[str]] = field(default_factory=dict)
    target_description: str = "not started"
    # Names left on the target by an earlier run that could not clean up (a crash, a kill).
    stale: list[str] = field(default_factory=list)
    # Teardown failures (cleanup) of scenarios whose verdict was already decided by a check.
    teardown_errors: list[str] = field(default_factory=list)
    gate_failures: list[str] = field(default_factory=list)
    results: list[RequirementResult] | None = None
    waivers: list[Waiver] = field(default_factory=list)
    waiver_outcomes: list[WaiverOutcome] = field(default_factory=list)
    allure: AllureEvidence = field(default_factory=AllureEvidence)
    started: float = field(default_factory=time.time)


RUN_STATE = pytest.StashKey[RunState]()
ITEM_FINDINGS = pytest.StashKey[list[Finding]]()
ITEM_PROBLEM = pytest.StashKey[Finding]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("oauth-conformance")
    group.addoption("--env-file", metavar="PATH", help="settings file (default: .env in the project root, if any)")
    group.addoption("--waivers", action="append", metavar="PATH", help="waiver file; repeatable")
    group.addoption("--no-waivers", action="store_true", help="apply no waiver file")
    for setting in SETTINGS:
        if setting.option:
            group.addoption(
                setting.option,
                dest=setting.env.lower(),
                choices=setting.choices,
                help=f"{setting.help} (env {setting.env}, default {setting.default or 'unset'})",
            )


def _options(config: pytest.Config) -> dict[str, str | None]:
    values = {s.env: option_value(config.getoption(s.env.lower())) for s in SETTINGS if s.option}
    if config.getoption("no_waivers"):
        values["OAUTH_WAIVERS"] = "none"
    elif config.getoption("waivers"):
        values["OAUTH_WAIVERS"] = ",".join(config.getoption("waivers"))
    return values


def _remove_stale_reports(reports: Path) -> None:
    # A run that stops early must not leave the previous run's verdicts for CI to read.
    for name in REPORT_FILES:
        (reports / name).unlink(missing_ok=True)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    env_file_option = config.getoption("env_file")
    env_file = Path(env_file_option) if env_file_option else None
    if env_file is None and (config.rootpath / ".env").is_file():
        env_file = config.rootpath / ".env"
    try:
        settings = with_mock_tls(load_settings(_options(config), env_file=env_file))
    except SettingsError as error:
        fallback = config.getoption("oauth_reports_dir") or "reports"
        if Path(fallback).is_dir():
            _remove_stale_reports(Path(fallback))
        raise pytest.UsageError(str(error)) from None
    catalogue = load_catalogue()
    try:
        waivers = load_waivers(_waiver_files(settings, config.rootpath), catalogue)
    except SettingsError as error:
        raise pytest.UsageError(str(error)) from None
    config.stash[RUN_STATE] = RunState(settings=settings, catalogue=catalogue, waivers=waivers)
    for requirement in catalogue:
        config.addinivalue_line("markers", f"{requirement.id}: {requirement.level.value} {requirement.summary}")
    for tag, meaning in TAGS.items():
        config.addinivalue_line("markers", f"{tag}: {meaning}")
    reports = settings.reports_dir
    if getattr(config.option, "xmlpath", None) is None:
        config.option.xmlpath = str(reports / "junit.xml")
    if hasattr(config.option, "allure_report_dir") and config.option.allure_report_dir is None:
        config.option.allure_report_dir = str(reports / "allure-results")
        config.option.clean_alluredir = True
    REDACTOR.register(settings.admin_password)


def _waiver_files(settings: Settings, root: Path) -> tuple[Path, ...]:
    """The user's waiver files; by default Creatio's known deviations for a Creatio (or its mock imitation)."""
    if settings.waivers is not None:
        return settings.waivers
    if settings.target == "creatio" or (settings.target == "mock" and settings.mock_profile == "creatio"):
        return (root / DEFAULT_CREATIO_WAIVERS,)
    return ()


def _state(config: pytest.Config) -> RunState:
    return config.stash[RUN_STATE]


def requirement_ids(item: pytest.Item, catalogue: Catalogue) -> list[str]:
    return [mark.name for mark in item.iter_markers() if mark.name in catalogue]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    state = _state(config)
    for item in items:
        for requirement_id in requirement_ids(item, state.catalogue):
            state.tagged.setdefault(requirement_id, set()).add(item.nodeid)
    if state.tagged and not config.option.collectonly:
        _remove_stale_reports(state.settings.reports_dir)


# -- fixtures -----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def settings(pytestconfig: pytest.Config) -> Settings:
    return _state(pytestconfig).settings


@pytest.fixture(scope="session")
def evidence(pytestconfig: pytest.Config) -> EvidenceLog:
    return _state(pytestconfig).evidence


@pytest.fixture(scope="session")
def http(settings: Settings, evidence: EvidenceLog) -> Iterator[HttpClient]:
    client = HttpClient(TransportPolicy(timeout=settings.timeout, verify=settings.tls_verify), evidence)
    yield client
    client.close()


@pytest.fixture(scope="session")
def creatio_env(pytestconfig: pytest.Config, settings: Settings, http: HttpClient) -> Iterator[CreatioEnvironment]:
    if settings.target == "oauth":
        pytest.skip("the Creatio scenarios need --target=mock or --target=creatio")
    environment = open_environment(settings, http)
    _state(pytestconfig).target_description = environment.description
    yield environment
    environment.close()


@pytest.fixture(scope="session")
def stale_leftovers(pytestconfig: pytest.Config, creatio_env: CreatioEnvironment, settings: Settings) -> list[str]:
    """Integrations and users of earlier runs still on the target: reported, never deleted (a run may be
    going on elsewhere)."""
    adapter = creatio_env.adapter
    names = [str(r.get("Name") or "") for r in adapter.integrations()] + [
        str(r.get("Name") or "") for r in adapter.users()
    ]
    stale = sorted(
        {n for n in names if n.startswith(RUN_PREFIX_FAMILY) and not n.startswith(settings.run_prefix)}
    )
    _state(pytestconfig).stale = stale
    return stale


@pytest.fixture
def checker(request: pytest.FixtureRequest) -> Checker:
    item = request.node
    catalogue = _state(request.config).catalogue
    checker = Checker(
        catalogue=catalogue,
        test=item.nodeid,
        tags=tuple(requirement_ids(item, catalogue)),
        profile=_state(request.config).settings.standards_profile,
    )
    # The checker appends straight into the item's list, so findings survive a failing step.
    checker.findings = item.stash.setdefault(ITEM_FINDINGS, [])
    return checker


@pytest.fixture
def cleanup() -> Iterator[Cleanup]:
    pending = Cleanup()
    yield pending
    problems = pending.run()
    if problems:
        raise SuiteError("cleanup left things behind: " + "; ".join(problems))


# -- outcomes → findings ------------------------------------------------------------------------


def pytest_runtest_setup(item: pytest.Item) -> None:
    state = _state(item.config)
    state.evidence.current_test = item.nodeid
    state.allure.scenario_finished()  # pytest-bdd skips its after-scenario hook when a step fails


@pytest.hookimpl(wrapper=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> Generator[None, object, object]:
    try:
        return (yield)
    except FeatureNotOfferedError as error:
        # The target lacks a service the scenario needs: that is a precondition, not a defect.
        pytest.skip(str(error))


@pytest.hookimpl(trylast=True)  # after allure-pytest-bdd has started its test case
def pytest_bdd_before_scenario(request: pytest.FixtureRequest) -> None:
    state = _state(request.config)
    state.allure.scenario_started([state.catalogue[i] for i in requirement_ids(request.node, state.catalogue)])


@pytest.hookimpl(tryfirst=True)
def pytest_bdd_after_scenario(request: pytest.FixtureRequest) -> None:
    _state(request.config).allure.scenario_finished()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    report: pytest.TestReport = yield
    if report.failed and report.longrepr is not None:
        # Tracebacks show the arguments of every frame: whatever secret a step held would be printed.
        report.longrepr = REDACTOR.text(str(report.longrepr))
    state = _state(item.config)
    waiver = _waiver_for(state, call)
    if waiver is not None and report.failed:
        # A known, dated deviation: reported like an expected failure, so it does not fail the run.
        report.outcome = "skipped"
        report.wasxfail = f"{waiver.id} waived until {waiver.expires}: {waiver.reason}"
    problem = problem_of(item.nodeid, call, report)
    findings = item.stash.get(ITEM_FINDINGS, [])
    if problem is not None:
        decided = any(f.verdict is Verdict.FAIL for f in findings)
        if call.when == "teardown" and decided:
            # A cleanup failure after a failed check: keep the FAIL, report the leftover separately.
            state.teardown_errors.append(f"{item.nodeid}: {problem.message}")
        elif ITEM_PROBLEM not in item.stash:
            item.stash[ITEM_PROBLEM] = problem
    if report.when == "teardown":
        state.findings += settle(
            item.nodeid, requirement_ids(item, state.catalogue), findings, item.stash.get(ITEM_PROBLEM, None)
        )
        state.evidence.current_test = None
    return report


def _waiver_for(state: RunState, call: pytest.CallInfo[None]) -> Waiver | None:
    if call.excinfo is None or not isinstance(call.excinfo.value, ConformanceFailure):
        return None
    requirement_id = call.excinfo.value.finding.requirement
    today = dt.date.today()
    return next((w for w in state.waivers if w.id == requirement_id and w.expires >= today), None)


# -- gate and reports ---------------------------------------------------------------------------


def pytest_sessionfinish(session: pytest.Session) -> None:
    state = _state(session.config)
    if session.config.option.collectonly or (not state.tagged and not state.findings):
        return  # nothing ran (collection only, or the self-tests): leave the reports alone
    results = build_results(state.catalogue, state.findings, state.tagged, state.settings.standards_profile)
    results, state.waiver_outcomes = waive(results, state.waivers, dt.date.today())
    state.results = results
    failing = GATE[state.settings.fail_on]
    state.gate_failures = [f"{r.verdict.value} {r.id}" for r in results if r.verdict in failing]
    if state.gate_failures and session.exitstatus == pytest.ExitCode.OK:
        # pytest saw every test pass, but a verdict fails the gate (e.g. a WARN with --fail-on=should).
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    reports = state.settings.reports_dir
    run = {
        "target": state.settings.target,
        "target_description": state.target_description,
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(state.started)),
        "duration_s": round(time.time() - state.started, 2),
        "fail_on": state.settings.fail_on,
        "exit_status": int(session.exitstatus),
        "gate_failures": state.gate_failures,
        "standards_profile": state.settings.standards_profile,
        "waivers": [
            {"id": o.waiver.id, "status": o.status, "expires": o.waiver.expires.isoformat(),
             "reason": o.waiver.reason, "source": o.waiver.source}
            for o in state.waiver_outcomes
        ],
        "stale_leftovers": state.stale,
        "teardown_errors": state.teardown_errors,
    }
    write_conformance_json(reports / "conformance.json", state.catalogue, results, run)
    write_evidence(reports / "evidence.jsonl", state.evidence.exchanges)


def _report_paths(config: pytest.Config) -> list[str]:
    reports = _state(config).settings.reports_dir
    paths = [str(reports / name) for name in REPORT_FILES]
    if getattr(config.option, "xmlpath", None):
        paths.append(str(config.option.xmlpath))
    if getattr(config.option, "allure_report_dir", None):
        paths.append(str(config.option.allure_report_dir) + "/")
    return paths


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    state = _state(config)
    if state.results is None:
        return
    terminalreporter.section("conformance")
    for line in summary_lines(state.target_description, state.results, _report_paths(config)):
        terminalreporter.write_line(line)
    if state.gate_failures:
        failures = ", ".join(state.gate_failures)
        terminalreporter.write_line(f"gate (--fail-on={state.settings.fail_on}) fails on: {failures}")
    for outcome in state.waiver_outcomes:
        if outcome.status != "applied":
            terminalreporter.write_line(f"waiver: {describe_waiver(outcome)}")
    for error in state.teardown_errors:
        terminalreporter.write_line(f"teardown: {error}")
    if state.stale:
        shown = ", ".join(state.stale[:5]) + (" …" if len(state.stale) > 5 else "")
        terminalreporter.write_line(f"stale leftovers of earlier runs on the target ({len(state.stale)}): {shown}")


def pytest_unconfigure(config: pytest.Config) -> None:
    if RUN_STATE not in config.stash:
        return
    reports = _state(config).settings.reports_dir
    files = [reports / name for name in REPORT_FILES]
    if getattr(config.option, "xmlpath", None):
        files.append(Path(config.option.xmlpath))
    allure_dir = getattr(config.option, "allure_report_dir", None)
    scrub_reports(files, [Path(allure_dir)] if allure_dir else [])
