"""Subplugin: requirement markers, the ``checker`` fixture, the findings of every test, waivers as
expected failures, and the gate that turns the verdicts into the exit status."""

from __future__ import annotations

import datetime as dt
from collections.abc import Generator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from oauth_conformance._plugin.settings import settings_of
from oauth_conformance.catalogue import Catalogue, load_catalogue
from oauth_conformance.checks import rfc9700
from oauth_conformance.errors import (
    BlockedError,
    FeatureNotOfferedError,
    HostCutOffError,
    MetadataNotFoundError,
    SettingsError,
    UndecidedError,
)
from oauth_conformance.settings import Settings
from oauth_conformance.targets import TARGETS
from oauth_conformance.verdicts import GATE, Checker, ConformanceFailure, Finding, Verdict
from oauth_conformance.verdicts.results import RequirementResult, build_results, waive
from oauth_conformance.verdicts.settle import problem_of, settle
from oauth_conformance.verdicts.waivers import Waiver, WaiverOutcome, load_waivers, waiver_for

__all__ = [
    "TAGS",
    "VerdictRun",
    "checker",
    "collected",
    "configure",
    "deselected",
    "finish",
    "hide_waived",
    "judge_call",
    "record_report",
    "requirement_ids",
    "run_of",
    "selected_requirements",
    "waived_requirements",
]

# Tags that are not requirement IDs: they group scenarios for selection with -m.
TAGS = {
    "creatio": "the documented Creatio procedure and outcomes",
    "managed": "creates and changes integrations: needs an admin login",
    "uses_tech_user": "needs an existing technical user with known rights",
    "search": "the search (Hypothesis): the lifecycle state machine and the token endpoint and API properties",
}


@dataclass
class VerdictRun:
    catalogue: Catalogue
    waivers: list[Waiver]
    findings: list[Finding] = field(default_factory=list)
    # Requirement ID → the collected tests tagged with it.
    tagged: dict[str, set[str]] = field(default_factory=dict)
    # The collected tests in collection order: findings are read in it, however the run was spread out.
    order: list[str] = field(default_factory=list)
    # The collected tests -m or -k left out: the run reports on the requirements of the others.
    deselected: set[str] = field(default_factory=set)
    # Tests whose pytest-xdist worker crashed while running them.
    crashed: list[str] = field(default_factory=list)
    # Teardown failures (cleanup) of scenarios whose verdict was already decided by a check.
    teardown_errors: list[str] = field(default_factory=list)
    gate_failures: list[str] = field(default_factory=list)
    results: list[RequirementResult] | None = None
    waiver_outcomes: list[WaiverOutcome] = field(default_factory=list)


_RUN = pytest.StashKey[VerdictRun]()
_ITEM_FINDINGS = pytest.StashKey[list[Finding]]()
_ITEM_PROBLEM = pytest.StashKey[Finding]()


def _waiver_files(settings: Settings, root: Path) -> tuple[Path, ...]:
    """The user's waiver files; by default the chosen target's (Creatio's known deviations for a Creatio)."""
    if settings.waivers is not None:
        return settings.waivers
    return tuple(root / path for path in TARGETS[settings.target].default_waivers(settings))


def configure(config: pytest.Config) -> None:
    settings = settings_of(config)
    catalogue = load_catalogue()
    try:
        waivers = load_waivers(_waiver_files(settings, config.rootpath), catalogue)
    except SettingsError as error:
        raise pytest.UsageError(str(error)) from None
    config.stash[_RUN] = VerdictRun(catalogue=catalogue, waivers=waivers)
    for requirement in catalogue:
        config.addinivalue_line("markers", f"{requirement.id}: {requirement.level.value} {requirement.summary}")
    for tag, meaning in TAGS.items():
        config.addinivalue_line("markers", f"{tag}: {meaning}")


def run_of(config: pytest.Config) -> VerdictRun:
    return config.stash[_RUN]


def requirement_ids(item: pytest.Item, catalogue: Catalogue) -> list[str]:
    return [mark.name for mark in item.iter_markers() if mark.name in catalogue]


def collected(config: pytest.Config, items: list[pytest.Item]) -> bool:
    """Note which tests verify which requirement; whether any collected test verifies one."""
    run = run_of(config)
    run.order = [item.nodeid for item in items]
    for item in items:
        for requirement_id in requirement_ids(item, run.catalogue):
            run.tagged.setdefault(requirement_id, set()).add(item.nodeid)
    return bool(run.tagged)


@pytest.fixture
def checker(request: pytest.FixtureRequest) -> Checker:
    item = request.node
    catalogue = run_of(request.config).catalogue
    checker = Checker(
        catalogue=catalogue,
        test=item.nodeid,
        tags=tuple(requirement_ids(item, catalogue)),
        profile=settings_of(request.config).standards_profile,
    )
    # The checker appends straight into the item's list, so findings survive a failing step.
    checker.findings = item.stash.setdefault(_ITEM_FINDINGS, [])
    return checker


@pytest.fixture(scope="session")
def waived_requirements(pytestconfig: pytest.Config) -> frozenset[str]:
    """The requirements a waiver in force covers: known deviations, which a search records and looks past."""
    run = run_of(pytestconfig)
    today = dt.date.today()
    return frozenset(r.id for r in run.catalogue if waiver_for(run.waivers, r.id, today) is not None)


def judge_call(pyfuncitem: pytest.Function) -> Generator[None, object, object]:
    """Around a test's call. The scenario's steps record their findings and go on past a failed MUST;
    at its end the test fails naming every failed MUST, with what stopped it early, if anything. A target
    lacking a service the scenario needs is a precondition, not a defect; a check whose positive control
    did not hold is undecided; a step blocked by a violated requirement cannot run. Each is a SKIP with its
    reason when nothing the gate fails on was found."""
    # A waived failure's traceback would be this frame and the dispatcher's: rendering them (their source
    # read and parsed) is most of what reporting a known deviation costs, and they say nothing of the target.
    __tracebackhide__ = hide_waived
    stopped: BaseException | None = None
    try:
        outcome = yield
    except (Exception, pytest.skip.Exception, pytest.fail.Exception) as error:
        stopped = error
        outcome = None
    if isinstance(stopped, (FeatureNotOfferedError, UndecidedError)):
        stopped = pytest.skip.Exception(str(stopped))
    elif isinstance(stopped, Exception) and (blocked := _blocked(stopped)) is not None:
        stopped = pytest.skip.Exception(blocked)
    # What the gate fails on fails the test, so that JUnit shows it: a failed MUST, and with
    # --fail-on=should a failed SHOULD too.
    failing = GATE[settings_of(pyfuncitem.config).fail_on]
    failures = [f for f in pyfuncitem.stash.get(_ITEM_FINDINGS, []) if f.verdict in failing]
    if failures:
        # A skip that stopped the scenario is told in the failure's message; a broken step keeps its
        # traceback, chained.
        cause = None if isinstance(stopped, pytest.skip.Exception) else stopped
        failure = ConformanceFailure(failures, stopped)
        failure.waived = _waived(run_of(pyfuncitem.config), failure)
        raise failure from cause
    if stopped is not None:
        raise stopped
    return outcome


def record_report(item: pytest.Item, call: pytest.CallInfo[None], report: pytest.TestReport) -> None:
    """One phase's report: a waived failure becomes an expected one; at teardown, the test's findings
    are completed for every requirement it names."""
    run = run_of(item.config)
    blocked = _blocked(call.excinfo.value) if call.excinfo is not None else None
    if blocked is not None and report.failed:
        # Blocked in a fixture (a session fixture re-raises it, cached, past any hook): a SKIP naming the
        # finding that blocked it, as in a step.
        report.outcome = "skipped"
        report.longrepr = (str(item.path), item.location[1] or 0, f"Skipped: {blocked}")
    failure = call.excinfo.value if call.excinfo is not None else None
    if isinstance(failure, ConformanceFailure) and failure.waived is not None and report.failed:
        # A known, dated deviation: reported like an expected failure, so it does not fail the run.
        report.outcome = "skipped"
        report.wasxfail = failure.waived
        if failure.__cause__ is None and not item.config.getoption("fulltrace", False):
            # Its traceback was hidden (``hide_waived``): what it says is the failed requirements.
            report.longrepr = f"{type(failure).__module__}.{type(failure).__qualname__}: {failure}"
    problem = problem_of(item.nodeid, call, report)
    findings = item.stash.get(_ITEM_FINDINGS, [])
    if problem is not None:
        decided = any(f.verdict is Verdict.FAIL for f in findings)
        if call.when == "teardown" and decided:
            # A cleanup failure after a failed check: keep the FAIL, report the leftover separately.
            run.teardown_errors.append(f"{item.nodeid}: {problem.message}")
        elif _ITEM_PROBLEM not in item.stash:
            item.stash[_ITEM_PROBLEM] = problem
    if call.excinfo is not None and isinstance(call.excinfo.value, ConformanceFailure) and report.failed:
        # JUnit takes a failure's message from the report's first lines: the failed requirements, then
        # pytest's traceback.
        report.longrepr = f"{call.excinfo.value}\n\n{report.longrepr}"
    if report.when == "teardown":
        settled = settle(
            item.nodeid, requirement_ids(item, run.catalogue), findings, item.stash.get(_ITEM_PROBLEM, None)
        )
        run.findings += settled
        # Each finding as a property of the test case (JUnit): requirement ID → level, verdict, message.
        profile = settings_of(item.config).standards_profile
        report.user_properties += [
            (f.requirement, f"{run.catalogue[f.requirement].level_for(profile).value} {f.verdict.value}: {f.message}")
            for f in settled
        ]


def deselected(items: list[pytest.Item]) -> None:
    """Tests -m or -k left out of the run."""
    if items:
        run_of(items[0].config).deselected.update(item.nodeid for item in items)


def selected_requirements(run: VerdictRun) -> frozenset[str] | None:
    """The requirements a run of a subset of the scenarios chose (those of a test it kept); None when
    every scenario was selected."""
    if not run.deselected:
        return None
    return frozenset(rid for rid, tests in run.tagged.items() if tests - run.deselected)


def _blocked(error: BaseException) -> str | None:
    """What a step or fixture blocked by a finding says, else None. Missing metadata blocks whatever needs
    it, the token endpoint included when no token URL was given, under the one requirement that reports
    it."""
    if isinstance(error, BlockedError):
        return str(error)
    if isinstance(error, MetadataNotFoundError):
        return str(BlockedError(rfc9700.metadata_published.requirement, str(error)))
    if isinstance(error, HostCutOffError):
        # The timeouts that cut the host off were ERRORs of their own: what was not sent afterwards is
        # blocked by the host, not one more ERROR each.
        return f"blocked by {error.host}: {error}"
    return None


def _waived(run: VerdictRun, failure: ConformanceFailure) -> str | None:
    """What the waiver that covers a failure says, if one does: one in force for every requirement it
    failed."""
    today = dt.date.today()
    waivers = [waiver_for(run.waivers, f.requirement, today) for f in failure.findings]
    first = waivers[0]
    if first is None or not all(waivers):
        return None
    return f"{first.id} waived until {first.expires}: {first.reason}"


def hide_waived(excinfo: pytest.ExceptionInfo[BaseException] | None) -> bool:
    """``__tracebackhide__`` of the frames that raise a test's ConformanceFailure: hidden when a waiver
    covers it (its cause, a broken step, keeps its traceback)."""
    return excinfo is not None and isinstance(excinfo.value, ConformanceFailure) and excinfo.value.waived is not None


def finish(session: pytest.Session) -> list[RequirementResult] | None:
    """The verdict per requirement, waivers applied, and the gate on the exit status; None when no
    conformance test ran (collection only, or the self-tests), and there is nothing to report."""
    run = run_of(session.config)
    if session.config.option.collectonly or (not run.tagged and not run.findings):
        return None
    settings = settings_of(session.config)
    for test in run.crashed:
        message = "the pytest-xdist worker running this test crashed; what it found was lost"
        run.findings += [
            Finding(rid, Verdict.ERROR, message, test) for rid, tests in run.tagged.items() if test in tests
        ]
    # In collection order, each test's findings in the order it made them: the message a requirement
    # shows is then the same whether the tests ran in one process or were spread over several.
    position = {test: index for index, test in enumerate(run.order)}
    run.findings.sort(key=lambda f: position.get(f.test or "", len(position)))
    results = build_results(
        run.catalogue, run.findings, run.tagged, settings.standards_profile, frozenset(run.deselected)
    )
    run.results, run.waiver_outcomes = waive(results, run.waivers, dt.date.today(), selected_requirements(run))
    failing = GATE[settings.fail_on]
    run.gate_failures = [f"{r.verdict.value} {r.id}" for r in run.results if r.verdict in failing]
    if run.gate_failures and session.exitstatus == pytest.ExitCode.OK:
        # pytest saw every test pass, but a verdict fails the gate (e.g. a WARN with --fail-on=should).
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    return run.results
