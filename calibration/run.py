"""Calibration run: the suite's standards checks, with the ``oauth`` target, against each calibration server.

The servers (``calibration.servers``) are django-oauth-toolkit and Authlib, two independent
implementations. Every FAIL must be explained. A real deviation of a server is waived in that server's
waiver file, its reason naming what the server sent and where its source decides it; a misreading of
the suite is fixed in the suite. A server's calibration passes when it has no FAIL and no ERROR left,
every waiver still matches a deviation (a waiver whose check now passes is stale and must go), and no
client secret appears in its reports. Each server's reports land in ``<reports-dir>/<server>/``; the
client secrets of the throwaway servers stay in a temporary folder.

    python -m calibration.run [--reports-dir reports/calibration] [--server NAME]
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote, quote_plus

from oauth_conformance.redaction import REDACTOR, RedactingFilter
from tools.childrun import ROOT, SuiteRun, run_suite

from .servers import SERVER_NAMES, SERVERS, CalibrationServer, ServerName

__all__ = ["MARKER", "UNEXPLAINED", "UNPACED", "NoReportError", "calibrate", "main"]

UNEXPLAINED = ("FAIL", "ERROR")
# Requests a second for the search against a calibration server: the setting's ceiling, no pacing.
UNPACED = "10000"

# Written into each reports folder, so a later run replaces only folders this module made.
MARKER = ".calibration-reports"


class NoReportError(RuntimeError):
    """The suite ran against a server but wrote no report: nothing to calibrate."""


def _check_replaceable(reports: Path) -> None:
    if reports.exists() and any(reports.iterdir()) and not (reports / MARKER).is_file():
        raise SystemExit(f"--reports-dir {reports}: not empty and not a calibration reports folder; "
                         "expected a new or empty folder, or one an earlier calibration wrote")


def _mark(folder: Path) -> None:
    (folder / MARKER).write_text("written by python -m calibration.run\n", encoding="utf-8")


def _prepare_parent(reports: Path) -> None:
    """Make ``reports`` a calibration folder; drop what an earlier layout (one server, no subfolders) left."""
    _check_replaceable(reports)
    reports.mkdir(parents=True, exist_ok=True)
    for entry in reports.iterdir():
        if entry.name != MARKER and entry.name not in SERVER_NAMES:
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    _mark(reports)


def _replace_folder(source: Path, reports: Path) -> None:
    _check_replaceable(reports)
    if reports.exists():
        shutil.rmtree(reports)
    shutil.copytree(source, reports)
    _mark(reports)


def _canary(env: dict[str, str]) -> list[str]:
    """The client secrets in every form a report could carry them: as issued, and form-urlencoded."""
    secrets = [v for k, v in env.items() if k.endswith("_SECRET")]
    return sorted({form for secret in secrets for form in (secret, quote(secret, safe=""), quote_plus(secret))})


def calibrate(server: CalibrationServer, reports: Path) -> tuple[SuiteRun, list[str]]:
    """Run the suite against a fresh ``server``; return the run and the problems that fail its calibration."""
    _check_replaceable(reports)  # before the run, not after it
    with tempfile.TemporaryDirectory(prefix=f"calibration-{server.name}-") as scratch:
        # The server runs in this process; its own log lines (DOT warns about every discouraged
        # request it still serves) go to a file beside the reports, not to the console.
        server_log = logging.FileHandler(Path(scratch) / "server.log", encoding="utf-8")
        server_log.addFilter(RedactingFilter())  # like everything else the run writes
        logging.getLogger().addHandler(server_log)
        try:
            with server.running() as env:
                for name, value in env.items():
                    if name.endswith("_SECRET"):
                        REDACTOR.register(value)
                # The search too: its token endpoint and API properties must hold on independent servers. Not
                # paced: OAUTH_SEARCH_RATE spares a server the run does not own, and this one is the run's,
                # on loopback (at the 5 a second of a real target, pacing was most of the calibration).
                run = run_suite(Path(scratch), "tests/conformance", f"--waivers={server.waivers}", "--search=on",
                                env_file={**env, "OAUTH_SEARCH_RATE": UNPACED})
        finally:
            logging.getLogger().removeHandler(server_log)
            server_log.close()
        if not (run.reports / "conformance.json").is_file():
            raise NoReportError(f"the suite wrote no report (exit {run.returncode}): {run.stderr.strip()[-1000:]}")
        _replace_folder(run.reports, reports)
        shutil.copy(Path(scratch) / "server.log", reports / "server.log")
    run = dataclasses.replace(run, reports=reports)
    report = run.conformance
    # The canary, as for the mock: the server's client secrets appear in no report file.
    secrets = _canary(env)
    problems = [f"{path.relative_to(reports)} carries a client secret in clear"
                for path in sorted(reports.rglob("*")) if path.is_file()
                and any(secret in path.read_text(encoding="utf-8", errors="replace") for secret in secrets)]
    problems += [
        f"{r['verdict']} {r['id']}: {r.get('message', '')}" for r in report["requirements"]
        if r["verdict"] in UNEXPLAINED
    ]
    # A waiver that no longer matches a deviation (its check passes now, or no longer runs) is a
    # claim about the server the run did not confirm.
    problems += [f"waiver {w['id']} is {w['status']}" for w in report["run"]["waivers"] if w["status"] != "applied"]
    if run.returncode not in (0, 1):
        problems.append(f"the suite exited {run.returncode}: {run.stderr.strip()[-500:]}")
    return run, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m calibration.run", description=__doc__.split("\n")[0])
    parser.add_argument("--reports-dir", type=Path, default=ROOT / "reports" / "calibration",
                        help="where the reports go, one folder per server (default reports/calibration)")
    parser.add_argument("--server", choices=SERVER_NAMES, action="append", dest="servers",
                        help="calibrate against this server only (repeatable; default: every server)")
    args = parser.parse_args(argv)
    names: list[ServerName] = args.servers or list(SERVER_NAMES)
    _prepare_parent(args.reports_dir)
    failed = False
    for name in names:
        started = time.monotonic()
        folder = args.reports_dir / name
        try:
            run, problems = calibrate(SERVERS[name], folder)
        except NoReportError as error:
            print(f"calibration against {name}: {error}")  # noqa: T201
            failed = True
            continue
        counts = Counter(run.verdicts().values())
        summary = ", ".join(f"{verdict} {count}" for verdict, count in sorted(counts.items()))
        print(f"calibration against {name}: {summary}; {time.monotonic() - started:.0f} s; "  # noqa: T201
              f"reports in {folder}")
        for problem in problems:
            print(f"  unexplained: {problem}")  # noqa: T201
        failed = failed or bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
