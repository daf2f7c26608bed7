"""One deviation never hides another: a scenario goes on past a failed MUST, so two defects that break
different steps of one scenario both appear, and the scenario fails at its end naming each; a step whose
precondition failed is reported as blocked by that finding, never as not run."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from tests.selftest.suite_runner import SuiteRun, run_suite

FAST = ("-p", "no:hypothesispytest", "-p", "no:allure_pytest_bdd")
# "A successful token response": five checks of one response, in this order.
SCENARIO = ("tests/conformance/test_rfc6749.py", "-k", "a_successful_token_response")
CHECKS = ("RFC6749-5.1-fields", "RFC6749-5.1-content-type", "RFC6749-5.1-no-store", "RFC6749-5.1-pragma",
          "RFC6749-4.4.3-no-refresh")


def _run(tmp_path: Path, *defects: str, selection: tuple[str, ...] = SCENARIO) -> SuiteRun:
    junit = tmp_path / "junit.xml"
    return run_suite(tmp_path, *FAST, *selection, f"--junitxml={junit}",
                     env_file={"OAUTH_TARGET": "mock", "MOCK_PROFILE": "compliant", "MOCK_DEFECTS": ",".join(defects)})


def _failures(tmp_path: Path) -> list[str]:
    """The text of each failure in the JUnit report, where the ConformanceFailure is named."""
    cases = ET.parse(tmp_path / "junit.xml").getroot().iter("testcase")
    return [failure.text or "" for case in cases for failure in case.iter("failure")]


def test_two_defects_in_one_scenario_are_both_reported(tmp_path: Path) -> None:
    run = _run(tmp_path, "no-store-missing", "pragma-missing", "refresh-token-issued")
    verdicts = run.verdicts()
    # Each failure no longer hides the next check: two MUSTs fail, and the SHOULD after them is judged.
    assert {rid: verdicts[rid] for rid in CHECKS} == {
        "RFC6749-5.1-fields": "PASS", "RFC6749-5.1-content-type": "PASS", "RFC6749-5.1-no-store": "FAIL",
        "RFC6749-5.1-pragma": "FAIL", "RFC6749-4.4.3-no-refresh": "WARN"}
    assert run.returncode == 1
    (failure,) = _failures(tmp_path)
    assert "ConformanceFailure: [RFC6749-5.1-no-store] " in failure and "; [RFC6749-5.1-pragma] " in failure
    # JUnit: the failure's message is the findings', and each finding is a property of the test case.
    case = next(ET.parse(tmp_path / "junit.xml").getroot().iter("testcase"))
    (message,) = [failure.get("message") or "" for failure in case.iter("failure")]
    assert message.startswith("[RFC6749-5.1-no-store] Cache-Control: ")
    properties = {p.get("name"): p.get("value") or "" for p in case.iter("property")}
    assert properties["RFC6749-5.1-pragma"].startswith("MUST FAIL: ")
    assert properties["RFC6749-4.4.3-no-refresh"].startswith("SHOULD WARN: ")
    assert properties["RFC6749-5.1-fields"].startswith("MUST PASS: ")


def test_without_the_defects_the_same_scenario_passes(tmp_path: Path) -> None:
    """The control: the five checks hold on the compliant mock, so the FAILs above are the defects'."""
    run = _run(tmp_path)
    assert {rid: run.verdicts()[rid] for rid in CHECKS} == dict.fromkeys(CHECKS, "PASS")
    assert run.returncode == 0


def test_a_failed_precondition_blocks_what_rests_on_it_naming_it(tmp_path: Path) -> None:
    """A token whose kid resolves to no single key cannot have its signature checked with that key: the
    signature check is blocked by the kid check, and the scenario fails for the kid check alone."""
    selection = ("tests/conformance/test_jwt.py", "-k", "key_is_published")
    run = _run(tmp_path, "duplicate-kid", selection=selection)
    results = {r["id"]: r for r in run.conformance["requirements"]}
    assert results["JWKS-kid-resolves"]["verdict"] == "FAIL"
    signature = results["RFC6819-4.6.3-guessing"]
    assert signature["verdict"] == "SKIP"
    assert signature["message"].startswith("blocked by JWKS-kid-resolves: ")
    assert not [f for r in results.values() for f in r["findings"] if f["verdict"] == "NOT_RUN"]
    (failure,) = _failures(tmp_path)
    assert "ConformanceFailure: [JWKS-kid-resolves] " in failure
    assert "then the scenario stopped: blocked by JWKS-kid-resolves" in failure
