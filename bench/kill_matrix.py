"""Wall time of the whole kill matrix, this tree against a baseline commit, one after the other in one run;
and what one child run costs forked from the preloaded server against a new interpreter, side by side.

    python bench/kill_matrix.py                 the whole matrix of each (about 15 minutes), then the child runs
    python bench/kill_matrix.py --rows 10       only the first 10 rows of each matrix (a quick check)
    python bench/kill_matrix.py --rows 0        the child runs alone
    options: --baseline 2f111b6, --runs 5 (child runs of each kind, alternated)

The machine is shared: compare the two columns of one run, never figures of different runs.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# Run as a script from the checkout: its root on the path, for bench._baseline and tools.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._baseline import Baseline, baseline, current
from tools.childrun import ROOT, SEARCH_DEFAULTS, clean_environ, env_file_text
from tools.forkrun import fork_server, shutdown_servers

# The first rows of a tree's matrix: both trees' run_kill_matrix hand their jobs to _run_jobs, which this
# narrows to the first N (the report's order) so that each tree runs the same rows its own way.
_FIRST_ROWS = """
import json, sys, tempfile
import tools.killmatrix as km
first, run_jobs = int(sys.argv[1]), km._run_jobs
km._run_jobs = lambda jobs, workers, runner: run_jobs(list(jobs)[:first], workers, runner)
matrix = km.run_kill_matrix(2)
print(json.dumps({"kill_rate": matrix.kill_rate, "rows": len(matrix.rows), "seconds": matrix.seconds}))
"""
CHILD_ARGS = ("-p", "no:hypothesispytest", "-p", "no:allure_pytest_bdd", "tests/conformance", "--search=off")


def _matrix(tree: Baseline, rows: int | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-kill-") as scratch:
        started = time.monotonic()
        if rows is None:
            done = subprocess.run([sys.executable, "-m", "tools.killmatrix", "--reports-dir", scratch],
                                  cwd=tree.root, env=tree.env, capture_output=True, text=True, check=False)
            wall = time.monotonic() - started
            data = json.loads((Path(scratch) / "kill-matrix.json").read_text(encoding="utf-8"))
            count = len(data["defects"]) + len(data["benign"]) + len(data["profiles"])
            return {"wall": wall, "kill_rate": data["kill_rate"], "rows": count, "exit": done.returncode}
        done = subprocess.run([sys.executable, "-c", _FIRST_ROWS, str(rows)], cwd=tree.root, env=tree.env,
                              capture_output=True, text=True, check=False)
        wall = time.monotonic() - started
        if done.returncode != 0:
            raise SystemExit(f"{tree.label}: the matrix's first rows did not run:\n{done.stderr[-3000:]}")
        data = json.loads(done.stdout.strip().splitlines()[-1])
        return {"wall": wall, "kill_rate": data["kill_rate"], "rows": data["rows"], "exit": done.returncode}


def _child_runs(runs: int) -> None:
    """The same scenarios-only run, forked and as a new interpreter, alternated: wall and CPU seconds."""
    environ = clean_environ()
    started = time.monotonic()
    server = fork_server(environ)
    print(f"fork server start (once per process and environment): {time.monotonic() - started:.2f} s")
    figures: dict[str, dict[str, list[float]]] = {k: {"wall": [], "cpu": []} for k in ("forked", "interpreter")}
    with tempfile.TemporaryDirectory(prefix="bench-child-") as scratch:
        for index in range(runs):
            for process in ("forked", "interpreter"):
                # What tools.childrun.run_suite runs, timed here for the CPU it spent as well.
                folder = Path(scratch) / f"{process}-{index}"
                folder.mkdir()
                (folder / "suite.env").write_text(env_file_text(SEARCH_DEFAULTS), encoding="utf-8")
                args = ["-p", "no:cacheprovider", f"--reports-dir={folder / 'reports'}", *CHILD_ARGS,
                        f"--env-file={folder / 'suite.env'}"]
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                started = time.monotonic()
                if process == "forked":
                    # Its supervisor counts its CPU (wait4): it is no child of this process.
                    forked = server.run(args, ROOT, environ, 300)
                    code, cpu = forked.returncode, forked.cpu_seconds
                else:
                    done = subprocess.run([sys.executable, "-m", "pytest", *args], cwd=ROOT, env=environ,
                                          capture_output=True, check=False)
                    after = resource.getrusage(resource.RUSAGE_CHILDREN)
                    code = done.returncode
                    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
                figures[process]["wall"].append(time.monotonic() - started)
                figures[process]["cpu"].append(cpu)
                if code != 0:
                    raise SystemExit(f"the {process} child run exited {code}")
    shutdown_servers()
    print(f"one child run (pytest {' '.join(CHILD_ARGS)}), median of {runs}, alternated:")
    print(f"{'':10}{'forked':>10}{'new interpreter':>18}{'saved':>10}")
    for measure in ("wall", "cpu"):
        forked_s = statistics.median(figures["forked"][measure])
        fresh_s = statistics.median(figures["interpreter"][measure])
        print(f"{measure + ' s':10}{forked_s:>10.2f}{fresh_s:>18.2f}{fresh_s - forked_s:>10.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=None, help="only the first N rows of each matrix")
    parser.add_argument("--baseline", default="2f111b6", help="the commit to compare with (default 2f111b6)")
    parser.add_argument("--runs", type=int, default=5, help="child runs of each kind for the per-run cost")
    args = parser.parse_args()
    if args.rows != 0:
        results = {}
        this = current()
        results[this.label] = _matrix(this, args.rows)
        with baseline(args.baseline) as base:
            results[base.label] = _matrix(base, args.rows)
        label = "the whole kill matrix" if args.rows is None else f"the first {args.rows} rows of the kill matrix"
        print(f"{label}, one after the other:")
        print(f"{'':22}{'wall s':>8}{'rows':>6}{'kill rate':>11}{'exit':>6}")
        for name, figures in results.items():
            print(f"{name:22}{figures['wall']:>8.0f}{figures['rows']:>6}{figures['kill_rate']:>11.0%}"
                  f"{figures['exit']:>6}")
        mine, theirs = results[this.label]["wall"], results[base.label]["wall"]
        print(f"ratio this tree / baseline: {mine / theirs:.2f}\n")
    _child_runs(args.runs)


if __name__ == "__main__":
    main()
