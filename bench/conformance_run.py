"""Wall time of the conformance run against the bundled mock: python bench/conformance_run.py [runs]."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    timings = []
    for index in range(runs):
        with tempfile.TemporaryDirectory() as reports:
            started = time.monotonic()
            completed = subprocess.run(
                [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--reports-dir={reports}"],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=False,
            )
            elapsed = time.monotonic() - started
        outcome = completed.stdout.strip().splitlines()[-1] if completed.stdout.strip() else "(no output)"
        print(f"run {index + 1}: {elapsed:.2f} s, exit {completed.returncode}, {outcome}")
        timings.append(elapsed)
    median = statistics.median(timings)
    print(f"median {median:.2f} s, min {min(timings):.2f} s, max {max(timings):.2f} s over {runs} runs")


if __name__ == "__main__":
    main()
