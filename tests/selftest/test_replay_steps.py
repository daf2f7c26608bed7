"""A search's shrunk failing example as replayable steps: carried by its finding (through pytest-xdist's
dicts too), redacted on the way in, and shown in conformance.json, conformance.md and .html (escaped, its
evidence IDs linked), the terminal summary and the JUnit failure. The reports are written by the real
writers; the end-to-end test runs one small test through the plugin in a child pytest, with two workers."""

from __future__ import annotations

import json
import re
import secrets
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import httpx2
import pytest

from oauth_conformance.catalogue import load_catalogue
from oauth_conformance.checks import rfc6749, violated
from oauth_conformance.redaction import REDACTOR, mask
from oauth_conformance.report.conformance import conformance_document, write_conformance_json
from oauth_conformance.report.human import write_human_reports
from oauth_conformance.report.summary import REPLAY_LINES, summary_lines
from oauth_conformance.verdicts import Checker, ConformanceFailure, Finding, Verdict
from oauth_conformance.verdicts.results import build_results
from tests.selftest.suite_runner import ROOT, run_suite
from tools.render_check import CHROMIUM, check_rendered

needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed (make chromium)")

REQUIREMENT = "RFC6749-5.1-pragma"
STEPS = (
    "create integration A with a separate technical user (E12, E13)",
    "edit the Description of A (E14)",
    "request a token for A: HTTP 400 invalid_client (E15)",
)
HOSTILE_STEP = "edit the Name of A to '<script>alert(1)</script> | *x*' (E14)"
# A table cell border in the Markdown: a pipe that no backslash escapes.
_CELL_BORDER = re.compile(r"(?<!\\)\|")
_RAW_MARKUP = re.compile(r'(?<!\\)(?<!\]\()<(?!a id="[A-Za-z0-9._-]+">|/a>|br>)')


def _secret() -> str:
    # A value of this test alone, registered for the rest of the process (as the run's secrets are).
    value = "replay-" + secrets.token_hex(16)
    REDACTOR.register(value)
    return value


def test_a_finding_carries_its_steps_through_a_dict_and_back() -> None:
    finding = Finding(REQUIREMENT, Verdict.FAIL, "no Pragma", "t", ("E15",), STEPS)
    data = finding.as_dict()
    assert data["steps"] == list(STEPS)
    # As pytest-xdist sends it from a worker: a plain dict, through JSON here.
    assert Finding.from_dict(json.loads(json.dumps(data))) == finding
    plain = Finding(REQUIREMENT, Verdict.PASS, "fine")
    assert "steps" not in plain.as_dict(), "written only when there are steps"
    assert Finding.from_dict(plain.as_dict()).steps == ()


def test_the_checker_records_the_steps_redacted_and_one_line_each() -> None:
    secret = _secret()
    checker = Checker(load_catalogue(), test="t")
    no_pragma = httpx2.Response(200, json={}, request=httpx2.Request("POST", "https://t/token"))
    steps = [*STEPS[:2], f"request a token for A with the secret {secret} (E15)", "a value with\na line break"]
    assert checker.verify(rfc6749.pragma_no_cache, no_pragma, steps=steps) is False
    (finding,) = checker.findings
    assert finding.verdict is Verdict.FAIL
    assert finding.steps[:2] == STEPS[:2]
    assert secret not in json.dumps(finding.as_dict())
    assert finding.steps[2] == f"request a token for A with the secret {mask(secret)} (E15)"
    assert finding.steps[3] == "a value with\\na line break"
    # record takes them too, and a message's secret is masked as before.
    checker.record(REQUIREMENT, violated(f"the secret {secret} again"), steps=(f"replay {secret}",))
    assert checker.findings[1].steps == (f"replay {mask(secret)}",)
    assert checker.findings[1].message == f"the secret {mask(secret)} again"
    with pytest.raises(TypeError, match="not one string"):
        checker.record(REQUIREMENT, violated("x"), steps="one string")


def test_conformance_json_carries_the_steps_of_the_deciding_finding(tmp_path: Path) -> None:
    catalogue = load_catalogue()
    findings = [
        Finding(REQUIREMENT, Verdict.PASS, "Pragma: no-cache", "a", ("E1",)),
        Finding(REQUIREMENT, Verdict.FAIL, "no Pragma after the third edit", "b", ("E15",), STEPS),
        Finding(REQUIREMENT, Verdict.FAIL, "no Pragma either", "c", ("E20",), ("another example (E20)",)),
        Finding("RFC6749-5.1-no-store", Verdict.FAIL, "no Cache-Control", "a", ("E1",)),
    ]
    results = build_results(catalogue, findings, {})
    path = tmp_path / "conformance.json"
    write_conformance_json(path, conformance_document(catalogue, results, {"target": "mock"}))
    requirements = {r["id"]: r for r in json.loads(path.read_text(encoding="utf-8"))["requirements"]}
    pragma = requirements[REQUIREMENT]
    # The steps go with the message they replay: the first deciding finding's.
    assert (pragma["verdict"], pragma["message"], pragma["steps"]) == ("FAIL", findings[1].message, list(STEPS))
    assert [f.get("steps") for f in pragma["findings"]] == [list(STEPS), ["another example (E20)"], None]
    assert "steps" not in requirements["RFC6749-5.1-no-store"]


def test_the_summary_shows_the_steps_under_the_failing_row() -> None:
    catalogue = load_catalogue()
    many = tuple(f"step {n} (E{n})" for n in range(1, REPLAY_LINES + 9))
    findings = [
        Finding(REQUIREMENT, Verdict.FAIL, "no Pragma", "a", ("E3",), STEPS),
        Finding("RFC6749-5.1-no-store", Verdict.FAIL, "no Cache-Control", "a", ("E30",), many),
    ]
    lines = summary_lines("mock", build_results(catalogue, findings, {}), ["reports/conformance.md"])
    row = next(i for i, line in enumerate(lines) if f"{REQUIREMENT}: no Pragma" in line)
    assert lines[row + 1: row + 4] == [
        f"      replay: 1. {STEPS[0]}",
        f"              2. {STEPS[1]}",
        f"              3. {STEPS[2]}",
    ]
    long = next(i for i, line in enumerate(lines) if "RFC6749-5.1-no-store: no Cache-Control" in line)
    shown = lines[long + 1: long + REPLAY_LINES + 2]
    assert shown[0] == "      replay: 1. step 1 (E1)"
    assert shown[REPLAY_LINES - 1] == f"              {REPLAY_LINES}. step {REPLAY_LINES} (E{REPLAY_LINES})"
    assert shown[REPLAY_LINES] == "              … 8 more steps: see conformance.md"


def test_the_conformance_failure_lists_each_findings_steps() -> None:
    replayed = Finding(REQUIREMENT, Verdict.FAIL, "no Pragma", "t", ("E15",), STEPS[:2])
    plain = Finding("RFC6749-5.1-no-store", Verdict.FAIL, "no Cache-Control", "t")
    assert str(ConformanceFailure([replayed, plain])) == "\n".join([
        f"[{REQUIREMENT}] no Pragma",
        "  Replay:",
        f"    1. {STEPS[0]}",
        f"    2. {STEPS[1]}",
        "[RFC6749-5.1-no-store] no Cache-Control",
    ])
    # Without steps it stays one line.
    assert str(ConformanceFailure([plain, plain])) == (
        "[RFC6749-5.1-no-store] no Cache-Control; [RFC6749-5.1-no-store] no Cache-Control")


def _replayed_document() -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A failing requirement with replay steps, one a hostile value, whose evidence IDs only the steps
    name (E13, E14); E99 is not in the evidence."""
    steps = [STEPS[0], HOSTILE_STEP, "request a token for A: HTTP 400 (E15, E99)"]
    document = {
        "run": {"target": "mock", "exit_status": 1, "fail_on": "must", "gate_failures": ["FAIL X-1"]},
        "summary": {"FAIL": 1, "PASS": 1},
        "requirements": [
            {"id": "X-1", "document": "creatio", "section": "1", "level": "MUST", "summary": "s",
             "url": "https://example.org/x", "verdict": "FAIL", "message": "the secret changed (E15)",
             "evidence": ["E15"], "steps": steps},
            {"id": "X-2", "document": "creatio", "level": "MUST", "verdict": "PASS", "message": "fine",
             "evidence": ["E12"]},
        ],
    }
    exchanges = [
        {"id": f"E{n}", "method": "POST", "url": f"http://127.0.0.1:1/{n}", "status": 200,
         "request": {"headers": [], "body": ""}, "response": {"headers": [], "body": "{}"}}
        for n in (12, 13, 14, 15, 16)
    ]
    return document, exchanges


def test_the_markdown_shows_the_replay_under_the_message(tmp_path: Path) -> None:
    document, exchanges = _replayed_document()
    markdown = write_human_reports(tmp_path, document, exchanges, None)[0].read_text(encoding="utf-8")
    row = next(line for line in markdown.splitlines() if line.startswith('| <a id="req-X-1">'))
    assert len(_CELL_BORDER.findall(row)) == 6, "the steps stay in their cell"
    replay = ("the secret changed (E15)<br>**Replay**<br>"
              "1. create integration A with a separate technical user ([E12](#E12), [E13](#E13))<br>"
              r"2. edit the Name of A to '\<script\>alert(1)\</script\> \| \*x\*' ([E14](#E14))<br>"
              "3. request a token for A: HTTP 400 ([E15](#E15), E99)")
    assert f"| {replay} |" in row
    # Under "Needs attention" as well.
    assert f"| [X-1](#req-X-1) | MUST | **FAIL** | {replay} |" in markdown
    assert _RAW_MARKUP.findall(markdown.split("## Evidence")[0]) == []
    # The exchanges only the steps name are in the appendix, which the links land on; one nobody cites is not.
    for exchange_id in ("E12", "E13", "E14", "E15"):
        assert markdown.count(f'<a id="{exchange_id}"></a>') == 1
    assert 'id="E16"' not in markdown


def test_the_html_shows_the_replay_as_a_list_escaped(tmp_path: Path) -> None:
    document, exchanges = _replayed_document()
    page = write_human_reports(tmp_path, document, exchanges, None)[1]
    text = page.read_text(encoding="utf-8")
    assert "<script" not in text
    assert ("<li>edit the Name of A to &#x27;&lt;script&gt;alert(1)&lt;/script&gt; | *x*&#x27; "
            '(<a href="#E14">E14</a>)</li>') in text
    assert '<li>request a token for A: HTTP 400 (<a href="#E15">E15</a>, E99)</li>' in text
    assert text.count('<div class="replay"><strong>Replay</strong><ol>') == 2, "in its row and under attention"
    assert 'id="E13"' in text and 'id="E16"' not in text


@needs_chromium
def test_the_render_check_sees_the_replay_and_misses_it_when_it_is_not_there(tmp_path: Path) -> None:
    document, exchanges = _replayed_document()
    page = write_human_reports(tmp_path, document, exchanges, None)[1]
    result = check_rendered(page, document, screenshot=tmp_path / "replay.png", height=600)
    assert result.ok, "\n".join(result.problems)
    # Each step read back from the DOM as it is, the hostile one as text.
    assert "replay: 1 requirements' steps (3 in all), each a visible ordered list" in result.checked
    # The same page checked against a run whose other requirement has steps the page does not show.
    document["requirements"][1]["steps"] = ["a step (E12)"]
    missed = check_rendered(page, document, screenshot=tmp_path / "missed.png", height=200)
    assert "replay steps not shown: X-2 (no replay list in its row)" in missed.problems


_REPLAYED_TEST = '''
import pytest
from oauth_conformance.checks import violated
from oauth_conformance.redaction import REDACTOR

SECRET = {secret!r}


@getattr(pytest.mark, {requirement!r})
def test_a_search_found_it(checker):
    REDACTOR.register(SECRET)
    checker.record({requirement!r}, violated("no Pragma after the third edit (E14)", ["E14"]),
                   steps=[*{steps!r}, "send the secret " + SECRET])


def test_a_plain_one():
    pass
'''


def test_a_run_shows_the_steps_in_every_report(tmp_path: Path) -> None:
    """One test of the suite's plugin records a FAIL with steps, in a worker of two: the steps reach the
    controller and every report, with the secret a step names masked."""
    secret = "replay-" + secrets.token_hex(16)
    test_file = tmp_path / "test_replayed.py"
    test_file.write_text(_REPLAYED_TEST.format(secret=secret, requirement=REQUIREMENT, steps=STEPS), encoding="utf-8")
    run = run_suite(tmp_path, "-c", str(ROOT / "pyproject.toml"), "--rootdir", str(ROOT), "-p", "no:hypothesispytest",
                    "-p", "no:allure_pytest_bdd", "-n", "2", str(test_file), env_file={"OAUTH_TARGET": "mock"})
    assert run.returncode == 1, run.stdout[-3000:]
    requirement = next(r for r in run.conformance["requirements"] if r["id"] == REQUIREMENT)
    assert requirement["steps"][:3] == list(STEPS)
    (last,) = requirement["steps"][3:]
    assert last.startswith("send the secret repl…#") and secret not in last
    assert requirement["findings"][0]["steps"] == requirement["steps"]
    # The terminal summary, under the requirement's row.
    assert f"      replay: 1. {STEPS[0]}\n              2. {STEPS[1]}\n" in run.stdout
    # JUnit: the failure's message is the finding's, then its steps.
    (message,) = [f.get("message") or "" for f in ET.parse(run.reports / "junit.xml").getroot().iter("failure")]
    assert message.startswith(f"[{REQUIREMENT}] no Pragma after the third edit (E14)\n  Replay:\n"
                              f"    1. {STEPS[0]}\n    2. {STEPS[1]}\n    3. {STEPS[2]}\n    4. send the secret ")
    markdown = (run.reports / "conformance.md").read_text(encoding="utf-8")
    assert f"<br>**Replay**<br>1. {STEPS[0]}<br>" in markdown
    assert "<strong>Replay</strong><ol><li>" in (run.reports / "conformance.html").read_text(encoding="utf-8")
    for path in [*run.reports.iterdir()]:
        assert secret not in path.read_text(encoding="utf-8"), path.name
    assert secret not in run.stdout + run.stderr
