"""A conformance run against a far-away target, beside the same run against a near one, for this tree and a
baseline commit in the same run:

    python bench/remote_run.py [--delay-ms 100] [--workers 4 8] [--runs 1] [--no-baseline]

The target is the standalone mock driven through the ``creatio`` target, as a user points the suite at a
Creatio. "Far away" is a loopback proxy (``_latency_proxy``) that holds every chunk a client sends for
``--delay-ms`` before the server sees it, so each exchange gains about that much; the mock announces the
proxy's URLs (its discovery included), so that nothing the suite sends bypasses it, while Creatio's own
calls to its Identity Service stay on loopback as they would in a data centre. Each run is a child pytest
with scenarios one after another, or spread over ``-n`` pytest-xdist workers sharing the one target.

Per run: wall seconds, the run's exchanges (lines of evidence.jsonl), the ratio to the same tree's direct
serial run, and whether the requirement verdicts are that run's. Then, from this tree's direct serial
run, the exchanges that repeat an earlier one exactly: what asking once could still save.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from _baseline import Baseline, baseline, current
from _latency_proxy import LatencyProxy

from oauth_conformance.mock import MockOptions, MockServers, start_mock
from tools.childrun import env_file_text

BASELINE = "2f111b6"
# What a child run must not inherit from this shell: the suite's settings (a developer's real Creatio,
# say), the mock's, pytest's. PYTHONDONTWRITEBYTECODE too, so that runs after the first find their
# bytecode and assertion-rewrite caches, as a user's runs do.
_DROPPED_PREFIXES = ("OAUTH_", "CREATIO_", "MOCK_", "PYTEST_")
_DROPPED_NAMES = frozenset({"PYTHONDONTWRITEBYTECODE"})
_TIMEOUT_S = 900


@dataclass(frozen=True)
class Shape:
    """How one run reaches the target: through the proxy or not, with how many xdist workers (0: serial)."""

    proxied: bool
    workers: int

    @property
    def label(self) -> str:
        way = "proxy" if self.proxied else "direct"
        return f"{way}, {'serial' if not self.workers else f'-n {self.workers}'}"


DIRECT_SERIAL = Shape(proxied=False, workers=0)


@dataclass(frozen=True)
class Run:
    seconds: float
    returncode: int
    verdicts: dict[str, str]
    exchanges: list[dict[str, Any]]
    # Exchanges sent to the mock's own ports while it announced the proxy's: must be none.
    bypassed: int


def _child_environ(env: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if not k.startswith(_DROPPED_PREFIXES) and k not in _DROPPED_NAMES}


def _suite_env(mock: MockServers) -> dict[str, str]:
    """What a user sets to point the suite at a Creatio: the mock's own env block (``MockServers.env``,
    the URLs it announces, not those it listens on), and, a fresh mock per run, technical users its
    scenarios may create."""
    return mock.env() | {"CREATIO_CREATE_TECH_USERS": "true"}


@contextlib.contextmanager
def _target(shape: Shape, delay_s: float) -> Iterator[MockServers]:
    """A fresh mock for one run (no run sees another's tokens, users or leftovers), behind the proxy or not."""
    if not shape.proxied:
        with start_mock(MockOptions()) as mock:
            yield mock
        return
    with LatencyProxy(delay_s) as proxy:
        # The proxy listens first, so that the mock can announce its URLs from the start.
        creatio, identity = proxy.tunnel(), proxy.tunnel()
        with start_mock(MockOptions(public_creatio_url=creatio.url, public_identity_url=identity.url)) as mock:
            creatio.point_at(mock.creatio_url)
            identity.point_at(mock.identity_url)
            yield mock


def _run(tree: Baseline, shape: Shape, delay_s: float) -> Run:
    with tempfile.TemporaryDirectory(prefix="bench-remote-") as scratch, _target(shape, delay_s) as mock:
        reports, env_file = Path(scratch) / "reports", Path(scratch) / "suite.env"
        env_file.write_text(env_file_text(_suite_env(mock)), encoding="utf-8")
        command = [sys.executable, "-m", "pytest", "tests/conformance", "-q", "-p", "no:cacheprovider",
                   f"--reports-dir={reports}", f"--env-file={env_file}"]
        if shape.workers:
            command += ["-n", str(shape.workers)]
        started = time.monotonic()
        done = subprocess.run(command, cwd=tree.root, env=_child_environ(tree.env), capture_output=True, text=True,
                              timeout=_TIMEOUT_S, check=False)
        seconds = time.monotonic() - started
        try:
            document = json.loads((reports / "conformance.json").read_text(encoding="utf-8"))
            lines = (reports / "evidence.jsonl").read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            tail = "\n".join((done.stdout + done.stderr).splitlines()[-15:])
            raise SystemExit(f"{tree.label}, {shape.label}: no reports (exit {done.returncode})\n{tail}") from None
    exchanges = [json.loads(line) for line in lines if line.strip()]
    own = (mock.creatio_url, mock.identity_url)
    bypassed = sum(1 for e in exchanges if shape.proxied and str(e["url"]).startswith(own))
    verdicts = {r["id"]: r["verdict"] for r in document["requirements"]}
    return Run(seconds, done.returncode, verdicts, exchanges, bypassed)


@dataclass
class Column:
    """One tree's runs, by shape."""

    tree: Baseline
    runs: dict[Shape, list[Run]]

    def seconds(self, shape: Shape) -> float:
        return statistics.median(r.seconds for r in self.runs[shape])

    def cell(self, shape: Shape) -> str:
        runs, reference = self.runs[shape], self.runs[DIRECT_SERIAL][0].verdicts
        exchanges = statistics.median(len(r.exchanges) for r in runs)
        ratio = self.seconds(shape) / self.seconds(DIRECT_SERIAL)
        same = "yes" if all(r.verdicts == reference for r in runs) else "NO"
        exits = ",".join(sorted({str(r.returncode) for r in runs}))
        return f"{self.seconds(shape):7.1f} {exchanges:6.0f} {ratio:6.2f}x  {same:<4} {exits:>4}"

    def differences(self, shape: Shape) -> list[str]:
        reference = self.runs[DIRECT_SERIAL][0].verdicts
        return sorted({f"{k}: {reference.get(k)} -> {v}" for r in self.runs[shape]
                       for k, v in r.verdicts.items() if reference.get(k) != v})


def _endpoint(exchange: dict[str, Any]) -> str:
    parts = urlsplit(str(exchange["url"]))
    return f"{exchange['method']} {parts.path}"


def _repeats(exchanges: list[dict[str, Any]]) -> None:
    """Exchanges whose method, URL and body an earlier one of the run sent, by endpoint.

    Secrets and tokens are masked with a per-run keyed hash (redaction.py), so two masked values are
    equal exactly when the values were. The Authorization header is not part of the key (a bearer call
    repeated with a fresh token asks the same question); the column beside says how many carried the
    same credential as well.
    """
    seen: set[tuple[str, str, str]] = set()
    seen_with_auth: set[tuple[str, str, str, str]] = set()
    total, repeated, same_auth = Counter[str](), Counter[str](), Counter[str]()
    for e in exchanges:
        endpoint = _endpoint(e)
        key = (str(e["method"]), str(e["url"]), str(e["request"]["body"]))
        auth = [str(v) for k, v in e["request"]["headers"] if str(k).lower() == "authorization"]
        auth_key = (*key, ",".join(auth))
        total[endpoint] += 1
        if key in seen:
            repeated[endpoint] += 1
            if auth_key in seen_with_auth:
                same_auth[endpoint] += 1
        seen.add(key)
        seen_with_auth.add(auth_key)
    print(f"\nRepeats in this tree's direct serial run: {sum(repeated.values())} of {len(exchanges)} exchanges "
          f"repeat an earlier one exactly (method + URL + body); {sum(same_auth.values())} with the same "
          "Authorization too")
    print(f"  {'endpoint':<70} {'sent':>5} {'repeats':>8} {'same auth':>10}")
    for endpoint, count in sorted(repeated.items(), key=lambda item: (-item[1], item[0])):
        print(f"  {endpoint:<70} {total[endpoint]:5d} {count:8d} {same_auth[endpoint]:10d}")


def _table(columns: list[Column], shapes: list[Shape], delay_ms: int, runs: int) -> None:
    header = "   wall s  exch.  ratio   same exit"
    print(f"\nConformance run against the mock (creatio target), direct and through a {delay_ms} ms-per-request "
          f"proxy; median of {runs} run(s); ratio: to the same tree's direct serial run; same: the verdicts of "
          "that run")
    print(f"{'':<16}" + "".join(f" | {c.tree.label:<{len(header)}}" for c in columns))
    print(f"{'run':<16}" + "".join(f" | {header}" for _ in columns))
    for shape in shapes:
        print(f"{shape.label:<16}" + "".join(f" | {c.cell(shape)}" for c in columns))
    if len(columns) == 2:
        this, base = columns
        same = this.runs[DIRECT_SERIAL][0].verdicts == base.runs[DIRECT_SERIAL][0].verdicts
        print(f"this tree's direct serial verdicts equal {base.tree.label}'s: {'yes' if same else 'NO'}")
        print("this tree / baseline, wall time: " + ", ".join(
            f"{s.label} {this.seconds(s) / base.seconds(s):.2f}" for s in shapes))
    for column in columns:
        for shape in shapes:
            if differences := column.differences(shape):
                print(f"{column.tree.label}, {shape.label}: verdicts differ: " + "; ".join(differences[:10]))
            if bypassed := max(r.bypassed for r in column.runs[shape]):
                print(f"{column.tree.label}, {shape.label}: {bypassed} exchanges bypassed the proxy")


def _measure(trees: list[Baseline], shapes: list[Shape], runs: int, delay_s: float) -> list[Column]:
    columns = [Column(tree, {shape: [] for shape in shapes}) for tree in trees]
    for column in columns:
        # Untimed: the first run of a checkout compiles and assertion-rewrites it.
        print(f"warming up {column.tree.label}", file=sys.stderr, flush=True)
        _run(column.tree, DIRECT_SERIAL, delay_s)
    # Interleaved, so that noise from the rest of the machine falls on every column alike.
    for index in range(runs):
        for shape in shapes:
            for column in columns:
                run = _run(column.tree, shape, delay_s)
                column.runs[shape].append(run)
                print(f"run {index + 1}/{runs} {column.tree.label}, {shape.label}: {run.seconds:.1f} s, "
                      f"{len(run.exchanges)} exchanges, exit {run.returncode}", file=sys.stderr, flush=True)
    return columns


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--delay-ms", type=int, default=100, help="added to every request (default 100)")
    parser.add_argument("--workers", type=int, nargs="+", default=[4, 8], help="xdist worker counts (default 4 8)")
    parser.add_argument("--runs", type=int, default=1, help="runs per figure; the median is shown (default 1)")
    parser.add_argument("--no-baseline", action="store_true", help=f"this tree only, without {BASELINE}")
    args = parser.parse_args()
    if args.runs < 1 or args.delay_ms < 0 or any(w < 1 for w in args.workers):
        parser.error("--runs and --workers must be at least 1, --delay-ms not negative")
    shapes = [DIRECT_SERIAL, Shape(proxied=True, workers=0)]
    shapes += [Shape(proxied=True, workers=w) for w in args.workers]
    shapes += [Shape(proxied=False, workers=w) for w in args.workers]
    delay_s = args.delay_ms / 1000
    with contextlib.ExitStack() as stack:
        trees = [current()]
        if not args.no_baseline:
            trees.append(stack.enter_context(baseline(BASELINE)))
        columns = _measure(trees, shapes, args.runs, delay_s)
    print(f"{os.cpu_count()} cores; each run a fresh mock in this process", flush=True)
    _table(columns, shapes, args.delay_ms, args.runs)
    _repeats(columns[0].runs[DIRECT_SERIAL][0].exchanges)


if __name__ == "__main__":
    main()
