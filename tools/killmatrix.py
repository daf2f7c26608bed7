"""The kill matrix: the suite against the mock with each seeded defect and each benign variant.

A defect is *killed* when exactly the requirements it declares trip (FAIL, WARN, INFO or ERROR) and
nothing else; a benign variant must trip nothing, and so must the clean profiles. Writes
``kill-matrix.json`` (DESIGN.md § Outward interface) and ``kill-matrix.md``.

Each run covers the part of the suite the switch can reach: everything for the Creatio defects, the
benign variants and the clean profiles; the standards features alone for a standards defect that
declares no Creatio requirement (the Creatio scenarios are a third of a run's time, and each of them
has defects of its own).

The search (``OAUTH_SEARCH``) runs, derandomized, in the benign and clean runs, which it must pass too.
A defect of kind ``scenario`` is run with the fixed scenarios alone, as before the search existed. A
``sequence`` or ``input`` defect is run twice: with the search that can find it (the lifecycle state
machine, or the token endpoint and API properties) alone, which must trip exactly its requirements; and
with the fixed scenarios alone, which must trip none of them (``missed_by_scenarios``).

The search's budget. A search-only defect's row runs the search as CI does (the default, derandomized
budget): that is the budget that must kill it. A benign or clean row runs the search to show that it raises
no false alarm there. The default clean profiles (``FULL_SEARCH``: what ``make conformance`` and CI run
against) show it with the default budget; every other benign or clean row with ``SCREEN_BUDGET``, a third
of it, derandomized too. A benign variant or another generation changes what the server does for every
request of a kind (a claim, a header, a lifetime, a path, a delay), and every sequence and every property
example sends each kind of request, so a false alarm would come from its first examples; the third still
runs every lifecycle rule and every variant kind many times over. It is a screen, weaker than the full
budget on every row: a false alarm that only a long sequence on one variant raises would pass it.

Each child is a process of its own, forked from a preloaded server (tools/childrun.py), and the longest
rows start first, so that neither core waits on one long row at the end.

    python -m tools.killmatrix [--workers 2] [--reports-dir reports] [--rows N]   (make kill-matrix)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from oauth_conformance.mock import BENIGN, DEFECTS, Defect
from oauth_conformance.mock.defects import DefectKind
from tools.childrun import SuiteRun, run_suite
from tools.generations import GENERATIONS

__all__ = [
    "FAST",
    "FULL_SEARCH",
    "PROFILES",
    "SCREEN_BUDGET",
    "TRIPPED",
    "KillMatrix",
    "Row",
    "RowKind",
    "main",
    "matrix_jobs",
    "row_env",
    "run_generations",
    "run_kill_matrix",
    "write_kill_matrix",
]

# ERROR counts as tripped so that a defect which breaks the suite instead of failing a check shows up.
BROKEN = "run-broke"
TRIPPED = frozenset({"FAIL", "WARN", "INFO", "ERROR"})
# The kill runs need neither Hypothesis nor Allure; leaving them out halves each child's start-up.
FAST = ("-p", "no:hypothesispytest", "-p", "no:allure_pytest_bdd", "tests/conformance")
STANDARDS_ONLY = ("--ignore=tests/conformance/test_creatio.py",)
# The clean runs: the compliant profile, also served over https, and the creatio profile as each
# Creatio generation, runtime and hosting the mock reproduces (tools/generations.py; "8.3 .NET
# Framework" is the default run).
PROFILES: dict[str, tuple[str, tuple[str, ...]]] = {
    "compliant": ("compliant", ("--search=on",)),
    "compliant+tls": ("compliant", ("--mock-tls=true", "--search=on")),
} | {label: ("creatio", (*args, "--search=on")) for label, args in GENERATIONS.items()}


# A row of the matrix: a seeded defect, a benign variant, or a clean profile; "scenarios": a search-only
# defect run with the fixed scenarios alone (its missed_by_scenarios).
RowKind = Literal["defect", "benign", "profile", "scenarios"]
# The runs without the search, and the search alone for each kind of defect only it finds.
NO_SEARCH = ("--search=off",)
SEARCH_ONLY: dict[DefectKind, tuple[str, ...]] = {
    "sequence": ("--search=on", "-m", "search", "-k", "lifecycle"),
    "input": ("--search=on", "-m", "search", "-k", "not lifecycle"),
}
# The search explores the same examples in every child (tools/childrun.py derandomizes it), so that a
# row's verdict never depends on luck. The sequence defects' mock applies a deactivation at once: no
# token request after one needs polling (the benign deactivation-delay variant keeps the default wait).
SEARCH_ENV: dict[DefectKind, dict[str, str]] = {"sequence": {"CREATIO_DEACTIVATION_WAIT": "0"}}
# The benign and clean rows' search (see the module's doc): a third of the default sequences and examples
# (settings.py: 30 and 150), except on the clean profiles CI runs against, which keep the default.
SCREEN_BUDGET = {"OAUTH_SEARCH_SEQUENCES": "10", "OAUTH_SEARCH_EXAMPLES": "50"}
FULL_SEARCH = frozenset({"compliant", "8.3 .NET Framework"})


def _switch_args(name: str, tls: bool) -> tuple[str, ...]:
    """A benign variant's run: the whole suite, the search included (it must trip nothing either)."""
    return (f"--mock-defects={name}", *(("--mock-tls=true",) if tls else ()), "--search=on")


def _defect_args(defect: Defect, scenarios_alone: bool = False) -> tuple[str, ...]:
    """The run of one defect: the fixed scenarios for a scenario defect (and, ``scenarios_alone``, for a
    search-only one), else the search that finds it."""
    reaches_creatio = defect.profile == "creatio" or any(rid.startswith("CRE-") for rid in defect.expected)
    deactivation = (f"--mock-deactivation={defect.deactivation}",) if defect.deactivation != "per-request" else ()
    generation = (f"--mock-creatio-version={defect.creatio_version}",) if defect.creatio_version != "8.3" else ()
    switch = (f"--mock-defects={defect.name}", *(("--mock-tls=true",) if defect.tls else ()), *deactivation,
              *generation)
    if defect.kind == "scenario" or scenarios_alone:
        # A search-only defect's scenario run is the whole suite but the search: what CI would miss.
        narrowed = () if reaches_creatio or defect.kind != "scenario" else STANDARDS_ONLY
        return switch + NO_SEARCH + narrowed
    return switch + SEARCH_ONLY[defect.kind]


@dataclass(frozen=True)
class Row:
    kind: RowKind
    name: str
    profile: str  # the mock profile the run used, "+tls" when the mock served https
    expected: frozenset[str]
    tripped: frozenset[str]
    exit_code: int
    seconds: float = 0.0
    # The run's conformance.json, kept for the clean generation runs (the README's generation table).
    conformance: dict[str, Any] | None = None
    defect_kind: DefectKind = "scenario"
    # A search-only defect's run of the fixed scenarios alone.
    scenarios: Row | None = None

    @property
    def killed(self) -> bool:
        return self.tripped == self.expected

    @property
    def missed_by_scenarios(self) -> bool | None:
        """Whether the fixed scenarios alone pass cleanly with the defect on: they trip nothing and the run
        exits 0 (a run that broke, or trips another requirement, is a defect CI would notice, or an unknown;
        None: a scenario defect)."""
        return None if self.scenarios is None else not self.scenarios.tripped and self.scenarios.exit_code == 0


@dataclass(frozen=True)
class KillMatrix:
    rows: list[Row]
    seconds: float

    def of(self, kind: RowKind) -> list[Row]:
        return [r for r in self.rows if r.kind == kind]

    @property
    def kill_rate(self) -> float:
        defects = self.of("defect")
        return sum(r.killed for r in defects) / len(defects) if defects else 0.0

    def as_dict(self) -> dict[str, Any]:
        killed_by: dict[str, list[str]] = {}
        for row in self.of("defect"):
            for rid in sorted(row.tripped & row.expected):
                killed_by.setdefault(rid, []).append(row.name)
        return {
            "defects": [_defect_entry(r) for r in self.of("defect")],
            "benign": [{"name": r.name, "profile": r.profile, "tripped": sorted(r.tripped)} for r in self.of("benign")],
            "profiles": [{"name": r.name, "profile": r.profile, "tripped": sorted(r.tripped),
                          "seconds": round(r.seconds, 1)}
                         for r in self.of("profile")],
            "requirements": dict(sorted(killed_by.items())),
            "kill_rate": round(self.kill_rate, 4),
            "seconds": round(self.seconds, 1),
        }


def _defect_entry(row: Row) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": row.name, "kind": row.defect_kind, "profile": row.profile, "expected": sorted(row.expected),
        "tripped": sorted(row.tripped), "killed": row.killed, "exit_code": row.exit_code,
    }
    if row.scenarios is not None:
        entry["missed_by_scenarios"] = {
            "missed": row.missed_by_scenarios, "tripped": sorted(row.scenarios.tripped),
            "exit_code": row.scenarios.exit_code,
        }
    return entry


def _tripped(run: SuiteRun) -> frozenset[str]:
    return frozenset(rid for rid, verdict in run.verdicts().items() if verdict in TRIPPED)


Job = tuple[RowKind, str, str, frozenset[str], tuple[str, ...]]


def _profile_jobs(names: Sequence[str]) -> list[Job]:
    return [("profile", name, PROFILES[name][0], frozenset(), PROFILES[name][1]) for name in names]


def matrix_jobs() -> list[Job]:
    """Every run of the matrix, in the order of its report: defects, their scenario runs, benign, profiles."""
    searched = [d for d in DEFECTS.values() if d.kind != "scenario"]
    return (
        [("defect", n, d.profile, d.expected, _defect_args(d)) for n, d in sorted(DEFECTS.items())]
        + [("scenarios", d.name, d.profile, d.expected, _defect_args(d, scenarios_alone=True)) for d in searched]
        + [("benign", n, d.profile, frozenset(), _switch_args(n, d.tls)) for n, d in sorted(BENIGN.items())]
        + _profile_jobs(list(PROFILES))
    )


def row_env(kind: RowKind, name: str) -> dict[str, str]:
    """What a row's env file sets beyond the defaults: the sequence defects' wait, the screen budget."""
    if kind in ("defect", "scenarios"):
        return SEARCH_ENV.get(DEFECTS[name].kind, {})
    return {} if kind == "profile" and name in FULL_SEARCH else dict(SCREEN_BUDGET)


def _cost(job: Job) -> int:
    """A row's rank by how long it runs (a lifecycle search alone, then the other searches, then the
    whole suite, then the standards alone): the scheduling order, longest first."""
    kind, name, _, _, args = job
    if "lifecycle" in args:
        return 5
    if kind == "profile" and name in FULL_SEARCH:
        return 4
    if "--search=on" in args:
        return 3 if kind in ("benign", "profile") else 2
    return 0 if STANDARDS_ONLY[0] in args else 1


def run_generations(workers: int = 2, runner: Callable[..., SuiteRun] = run_suite) -> list[Row]:
    """The clean run of each Creatio generation alone (what tools/generations.py tabulates)."""
    return _run_jobs(_profile_jobs(list(GENERATIONS)), workers, runner)[0]


def run_kill_matrix(workers: int = 2, runner: Callable[..., SuiteRun] = run_suite,
                    rows: int | None = None) -> KillMatrix:
    """The whole matrix, or (``rows``) its first rows only, for a quick look."""
    jobs = matrix_jobs()[:rows]
    done, seconds = _run_jobs(jobs, workers, runner)
    scenario_runs = {r.name: r for r in done if r.kind == "scenarios"}
    paired = [
        replace(r, defect_kind=DEFECTS[r.name].kind, scenarios=scenario_runs.get(r.name)) if r.kind == "defect" else r
        for r in done if r.kind != "scenarios"
    ]
    return KillMatrix(paired, seconds)


def _run_jobs(jobs: Sequence[Job], workers: int, runner: Callable[..., SuiteRun]) -> tuple[list[Row], float]:
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as scratch:

        def one(job: Job) -> Row:
            kind, name, profile, expected, args = job
            folder = Path(scratch) / f"{kind}-{name}".replace(" ", "_")
            folder.mkdir()
            # The label says how the mock ran: its profile, and "+tls" when it served https.
            version = next((a.split("=", 1)[1] for a in args if a.startswith("--mock-creatio-version=")), None)
            label = profile + (f" {version}" if version and kind == "defect" else "") + (
                "+tls" if "--mock-tls=true" in args else "")
            try:
                run = runner(folder, *FAST, f"--mock-profile={profile}", *args, env_file=row_env(kind, name))
                conformance = run.conformance if kind == "profile" else None
                return Row(kind, name, label, expected, _tripped(run), run.returncode, run.seconds, conformance)
            except (OSError, ValueError, subprocess.TimeoutExpired) as error:
                # A run that broke (no report, a hang) is a row that can be neither killed nor clean.
                return Row(kind, name, label, expected, frozenset({f"{BROKEN}: {type(error).__name__}"}), -1)

        # Longest first (a stable sort keeps the report's order among equals); the rows in the report's order.
        order = sorted(range(len(jobs)), key=lambda i: -_cost(jobs[i]))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            done = dict(zip(order, pool.map(one, [jobs[i] for i in order]), strict=True))
    return [done[i] for i in range(len(jobs))], time.monotonic() - started


def write_kill_matrix(matrix: KillMatrix, reports: Path) -> None:
    reports.mkdir(parents=True, exist_ok=True)
    data = matrix.as_dict()
    (reports / "kill-matrix.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    lines = [
        "# Kill matrix",
        "",
        f"Kill rate {data['kill_rate']:.0%} over {len(data['defects'])} defects; "
        f"{sum(1 for b in data['benign'] if b['tripped'])} of {len(data['benign'])} benign variants tripped; "
        f"{data['seconds']:.0f} s.",
        "",
        "| defect | kind | profile | killed | expected | tripped | the fixed scenarios alone |",
        "|---|---|---|---|---|---|---|",
    ]
    for d in data["defects"]:
        killed = "yes" if d["killed"] else "**no**"
        alone = d.get("missed_by_scenarios")
        scenarios = "" if alone is None else (
            "miss it" if alone["missed"] else f"**trip {', '.join(alone['tripped'])}**")
        lines.append(f"| {d['name']} | {d['kind']} | {d['profile']} | {killed} | {', '.join(d['expected'])} "
                     f"| {', '.join(d['tripped'])} | {scenarios} |")
    lines += ["", "| benign variant or profile | profile | tripped |", "|---|---|---|"]
    lines += [f"| {b['name']} | {b.get('profile', b['name'])} | {', '.join(b['tripped']) or 'nothing'} |"
              for b in data["benign"] + data["profiles"]]
    lines += ["", "| generation run | seconds |", "|---|---|"]
    lines += [f"| {p['name']} | {p['seconds']} |" for p in data["profiles"]]
    lines += ["", "| requirement | killed by |", "|---|---|"]
    lines += [f"| {rid} | {', '.join(names)} |" for rid, names in data["requirements"].items()]
    (reports / "kill-matrix.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.killmatrix", description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=2, help="suite runs at once (default 2)")
    parser.add_argument("--reports-dir", type=Path, default=Path("reports"), help="where to write kill-matrix.*")
    parser.add_argument("--rows", type=int, default=None, help="run only the first N rows (a quick look)")
    args = parser.parse_args(argv)
    matrix = run_kill_matrix(args.workers, rows=args.rows)
    write_kill_matrix(matrix, args.reports_dir)
    data = matrix.as_dict()
    print(f"kill rate {data['kill_rate']:.0%} over {len(data['defects'])} defects, "  # noqa: T201 - a CLI
          f"{len(data['benign'])} benign variants, {data['seconds']:.0f} s; {args.reports_dir}/kill-matrix.md")
    clean = all(not r.tripped and r.exit_code == 0 for r in matrix.rows if r.kind != "defect")
    missed = all(r.missed_by_scenarios is not False for r in matrix.of("defect"))
    return 0 if matrix.kill_rate == 1.0 and clean and missed else 1


if __name__ == "__main__":
    raise SystemExit(main())
