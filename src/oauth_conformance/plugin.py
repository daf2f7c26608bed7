"""The pytest plugin: settings, the target, the checker, and the verdicts of the whole run.

Registered by the project's root ``conftest.py``. It turns every test outcome into findings per
requirement: a failed MUST is a FAIL; a skip is a SKIP with its reason; anything else that broke
(a timeout, a refused connection, a response the suite cannot use) is an ERROR, never a PASS.
"""

from __future__ import annotations

import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from oauth_conformance.catalogue import Catalogue, load_catalogue
from oauth_conformance.cleanup import Cleanup
from oauth_conformance.errors import SettingsError, SuiteError
from oauth_conformance.evidence_allure import AllureEvidence
from oauth_conformance.http import EvidenceLog, HttpClient, TransportPolicy
from oauth_conformance.redaction import REDACTOR
from oauth_conformance.report.conformance import build_results, write_conformance_json, write_evidence
from oauth_conformance.report.summary import summary_lines
from oauth_conformance.settings import SETTINGS, Settings, load_settings, option_value
from oauth_conformance.targets import CreatioEnvironment, open_environment
from oauth_conformance.verdicts import Checker, ConformanceFailure, Finding, Verdict

# Tags that are not requirement IDs: they group scenarios for selection with -m.
TAGS = {
    "creatio": "the documented Creatio procedure and outcomes",
    "managed": "creates and changes integrations: needs an admin login",
    "uses_tech_user": "needs an existing technical user with known rights",
}


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
    allure: AllureEvidence = field(default_factory=AllureEvidence)
    started: float = field(default_factory=time.time)


RUN_STATE = pytest.StashKey[RunState]()
# Every default run prefix starts with this (settings._default_run_prefix).
RUN_PREFIX_FAMILY = "occ-"
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


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    env_file_option = config.getoption("env_file")
    env_file = Path(env_file_option) if env_file_option else None
    if env_file is None and (config.rootpath / ".env").is_file():
        env_file = config.rootpath / ".env"
    try:
        settings = load_settings(_options(config), env_file=env_file)
    except SettingsError as error:
        raise pytest.UsageError(str(error)) from None
    catalogue = load_catalogue()
    config.stash[RUN_STATE] = RunState(settings=settings, catalogue=catalogue)
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


def _state(config: pytest.Config) -> RunState:
    return config.stash[RUN_STATE]


def requirement_ids(item: pytest.Item, catalogue: Catalogue) -> list[str]:
    return [mark.name for mark in item.iter_markers() if mark.name in catalogue]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    state = _state(config)
    for item in items:
        for requirement_id in requirement_ids(item, state.catalogue):
            state.tagged.setdefault(requirement_id, set()).add(item.nodeid)


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
    environment = open_environment(settings, http)
    _state(pytestconfig).target_description = environment.description
    yield environment
    environment.close()


@pytest.fixture(scope="session")
def stale_leftovers(pytestconfig: pytest.Config, creatio_env: CreatioEnvironment, settings: Settings) -> list[str]:
    """Integrations of earlier runs still on the target: reported, never deleted (they may be in use)."""
    names = [str(row.get("Name") or "") for row in creatio_env.adapter.integrations()]
    stale = sorted(n for n in names if n.startswith(RUN_PREFIX_FAMILY) and not n.startswith(settings.run_prefix))
    _state(pytestconfig).stale = stale
    return stale


@pytest.fixture
def checker(request: pytest.FixtureRequest) -> Checker:
    item = request.node
    findings = item.stash.setdefault(ITEM_FINDINGS, [])
    catalogue = _state(request.config).catalogue
    checker = Checker(catalogue=catalogue, test=item.nodeid, tags=tuple(requirement_ids(item, catalogue)))
    # The checker appends straight into the item's list, so findings survive a failing step.
    checker.findings = findings
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


@pytest.hookimpl(trylast=True)  # after allure-pytest-bdd has started its test case
def pytest_bdd_before_scenario(request: pytest.FixtureRequest) -> None:
    state = _state(request.config)
    state.allure.scenario_started([state.catalogue[i] for i in requirement_ids(request.node, state.catalogue)])


@pytest.hookimpl(tryfirst=True)
def pytest_bdd_after_scenario(request: pytest.FixtureRequest) -> None:
    _state(request.config).allure.scenario_finished()


def _problem(item: pytest.Item, call: pytest.CallInfo[None], report: pytest.TestReport) -> Finding | None:
    if call.excinfo is None:
        return None
    if report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        return Finding("", Verdict.SKIP, reason.removeprefix("Skipped: "), item.nodeid)
    error = call.excinfo.value
    if isinstance(error, ConformanceFailure):
        return None  # already recorded by the checker
    exchange = getattr(error, "exchange_id", None)
    return Finding(
        "",
        Verdict.ERROR,
        REDACTOR.text(f"{call.when}: {type(error).__name__}: {error}"),
        item.nodeid,
        (exchange,) if exchange else (),
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    report: pytest.TestReport = yield
    if report.failed and report.longrepr is not None:
        # Tracebacks show the arguments of every frame: whatever secret a step held would be printed.
        report.longrepr = REDACTOR.text(str(report.longrepr))
    problem = _problem(item, call, report)
    if problem is not None and ITEM_PROBLEM not in item.stash:
        item.stash[ITEM_PROBLEM] = problem
    if report.when == "teardown":
        _settle(item)
    return report


def _settle(item: pytest.Item) -> None:
    """Turn the item's outcome into findings for every requirement it is tagged with."""
    state = _state(item.config)
    findings = item.stash.get(ITEM_FINDINGS, [])
    problem = item.stash.get(ITEM_PROBLEM, None)
    recorded = {f.requirement for f in findings}
    failed_on = next((f for f in findings if f.verdict is Verdict.FAIL), None)
    for requirement_id in requirement_ids(item, state.catalogue):
        if problem is not None:
            findings.append(Finding(requirement_id, problem.verdict, problem.message, item.nodeid, problem.evidence))
        elif requirement_id in recorded:
            continue
        elif failed_on is not None:
            # The scenario stopped at a failed MUST before it reached this requirement's checks.
            message = f"not reached: the scenario stopped when {failed_on.requirement} failed"
            findings.append(Finding(requirement_id, Verdict.NOT_RUN, message, item.nodeid))
        else:
            # A scenario that names a requirement must check it: a silent pass would be a PASS for nothing.
            message = "the scenario recorded no check of this requirement"
            findings.append(Finding(requirement_id, Verdict.ERROR, message, item.nodeid))
    state.findings.extend(findings)
    state.evidence.current_test = None


# -- reports ------------------------------------------------------------------------------------


def _report_paths(config: pytest.Config) -> list[str]:
    reports = _state(config).settings.reports_dir
    paths = [str(reports / "conformance.json"), str(reports / "evidence.jsonl")]
    if getattr(config.option, "xmlpath", None):
        paths.append(str(config.option.xmlpath))
    if getattr(config.option, "allure_report_dir", None):
        paths.append(str(config.option.allure_report_dir) + "/")
    return paths


def pytest_sessionstart(session: pytest.Session) -> None:
    state = _state(session.config)
    state.evidence.listeners.append(state.allure.attach)


def pytest_sessionfinish(session: pytest.Session) -> None:
    state = _state(session.config)
    if session.config.option.collectonly or (not state.tagged and not state.findings):
        return  # nothing ran (collection only, or the self-tests): leave the reports alone
    results = build_results(state.catalogue, state.findings, state.tagged)
    reports = state.settings.reports_dir
    run = {
        "target": state.settings.target,
        "target_description": state.target_description,
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(state.started)),
        "duration_s": round(time.time() - state.started, 2),
        "exit_status": int(session.exitstatus),
        "stale_leftovers": state.stale,
    }
    write_conformance_json(reports / "conformance.json", state.catalogue, results, run)
    write_evidence(reports / "evidence.jsonl", state.evidence.exchanges)
    session.config.stash[_RESULTS] = results


_RESULTS = pytest.StashKey[list[Any]]()


def pytest_unconfigure(config: pytest.Config) -> None:
    """Last line of defence: scrub every report file of any secret seen in the run.

    Runs after the JUnit and Allure writers. Allure records step arguments by their repr; the suite's
    own types redact theirs, and this catches what a third-party repr would leak.
    """
    if RUN_STATE not in config.stash:
        return
    reports = _state(config).settings.reports_dir
    candidates = [Path(p) for p in (getattr(config.option, "xmlpath", None),) if p]
    allure_dir = getattr(config.option, "allure_report_dir", None)
    if allure_dir and Path(allure_dir).is_dir():
        candidates += [p for p in Path(allure_dir).iterdir() if p.suffix in (".json", ".txt", ".csv")]
    candidates += [reports / "conformance.json", reports / "evidence.jsonl"]
    for path in candidates:
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            scrubbed = REDACTOR.text(text)
            if scrubbed != text:
                path.write_text(scrubbed, encoding="utf-8")


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    results = config.stash.get(_RESULTS, None)
    if results is None:
        return
    state = _state(config)
    terminalreporter.section("conformance")
    for line in summary_lines(state.target_description, results, _report_paths(config)):
        terminalreporter.write_line(line)
    if state.stale:
        shown = ", ".join(state.stale[:5]) + (" …" if len(state.stale) > 5 else "")
        terminalreporter.write_line(f"stale leftovers of earlier runs on the target ({len(state.stale)}): {shown}")
