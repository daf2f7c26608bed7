"""Wall time of a warm ``make conformance`` against the bundled mock, for this tree and a baseline commit
side by side in the same run:

    python bench/conformance_run.py [--runs 5] [--baseline 2f111b6] [--modes default off]

A run is what ``make conformance`` runs in each tree, read from that tree's Makefile (``make -n``): its
pytest options (``-n auto --maxprocesses=4 --dist loadgroup`` here; none before the scenarios ran in
flight together), run as ``python -m pytest -q`` in the tree's root: the default target, the bundled
mock, with the search as the default settings run it (``auto``: on, against the mock), and the same with
``--search=off``; each run writes reports of its own. "Warm": one run of each
tree and mode first, unmeasured, so that the bytecode and assertion-rewrite caches exist and the files
are in the page cache, as for a user's second run. The measured runs are interleaved (this tree, the
baseline, then the baseline, this tree, ...), so that load from elsewhere on the machine falls on both
alike.

Per mode: each tree's median, min and max over the runs, the ratio of this tree's median to the
baseline's, and whether every run exited 0 with the requirement verdicts of the baseline's first run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from _baseline import Baseline, baseline, current

BASELINE = "2f111b6"
# What a child run must not inherit from this shell: the suite's settings (a developer's real Creatio,
# say), the mock's, pytest's. PYTHONDONTWRITEBYTECODE too, so that runs after the first find their
# bytecode and assertion-rewrite caches, as a user's runs do.
_DROPPED_PREFIXES = ("OAUTH_", "CREATIO_", "MOCK_", "PYTEST_")
_DROPPED_NAMES = frozenset({"PYTHONDONTWRITEBYTECODE"})
_TIMEOUT_S = 600


@dataclass
class Series:
    """One tree's runs in one mode."""

    tree: Baseline
    seconds: list[float] = field(default_factory=list)
    exits: set[int] = field(default_factory=set)
    verdicts: list[dict[str, str]] = field(default_factory=list)

    def figures(self) -> str:
        times = self.seconds
        return (f"median {statistics.median(times):6.2f} s (min {min(times):6.2f}, max {max(times):6.2f}, "
                f"exit {','.join(map(str, sorted(self.exits)))})")


def _child_environ(env: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if not k.startswith(_DROPPED_PREFIXES) and k not in _DROPPED_NAMES}


def make_conformance_options(tree: Path) -> list[str]:
    """The pytest options of ``make conformance`` in ``tree``, as its Makefile has them (ARGS empty)."""
    marker = "/BIN/pytest"
    shown = subprocess.run(["make", "-n", "-s", "-C", str(tree), "conformance", "STAMP=", "BIN=/BIN", "ARGS="],
                           capture_output=True, text=True, check=True).stdout
    line = next(line for line in shown.splitlines() if marker in line)
    return line.split(marker, 1)[1].split()


def _run(tree: Baseline, search: str) -> tuple[float, int, dict[str, str]]:
    """One run of the suite in ``tree``: its wall time, exit status and requirement verdicts. ``search``:
    the --search option, or ``default`` for none."""
    with tempfile.TemporaryDirectory(prefix="bench-conformance-") as reports:
        # No cacheprovider: the run must not write .pytest_cache into either checkout.
        command = [sys.executable, "-m", "pytest", *make_conformance_options(tree.root), "-q", "-p",
                   "no:cacheprovider", f"--reports-dir={reports}"]
        if search != "default":
            command.append(f"--search={search}")
        started = time.perf_counter()
        done = subprocess.run(command, cwd=tree.root, env=_child_environ(tree.env), capture_output=True, text=True,
                              check=False, timeout=_TIMEOUT_S)
        elapsed = time.perf_counter() - started
        document = Path(reports) / "conformance.json"
        verdicts = ({r["id"]: r["verdict"] for r in json.loads(document.read_text(encoding="utf-8"))["requirements"]}
                    if document.is_file() else {})
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-5:])
        print(f"  {tree.label}, search {search}: exit {done.returncode}\n{tail}", file=sys.stderr)
    return elapsed, done.returncode, verdicts


def _differences(one: dict[str, str], other: dict[str, str]) -> list[str]:
    return [f"{rid}: {one.get(rid)} / {other.get(rid)}" for rid in sorted(one.keys() | other.keys())
            if one.get(rid) != other.get(rid)]


def measure(trees: Sequence[Baseline], modes: Sequence[str], runs: int) -> None:
    for mode in modes:
        for tree in trees:
            _run(tree, mode)  # warm-up: caches written, files read once
    series = {(mode, tree.label): Series(tree) for mode in modes for tree in trees}
    for index in range(runs):
        # Each round in the other order than the last: neither tree always runs right after the other.
        order = list(trees) if index % 2 == 0 else list(reversed(trees))
        for mode in modes:
            for tree in order:
                seconds, exit_status, verdicts = _run(tree, mode)
                one = series[(mode, tree.label)]
                one.seconds.append(seconds)
                one.exits.add(exit_status)
                one.verdicts.append(verdicts)
        print(f"round {index + 1}/{runs} done", file=sys.stderr)
    this, base = trees[0], trees[-1]
    print(f"warm `make conformance` against the bundled mock, median of {runs} interleaved runs per tree "
          f"(pytest options: {' '.join(make_conformance_options(this.root)) or 'none'} in {this.label}, "
          f"{' '.join(make_conformance_options(base.root)) or 'none'} in {base.label})")
    for mode in modes:
        mine, theirs = series[(mode, this.label)], series[(mode, base.label)]
        print("search as by default (auto: on against the mock):" if mode == "default" else f"--search={mode}:")
        for one in (mine, theirs):
            print(f"  {one.tree.label:<20} {one.figures()}")
        ratio = statistics.median(mine.seconds) / statistics.median(theirs.seconds)
        reference = theirs.verdicts[0]
        differing = sorted({d for v in (*mine.verdicts, *theirs.verdicts[1:]) for d in _differences(v, reference)})
        same = "the same in every run" if not differing else f"differ: {'; '.join(differing[:8])}"
        print(f"  ratio {ratio:.2f} ({this.label} / {base.label}); requirement verdicts {same}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=5, help="measured runs per tree and mode (default 5)")
    parser.add_argument("--baseline", default=BASELINE, help=f"the commit to compare with (default {BASELINE})")
    parser.add_argument("--modes", nargs="+", choices=("default", "on", "off", "auto"), default=["default", "off"],
                        help="the --search settings to measure, default for none (default: default off)")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    with baseline(args.baseline) as base:
        measure((current(), base), args.modes, args.runs)


if __name__ == "__main__":
    main()
