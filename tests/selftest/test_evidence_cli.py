"""``python -m oauth_conformance evidence ID``: the exchange a finding cites, printed after the run, as
the summary says; a wrong ID or folder is told in one line with its own exit status."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.selftest.suite_runner import ROOT, SuiteRun, clean_environ, run_suite

# One worker for the whole file: its module-scoped fixtures (servers, child runs) are set up once.
pytestmark = pytest.mark.xdist_group("test_evidence_cli")

FAST = ("-p", "no:hypothesispytest", "-p", "no:allure_pytest_bdd", "tests/conformance")


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> SuiteRun:
    # A failing run, so that the summary cites evidence among what needs attention.
    tmp = tmp_path_factory.mktemp("evidence")
    return run_suite(tmp, *FAST, "-k", "wrong_secret", "--mock-profile=compliant", "--mock-defects=accept-any-secret")


def _evidence(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "oauth_conformance", "evidence", *args],
        cwd=ROOT, env=clean_environ(), capture_output=True, text=True, timeout=60, check=False,
    )


def _cited(run: SuiteRun) -> str:
    failed = [r for r in run.conformance["requirements"] if r["verdict"] == "FAIL" and r["evidence"]]
    assert failed, run.stdout[-2000:]
    return str(failed[0]["evidence"][0])


def test_the_summary_says_how_to_open_what_it_cites(run: SuiteRun) -> None:
    assert run.returncode == 1
    assert f"python -m oauth_conformance evidence ID --reports-dir {run.reports} prints one exchange" in run.stdout


def test_a_cited_exchange_is_printed(run: SuiteRun) -> None:
    cited = _cited(run)
    shown = _evidence(cited.lower(), "--reports-dir", str(run.reports))
    assert shown.returncode == 0, shown.stderr
    line = next(json.loads(raw) for raw in (run.reports / "evidence.jsonl").read_text().splitlines()
                if json.loads(raw)["id"] == cited)
    assert shown.stdout.startswith(f"# {cited} · {line['test']}\n")
    assert f"{line['method']} {line['url']}" in shown.stdout
    assert f"HTTP {line['status']}" in shown.stdout
    as_json = _evidence(cited, "--json", "--reports-dir", str(run.reports))
    assert json.loads(as_json.stdout) == line


def test_an_id_the_run_does_not_hold_exits_1(run: SuiteRun) -> None:
    shown = _evidence(_cited(run), "E999999", "--reports-dir", str(run.reports))
    assert shown.returncode == 1
    assert shown.stderr.strip() == f"not in {run.reports / 'evidence.jsonl'}: E999999"
    assert shown.stdout.startswith(f"# {_cited(run)}")  # what it holds is still printed


def test_a_malformed_id_is_a_usage_error() -> None:
    shown = _evidence("token")
    assert shown.returncode == 2
    assert "not an evidence ID: token; expected E and a number, such as E44" in shown.stderr


def test_a_folder_without_an_evidence_log_is_a_wrong_setting(tmp_path: Path) -> None:
    shown = _evidence("E1", "--reports-dir", str(tmp_path))
    assert shown.returncode == 4
    assert shown.stderr.startswith(f"ERROR: --reports-dir / OAUTH_REPORTS_DIR='{tmp_path}': no evidence.jsonl there")
