"""``reports/conformance.html``: the conformance report as one self-contained page, to hand to a customer.

Self-contained means the page loads nothing: its CSS is inline, it has no script, image or font, and a
Content-Security-Policy forbids any load, so that a report opened offline (or from a mail attachment)
looks the same and tells no server it was opened. Every value is escaped, since messages and evidence
bodies quote what a server sent. Exchanges are printed once, in an evidence appendix, each collapsed in
a ``<details>``; the rows link to them (following a link opens the exchange). A row whose verdict a
search's example decided lists, under its message, the steps that replay it (``div.replay``), each evidence
ID a step names linked to its exchange.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from typing import Any

from oauth_conformance.report.baseline import Comparison, VerdictChange
from oauth_conformance.report.view import (
    ROW_EXCHANGES,
    Body,
    Report,
    Row,
    Shown,
    anchor,
    build_report,
    evidence_pieces,
)

__all__ = ["CSP", "render_html"]

# Nothing may load: styles only from the page itself, images only as data: (there are none).
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"

_CSS = """
:root { --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --bg-alt: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); background: #fff;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header, main { max-width: 1280px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 16px; }
h1 { font-size: 24px; margin: 8px 0 4px; }
h2 { font-size: 20px; margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 17px; margin: 22px 0 6px; }
h4 { font-size: 14px; margin: 14px 0 6px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
p.target { margin: 0 0 12px; color: var(--muted); }
a { color: #0969da; }
nav { margin: 8px 0 0; font-size: 13px; }
nav a { margin-right: 12px; }
.gate { border-radius: 6px; padding: 10px 14px; margin: 8px 0; border: 1px solid; }
.gate.pass { background: #dafbe1; border-color: #4ac26b; }
.gate.fail { background: #ffebe9; border-color: #ff8182; }
.gate ul { margin: 6px 0 0; padding-left: 20px; }
table { border-collapse: collapse; width: 100%; margin: 4px 0 8px; }
th, td { border: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
thead th { background: var(--bg-alt); font-weight: 600; }
table.facts { width: auto; }
table.facts th { background: var(--bg-alt); font-weight: 600; white-space: nowrap; }
table.counts { width: auto; }
table.counts td { text-align: right; min-width: 4em; }
table.counts tr.total th, table.counts tr.total td { font-weight: 700; }
td.req { width: 30%; }
td.req .summary { color: var(--muted); font-size: 13px; margin-top: 2px; }
td.req .section { color: var(--muted); font-size: 12px; }
td.msg { overflow-wrap: anywhere; white-space: pre-line; }
td.msg .replay { margin-top: 6px; white-space: normal; }
td.msg .replay ol { margin: 2px 0 0; padding-left: 24px; }
td.ev { width: 28%; font-size: 12px; }
td.ev ul { margin: 0; padding-left: 16px; }
.url { overflow-wrap: anywhere; font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.v { display: inline-block; padding: 0 6px; border-radius: 10px; font-size: 12px; font-weight: 600;
  border: 1px solid transparent; white-space: nowrap; }
.v-PASS { background: #dafbe1; color: #116329; }
.v-FAIL { background: #ffebe9; color: #a40e26; border-color: #ff8182; }
.v-ERROR { background: #a40e26; color: #fff; }
.v-WARN { background: #fff8c5; color: #7d4e00; border-color: #d4a72c; }
.v-INFO { background: #ddf4ff; color: #0550ae; }
.v-REVIEW { background: #fbefff; color: #6e40c9; }
.v-SKIP { background: #eaeef2; color: #57606a; }
.v-WAIVED { background: #eaeef2; color: #24292f; border-color: #8c959f; }
.v-NOT_RUN { background: #fff; color: #6e7781; border-color: #d0d7de; }
details.exchange { border: 1px solid var(--line); border-radius: 6px; margin: 6px 0; }
details.exchange > summary { cursor: pointer; padding: 6px 10px; background: var(--bg-alt); }
details.exchange .test { color: var(--muted); font-size: 12px; margin-left: 8px; }
details.exchange .http { padding: 4px 10px 8px; scroll-margin-top: 48px; }
details.exchange h5 { margin: 8px 0 2px; font-size: 12px; color: var(--muted); }
pre { margin: 0; padding: 8px; background: var(--bg-alt); border-radius: 4px; white-space: pre-wrap;
  overflow-wrap: anywhere; font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.more { color: var(--muted); font-style: italic; }
td.ev details summary { cursor: pointer; color: var(--muted); }
:target { outline: 2px solid #0969da; outline-offset: 2px; }
@media print { nav { display: none; } details.exchange > :not(summary) { display: block; } }
"""


def render_html(document: Mapping[str, Any], exchanges: list[dict[str, Any]], comparison: Comparison | None) -> str:
    report = build_report(document, exchanges, comparison)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta http-equiv="Content-Security-Policy" content="{_e(CSP)}">',
        f"<title>{_e(report.title)}: {_e(report.target)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        *_header(report),
        "<main>",
        *_comparison(report),
        *_run(report),
        *_counts(report),
        *_attention(report),
        *_requirements(report),
        *_waivers(report),
        *_skips(report),
        *_left_on_target(report),
        *_evidence(report),
        "</main>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _verdict(verdict: str) -> str:
    return f'<span class="v v-{anchor(verdict)}">{_e(verdict)}</span>'


def _row_link(report: Report, requirement_id: str) -> str:
    if any(row.id == requirement_id for row in report.rows):
        return f'<a href="#req-{anchor(requirement_id)}">{_e(requirement_id)}</a>'
    return _e(requirement_id)


def _external(url: str, text: str) -> str:
    """A link out (a requirement's source): only http(s) addresses become links."""
    if url.startswith(("https://", "http://")):
        return f'<a href="{_e(url)}" rel="noreferrer noopener">{_e(text)}</a>'
    return _e(text)


def _header(report: Report) -> Iterable[str]:
    gate = report.gate
    yield "<header>"
    yield f"<h1>{_e(report.title)}</h1>"
    yield f'<p class="target">{_e(report.target)}</p>'
    status = "pass" if gate.passed else "fail"
    yield f'<div class="gate {status}" id="gate" data-gate="{status}"><strong>{_e(gate.words)}</strong>'
    if gate.failures:
        ids = {row.id for row in report.rows}
        yield "<ul>"
        for failure in gate.failures:
            words = (_row_link(report, word) if word in ids else _e(word) for word in failure.split(" "))
            yield f"<li>{' '.join(words)}</li>"
        yield "</ul>"
    yield "</div>"
    links = [("run", "The run"), ("counts", "Counts"), ("requirements", "Requirements")]
    if report.comparison is not None:
        links.insert(0, ("baseline", "Baseline"))
    if report.attention:
        links.insert(links.index(("requirements", "Requirements")), ("attention", "Needs attention"))
    links += [(f"doc-{anchor(d.id)}", d.title.split(":")[0]) for d in report.documents]
    if report.waivers:
        links.append(("waivers", "Waivers"))
    if report.skipped or report.not_run:
        links.append(("skips", "Skipped and not run"))
    if report.exchanges:
        links.append(("evidence", "Evidence"))
    yield "<nav>" + "".join(f'<a href="#{target}">{_e(text)}</a>' for target, text in links) + "</nav>"
    yield "</header>"


def _comparison(report: Report) -> Iterable[str]:
    comparison = report.comparison
    if comparison is None:
        return
    yield '<section id="baseline">'
    yield "<h2>Compared with the baseline</h2>"
    yield f"<p>{_e(comparison.headline())}</p>"
    if comparison.baseline_source:
        yield f"<p>Baseline: <span class=\"url\">{_e(comparison.baseline_source)}</span></p>"
    for title, key, changes in (("Regressions", "regressions", comparison.regressions),
                                ("Fixes", "fixes", comparison.fixes),
                                ("Other changes", "changes", comparison.changes)):
        if not changes:
            continue
        yield f'<h3>{title} ({len(changes)})</h3>'
        yield f'<table class="baseline {key}"><thead><tr><th>Requirement</th><th>Before</th><th>After</th>' \
              "<th>Message</th></tr></thead><tbody>"
        yield from (_change_row(report, change) for change in changes)
        yield "</tbody></table>"
    yield "</section>"


def _change_row(report: Report, change: VerdictChange) -> str:
    before = _verdict(change.before.value) if change.before else "(new)"
    after = _verdict(change.after.value) if change.after else "(gone)"
    return (f"<tr><td>{_row_link(report, change.id)}</td><td>{before}</td><td>{after}</td>"
            f'<td class="msg">{_e(change.message)}</td></tr>')


def _run(report: Report) -> Iterable[str]:
    yield '<section id="run"><h2>The run</h2><table class="facts"><tbody>'
    yield from (f"<tr><th>{_e(fact.label)}</th><td>{_e(fact.value)}</td></tr>" for fact in report.facts)
    yield "</tbody></table></section>"


def _counts(report: Report) -> Iterable[str]:
    yield '<section id="counts"><h2>Counts</h2><table class="counts"><tbody>'
    for verdict, count in report.counts:
        yield f'<tr data-verdict="{_e(verdict)}"><th>{_verdict(verdict)}</th><td>{count}</td></tr>'
    yield f'<tr class="total" data-verdict="TOTAL"><th>Total</th><td>{report.total}</td></tr>'
    yield "</tbody></table></section>"


def _attention(report: Report) -> Iterable[str]:
    if not report.attention:
        return
    yield '<section id="attention"><h2>Needs attention</h2>'
    yield "<table><thead><tr><th>Requirement</th><th>Level</th><th>Verdict</th><th>Message</th></tr></thead><tbody>"
    for row in report.attention:
        yield (f"<tr><td>{_row_link(report, row.id)}</td><td>{_e(row.level)}</td><td>{_verdict(row.verdict)}</td>"
               f'<td class="msg">{_message(row, report.exchanges)}</td></tr>')
    yield "</tbody></table></section>"


def _message(row: Row, exchanges: Mapping[str, Shown]) -> str:
    """A row's message, and under it the steps that replay it, when a search's example decided it."""
    if not row.steps:
        return _e(row.message)
    steps = "".join(f"<li>{_linked(step, exchanges)}</li>" for step in row.steps)
    return f'{_e(row.message)}<div class="replay"><strong>Replay</strong><ol>{steps}</ol></div>'


def _linked(text: str, exchanges: Mapping[str, Shown]) -> str:
    """``text`` escaped, each evidence ID in it that the page shows a link to its exchange."""
    return "".join(f'<a href="#{exchanges[piece].anchor}">{_e(piece)}</a>' if is_id and piece in exchanges
                   else _e(piece) for piece, is_id in evidence_pieces(text))


def _requirements(report: Report) -> Iterable[str]:
    yield '<section id="requirements"><h2>Requirements</h2>'
    for document in report.documents:
        yield f'<section class="document" id="doc-{anchor(document.id)}"><h3>{_e(document.title)}</h3>'
        for level in document.levels:
            yield f"<h4>{_e(level.level)} ({len(level.rows)})</h4>"
            yield ('<table class="requirements"><thead><tr><th>Requirement</th><th>Level</th><th>Verdict</th>'
                   "<th>Message</th><th>Evidence</th></tr></thead><tbody>")
            yield from (_requirement_row(row, report.exchanges) for row in level.rows)
            yield "</tbody></table>"
        yield "</section>"
    yield "</section>"


def _requirement_row(row: Row, exchanges: Mapping[str, Shown]) -> str:
    section = f' <span class="section">§{_e(row.section)}</span>' if row.section else ""
    summary = f'<div class="summary">{_e(row.summary)}</div>' if row.summary else ""
    return (
        f'<tr id="{row.anchor}" data-requirement="{_e(row.id)}" data-verdict="{_e(row.verdict)}">'
        f'<td class="req">{_external(row.url, row.id)}{section}{summary}</td>'
        f"<td>{_e(row.level)}</td><td>{_verdict(row.verdict)}</td>"
        f'<td class="msg">{_message(row, exchanges)}</td><td class="ev">{_row_evidence(row, exchanges)}</td></tr>'
    )


def _row_evidence(row: Row, exchanges: Mapping[str, Shown]) -> str:
    if not row.evidence:
        return "-"

    def item(exchange_id: str) -> str:
        shown = exchanges.get(exchange_id)
        if shown is None:
            return f"<li>{_e(exchange_id)} (not in evidence.jsonl)</li>"
        return (f'<li><a href="#{shown.anchor}">{_e(shown.id)}</a> {_e(shown.method)} '
                f'<span class="url">{_e(shown.url)}</span> → {_e(shown.outcome)}</li>')

    listed, folded = row.evidence[:ROW_EXCHANGES], row.evidence[ROW_EXCHANGES:]
    text = "<ul>" + "".join(item(e) for e in listed) + "</ul>"
    if folded:
        text += (f"<details><summary>{len(folded)} more</summary><ul>" + "".join(item(e) for e in folded)
                 + "</ul></details>")
    return text


def _waivers(report: Report) -> Iterable[str]:
    if not report.waivers:
        return
    yield '<section id="waivers"><h2>Waivers</h2>'
    yield ("<table><thead><tr><th>Requirement</th><th>Status</th><th>Expires</th><th>Reason</th><th>Source</th>"
           "</tr></thead><tbody>")
    for waiver in report.waivers:
        yield (f'<tr data-waiver-status="{_e(waiver.status)}"><td>{_row_link(report, waiver.id)}</td>'
               f"<td>{_e(waiver.status_words)}</td><td>{_e(waiver.expires)}</td>"
               f'<td class="msg">{_e(waiver.reason)}</td><td class="url">{_e(waiver.source)}</td></tr>')
    yield "</tbody></table></section>"


def _skips(report: Report) -> Iterable[str]:
    if not report.skipped and not report.not_run:
        return
    yield '<section id="skips"><h2>Skipped and not run</h2>'
    for title, rows in (("Skipped", report.skipped), ("Not run", report.not_run)):
        if not rows:
            continue
        yield f"<h3>{title} ({len(rows)})</h3>"
        yield "<table><thead><tr><th>Requirement</th><th>Level</th><th>Reason</th></tr></thead><tbody>"
        for row in rows:
            yield (f"<tr><td>{_row_link(report, row.id)}</td><td>{_e(row.level)}</td>"
                   f'<td class="msg">{_e(row.message)}</td></tr>')
        yield "</tbody></table>"
    if report.not_selected:
        yield f"<p>{report.not_selected} more requirements were outside this run's selection.</p>"
    yield "</section>"


def _left_on_target(report: Report) -> Iterable[str]:
    if not report.left_on_target:
        return
    yield '<section id="left"><h2>Left on the target</h2><ul>'
    yield from (f"<li>{_e(item)}</li>" for item in report.left_on_target)
    yield "</ul></section>"


def _evidence(report: Report) -> Iterable[str]:
    if not report.exchanges:
        return
    yield '<section id="evidence"><h2>Evidence</h2>'
    yield ("<p>The exchanges the requirements rest on, redacted; open one to see its request and response. "
           "Every exchange of the run is in evidence.jsonl.</p>")
    yield from (_exchange(shown) for shown in report.exchanges.values())
    yield "</section>"


def _exchange(shown: Shown) -> str:
    # The anchor sits inside the details: following a link to it opens the exchange.
    test = f'<span class="test">{_e(shown.test)}</span>' if shown.test else ""
    return (
        f'<details class="exchange"><summary><strong>{_e(shown.id)}</strong> {_e(shown.method)} '
        f'<span class="url">{_e(shown.url)}</span> → {_e(shown.outcome)}{test}</summary>'
        f'<div class="http" id="{shown.anchor}">'
        f"<h5>Request</h5><pre>{_pre(shown.request_text(), shown.request_body)}</pre>"
        f"<h5>Response</h5><pre>{_pre(shown.response_text(), shown.response_body)}</pre>"
        "</div></details>"
    )


def _pre(text: str, body: Body) -> str:
    more = f'\n<span class="more">… ({body.more_bytes} bytes more in evidence.jsonl)</span>' if body.more_bytes else ""
    return _e(text) + more
