"""A run spread over pytest-xdist workers is judged and reported as one: the same verdict per requirement,
the same exit status and gate as a serial run, one evidence log whose IDs every finding can be looked
up by, and workers that share one target without disturbing each other."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from oauth_conformance.mock import MockOptions, start_mock
from oauth_conformance.search.requirements import LIFECYCLE_REQUIREMENTS
from tests.selftest.suite_runner import SuiteRun, run_suite

FAST = ("-p", "no:hypothesispytest", "-p", "no:allure_pytest_bdd", "tests/conformance")
# Three defects that fail MUSTs of three documents (accept-any-secret among them) and one SHOULD.
DEFECTS = "accept-any-secret,no-store-missing,introspection-exp-differs,refresh-token-issued"


def _twice(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> tuple[SuiteRun, SuiteRun]:
    runs = []
    for workers in ("0", "2"):
        (tmp_path / workers).mkdir(parents=True)
        runs.append(run_suite(tmp_path / workers, *FAST, "-n", workers, *args, env_file=env))
    return runs[0], runs[1]


def _evidence_ids(run: SuiteRun) -> list[str]:
    lines = (run.reports / "evidence.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["id"] for line in lines if line.strip()]


def _assert_one_evidence_log(run: SuiteRun) -> None:
    ids = _evidence_ids(run)
    assert len(ids) == len(set(ids)), "an evidence ID names two exchanges"
    cited = {e for r in run.conformance["requirements"] for f in r["findings"] for e in f["evidence"]}
    assert cited, "no finding cites evidence"
    assert cited <= set(ids), f"cited but not in evidence.jsonl: {sorted(cited - set(ids))[:5]}"


@pytest.mark.parametrize("defects", ["", DEFECTS], ids=["clean", "defects"])
def test_serial_and_two_workers_agree(tmp_path: Path, defects: str) -> None:
    args = ("--mock-profile=compliant", f"--mock-defects={defects}") if defects else ()
    serial, parallel = _twice(tmp_path, *args)
    assert parallel.returncode == serial.returncode == (1 if defects else 0), parallel.stdout[-3000:]
    assert parallel.verdicts() == serial.verdicts()
    assert parallel.conformance["summary"] == serial.conformance["summary"]
    assert parallel.conformance["run"]["exit_status"] == serial.returncode
    assert parallel.conformance["run"]["gate_failures"] == serial.conformance["run"]["gate_failures"]
    if defects:
        assert parallel.verdicts()["RFC6749-5.2-invalid-client-401"] == "FAIL"
    # The controller prints the one summary, and the evidence log is the whole run's (each worker opens
    # the target and provisions its session's clients, so it holds more exchanges than a serial run's).
    assert "requirements: 131" in parallel.stdout
    assert len(_evidence_ids(parallel)) > len(_evidence_ids(serial))
    _assert_one_evidence_log(parallel)


def test_fail_on_should_is_honoured_under_xdist(tmp_path: Path) -> None:
    """A violated SHOULD alone: the run passes the default gate, and fails --fail-on=should, serial or not,
    with the test that found it failed in JUnit."""
    args = ("--mock-profile=compliant", "--mock-defects=refresh-token-issued")
    serial, parallel = _twice(tmp_path / "should", *args, "--fail-on=should")
    assert serial.returncode == parallel.returncode == 1, parallel.stdout[-3000:]
    for run in (serial, parallel):
        assert run.conformance["run"]["gate_failures"] == ["WARN RFC6749-4.4.3-no-refresh"]
        failures = list(ET.parse(run.reports / "junit.xml").iter("failure"))
        assert len(failures) == 1 and "[RFC6749-4.4.3-no-refresh]" in failures[0].get("message", "")
    (tmp_path / "must").mkdir()
    default_gate = run_suite(tmp_path / "must", *FAST, "-n", "2", *args)
    assert default_gate.returncode == 0, default_gate.stdout[-3000:]
    assert default_gate.verdicts()["RFC6749-4.4.3-no-refresh"] == "WARN"


_PART = re.compile(r"by the lifecycle search \(part (\d) of (\d)\) over \d+ sequences? \(\d+ requests")


def test_the_lifecycle_search_runs_in_parts_each_exploring_its_own_sequences(tmp_path: Path) -> None:
    """Under -n 2 the lifecycle search is four tests, two parts per worker (each seeded apart:
    test_search_parts.py), and what they judge they find as the whole search does (which requirements a
    short search reaches differs with its sequences)."""
    env = {"OAUTH_SEARCH": "on", "OAUTH_SEARCH_SEQUENCES": "8"}
    serial, parallel = _twice(tmp_path, "--dist", "loadgroup", "-m", "search", "-k", "lifecycle", env=env)
    assert serial.returncode == parallel.returncode == 0, parallel.stdout[-3000:]

    def judged(run: SuiteRun) -> dict[str, str]:
        return {rid: v for rid, v in run.verdicts().items() if v not in ("PASS", "NOT_RUN", "REVIEW")}

    assert judged(parallel) == judged(serial)
    lifecycle_tests = {f["test"] for r in parallel.conformance["requirements"] for f in r["findings"]
                       if "test_integration_lifecycle" in f["test"]}
    assert {t.rsplit("[", 1)[-1] for t in lifecycle_tests} == {f"part{i}of4]" for i in range(1, 5)}, lifecycle_tests
    for requirement in LIFECYCLE_REQUIREMENTS:
        findings = next(r for r in parallel.conformance["requirements"] if r["id"] == requirement)["findings"]
        parts = {m.group(1, 2) for f in findings if (m := _PART.search(f["message"]))}
        if not parts:
            continue  # a requirement no part reached in two sequences
        assert set(parts) <= {(str(i), "4") for i in range(1, 5)}, findings
        tests = {f["test"].rsplit("[", 1)[-1] for f in findings if "lifecycle" in f["test"]}
        assert tests == {f"part{i}of4]" for i in range(1, 5)}, tests
    whole = next(r for r in serial.conformance["requirements"] if r["id"] == "CRE-token-issued")["findings"]
    assert any("by the lifecycle search over" in f["message"] for f in whole), whole


def test_four_workers_share_one_creatio(tmp_path: Path) -> None:
    """Four workers against one instance (the standalone mock, driven as a real Creatio), running the
    scenarios that change it: the run's verdicts are those of a serial run on the same instance, no
    worker's objects are taken for an earlier run's leftovers, and the instance is left as it was."""
    with start_mock(MockOptions()) as servers:
        env = servers.env() | {"CREATIO_CREATE_TECH_USERS": "true"}
        before = servers.snapshot()
        (tmp_path / "serial").mkdir()
        serial = run_suite(tmp_path / "serial", *FAST, "-m", "creatio", env_file=env)
        (tmp_path / "four").mkdir()
        four = run_suite(tmp_path / "four", *FAST, "-m", "creatio", "-n", "4", env_file=env)
        assert serial.returncode == four.returncode == 0, four.stdout[-3000:]
        assert four.verdicts() == serial.verdicts()
        assert "ERROR" not in four.verdicts().values()
        assert four.conformance["run"]["stale_leftovers"] == []
        assert four.conformance["run"]["leftovers"] == []
        assert servers.snapshot() == before
        _assert_one_evidence_log(four)


def test_the_runs_technical_user_limit_holds_across_workers(tmp_path: Path) -> None:
    """CREATIO_MAX_TECH_USERS is the run's: two workers together create at most that many."""
    with start_mock(MockOptions()) as servers:
        env = servers.env() | {"CREATIO_CREATE_TECH_USERS": "true", "CREATIO_MAX_TECH_USERS": "2"}
        run = run_suite(tmp_path, *FAST, "-m", "creatio", "-n", "2", env_file=env)
        assert run.returncode == 0, run.stdout[-3000:]
        lines = (run.reports / "evidence.jsonl").read_text(encoding="utf-8").splitlines()
        urls = [json.loads(line)["url"] for line in lines if line.strip()]
        created = [u for u in urls if u.rsplit("/", 1)[-1] in ("UpdateOrCreateTechnicalUser", "CreateTechnicalUser")]
        assert len(created) == 2, created
        skips = [f["message"] for r in run.conformance["requirements"] for f in r["findings"] if f["verdict"] == "SKIP"]
        assert any("already created CREATIO_MAX_TECH_USERS=2" in message for message in skips)
