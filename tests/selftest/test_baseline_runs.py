"""--baseline and --fail-on-regression in real runs: the comparison is in the summary, conformance.json
and both human reports; a regression fails the gate only when asked, serial or spread over workers; a
wrong baseline setting stops the run before it starts (exit 4)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.selftest.suite_runner import SuiteRun, run_suite

# One worker for the whole file: its module-scoped fixtures (servers, child runs) are set up once.
pytestmark = pytest.mark.xdist_group("test_baseline_runs")

FAST = ("-p", "no:hypothesispytest", "-p", "no:allure_pytest_bdd", "tests/conformance")
COMPLIANT = ("--mock-profile=compliant",)
# A SHOULD that breaks: a regression PASS → WARN, which the default gate lets through.
WORSE = (*COMPLIANT, "--mock-defects=refresh-token-issued")
REGRESSION = "RFC6749-4.4.3-no-refresh"


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    run = run_suite(tmp_path_factory.mktemp("baseline"), *FAST, *COMPLIANT)
    assert run.returncode == 0, run.stdout[-3000:]
    assert run.verdicts()[REGRESSION] == "PASS"
    return run.reports / "conformance.json"


def _against(tmp_path: Path, baseline: Path, *args: str) -> SuiteRun:
    return run_suite(tmp_path, *FAST, *WORSE, f"--baseline={baseline}", *args)


def test_a_regression_is_shown_everywhere_and_passes_the_default_gate(tmp_path: Path, baseline: Path) -> None:
    run = _against(tmp_path, baseline)
    assert run.returncode == 0, run.stdout[-3000:]
    compared = run.conformance["run"]["baseline"]
    assert [r["id"] for r in compared["regressions"]] == [REGRESSION]
    assert f"regression {REGRESSION}: PASS → WARN" in run.stdout
    # Both human reports open with the comparison: the regression, its verdict before and after.
    markdown = (run.reports / "conformance.md").read_text(encoding="utf-8")
    compared_md = markdown.split("## Compared with the baseline", 1)[1].split("\n## ", 1)[0]
    assert f"[{REGRESSION}](#req-{REGRESSION}) | PASS | WARN |" in compared_md
    html = (run.reports / "conformance.html").read_text(encoding="utf-8")
    compared_html = html.split('<section id="baseline">', 1)[1].split("</section>", 1)[0]
    assert "<h3>Regressions (1)</h3>" in compared_html
    assert f'<a href="#req-{REGRESSION}">{REGRESSION}</a></td><td><span class="v v-PASS">PASS</span>' in compared_html
    assert run.conformance["run"]["gate_failures"] == []


def test_fail_on_regression_fails_the_gate(tmp_path: Path, baseline: Path) -> None:
    # Under xdist: the controller decides the gate (test_xdist.py holds serial and -n 2 to one gate).
    run = _against(tmp_path, baseline, "--fail-on-regression", "-n", "2")
    assert run.returncode == 1, run.stdout[-3000:]
    assert run.conformance["run"]["exit_status"] == 1
    assert run.conformance["run"]["gate_failures"] == [f"REGRESSION {REGRESSION} (PASS → WARN)"]
    assert f"fails on: REGRESSION {REGRESSION} (PASS → WARN)" in run.stdout


def test_no_regression_no_failure(tmp_path: Path, baseline: Path) -> None:
    run = run_suite(tmp_path, *FAST, *COMPLIANT, f"--baseline={baseline}", "--fail-on-regression")
    assert run.returncode == 0, run.stdout[-3000:]
    assert run.conformance["run"]["baseline"]["regressions"] == []


def test_fail_on_regression_needs_a_baseline(tmp_path: Path) -> None:
    run = run_suite(tmp_path, *FAST, "--fail-on-regression")
    assert run.returncode == 4
    assert "--fail-on-regression / OAUTH_FAIL_ON_REGRESSION=true compares with a baseline" in run.stderr


@pytest.mark.parametrize("content", [None, "not json", '{"run": {}}'], ids=["missing", "not-json", "no-requirements"])
def test_a_wrong_baseline_stops_the_run(tmp_path: Path, content: str | None) -> None:
    path = tmp_path / "old.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    run = run_suite(tmp_path, *FAST, f"--baseline={path}")
    assert run.returncode == 4, run.stdout[-2000:]
    assert "--baseline / OAUTH_BASELINE=" in run.stderr
    assert not (run.reports / "conformance.json").exists()
