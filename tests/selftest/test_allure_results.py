"""Allure's results of real runs of the suite: every exchange attached to the step that made it (redacted,
as evidence.jsonl has it), step parameters the values of the Gherkin text and never a fixture's repr,
the environment and the categories beside the results, the same results under pytest-xdist, under 1 MB,
and no secret in clear.

Three child runs: the bundled mock, clean, in one process; the mock with a seeded defect over two
xdist workers; and the oauth target pointed at a closed port (what an ERROR and a blocked check look
like).
"""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote_plus

import pytest

from oauth_conformance.allure_files import CATEGORIES, CATEGORIES_FILE, DISTRIBUTION, ENVIRONMENT_FILE
from oauth_conformance.catalogue import load_catalogue
from oauth_conformance.http import Exchange
from tests.selftest.suite_runner import SuiteRun, run_suite

# One worker for the whole file: its module-scoped fixtures (servers, child runs) are set up once.
pytestmark = pytest.mark.xdist_group("test_allure_results")

FAST = ("-p", "no:hypothesispytest", "tests/conformance")
STANDARDS = (*FAST, "--ignore=tests/conformance/test_creatio.py")
DEAD_SECRET = "allure-canary-secret-41c7"
# What allure-pytest-bdd shows of an object without a repr of its own, and the checker's repr.
FIXTURE_REPRS = re.compile(r"Checker\(|<oauth_conformance|<steps\.| object at 0x")
# The mock's generated client secrets (64 hex), a JWT, HTTP Basic credentials: none in clear.
CREATIO_SECRET = re.compile(r"(?<![0-9A-Fa-f])[0-9A-Fa-f]{64}(?![0-9A-Fa-f])")
JWT = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}")
BASIC_CREDENTIALS = re.compile(r"Basic [A-Za-z0-9+/=]{24,}")
_PHASE = re.compile(r"(?:(setup|teardown): )?(E\d+) ")
_ELAPSED = re.compile(r"(?m)^(HTTP \d+)  \(\d+ ms\)$")

Where = Literal["step", "case"]


@dataclass(frozen=True)
class Results:
    """What one run wrote into allure-results, read back."""

    run: SuiteRun

    @property
    def folder(self) -> Path:
        return self.run.reports / "allure-results"

    def cases(self) -> list[dict[str, Any]]:
        return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(self.folder.glob("*-result.json"))]

    def evidence(self) -> dict[str, Exchange]:
        lines = (self.run.reports / "evidence.jsonl").read_text(encoding="utf-8").splitlines()
        return {e.id: e for e in (Exchange.from_dict(json.loads(line)) for line in lines if line)}

    def text(self, source: str) -> str:
        return (self.folder / source).read_text(encoding="utf-8")


def _steps(steps: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for step in steps:
        yield step
        yield from _steps(step.get("steps", []))


def _attachments(case: dict[str, Any]) -> Iterator[tuple[Where, dict[str, Any]]]:
    yield from (("case", a) for a in case.get("attachments", []))
    for step in _steps(case.get("steps", [])):
        yield from (("step", a) for a in step.get("attachments", []))


def _untimed(text: str) -> str:
    return _ELAPSED.sub(r"\1", text)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def serial(tmp_path_factory: pytest.TempPathFactory) -> Results:
    return Results(run_suite(tmp_path_factory.mktemp("serial"), *FAST, timeout=120))


@pytest.fixture(scope="module")
def spread(tmp_path_factory: pytest.TempPathFactory) -> Results:
    """Two workers, and a seeded defect, so that failed requirements are among the results."""
    run = run_suite(tmp_path_factory.mktemp("spread"), *FAST, "-n", "2", "--mock-defects=accept-any-secret",
                    timeout=120)
    return Results(run)


@pytest.fixture(scope="module")
def unreachable(tmp_path_factory: pytest.TempPathFactory) -> Results:
    dead = f"http://127.0.0.1:{_closed_port()}"
    env = {"OAUTH_TARGET": "oauth", "OAUTH_ISSUER": dead, "OAUTH_TOKEN_URL": f"{dead}/connect/token",
           "OAUTH_CLIENT_ID": "allure-canary", "OAUTH_CLIENT_SECRET": DEAD_SECRET, "OAUTH_TIMEOUT": "2"}
    return Results(run_suite(tmp_path_factory.mktemp("unreachable"), *STANDARDS, "--no-waivers", env_file=env,
                             timeout=120))


@pytest.fixture(params=["serial", "spread"])
def mock_run(request: pytest.FixtureRequest) -> Results:
    results: Results = request.getfixturevalue(request.param)
    return results


def test_every_exchange_of_a_test_is_attached_to_its_result_where_it_was_made(mock_run: Results) -> None:
    evidence = mock_run.evidence()
    attached: dict[str, str] = {}
    in_steps: set[str] = set()
    for case in mock_run.cases():
        tests = set()
        # After a failed step the scenario ends at once, so what follows it is told from a step by its place only.
        steps_ran = all(step.get("status") == "passed" for step in case.get("steps", []))
        for where, attachment in _attachments(case):
            phase, exchange_id = _PHASE.match(attachment["name"]).groups()  # type: ignore[union-attr]
            exchange = evidence[exchange_id]
            assert attachment["name"].endswith(exchange.summary)
            # Redacted, as in evidence.jsonl (which keeps the time to a tenth of a millisecond).
            assert _untimed(mock_run.text(attachment["source"])) == _untimed(exchange.as_text())
            assert exchange_id not in attached, f"{exchange_id} attached twice"
            attached[exchange_id] = case["uuid"]
            tests.add(exchange.test)
            if where == "step":
                in_steps.add(case["uuid"])
                assert phase is None, attachment["name"]
            elif steps_ran:
                assert phase is not None, f"{attachment['name']}: made in a step, attached to the test case"
        assert len(tests) <= 1, f"{case['name']}: exchanges of several tests {tests}"
    of_a_test = {i for i, e in evidence.items() if e.test is not None}
    assert of_a_test and set(attached) == of_a_test, sorted(of_a_test ^ set(attached))[:10]
    # One result per test: the results holding attachments are as many as the tests that made exchanges.
    assert len(set(attached.values())) == len({evidence[i].test for i in of_a_test})
    # Most scenarios send their requests from their own steps; the rest only clean up at teardown.
    assert len(in_steps) > len(mock_run.cases()) / 2


def test_step_parameters_are_the_values_of_the_gherkin_text(serial: Results) -> None:
    parameters = 0
    for case in serial.cases():
        for step in _steps(case.get("steps", [])):
            for parameter in step.get("parameters", []):
                parameters += 1
                assert parameter["value"].strip("'\"") in step["name"], (step["name"], parameter)
        assert not FIXTURE_REPRS.search(json.dumps(case)), case["name"]
    assert parameters > 0
    labels = {p["value"] for c in serial.cases() for s in _steps(c.get("steps", [])) for p in s.get("parameters", [])
              if p["name"] == "label"}
    assert "'Exchange rates'" in labels


def test_requirement_links_go_to_the_section(serial: Results) -> None:
    links = [link for case in serial.cases() for link in case.get("links", [])]
    assert links
    for link in links:
        assert link["type"] == "link" and link["name"].split(" ")[0] in {
            label["value"] for case in serial.cases() for label in case["labels"] if label["name"] == "requirement"}
    requirement = load_catalogue()["RFC6749-5.1-pragma"]
    pragma = next(link for link in links if link["name"].startswith(f"{requirement.id} "))
    assert pragma["url"] == requirement.url and pragma["url"].endswith("#section-5.1")
    assert pragma["name"] == f"{requirement.id} ({requirement.level.value}): RFC 6749 §{requirement.section}"


def test_the_results_of_a_clean_run_are_under_a_megabyte(serial: Results) -> None:
    size = sum(p.stat().st_size for p in serial.folder.iterdir())
    assert size < 1_000_000, f"{size} bytes"


def _properties(results: Results) -> dict[str, str]:
    lines = results.text(ENVIRONMENT_FILE).splitlines()
    return {key: re.sub(r"\\(.)", r"\1", value) for key, _, value in (line.partition("=") for line in lines)}


def test_the_environment_says_what_was_tested(serial: Results, spread: Results, unreachable: Results) -> None:
    properties = _properties(serial)
    assert properties["target"] == "mock"
    assert properties["target_description"].startswith("bundled mock (Creatio 8.3 onsite netframework, creatio profile")
    assert properties["creatio_generation"] == "8.3" and properties["creatio_path_style"] == "netframework"
    assert properties["standards_profile"] == "rfc-strict" and properties["fail_on"] == "must"
    assert properties["waivers"] == "profiles/creatio.toml" and properties["mock_defects"] == "none"
    assert properties["suite_version"] == metadata.version(DISTRIBUTION)
    assert properties["xdist_workers"] == "none"
    spread_properties = _properties(spread)
    assert spread_properties["xdist_workers"] == "2" and spread_properties["mock_defects"] == "accept-any-secret"
    assert "defects: accept-any-secret" in spread_properties["target_description"]
    oauth = _properties(unreachable)
    assert oauth["target"] == "oauth" and "creatio_generation" not in oauth and oauth["waivers"] == "none"


def test_each_result_that_did_not_pass_is_in_one_category(
    serial: Results, spread: Results, unreachable: Results
) -> None:
    categories = json.loads(serial.text(CATEGORIES_FILE))
    assert [c["name"] for c in categories] == [c.name for c in CATEGORIES]
    seen = set()
    for results in (serial, spread, unreachable):
        for case in results.cases():
            if case["status"] == "passed":
                continue
            message = case.get("statusDetails", {}).get("message", "")
            matched = [c["name"] for c in categories
                       if case["status"] in c["matchedStatuses"] and re.fullmatch(c["messageRegex"], message)]
            assert len(matched) == 1, (case["status"], message[:200], matched)
            seen.add(matched[0])
    assert seen == {c.name for c in CATEGORIES}


def test_two_workers_give_every_result_a_single_process_gives(serial: Results, spread: Results) -> None:
    testcases = (serial.run.reports / "junit.xml").read_text(encoding="utf-8").count("<testcase ")

    def identities(results: Results) -> list[tuple[str, str]]:
        return sorted((c["fullName"], json.dumps(c.get("parameters", []))) for c in results.cases())

    assert len(serial.cases()) == testcases == len(spread.cases())
    assert identities(serial) == identities(spread)


def test_no_secret_is_in_clear_in_the_results(serial: Results, spread: Results, unreachable: Results) -> None:
    configured = (DEAD_SECRET, quote_plus(DEAD_SECRET))
    for results in (serial, spread, unreachable):
        texts = {p.name: p.read_text(encoding="utf-8") for p in results.folder.iterdir()}
        for name, text in texts.items():
            assert not CREATIO_SECRET.search(text), name
            assert not JWT.search(text), name
            assert not BASIC_CREDENTIALS.search(text), name
            assert not any(form in text for form in configured), name
    # Not for want of secrets: they travelled, and the attachments show them masked.
    tokens = "".join(p.read_text(encoding="utf-8") for p in serial.folder.glob("*-attachment.txt"))
    assert "client_secret=" in tokens and "…#" in tokens
