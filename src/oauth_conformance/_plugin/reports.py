"""Subplugin: the report files (conformance.json, evidence.jsonl, conformance.md and .html, and where
JUnit writes), the comparison with a baseline run, the scrub of every report, and the one-screen terminal
summary."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from oauth_conformance._plugin import allure, target, verdicts, xdist
from oauth_conformance._plugin.settings import settings_of
from oauth_conformance.errors import SettingsError
from oauth_conformance.redaction import REDACTOR
from oauth_conformance.report.baseline import Comparison, compare, load_baseline
from oauth_conformance.report.conformance import conformance_document, write_conformance_json
from oauth_conformance.report.evidence_log import EVIDENCE_FILE, write_evidence
from oauth_conformance.report.human import HUMAN_REPORTS, write_human_reports
from oauth_conformance.report.scrub import scrub_reports
from oauth_conformance.report.summary import summary_lines
from oauth_conformance.verdicts.results import RequirementResult
from oauth_conformance.verdicts.waivers import describe as describe_waiver

__all__ = [
    "REPORT_FILES",
    "configure",
    "forget_previous",
    "is_configured",
    "redact",
    "scrub",
    "terminal_summary",
    "write",
]

REPORT_FILES = ("conformance.json", EVIDENCE_FILE, *HUMAN_REPORTS)


@dataclass
class _ReportsRun:
    started: float = field(default_factory=time.time)
    # --baseline: the earlier run's conformance.json, read at configure (a wrong file is a usage error),
    # and this run compared with it.
    baseline: dict[str, Any] | None = None
    comparison: Comparison | None = None


_RUN = pytest.StashKey[_ReportsRun]()


def _remove_previous(reports: Path) -> None:
    # A run that stops early must not leave the previous run's verdicts for CI to read.
    for name in REPORT_FILES:
        (reports / name).unlink(missing_ok=True)


def forget_previous(config: pytest.Config, *, settings_failed: bool = False) -> None:
    """Remove the previous run's verdicts: when the settings are wrong (from the folder the option names,
    or the default one), and when this run is about to write new ones."""
    if settings_failed:
        fallback = Path(config.getoption("oauth_reports_dir") or "reports")
        if fallback.is_dir():
            _remove_previous(fallback)
    else:
        _remove_previous(settings_of(config).reports_dir)


def configure(config: pytest.Config) -> None:
    """JUnit writes into the reports folder unless told otherwise; a baseline is read now, so that a wrong
    one stops the run before it starts (exit 4)."""
    config.stash[_RUN] = run = _ReportsRun()
    baseline = settings_of(config).baseline
    # The controller compares; a worker never reads the baseline (the controller may remove it meanwhile).
    if baseline is not None and not xdist.is_worker(config):
        try:
            run.baseline = load_baseline(baseline)
        except SettingsError as error:
            raise pytest.UsageError(str(error)) from None
    if getattr(config.option, "xmlpath", None) is None:
        config.option.xmlpath = str(settings_of(config).reports_dir / "junit.xml")


def is_configured(config: pytest.Config) -> bool:
    return _RUN in config.stash


def _run(config: pytest.Config) -> _ReportsRun:
    return config.stash[_RUN]


def redact(report: pytest.TestReport) -> None:
    """Everything a test report carries to the console and to JUnit, redacted: the traceback (with
    ``-l``, every frame's locals), a skip or expected failure's reason, and the captured stdout, stderr
    and log of each phase (JUnit's system-out and system-err are made from these)."""
    longrepr = report.longrepr
    if isinstance(longrepr, tuple):
        # A skip: (path, line, reason); the terminal folds skips by this shape, so it is kept.
        path, line, reason = longrepr
        report.longrepr = (path, line, REDACTOR.text(reason))
    elif longrepr is not None:
        # Tracebacks show the arguments of every frame: whatever secret a step held would be printed.
        report.longrepr = REDACTOR.text(str(longrepr))
    report.sections = [(title, REDACTOR.text(content)) for title, content in report.sections]
    if isinstance(getattr(report, "wasxfail", None), str):
        report.wasxfail = REDACTOR.text(report.wasxfail)


def write(session: pytest.Session, results: list[RequirementResult]) -> None:
    """conformance.json and evidence.jsonl, once the verdicts are in."""
    config = session.config
    settings, judged, seen = settings_of(config), verdicts.run_of(config), target.run_of(config)
    started = _run(config).started
    run = {
        "target": settings.target,
        "target_description": seen.description,
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "duration_s": round(time.time() - started, 2),
        "fail_on": settings.fail_on,
        "exit_status": int(session.exitstatus),
        "gate_failures": judged.gate_failures,
        "standards_profile": settings.standards_profile,
        # The requirements a run of a subset of the scenarios (-m, -k) chose; null when all were.
        "selected": sorted(selected) if (selected := verdicts.selected_requirements(judged)) is not None else None,
        "waivers": [
            {"id": o.waiver.id, "status": o.status, "expires": o.waiver.expires.isoformat(),
             "reason": o.waiver.reason, "source": o.waiver.source}
            for o in judged.waiver_outcomes
        ],
        "stale_leftovers": seen.stale,
        "leftovers": [item.as_dict() for item in seen.leftovers],
        "teardown_errors": judged.teardown_errors,
    }
    document = conformance_document(judged.catalogue, results, run)
    comparison = _compare(session, document, selected)
    reports = settings.reports_dir
    write_conformance_json(reports / "conformance.json", document)
    exchanges = [exchange.as_dict() for exchange in seen.evidence.exchanges]
    write_evidence(reports / EVIDENCE_FILE, exchanges)
    write_human_reports(reports, document, exchanges, comparison)


def _compare(session: pytest.Session, document: dict[str, Any], selected: frozenset[str] | None) -> Comparison | None:
    """This run against the baseline, recorded in the document; with --fail-on-regression a regression
    fails the gate."""
    config = session.config
    reports_run, settings = _run(config), settings_of(config)
    if reports_run.baseline is None:
        return None
    comparison = compare(reports_run.baseline, document, only=selected, source=str(settings.baseline))
    reports_run.comparison = comparison
    run = document["run"]
    run["baseline"] = comparison.as_dict()
    if settings.fail_on_regression and comparison.regressions:
        run["gate_failures"] = [*run["gate_failures"], *comparison.gate_failures()]
        verdicts.run_of(config).gate_failures = run["gate_failures"]
        if session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
        run["exit_status"] = int(session.exitstatus)
    return comparison


def _report_paths(config: pytest.Config) -> list[str]:
    reports = settings_of(config).reports_dir
    paths = [str(reports / name) for name in REPORT_FILES]
    if getattr(config.option, "xmlpath", None):
        paths.append(str(config.option.xmlpath))
    if allure.results_dir(config):
        paths.append(f"{allure.results_dir(config)}/")
    return paths


def _evidence_hint(config: pytest.Config) -> str:
    reports = settings_of(config).reports_dir
    where = "" if reports == Path("reports") else f" --reports-dir {reports}"
    return f"python -m oauth_conformance evidence ID{where}"


def terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    judged, seen = verdicts.run_of(config), target.run_of(config)
    if judged.results is None:
        return
    terminalreporter.section("conformance")
    selected, hint = verdicts.selected_requirements(judged), _evidence_hint(config)
    for line in summary_lines(seen.description, judged.results, _report_paths(config), selected, hint):
        terminalreporter.write_line(line)
    comparison = _run(config).comparison
    if comparison is not None:
        for line in comparison.summary_lines():
            terminalreporter.write_line(line)
    if judged.gate_failures:
        failures = ", ".join(judged.gate_failures)
        terminalreporter.write_line(f"gate (--fail-on={settings_of(config).fail_on}) fails on: {failures}")
    for outcome in judged.waiver_outcomes:
        if outcome.status not in ("applied", "not selected"):
            terminalreporter.write_line(f"waiver: {describe_waiver(outcome)}")
    for error in judged.teardown_errors:
        terminalreporter.write_line(f"teardown: {error}")
    for item in seen.leftovers:
        terminalreporter.write_line(f"left on the target: {item.describe()}")
    if seen.stale:
        shown = ", ".join(seen.stale[:5]) + (" …" if len(seen.stale) > 5 else "")
        terminalreporter.write_line(
            f"stale leftovers of earlier runs on the target ({len(seen.stale)}): {shown}; once no other run is "
            "going on, delete them on the OAuth integrated applications and Users pages (an Identity Service "
            "client left without its integration, in the Identity Service)"
        )


def scrub(config: pytest.Config) -> None:
    """Last: every report file rewritten with each secret seen in the run masked."""
    reports = settings_of(config).reports_dir
    files = [reports / name for name in REPORT_FILES]
    if getattr(config.option, "xmlpath", None):
        files.append(Path(config.option.xmlpath))
    allure_dir = allure.results_dir(config)
    scrub_reports(files, [Path(allure_dir)] if allure_dir else [])
