"""Which Creatio scenarios run, skip (and why) and pass on each Creatio generation the mock reproduces.

The table in the README is generated from the kill matrix's clean generation runs (the same runs that
must trip nothing); ``make generations`` runs them and rewrites it, and the kill-matrix self-test fails
when the README's table is not what the runs show.

    python -m tools.generations [--check]   (make generations)
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["GENERATIONS", "README", "generation_table", "main", "readme_table", "with_table"]

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
START, END = "<!-- generations:start -->", "<!-- generations:end -->"
CREATIO_TESTS = "tests/conformance/test_creatio.py::"

# Column label → the suite's mock options. 8.3 on .NET Framework, on-site, is the default run.
GENERATIONS: dict[str, tuple[str, ...]] = {
    f"{version} {label}": (f"--mock-creatio-version={version}", f"--mock-path-style={style}")
    for version in ("8.0", "8.1", "8.2", "8.3")
    for label, style in ((".NET Framework", "netframework"), (".NET", "netcore"))
} | {"8.3 cloud": ("--mock-hosting=cloud",)}

_RUN_SPECIFIC = (
    (re.compile(r"\bE\d+\b"), "E…"),  # evidence IDs
    (re.compile(r"occ-[0-9a-z]+-[0-9a-z]+-"), "occ-…-"),  # the run prefix
    (re.compile(r"\d+\.\d+ s\b"), "… s"),  # timings
)


def _stable(text: str) -> str:
    for pattern, replacement in _RUN_SPECIFIC:
        text = pattern.sub(replacement, text)
    return text.replace("|", "\\|").strip()


def _scenario_outcomes(conformance: Mapping[str, Any]) -> dict[str, tuple[str, str | None]]:
    """Each Creatio scenario of one run: pass, warn, FAIL, waived or skip, and a skip's reason."""
    waived = {r["id"] for r in conformance["requirements"] if r["verdict"] == "WAIVED"}
    verdicts: dict[str, set[str]] = {}
    reasons: dict[str, str] = {}
    for requirement in conformance["requirements"]:
        for finding in requirement["findings"]:
            test = finding.get("test") or ""
            if not test.startswith(CREATIO_TESTS):
                continue
            verdict = finding["verdict"]
            if verdict == "FAIL" and requirement["id"] in waived:
                verdict = "WAIVED"
            verdicts.setdefault(test, set()).add(verdict)
            if verdict == "SKIP":
                reasons.setdefault(test, _stable(finding["message"]))
    outcomes: dict[str, tuple[str, str | None]] = {}
    for test, seen in verdicts.items():
        if "SKIP" in seen:
            outcomes[test] = ("skip", reasons[test])
        elif seen & {"FAIL", "ERROR"}:
            outcomes[test] = ("**FAIL**", None)
        elif "WAIVED" in seen:
            outcomes[test] = ("waived", None)
        elif "WARN" in seen:
            outcomes[test] = ("warn", None)
        else:
            outcomes[test] = ("pass", None)
    return outcomes


def _title(test: str) -> str:
    name = test.removeprefix(CREATIO_TESTS).removeprefix("test_")
    name, _, parameter = name.partition("[")
    title = name.replace("_", " ").capitalize()
    return f"{title} ({parameter.rstrip(']').split('-')[0]})" if parameter else title


def generation_table(runs: Mapping[str, Mapping[str, Any]]) -> str:
    """A markdown table: one row per Creatio scenario, one column per generation, skip reasons as notes."""
    outcomes = {label: _scenario_outcomes(conformance) for label, conformance in runs.items()}
    tests = sorted({test for per_run in outcomes.values() for test in per_run})
    notes: dict[str, int] = {}
    header = ["| scenario | " + " | ".join(runs) + " |", "|---" * (len(runs) + 1) + "|"]
    rows = []
    for test in tests:
        cells = []
        for label in runs:
            outcome, reason = outcomes[label].get(test, ("not run", None))
            if reason is not None:
                number = notes.setdefault(reason, len(notes) + 1)
                outcome = f"{outcome} ({number})"
            cells.append(outcome)
        rows.append(f"| {_title(test)} | " + " | ".join(cells) + " |")
    footnotes = [f"{number}. {reason}" for reason, number in notes.items()]
    return "\n".join([*header, *rows, "", *footnotes]) + "\n"


def with_table(readme: str, table: str) -> str:
    """The README text with the block between the generation markers replaced by ``table``."""
    before, start, rest = readme.partition(START)
    _, end, after = rest.partition(END)
    if not start or not end:
        raise ValueError(f"README.md has no {START} … {END} block")
    return f"{before}{START}\n{table}{END}{after}"


def readme_table(readme: str) -> str:
    """The table the README holds now."""
    return readme.partition(START)[2].partition(END)[0].lstrip("\n")


def main(argv: list[str] | None = None) -> int:
    from tools.killmatrix import run_generations

    parser = argparse.ArgumentParser(prog="python -m tools.generations", description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="only report whether the README table is current")
    args = parser.parse_args(argv)
    rows = run_generations()
    table = generation_table({row.name: row.conformance or {} for row in rows})
    for row in rows:
        print(f"{row.name}: {row.seconds:.1f} s, tripped {sorted(row.tripped) or 'nothing'}")  # noqa: T201 - a CLI
    readme = README.read_text(encoding="utf-8")
    if args.check:
        current = readme_table(readme) == table
        print("README table is current" if current else "README table is stale: run make generations")  # noqa: T201
        return 0 if current else 1
    README.write_text(with_table(readme, table), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
