"""The conformance report for people (``conformance.md``, ``conformance.html``) from real runs of the
suite, clean and with three seeded defects, compared with each other; and from a hand-made document
whose values try to break out of their markup. The HTML is opened in headless Chromium
(``tools/render_check.py``), which checks what a reader sees: every requirement row, the counts, the gate,
nothing loaded from outside."""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from oauth_conformance.mock.defects import DEFECTS
from oauth_conformance.report.baseline import Comparison, compare
from oauth_conformance.report.evidence_log import read_evidence
from oauth_conformance.report.human import write_human_reports
from oauth_conformance.report.view import BODY_CAP
from tests.selftest.suite_runner import ROOT, SuiteRun, run_suite
from tools.render_check import CHROMIUM, Node, check_rendered, dump_dom, parse_dom

# One worker for the whole file: its module-scoped fixtures (servers, child runs) are set up once.
pytestmark = pytest.mark.xdist_group("test_conformance_report")

FAST = ("-p", "no:hypothesispytest", "-p", "no:allure_pytest_bdd", "tests/conformance")
# accept-any-secret among them: the one the issue names.
SEEDED = ("accept-any-secret", "no-store-missing", "pragma-missing")
needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed (make chromium)")
_FENCE = re.compile(r"^(`{3,})[^\n]*\n.*?^\1$", re.MULTILINE | re.DOTALL)
# Markup in the Markdown's prose: a "<" not escaped by a backslash, other than the report's own anchors,
# line breaks and <link destinations>.
# A table cell border: a pipe that no backslash escapes.
_CELL_BORDER = re.compile(r"(?<!\\)\|")
_RAW_MARKUP = re.compile(r'(?<!\\)(?<!\]\()<(?!a id="[A-Za-z0-9._-]+">|/a>|br>)')


class Rendered:
    """One run's reports, as written by write_human_reports beside its conformance.json."""

    def __init__(self, run: SuiteRun, comparison: Comparison | None) -> None:
        self.document = run.conformance
        self.exchanges = read_evidence(run.reports / "evidence.jsonl")
        self.comparison = comparison
        self.paths = write_human_reports(run.reports, self.document, self.exchanges, comparison)
        self.markdown = (run.reports / "conformance.md").read_text(encoding="utf-8")
        self.html = (run.reports / "conformance.html").read_text(encoding="utf-8")
        self.html_path = run.reports / "conformance.html"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Rendered]:
    """A clean run and a run with the seeded defects, both on the compliant profile, side by side; the
    defect run's reports compare it with the clean one."""
    env = {"OAUTH_TARGET": "mock", "MOCK_PROFILE": "compliant"}
    with ThreadPoolExecutor(max_workers=2) as pool:
        clean = pool.submit(run_suite, tmp_path_factory.mktemp("clean"), *FAST, env_file=env)
        seeded = pool.submit(run_suite, tmp_path_factory.mktemp("seeded"), *FAST,
                             env_file={**env, "MOCK_DEFECTS": ",".join(SEEDED)})
        clean_run, seeded_run = clean.result(), seeded.result()
    assert clean_run.returncode == 0, clean_run.stdout[-3000:]
    assert seeded_run.returncode == 1, seeded_run.stdout[-3000:]
    return {
        "clean": Rendered(clean_run, None),
        "seeded": Rendered(seeded_run, compare(clean_run.conformance, seeded_run.conformance)),
    }


def _outside_code(markdown: str) -> str:
    return _FENCE.sub("", markdown)


@pytest.mark.parametrize("name", ["clean", "seeded"])
def test_both_reports_hold_every_requirement_and_the_exchanges_they_cite(
    rendered: dict[str, Rendered], name: str
) -> None:
    report = rendered[name]
    assert [path.name for path in report.paths] == ["conformance.md", "conformance.html"]
    requirements = report.document["requirements"]
    rows = {line.split('"')[1][len("req-"):]: line for line in report.markdown.splitlines()
            if line.startswith('| <a id="req-')}
    assert sorted(rows) == sorted(r["id"] for r in requirements)
    for requirement in requirements:
        row = rows[requirement["id"]]
        assert len(_CELL_BORDER.findall(row)) == 6, "five cells, whatever the values hold"
        assert row.startswith(f'| <a id="req-{requirement["id"]}"></a>[{requirement["id"]}](<{requirement["url"]}>)')
        assert f"| **{requirement['verdict']}** |" in row
        assert report.html.count(f'data-requirement="{requirement["id"]}"') == 1
    cited = {e for requirement in requirements for e in requirement["evidence"]}
    by_id = {exchange["id"]: exchange for exchange in report.exchanges}
    assert cited and cited <= by_id.keys()
    for exchange_id in cited:
        exchange = by_id[exchange_id]
        # Printed once, however many rows cite it; the rows link to it.
        assert report.markdown.count(f'<a id="{exchange_id}"></a>') == 1
        assert report.html.count(f'<div class="http" id="{exchange_id}">') == 1
        assert f"](#{exchange_id})" in report.markdown
        assert f'<a href="#{exchange_id}">' in report.html
        heading = f"#### {exchange_id} · {exchange['method']} `{exchange['url']}` → {exchange['status']}"
        assert heading in report.markdown
    uncited = set(by_id) - cited
    assert uncited, "the appendix holds only cited exchanges, so some must be left out"
    assert all(f'id="{e}"' not in report.html for e in uncited)


def test_the_seeded_run_shows_its_regressions_and_the_gate(rendered: dict[str, Rendered]) -> None:
    report = rendered["seeded"]
    assert report.comparison is not None
    expected = {requirement for name in SEEDED for requirement in DEFECTS[name].expected}
    deviations = {r["id"] for r in report.document["requirements"] if r["verdict"] in ("FAIL", "WARN", "ERROR")}
    regressions = {change.id for change in report.comparison.regressions}
    # Against a clean run on the same profile, every deviation is a regression, and the defects' own are there.
    assert regressions == deviations
    assert expected <= regressions
    assert "## Compared with the baseline" in report.markdown
    assert "The gate failed (--fail-on=must" in report.markdown
    for requirement_id in expected:
        assert f"| [{requirement_id}](#req-{requirement_id}) | PASS |" in report.markdown
    clean = rendered["clean"]
    assert "The gate passed (--fail-on=must" in clean.markdown
    assert "Compared with the baseline" not in clean.markdown


@needs_chromium
def test_the_html_renders_with_every_requirement_visible(
    rendered: dict[str, Rendered], request: pytest.FixtureRequest
) -> None:
    report = rendered["seeded"]
    reports_dir = request.config.getoption("--reports-dir", default=None)
    screenshot = (Path(reports_dir) if reports_dir else ROOT / "reports" / "selftest") / "conformance.png"
    result = check_rendered(report.html_path, report.document, screenshot=screenshot)
    assert result.ok, "\n".join(result.problems)
    assert result.screenshot == screenshot
    assert any(line.startswith(f"rows: all {len(report.document['requirements'])} requirements")
               for line in result.checked)


HOSTILE_MESSAGE = "<script>alert(1)</script> | pipe\nsecond line &lt; *bold* _x_"
HOSTILE_BODY = "```\n</details></pre><script>alert(2)</script>\n" + "x" * (BODY_CAP + 100)


def _hostile() -> tuple[dict[str, Any], list[dict[str, Any]]]:
    document = {
        "run": {
            "target": "mock",
            "target_description": "a target </title><script>alert(3)</script>",
            "started": "2026-12-01T10:00:00Z",
            "exit_status": 0,
            "fail_on": "must",
            "operator": "<b>someone</b>",
            "waivers": [{"id": "X-1", "status": "stale", "expires": "2027-01-01", "reason": "<img src=x> | r",
                         "source": "profiles/x.toml"}],
        },
        "summary": {"PASS": 1, "SKIP": 1},
        "requirements": [
            {"id": "X-1", "document": "rfc6749", "section": "5.1", "level": "MUST", "summary": "</td></tr></table>",
             "url": "javascript:alert(4)", "verdict": "PASS", "message": HOSTILE_MESSAGE, "evidence": ["E1"]},
            {"id": "X-2", "document": "other", "level": "SHOULD", "verdict": "SKIP", "message": "why | not",
             "url": "https://example.org/x?a=1&b=<2>"},
        ],
    }
    exchanges = [{
        "id": "E1", "method": "POST", "url": "http://127.0.0.1:1/connect/token?a=|", "status": 200,
        "request": {"headers": [["content-type", "text/html"]], "body": "<details><summary>x"},
        "response": {"headers": [["x-note", "</summary>"]], "body": HOSTILE_BODY},
    }]
    return document, exchanges


def test_values_cannot_break_out_of_the_markdown(tmp_path: Path) -> None:
    document, exchanges = _hostile()
    write_human_reports(tmp_path, document, exchanges, None)
    markdown = (tmp_path / "conformance.md").read_text(encoding="utf-8")
    prose = _outside_code(markdown)
    assert _RAW_MARKUP.findall(prose) == []
    row = next(line for line in markdown.splitlines() if line.startswith('| <a id="req-X-1">'))
    assert len(_CELL_BORDER.findall(row)) == 6
    assert r"\<script\>alert(1)\</script\> \| pipe<br>second line \&lt; \*bold\* \_x\_" in row
    assert "](<javascript" not in markdown, "only the url a catalogue gives is linked, as it is"
    # The body holds ``` so its fence is longer; it is cut at BODY_CAP bytes.
    assert "````http\nHTTP 200" in markdown
    body_bytes = len(HOSTILE_BODY.encode())
    assert f"… ({body_bytes - BODY_CAP} bytes more in evidence.jsonl)" in markdown
    assert "| Operator | \\<b\\>someone\\</b\\> |" in markdown


def _cell_text(root: Node, requirement_id: str, index: int) -> str:
    row = next(n for n in root.iter() if n.tag == "tr" and n.attrs.get("data-requirement") == requirement_id)
    return [c for c in row.children if isinstance(c, Node) and c.tag == "td"][index].text()


@needs_chromium
def test_values_cannot_break_out_of_the_html(tmp_path: Path) -> None:
    document, exchanges = _hostile()
    write_human_reports(tmp_path, document, exchanges, None)
    page = tmp_path / "conformance.html"
    text = page.read_text(encoding="utf-8")
    assert "<script" not in text and "<img" not in text and "</details></pre>" not in text
    result = check_rendered(page, document, screenshot=tmp_path / "hostile.png", height=800)
    assert result.ok, "\n".join(result.problems)
    # What the reader sees is the value itself, as text.
    root = parse_dom(dump_dom(page))
    assert _cell_text(root, "X-1", 3) == HOSTILE_MESSAGE
    assert not [n for n in root.iter() if n.tag in ("script", "img")]
    assert "javascript:" not in json.dumps([n.attrs for n in root.iter()]), "a javascript: url is never a link"
    exchange = next(n for n in root.iter() if n.attrs.get("id") == "E1")
    response = [n for n in exchange.iter() if n.tag == "pre"][1].text()
    assert response.startswith("HTTP 200\nx-note: </summary>\n\n```\n</details></pre><script>alert(2)</script>\nxxx")
    assert response.endswith(f"… ({len(HOSTILE_BODY.encode()) - BODY_CAP} bytes more in evidence.jsonl)")


@pytest.mark.parametrize(
    "document",
    [
        {},
        {"requirements": []},
        {"run": None, "summary": None, "requirements": [{"id": "X-1"}]},
        {"run": {"exit_status": 3, "gate_failures": None, "waivers": [None, {"id": "X-1"}], "leftovers": ["a"]},
         "requirements": [{"id": "X-1", "verdict": "ERROR", "evidence": ["E9"]}]},
    ],
)
def test_a_sparse_document_still_renders(tmp_path: Path, document: dict[str, Any]) -> None:
    markdown_path, html_path = write_human_reports(tmp_path, document, [], None)
    text = markdown_path.read_text(encoding="utf-8") + html_path.read_text(encoding="utf-8")
    assert "conformance report" in text
    for requirement in document.get("requirements", []):
        assert f'data-requirement="{requirement["id"]}"' in text
    if document.get("requirements") and document["requirements"][0].get("evidence"):
        assert "E9 (not in evidence.jsonl)" in text


def test_new_run_keys_are_shown_and_a_selection_limits_the_not_run_list(tmp_path: Path) -> None:
    document = {
        "run": {"target": "mock", "selected": ["X-1", "X-2"], "workers": 2, "markers": ["a", "b"],
                "nested": {"k": [1, 2]}},
        "requirements": [{"id": f"X-{i}", "document": "other", "level": "MUST", "verdict": "NOT_RUN",
                          "message": "no scenario checks this requirement yet"} for i in range(1, 5)],
    }
    markdown = write_human_reports(tmp_path, document, [], None)[0].read_text(encoding="utf-8")
    assert "| Workers | 2 |" in markdown
    assert "| Markers | a, b |" in markdown
    assert '| Nested | {"k": \\[1, 2\\]} |' in markdown
    assert "| Selected | X-1, X-2 |" in markdown
    not_run = markdown.split("### Not run")[1]
    assert "X-1" in not_run and "X-2" in not_run and "X-3" not in not_run
    assert "2 more requirements were outside this run's selection." in not_run


def test_a_comparison_stored_in_the_run_is_shown(tmp_path: Path) -> None:
    before: dict[str, Any] = {"run": {"started": "2026-11-30T08:00:00Z"},
                              "requirements": [{"id": "X-1", "verdict": "PASS"}]}
    failing = {"id": "X-1", "document": "other", "level": "MUST", "verdict": "FAIL", "message": "broken"}
    after: dict[str, Any] = {"run": {}, "requirements": [failing]}
    after["run"]["baseline"] = compare(before, after).as_dict()
    markdown_path, html_path = write_human_reports(tmp_path, after, [], None)
    assert "| [X-1](#req-X-1) | PASS | FAIL | broken |" in markdown_path.read_text(encoding="utf-8")
    assert "Baseline (2026-11-30T08:00:00Z): 1 regression, 0 fixes" in html_path.read_text(encoding="utf-8")
