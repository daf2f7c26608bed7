"""What the human reports (``conformance.md``, ``conformance.html``) show, independent of markup: the run's
facts, the gate in words, the counts, the requirements grouped by document and level (each with the replay
steps of the example that decided it, where a search found one), the waivers, the skips, and the exchanges
the rows and their steps cite, each body capped.

Everything here is read from ``conformance.json`` and ``evidence.jsonl``, which are redacted already; a
key this module does not know is shown as it is when it is simple, and a missing optional key is left
out, so that a document from a newer or older run still renders.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from oauth_conformance.report.baseline import Comparison
from oauth_conformance.report.summary import ATTENTION
from oauth_conformance.verdicts.levels import GATE, SEVERITY, Verdict

__all__ = [
    "BODY_CAP",
    "ROW_EXCHANGES",
    "Body",
    "DocumentGroup",
    "Fact",
    "Gate",
    "LevelGroup",
    "Report",
    "Row",
    "Shown",
    "Waiver",
    "anchor",
    "build_report",
    "cap_body",
    "document_title",
    "evidence_pieces",
]

# How much of a body the reports show; the rest stays in evidence.jsonl.
BODY_CAP = 4096
# How many of a row's exchanges are listed in full before the rest is folded.
ROW_EXCHANGES = 5
_LEVELS = ("MUST", "SHOULD", "MAY")
# The run keys shown in their own place; any other simple key is listed under "more about the run".
_KNOWN_RUN_KEYS = frozenset({
    "target", "target_description", "started", "duration_s", "fail_on", "exit_status", "gate_failures",
    "standards_profile", "waivers", "stale_leftovers", "leftovers", "teardown_errors", "baseline", "selected",
})
# pytest's exit statuses, in words.
_EXIT = {
    0: "all tests passed",
    1: "tests failed",
    2: "interrupted",
    3: "internal error",
    4: "usage error (a wrong setting)",
    5: "no tests collected",
}
_WAIVER_STATUS = {
    "applied": "applied: the deviation is accepted until the expiry date",
    "stale": "stale: the requirement passes now; remove the waiver",
    "expired": "expired: the deviation counts again",
    "not run": "not run: the requirement was not evaluated in this run",
    "not selected": "not selected: no scenario of this subset run checks the requirement",
}
_RFC = re.compile(r"rfc(\d+)", re.IGNORECASE)
_EXCHANGE_NUMBER = re.compile(r"\d+")
_NOT_IN_ANCHOR = re.compile(r"[^A-Za-z0-9._-]")
# An evidence ID as a step cites it ("... (E12, E13)"); the capture keeps it in re.split's result.
_EVIDENCE_ID = re.compile(r"\b(E\d+)\b")
_SIMPLE_LIST_SHOWN = 20


@dataclass(frozen=True)
class Fact:
    label: str
    value: str


@dataclass(frozen=True)
class Gate:
    passed: bool
    words: str
    failures: tuple[str, ...]


@dataclass(frozen=True)
class Row:
    id: str
    document: str
    section: str
    level: str
    summary: str
    url: str
    verdict: str
    message: str
    evidence: tuple[str, ...]
    # The replay steps of the finding that decided the verdict (a search's shrunk example), in order.
    steps: tuple[str, ...] = ()

    @property
    def anchor(self) -> str:
        return "req-" + anchor(self.id)


@dataclass(frozen=True)
class LevelGroup:
    level: str
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class DocumentGroup:
    id: str
    title: str
    levels: tuple[LevelGroup, ...]


@dataclass(frozen=True)
class Waiver:
    id: str
    status: str
    status_words: str
    expires: str
    reason: str
    source: str


@dataclass(frozen=True)
class Body:
    """A body as the reports show it: at most BODY_CAP bytes of it, and how many bytes were left out."""

    text: str
    more_bytes: int


@dataclass(frozen=True)
class Shown:
    """One exchange of evidence.jsonl as the reports show it."""

    id: str
    method: str
    url: str
    status: int | None
    error: str | None
    elapsed_ms: float | None
    test: str
    request_headers: tuple[tuple[str, str], ...]
    request_body: Body
    response_headers: tuple[tuple[str, str], ...]
    response_body: Body

    @property
    def outcome(self) -> str:
        return str(self.status) if self.status is not None else f"no response: {self.error or 'unknown'}"

    @property
    def anchor(self) -> str:
        return anchor(self.id)

    def request_text(self) -> str:
        lines = [f"{self.method} {self.url}", *(f"{k}: {v}" for k, v in self.request_headers)]
        return "\n".join(lines + (["", self.request_body.text] if self.request_body.text else []))

    def response_text(self) -> str:
        if self.status is None:
            return f"(no response: {self.error or 'unknown'})"
        elapsed = f"  ({self.elapsed_ms:.0f} ms)" if self.elapsed_ms is not None else ""
        lines = [f"HTTP {self.status}{elapsed}", *(f"{k}: {v}" for k, v in self.response_headers)]
        return "\n".join(lines + (["", self.response_body.text] if self.response_body.text else []))


@dataclass(frozen=True)
class Report:
    title: str
    target: str
    facts: tuple[Fact, ...]
    gate: Gate
    counts: tuple[tuple[str, int], ...]
    total: int
    documents: tuple[DocumentGroup, ...]
    # What a reader must look at (ERROR, FAIL, WARN, REVIEW, INFO), most serious first.
    attention: tuple[Row, ...]
    waivers: tuple[Waiver, ...]
    skipped: tuple[Row, ...]
    not_run: tuple[Row, ...]
    # NOT_RUN rows outside a subset run's selection, counted only.
    not_selected: int
    left_on_target: tuple[str, ...]
    exchanges: dict[str, Shown]
    comparison: Comparison | None

    @property
    def rows(self) -> tuple[Row, ...]:
        return tuple(row for group in self.documents for level in group.levels for row in level.rows)


def build_report(
    document: Mapping[str, Any], exchanges: Iterable[Mapping[str, Any]], comparison: Comparison | None
) -> Report:
    run = _mapping(document.get("run"))
    rows = [_row(raw) for raw in document.get("requirements", []) if isinstance(raw, Mapping)]
    if comparison is None and isinstance(run.get("baseline"), Mapping):
        try:
            comparison = Comparison.from_dict(run["baseline"])
        except ValueError:
            comparison = None
    selected = run.get("selected")
    selection = set(selected) if isinstance(selected, list) and all(isinstance(s, str) for s in selected) else None
    not_run = [row for row in rows if row.verdict == Verdict.NOT_RUN]
    shown_not_run = [row for row in not_run if selection is None or row.id in selection]
    # The exchanges a row cites, and those its replay steps name, which the steps link to.
    cited = {e for row in rows for e in row.evidence}
    cited |= {piece for row in rows for step in row.steps for piece, is_id in evidence_pieces(step) if is_id}
    by_id = {str(raw.get("id")): raw for raw in exchanges if isinstance(raw, Mapping)}
    shown = {e: _shown(by_id[e]) for e in sorted(cited & by_id.keys(), key=_exchange_order)}
    target = str(run.get("target_description") or run.get("target") or "unknown target")
    return Report(
        title="OAuth 2.0 client-credentials conformance report",
        target=target,
        facts=tuple(_facts(run)),
        gate=_gate(run),
        counts=tuple(_counts(document, rows)),
        total=len(rows),
        documents=tuple(_groups(rows)),
        attention=tuple(row for verdict in ATTENTION for row in rows if row.verdict == verdict),
        waivers=tuple(_waiver(raw) for raw in _list(run.get("waivers")) if isinstance(raw, Mapping)),
        skipped=tuple(row for row in rows if row.verdict == Verdict.SKIP),
        not_run=tuple(shown_not_run),
        not_selected=len(not_run) - len(shown_not_run),
        left_on_target=tuple(_left_on_target(run)),
        exchanges=shown,
        comparison=comparison,
    )


def anchor(text: str) -> str:
    """``text`` as a fragment identifier that needs no escaping in a URL, an attribute or Markdown."""
    return _NOT_IN_ANCHOR.sub("-", text) or "-"


def evidence_pieces(text: str) -> tuple[tuple[str, bool], ...]:
    """``text`` cut around the evidence IDs it names, in order: each piece, and whether it is an ID
    ("edit A (E14)" → ("edit A (", False), ("E14", True), (")", False))."""
    return tuple((piece, index % 2 == 1) for index, piece in enumerate(_EVIDENCE_ID.split(text)) if piece)


def cap_body(text: str, cap: int = BODY_CAP) -> Body:
    """At most ``cap`` bytes of ``text`` (UTF-8, never splitting a character) and how many were left out."""
    encoded = text.encode("utf-8")
    if len(encoded) <= cap:
        return Body(text, 0)
    kept = encoded[:cap].decode("utf-8", errors="ignore")
    return Body(kept, len(encoded) - len(kept.encode("utf-8")))


def document_title(document_id: str) -> str:
    """The catalogue's title of a document ("RFC 6749: The OAuth 2.0 Authorization Framework"); for a
    document the catalogue does not know, its ID made readable ("rfc6749" → "RFC 6749")."""
    title = _catalogue_titles().get(document_id)
    if title:
        return title
    match = _RFC.fullmatch(document_id)
    return f"RFC {match.group(1)}" if match else document_id


@cache
def _catalogue_titles() -> dict[str, str]:
    """Each catalogue document's title, from the ``[document]`` tables of its TOML files."""
    titles: dict[str, str] = {}
    for entry in resources.files("oauth_conformance.catalogue").iterdir():
        if entry.name.endswith(".toml"):
            table = tomllib.loads(entry.read_text(encoding="utf-8")).get("document", {})
            if isinstance(table.get("id"), str) and isinstance(table.get("title"), str):
                titles[table["id"]] = table["title"]
    return titles


def _row(raw: Mapping[str, Any]) -> Row:
    return Row(
        id=str(raw.get("id", "?")),
        document=str(raw.get("document") or "other"),
        section=str(raw.get("section") or ""),
        level=str(raw.get("level") or "?"),
        summary=str(raw.get("summary") or ""),
        url=str(raw.get("url") or ""),
        verdict=str(raw.get("verdict") or "?"),
        message=str(raw.get("message") or ""),
        evidence=tuple(str(e) for e in _list(raw.get("evidence"))),
        steps=tuple(str(step) for step in _list(raw.get("steps"))),
    )


def _groups(rows: list[Row]) -> Iterable[DocumentGroup]:
    """By document in the order they first appear (the catalogue's), then by level, MUST first."""
    documents = list(dict.fromkeys(row.document for row in rows))
    for document in documents:
        own = [row for row in rows if row.document == document]
        levels = [level for level in _LEVELS if any(row.level == level for row in own)]
        levels += list(dict.fromkeys(row.level for row in own if row.level not in _LEVELS))
        yield DocumentGroup(
            document,
            document_title(document),
            tuple(LevelGroup(level, tuple(row for row in own if row.level == level)) for level in levels),
        )


def _counts(document: Mapping[str, Any], rows: list[Row]) -> Iterable[tuple[str, int]]:
    """The document's own summary (the count per verdict), in its order; counted from the rows if absent."""
    summary = document.get("summary")
    if isinstance(summary, Mapping) and summary:
        for verdict, count in summary.items():
            yield str(verdict), int(count) if isinstance(count, int) else 0
        return
    for verdict in sorted(Verdict, key=lambda v: -SEVERITY[v]):
        yield verdict.value, sum(1 for row in rows if row.verdict == verdict)


def _gate(run: Mapping[str, Any]) -> Gate:
    failures = tuple(str(f) for f in _list(run.get("gate_failures")))
    fail_on = run.get("fail_on")
    status = run.get("exit_status")
    rule = ""
    known = next((choice for choice in GATE if choice == fail_on), None)
    if known is not None:
        failing = sorted(GATE[known], key=lambda v: -SEVERITY[v])
        rule = f" (--fail-on={fail_on}: {', '.join(v.value for v in failing)} fail it)"
    elif fail_on is not None:
        rule = f" (--fail-on={fail_on})"
    exit_words = f"exit status {status}, {_EXIT[status]}" if isinstance(status, int) and status in _EXIT else (
        f"exit status {status}" if status is not None else "exit status not recorded")
    if failures:
        return Gate(False, f"The gate failed{rule}: {_plural(len(failures), 'failure')}; {exit_words}.", failures)
    if status == 0:
        return Gate(True, f"The gate passed{rule}: no requirement fails it; {exit_words}.", failures)
    if status is None:
        return Gate(True, f"No requirement failed the gate{rule}; {exit_words}.", failures)
    return Gate(False, f"No requirement failed the gate{rule}, but the run did not pass: {exit_words}.", failures)


def _facts(run: Mapping[str, Any]) -> Iterable[Fact]:
    if run.get("target_description"):
        yield Fact("Target", str(run["target_description"]))
    if run.get("target"):
        yield Fact("Target kind", str(run["target"]))
    if run.get("standards_profile"):
        yield Fact("Standards profile", str(run["standards_profile"]))
    if run.get("started"):
        yield Fact("Started", _when(str(run["started"])))
    if isinstance(run.get("duration_s"), int | float):
        yield Fact("Duration", _duration(float(run["duration_s"])))
    if run.get("fail_on"):
        yield Fact("Gate", f"--fail-on={run['fail_on']}")
    if run.get("exit_status") is not None:
        yield Fact("Exit status", str(run["exit_status"]))
    selected = run.get("selected")
    if isinstance(selected, list):
        yield Fact("Selected", _simple(selected))
    for key, value in run.items():
        if key in _KNOWN_RUN_KEYS:
            continue
        yield Fact(key.replace("_", " ").capitalize(), _simple(value))


def _simple(value: object) -> str:
    """A run value in one line: scalars as they are, lists of scalars joined (the first few), anything
    else as compact JSON, cut short."""
    if value is None:
        return "-"
    if isinstance(value, bool | int | float | str):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, bool | int | float | str) for v in value):
        more = f" … and {len(value) - _SIMPLE_LIST_SHOWN} more" if len(value) > _SIMPLE_LIST_SHOWN else ""
        return ", ".join(str(v) for v in value[:_SIMPLE_LIST_SHOWN]) + more if value else "-"
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 300 else text[:300] + " …"


def _when(started: str) -> str:
    try:
        moment = dt.datetime.strptime(started, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return started
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s"


def _waiver(raw: Mapping[str, Any]) -> Waiver:
    status = str(raw.get("status") or "?")
    return Waiver(
        id=str(raw.get("id", "?")),
        status=status,
        status_words=_WAIVER_STATUS.get(status, status),
        expires=str(raw.get("expires") or "-"),
        reason=str(raw.get("reason") or ""),
        source=str(raw.get("source") or ""),
    )


def _left_on_target(run: Mapping[str, Any]) -> Iterable[str]:
    """What the run could not clean up, what broke at teardown, and stale leftovers of earlier runs."""
    for item in _list(run.get("leftovers")):
        if isinstance(item, Mapping):
            yield f"{item.get('what', '?')}: {item.get('state', '?')}; to remove it: {item.get('remove', '?')}"
        else:
            yield str(item)
    for error in _list(run.get("teardown_errors")):
        yield f"teardown: {error}"
    for name in _list(run.get("stale_leftovers")):
        yield f"stale leftover of an earlier run: {name}"


def _shown(raw: Mapping[str, Any]) -> Shown:
    request, response = _mapping(raw.get("request")), _mapping(raw.get("response"))
    status = raw.get("status")
    elapsed = raw.get("elapsed_ms")
    return Shown(
        id=str(raw.get("id")),
        method=str(raw.get("method") or "?"),
        url=str(raw.get("url") or "?"),
        status=status if isinstance(status, int) else None,
        error=str(raw["error"]) if raw.get("error") else None,
        elapsed_ms=float(elapsed) if isinstance(elapsed, int | float) else None,
        test=str(raw.get("test") or ""),
        request_headers=_headers(request.get("headers")),
        request_body=cap_body(str(request.get("body") or "")),
        response_headers=_headers(response.get("headers")),
        response_body=cap_body(str(response.get("body") or "")),
    )


def _headers(raw: object) -> tuple[tuple[str, str], ...]:
    pairs = [pair for pair in _list(raw) if isinstance(pair, list | tuple) and len(pair) == 2]
    return tuple((str(name), str(value)) for name, value in pairs)


def _exchange_order(exchange_id: str) -> tuple[int, str]:
    match = _EXCHANGE_NUMBER.search(exchange_id)
    return (int(match.group()) if match else 0, exchange_id)


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"
