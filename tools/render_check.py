"""Open ``conformance.html`` in headless Chromium and check what a reader sees: every requirement of the
run's ``conformance.json`` as a visible row with its verdict, the replay steps of each requirement that
has them as a visible list in its row, the counts, the gate, links that land, and no resource loaded from
anywhere (the page must be self-contained). Keeps a screenshot.

    python tools/render_check.py reports/conformance.html [--conformance reports/conformance.json]
        [--screenshot reports/conformance.png] [--height 2000]

Prints what it checked; exits 1 with what is missing, 2 when Chromium is not installed (``make chromium``).
The checks read the DOM as Chromium built it (``--dump-dom``), not the file's text, so a value that
broke out of its element (an unescaped ``</details>``) shows up as a missing or misplaced row. Chromium's
net log shows whether the page asked for anything outside the file; name resolution is switched off, so
nothing leaves the machine in any case.
"""

from __future__ import annotations

import argparse
import json
import re
import struct
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

__all__ = [
    "CHROMIUM",
    "ChromiumMissingError",
    "Node",
    "RenderCheck",
    "check_rendered",
    "chromium_flags",
    "dump_dom",
    "main",
    "parse_dom",
]

CHROMIUM = Path("/usr/bin/chromium")
# Generous: Chromium renders the report in about a second; this only bounds a hung browser.
_TIMEOUT_S = 120.0
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
                   "track", "wbr"})
# Elements whose content a reader never sees.
_UNSEEN = frozenset({"head", "template", "noscript", "script", "style", "textarea", "title"})
# Elements that load or run something; a self-contained report has none.
_FORBIDDEN = frozenset({"script", "iframe", "frame", "embed", "object", "link", "base", "img", "video", "audio",
                        "source", "track", "picture", "portal", "form"})
_LOADING_ATTRIBUTES = ("src", "srcset", "poster", "background", "data", "action", "formaction", "ping", "xlink:href")
_CSS_URL = re.compile(r"url\(\s*['\"]?(?!data:|#)|@import", re.IGNORECASE)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_PNG = b"\x89PNG\r\n\x1a\n"


class ChromiumMissingError(FileNotFoundError):
    """No Chromium at the path given: ``make chromium`` installs Debian's package."""


@dataclass(eq=False)
class Node:
    """One element of the rendered DOM."""

    tag: str
    attrs: dict[str, str]
    parent: Node | None = None
    children: list[Node | str] = field(default_factory=list)

    def text(self) -> str:
        return "".join(child if isinstance(child, str) else child.text() for child in self.children)

    def iter(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def ancestors(self) -> Iterator[Node]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def hidden_by(self) -> str | None:
        """Why a reader would not see this element, or None: a closed <details> around it (its summary
        aside), a ``hidden`` attribute, an inline display:none, or an element never shown."""
        child = self
        for node in [self, *self.ancestors()]:
            if node.tag in _UNSEEN:
                return f"inside <{node.tag}>"
            if "hidden" in node.attrs:
                return f"inside a hidden <{node.tag}>"
            if _HIDDEN_STYLE.search(node.attrs.get("style", "")):
                return f"inside <{node.tag} style={node.attrs['style']!r}>"
            if node is not self and node.tag == "details" and "open" not in node.attrs and child.tag != "summary":
                return "inside a closed <details>"
            child = node
        return None


class _DomBuilder(HTMLParser):
    """A tree from Chromium's serialized DOM, which closes every element that is not void."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self._open = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {name: value or "" for name, value in attrs}, self._open[-1])
        self._open[-1].children.append(node)
        if tag not in _VOID:
            self._open.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._open[-1].children.append(Node(tag, {name: value or "" for name, value in attrs}, self._open[-1]))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self._open) - 1, 0, -1):
            if self._open[depth].tag == tag:
                del self._open[depth:]
                return

    def handle_data(self, data: str) -> None:
        self._open[-1].children.append(data)


def parse_dom(text: str) -> Node:
    builder = _DomBuilder()
    builder.feed(text)
    builder.close()
    return builder.root


def chromium_flags(profile: Path) -> list[str]:
    """Headless, no first-run or background traffic, no name resolution, a fresh profile: what works
    here as root."""
    return [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
        "--host-resolver-rules=MAP * ~NOTFOUND", f"--user-data-dir={profile}",
    ]


def _run_chromium(chromium: Path, html_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    if not chromium.exists():
        raise ChromiumMissingError(f"{chromium}: not installed; `make chromium` installs Debian's chromium")
    with tempfile.TemporaryDirectory(prefix="render-check-") as profile:
        command = [str(chromium), *chromium_flags(Path(profile)), *extra, html_path.resolve().as_uri()]
        return subprocess.run(command, capture_output=True, text=True, timeout=_TIMEOUT_S, check=False)


def dump_dom(html_path: Path, chromium: Path = CHROMIUM, net_log: Path | None = None) -> str:
    """The DOM of ``html_path`` after Chromium loaded and rendered it, serialized."""
    extra = [f"--log-net-log={net_log}"] if net_log else []
    completed = _run_chromium(chromium, html_path, *extra, "--dump-dom")
    if completed.returncode != 0 or "<html" not in completed.stdout:
        tail = completed.stderr.strip().splitlines()[-3:]
        raise RuntimeError(f"chromium --dump-dom exited {completed.returncode}: {' | '.join(tail)}")
    return completed.stdout


@dataclass(frozen=True)
class RenderCheck:
    checked: tuple[str, ...]
    problems: tuple[str, ...]
    screenshot: Path | None

    @property
    def ok(self) -> bool:
        return not self.problems


def check_rendered(
    html_path: Path,
    document: Mapping[str, Any] | None = None,
    *,
    screenshot: Path | None = None,
    height: int = 2000,
    chromium: Path = CHROMIUM,
) -> RenderCheck:
    """Render ``html_path`` and check it against ``document`` (its conformance.json; by default the one
    beside it). ``screenshot``: where to keep a 1280-wide screenshot of the top ``height`` pixels (by
    default ``conformance.png`` beside the page)."""
    if document is None:
        document = json.loads((html_path.parent / "conformance.json").read_text(encoding="utf-8"))
    screenshot = screenshot or html_path.parent / "conformance.png"
    checked: list[str] = []
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="render-check-log-") as logs:
        net_log = Path(logs) / "net-log.json"
        root = parse_dom(dump_dom(html_path, chromium, net_log))
        requests = _page_requests(net_log, problems)
    _check_rows(root, document, checked, problems)
    _check_replays(root, document, checked, problems)
    _check_counts(root, document, checked, problems)
    _check_gate(root, document, checked, problems)
    _check_self_contained(root, checked, problems)
    _check_links(root, checked, problems)
    if requests:
        problems.append(f"the page requested {len(requests)} resources: {', '.join(requests[:5])}")
    else:
        checked.append("net log: the page requested nothing outside its file")
    _check_screenshot(html_path, chromium, screenshot, height, checked, problems)
    return RenderCheck(tuple(checked), tuple(problems), screenshot if screenshot.exists() else None)


def _check_rows(root: Node, document: Mapping[str, Any], checked: list[str], problems: list[str]) -> None:
    rows: dict[str, list[Node]] = {}
    for node in root.iter():
        if node.tag == "tr" and "data-requirement" in node.attrs:
            rows.setdefault(node.attrs["data-requirement"], []).append(node)
    requirements = [r for r in document.get("requirements", []) if isinstance(r, Mapping)]
    missing, hidden, wrong = [], [], []
    for requirement in requirements:
        requirement_id, verdict = str(requirement.get("id")), str(requirement.get("verdict"))
        found = rows.get(requirement_id, [])
        if len(found) != 1:
            missing.append(f"{requirement_id} ({len(found)} rows)")
            continue
        row = found[0]
        cells = [child for child in row.children if isinstance(child, Node) and child.tag == "td"]
        reason = row.hidden_by()
        if reason:
            hidden.append(f"{requirement_id} ({reason})")
        elif not cells or requirement_id not in cells[0].text() or verdict not in row.text():
            wrong.append(f"{requirement_id} (expected its ID in the first cell and the verdict {verdict})")
    extra = sorted(set(rows) - {str(r.get("id")) for r in requirements})
    problems += [f"requirement row missing: {item}" for item in missing]
    problems += [f"requirement row not visible: {item}" for item in hidden]
    problems += [f"requirement row wrong: {item}" for item in wrong]
    problems += [f"requirement row not in conformance.json: {item}" for item in extra]
    if not (missing or hidden or wrong or extra):
        checked.append(f"rows: all {len(requirements)} requirements of conformance.json, each once, visible, "
                       "with its ID and verdict")


def _check_replays(root: Node, document: Mapping[str, Any], checked: list[str], problems: list[str]) -> None:
    """Each requirement with replay steps (a search's shrunk example) shows them in its row, as a visible
    ordered list under "Replay", step for step; nothing is checked in a run without any."""
    replayed = [r for r in document.get("requirements", []) if isinstance(r, Mapping) and r.get("steps")]
    if not replayed:
        return
    rows = {n.attrs["data-requirement"]: n for n in root.iter() if n.tag == "tr" and "data-requirement" in n.attrs}
    wrong = []
    for requirement in replayed:
        requirement_id, steps = str(requirement.get("id")), [str(step) for step in requirement["steps"]]
        row = rows.get(requirement_id)
        replay = next((n for n in row.iter() if "replay" in n.attrs.get("class", "").split()), None) if row else None
        if replay is None:
            wrong.append(f"{requirement_id} (no replay list in its row)")
            continue
        items = [li for ol in replay.iter() if ol.tag == "ol" for li in ol.children
                 if isinstance(li, Node) and li.tag == "li"]
        reason = replay.hidden_by()
        if reason:
            wrong.append(f"{requirement_id} ({reason})")
        elif not replay.text().startswith("Replay") or [li.text() for li in items] != steps:
            wrong.append(f"{requirement_id} (expected \"Replay\" and its {len(steps)} steps, each as it is)")
    if wrong:
        problems += [f"replay steps not shown: {item}" for item in wrong]
    else:
        total = sum(len(r["steps"]) for r in replayed)
        checked.append(f"replay: {len(replayed)} requirements' steps ({total} in all), each a visible ordered list")


def _check_counts(root: Node, document: Mapping[str, Any], checked: list[str], problems: list[str]) -> None:
    shown: dict[str, str] = {}
    for table in root.iter():
        if table.tag == "table" and "counts" in table.attrs.get("class", "").split():
            for row in table.iter():
                if row.tag == "tr" and "data-verdict" in row.attrs and not row.hidden_by():
                    cells = [c for c in row.children if isinstance(c, Node) and c.tag == "td"]
                    shown[row.attrs["data-verdict"]] = cells[-1].text().strip() if cells else ""
    summary = document.get("summary")
    expected = {str(k): str(v) for k, v in summary.items()} if isinstance(summary, Mapping) else {}
    expected["TOTAL"] = str(len(document.get("requirements", [])))
    wrong = [f"{verdict} {shown.get(verdict, 'absent')} (expected {count})"
             for verdict, count in expected.items() if shown.get(verdict) != count]
    if wrong:
        problems.append("counts: " + ", ".join(wrong))
    else:
        checked.append("counts: " + ", ".join(f"{verdict} {count}" for verdict, count in expected.items()))


def _check_gate(root: Node, document: Mapping[str, Any], checked: list[str], problems: list[str]) -> None:
    gate = next((node for node in root.iter() if node.attrs.get("id") == "gate"), None)
    run = document.get("run")
    status = run.get("exit_status") if isinstance(run, Mapping) else None
    if gate is None or gate.hidden_by():
        problems.append("gate: no visible verdict of the gate (id=gate)")
    elif status is not None and f"exit status {status}" not in gate.text():
        problems.append(f"gate: does not say exit status {status}: {gate.text().strip()[:200]!r}")
    else:
        checked.append(f"gate: {' '.join(gate.text().split())[:160]}")


def _check_self_contained(root: Node, checked: list[str], problems: list[str]) -> None:
    found = []
    for node in root.iter():
        if node.tag in _FORBIDDEN:
            found.append(f"<{node.tag}>")
        for name in _LOADING_ATTRIBUTES:
            value = node.attrs.get(name)
            if value is not None and not value.startswith(("data:", "#")):
                found.append(f"<{node.tag} {name}={value[:80]!r}>")
        href = node.attrs.get("href")
        if href is not None and not href.startswith("#"):
            if node.tag != "a":
                found.append(f"<{node.tag} href={href[:80]!r}>")
            elif not href.startswith(("https://", "http://")):
                found.append(f"<a href={href[:80]!r}> (only http(s) links and fragments)")
        if node.tag == "meta" and node.attrs.get("http-equiv", "").lower() == "refresh":
            found.append("<meta http-equiv=refresh>")
        styles = [node.attrs.get("style", "")] + ([node.text()] if node.tag == "style" else [])
        if any(_CSS_URL.search(style) for style in styles):
            found.append(f"<{node.tag}> CSS that loads a url() or @import")
    if found:
        problems.append(f"not self-contained: {', '.join(found[:10])}" + (" …" if len(found) > 10 else ""))
    else:
        checked.append("self-contained: no script, frame, image, stylesheet link or CSS url(); "
                       "links are <a href> only")


def _check_links(root: Node, checked: list[str], problems: list[str]) -> None:
    ids = {node.attrs["id"] for node in root.iter() if "id" in node.attrs}
    hrefs = [node.attrs.get("href", "") for node in root.iter() if node.tag == "a"]
    targets = [href[1:] for href in hrefs if href.startswith("#")]
    dangling = sorted({target for target in targets if target not in ids})
    if dangling:
        problems.append(f"links to nothing on the page: {', '.join('#' + t for t in dangling[:10])}")
    else:
        checked.append(f"links: all {len(targets)} links within the page land on an element")


def _page_requests(net_log: Path, problems: list[str]) -> list[str]:
    """The URLs the page itself asked for, from Chromium's net log (its own background requests aside)."""
    try:
        text = net_log.read_text(encoding="utf-8")
    except OSError as error:
        problems.append(f"net log: not written ({error.strerror})")
        return []
    try:
        log = json.loads(text)
    except json.JSONDecodeError:
        try:  # a log Chromium did not get to close
            log = json.loads(text.rstrip().rstrip(",") + "]}")
        except json.JSONDecodeError:
            problems.append("net log: not readable JSON")
            return []
    types = {number: name for name, number in log.get("constants", {}).get("logEventTypes", {}).items()}
    requested = []
    for event in log.get("events", []):
        params = event.get("params") or {}
        url = str(params.get("url", ""))
        if types.get(event.get("type")) != "URL_REQUEST_START_JOB" or not url or url.startswith(("file:", "data:")):
            continue
        # The page's requests carry its (opaque, file) origin; Chromium's own say "not an origin".
        if params.get("initiator") != "not an origin" or "file://" in str(params.get("network_isolation_key", "")):
            requested.append(url)
    return requested


def _check_screenshot(
    html_path: Path, chromium: Path, screenshot: Path, height: int, checked: list[str], problems: list[str]
) -> None:
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    screenshot.unlink(missing_ok=True)
    completed = _run_chromium(
        chromium, html_path, f"--screenshot={screenshot.resolve()}", f"--window-size=1280,{height}"
    )
    data = screenshot.read_bytes() if screenshot.exists() else b""
    if completed.returncode != 0 or data[:8] != _PNG or data[12:16] != b"IHDR":
        problems.append(f"screenshot: not written to {screenshot} (chromium exited {completed.returncode})")
        return
    width, shot_height = struct.unpack(">II", data[16:24])
    checked.append(f"screenshot: {screenshot} ({width}x{shot_height}, {len(data) // 1024} KiB)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("html", type=Path, help="the report, e.g. reports/conformance.html")
    parser.add_argument("--conformance", type=Path, help="its conformance.json (default: beside the report)")
    parser.add_argument("--screenshot", type=Path, help="where to keep the screenshot (default: beside the report)")
    parser.add_argument("--height", type=int, default=2000, help="screenshot height in pixels (width 1280)")
    parser.add_argument("--chromium", type=Path, default=CHROMIUM)
    args = parser.parse_args(argv)
    document = None
    if args.conformance:
        document = json.loads(args.conformance.read_text(encoding="utf-8"))
    try:
        result = check_rendered(args.html, document, screenshot=args.screenshot, height=args.height,
                                chromium=args.chromium)
    except ChromiumMissingError as error:
        print(f"render check: {error}", file=sys.stderr)  # noqa: T201 - a CLI
        return 2
    lines = [f"ok       {line}" for line in result.checked] + [f"MISSING  {line}" for line in result.problems]
    print("\n".join(lines))  # noqa: T201 - a CLI
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
