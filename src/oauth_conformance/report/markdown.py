"""``reports/conformance.md``: the conformance report as GitHub-flavoured Markdown, to hand over or paste
into a ticket. Same content as the HTML report (``report.view``); exchanges are printed once, in an
evidence appendix the rows link to. A row whose verdict a search's example decided shows, under its
message, the numbered steps that replay it (a table cell holds no list, so they are numbered lines)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from oauth_conformance.report.baseline import Comparison, VerdictChange
from oauth_conformance.report.view import ROW_EXCHANGES, Report, Row, Shown, anchor, build_report, evidence_pieces

__all__ = ["code_block", "md_cell", "render_markdown"]

# Markdown punctuation that would format, link or break a table cell; escaped with a backslash (any ASCII
# punctuation may be, in CommonMark). "_" only where it could start or end emphasis, so that
# invalid_client stays readable in the raw file.
_ALWAYS = re.compile(r"([\\`*\[\]<>|~])")
_LOOSE_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
# "&lt;" in a message would be read as an entity.
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_NEWLINES = re.compile(r"\r\n|\r|\n")
_BACKTICKS = re.compile(r"`+")


def md_cell(text: str) -> str:
    """``text`` as literal inline Markdown, safe in a table cell: no markup, pipes escaped, each line break
    a ``<br>``."""
    lines = []
    for line in _NEWLINES.split(text):
        line = _ALWAYS.sub(r"\\\1", line)
        line = _LOOSE_UNDERSCORE.sub(r"\\_", line)
        lines.append(_ENTITY.sub(r"\\&", line))
    return "<br>".join(lines)


def code_block(text: str, info: str = "") -> str:
    """A fenced code block that ``text`` cannot close: its fence is longer than any run of backticks in it."""
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{_NEWLINES.sub(chr(10), text)}\n{fence}"


def render_markdown(
    document: Mapping[str, Any], exchanges: list[dict[str, Any]], comparison: Comparison | None
) -> str:
    report = build_report(document, exchanges, comparison)
    parts: list[str] = [f"# {md_cell(report.title)}", "", f"**Target:** {md_cell(report.target)}", ""]
    parts += _gate(report)
    if report.comparison is not None:
        parts += _comparison(report.comparison, report)
    parts += ["## The run", "", "| | |", "|---|---|"]
    parts += [f"| {md_cell(fact.label)} | {md_cell(fact.value)} |" for fact in report.facts]
    parts += ["", "## Counts", "", "| Verdict | Requirements |", "|---|---:|"]
    parts += [f"| {md_cell(verdict)} | {count} |" for verdict, count in report.counts]
    parts += [f"| **Total** | {report.total} |", ""]
    parts += _attention(report)
    parts += _requirements(report)
    parts += _waivers(report)
    parts += _skips(report)
    if report.left_on_target:
        parts += ["## Left on the target", "", *(f"- {md_cell(item)}" for item in report.left_on_target), ""]
    parts += _evidence(report)
    return "\n".join(parts).rstrip("\n") + "\n"


def _gate(report: Report) -> list[str]:
    lines = [f"> **{md_cell(report.gate.words)}**"]
    if report.gate.failures:
        lines += [">", *(f"> - {_with_links(failure, report)}" for failure in report.gate.failures)]
    return [*lines, ""]


def _with_links(text: str, report: Report) -> str:
    """``text`` with each requirement ID in it linked to its row."""
    ids = {row.id for row in report.rows}
    return " ".join(_row_link(word) if word in ids else md_cell(word) for word in text.split(" "))


def _row_link(requirement_id: str) -> str:
    return f"[{md_cell(requirement_id)}](#req-{anchor(requirement_id)})"


def _comparison(comparison: Comparison, report: Report) -> list[str]:
    lines = ["## Compared with the baseline", "", md_cell(comparison.headline())]
    if comparison.baseline_source:
        lines += ["", f"Baseline: {md_cell(comparison.baseline_source)}"]
    lines.append("")
    for title, changes in (("Regressions", comparison.regressions), ("Fixes", comparison.fixes),
                           ("Other changes", comparison.changes)):
        if changes:
            lines += [f"### {title}", "", "| Requirement | Before | After | Message |", "|---|---|---|---|"]
            lines += [_change_row(change, report) for change in changes]
            lines.append("")
    return lines


def _change_row(change: VerdictChange, report: Report) -> str:
    known = any(row.id == change.id for row in report.rows)
    name = _row_link(change.id) if known else md_cell(change.id)
    before = change.before.value if change.before else "(new)"
    after = change.after.value if change.after else "(gone)"
    return f"| {name} | {before} | {after} | {md_cell(change.message)} |"


def _attention(report: Report) -> list[str]:
    if not report.attention:
        return []
    lines = ["## Needs attention", "", "| Requirement | Level | Verdict | Message |", "|---|---|---|---|"]
    lines += [f"| {_row_link(row.id)} | {md_cell(row.level)} | **{md_cell(row.verdict)}** | "
              f"{_message(row, report.exchanges)} |" for row in report.attention]
    return [*lines, ""]


def _requirements(report: Report) -> list[str]:
    lines = ["## Requirements", ""]
    for document in report.documents:
        lines += [f"### {md_cell(document.title)}", ""]
        for level in document.levels:
            lines += [f"#### {md_cell(level.level)}", "", "| Requirement | Level | Verdict | Message | Evidence |",
                      "|---|---|---|---|---|"]
            lines += [_requirement_row(row, report) for row in level.rows]
            lines.append("")
    return lines


def _requirement_row(row: Row, report: Report) -> str:
    # Only an http(s) address becomes a link, as in the HTML report.
    linked = row.url.startswith(("https://", "http://"))
    name = f"[{md_cell(row.id)}]({_url(row.url)})" if linked else md_cell(row.id)
    section = f" (§{md_cell(row.section)})" if row.section else ""
    requirement = f'<a id="{row.anchor}"></a>{name}{section}<br>{md_cell(row.summary)}'
    return (f"| {requirement} | {md_cell(row.level)} | **{md_cell(row.verdict)}** | "
            f"{_message(row, report.exchanges)} | {_row_evidence(row, report.exchanges)} |")


def _message(row: Row, exchanges: Mapping[str, Shown]) -> str:
    """A row's message, and under it the replay steps, numbered, each evidence ID linked to its exchange."""
    if not row.steps:
        return md_cell(row.message)
    steps = [f"{number}. {_linked(step, exchanges)}" for number, step in enumerate(row.steps, start=1)]
    return "<br>".join([md_cell(row.message), "**Replay**", *steps])


def _linked(text: str, exchanges: Mapping[str, Shown]) -> str:
    return "".join(f"[{md_cell(piece)}](#{exchanges[piece].anchor})" if is_id and piece in exchanges
                   else md_cell(piece) for piece, is_id in evidence_pieces(text))


def _row_evidence(row: Row, exchanges: Mapping[str, Shown]) -> str:
    listed, folded = row.evidence[:ROW_EXCHANGES], row.evidence[ROW_EXCHANGES:]
    items = []
    for exchange_id in listed:
        shown = exchanges.get(exchange_id)
        if shown is None:
            items.append(f"{md_cell(exchange_id)} (not in evidence.jsonl)")
        else:
            items.append(f"[{md_cell(shown.id)}](#{shown.anchor}) {md_cell(shown.method)} {md_cell(shown.url)} → "
                         f"{md_cell(shown.outcome)}")
    if folded:
        links = ", ".join(f"[{md_cell(e)}](#{exchanges[e].anchor})" if e in exchanges else md_cell(e) for e in folded)
        items.append(f"and {len(folded)} more: {links}")
    return "<br>".join(items) or "-"


def _url(url: str) -> str:
    """A link destination: in angle brackets, so that spaces and parentheses cannot end it early."""
    return "<" + url.replace("<", "%3C").replace(">", "%3E").replace("\n", "") + ">"


def _waivers(report: Report) -> list[str]:
    if not report.waivers:
        return []
    lines = ["## Waivers", "", "| Requirement | Status | Expires | Reason | Source |", "|---|---|---|---|---|"]
    known = {row.id for row in report.rows}
    for waiver in report.waivers:
        name = _row_link(waiver.id) if waiver.id in known else md_cell(waiver.id)
        lines.append(f"| {name} | {md_cell(waiver.status_words)} | {md_cell(waiver.expires)} | "
                     f"{md_cell(waiver.reason)} | {md_cell(waiver.source)} |")
    return [*lines, ""]


def _skips(report: Report) -> list[str]:
    if not report.skipped and not report.not_run:
        return []
    lines = ["## Skipped and not run", ""]
    for title, rows in (("Skipped", report.skipped), ("Not run", report.not_run)):
        if rows:
            lines += [f"### {title}", "", "| Requirement | Level | Reason |", "|---|---|---|"]
            lines += [f"| {_row_link(row.id)} | {md_cell(row.level)} | {md_cell(row.message)} |" for row in rows]
            lines.append("")
    if report.not_selected:
        lines += [f"{report.not_selected} more requirements were outside this run's selection.", ""]
    return lines


def _evidence(report: Report) -> list[str]:
    if not report.exchanges:
        return []
    lines = ["## Evidence", "", "The exchanges the requirements rest on, redacted; every exchange of the run is in "
             "evidence.jsonl.", ""]
    for shown in report.exchanges.values():
        lines += list(_exchange(shown))
    return lines


def _exchange(shown: Shown) -> Iterable[str]:
    yield f'<a id="{shown.anchor}"></a>'
    yield ""
    yield f"#### {md_cell(shown.id)} · {md_cell(shown.method)} {_code_span(shown.url)} → {md_cell(shown.outcome)}"
    yield ""
    if shown.test:
        yield f"Test: {_code_span(shown.test)}"
        yield ""
    yield code_block(shown.request_text() + _more(shown.request_body.more_bytes), "http")
    yield ""
    yield code_block(shown.response_text() + _more(shown.response_body.more_bytes), "http")
    yield ""


def _more(more_bytes: int) -> str:
    return f"\n… ({more_bytes} bytes more in evidence.jsonl)" if more_bytes else ""


def _code_span(text: str) -> str:
    """``text`` as an inline code span (outside tables): its delimiter is longer than any backtick run in it."""
    text = _NEWLINES.sub(" ", text)
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"
