"""The search in whole runs: its shrunk failing example is a list of replayable steps in conformance.json
and the reports, each naming exchanges the evidence log holds; a random run keeps its failing examples
under reports/hypothesis and the next run replays them first; against a real target it runs only when
asked, and then within its request budget, removing what it created."""

from __future__ import annotations

import re
from pathlib import Path

from oauth_conformance.mock import MockOptions, start_mock
from tests.selftest.suite_runner import run_suite

SEARCH = ("-p", "no:hypothesispytest", "-p", "no:allure_pytest_bdd", "tests/conformance", "-m", "search")
# A sequence defect the lifecycle search finds within a few sequences (tools/killmatrix.py runs them all).
DEFECT = "reactivation-runs-as-admin"
_EVIDENCE = re.compile(r"\bE\d+\b")


def _requirement(run_conformance: dict[str, object], rid: str) -> dict[str, object]:
    requirements = run_conformance["requirements"]
    assert isinstance(requirements, list)
    return next(r for r in requirements if r["id"] == rid)


def test_a_failing_search_result_is_shown_as_replayable_steps(tmp_path: Path) -> None:
    run = run_suite(tmp_path, *SEARCH, "-k", "lifecycle", "--search=on", f"--mock-defects={DEFECT}")
    result = _requirement(run.conformance, "CRE-techuser-isolation")
    assert result["verdict"] == "FAIL"
    steps = result["steps"]
    assert isinstance(steps, list) and steps[0].startswith("create integration")
    # Every step names the exchanges it made, and the evidence log holds each of them.
    kept = (run.reports / "evidence.jsonl").read_text(encoding="utf-8")
    cited = {e for step in steps for e in _EVIDENCE.findall(step)}
    assert cited and all(f'"id": "{e}"' in kept or f'"id":"{e}"' in kept for e in cited)
    for report in ("conformance.md", "conformance.html"):
        text = (run.reports / report).read_text(encoding="utf-8")
        assert "Replay" in text and "create integration" in text
    assert "replay: 1. create integration" in run.stdout
    assert run.returncode == 1


def test_a_random_search_replays_its_saved_failure_first(tmp_path: Path) -> None:
    env = {"OAUTH_SEARCH_DERANDOMIZE": "false"}
    first = run_suite(tmp_path, *SEARCH, "-k", "lifecycle", "--search=on", f"--mock-defects={DEFECT}", env_file=env)
    assert _requirement(first.conformance, "CRE-techuser-isolation")["verdict"] == "FAIL"
    assert any((first.reports / "hypothesis").rglob("*")), "the failing example is saved under reports/hypothesis"
    again = run_suite(tmp_path, *SEARCH, "-k", "lifecycle", "--search=on", f"--mock-defects={DEFECT}", env_file=env)
    message = str(_requirement(again.conformance, "CRE-techuser-isolation")["message"])
    # The saved examples come first (Hypothesis keeps the shrunk one and the one it was found as).
    found_in = re.search(r"found by the lifecycle search in (\d+) sequence", message)
    assert found_in is not None and int(found_in.group(1)) <= 2, message


def test_against_a_real_target_the_search_runs_only_when_asked_and_within_its_budget(tmp_path: Path) -> None:
    with start_mock(MockOptions()) as servers:
        env = servers.env() | {"OAUTH_RUN_PREFIX": "occ-search-", "CREATIO_CREATE_TECH_USERS": "true"}
        before = servers.snapshot()
        (tmp_path / "default").mkdir()
        # The child runs turn the search off unless asked (tools/childrun.py): auto is what a user gets.
        default = run_suite(tmp_path / "default", *SEARCH, "--search=auto", env_file=env)
        assert "search: not run (3 tests left out)" in default.stdout
        assert not [r for r in default.conformance["requirements"] if r["findings"]]
        assert servers.snapshot() == before

        (tmp_path / "on").mkdir()
        budget = 120
        asked = run_suite(tmp_path / "on", *SEARCH, "--search=on",
                          env_file=env | {"OAUTH_SEARCH_REQUESTS": str(budget), "OAUTH_SEARCH_RATE": "500"})
        messages = [f["message"] for r in asked.conformance["requirements"] for f in r["findings"]]
        spent = [int(m) for text in messages for m in re.findall(r"ran out after (\d+) requests", text)]
        assert spent and all(n <= budget for n in spent), messages
        assert asked.returncode == 0, asked.stdout[-3000:]
        # Everything it created is gone again.
        assert servers.snapshot() == before


def test_under_xdist_the_summary_still_says_the_search_did_not_run(tmp_path: Path) -> None:
    """The workers leave the search out; the controller, which prints the summary, hears it from them."""
    run = run_suite(tmp_path, *SEARCH, "-n", "2", "--dist", "loadgroup", "--search=off")
    assert "search: not run (3 tests left out): OAUTH_SEARCH=off" in run.stdout, run.stdout[-2000:]
