"""Runs the conformance suite in a child pytest, the way a user or CI would, and reads what it wrote.

Used by the kill matrix, the calibration and the self-tests; the child runs in the project root, where
the features, steps and root conftest live (so this is tooling of a checkout, not of the package).

A child is a process of its own either way: by default forked from a server that has pytest and the
suite's package imported already (``tools/forkrun.py``: the same fresh state, without an interpreter
start and a second of imports per run), or ``process="interpreter"``: ``python -m pytest`` started anew,
for what needs a real interpreter start (its command line, ``-X`` options, the installed script).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from oauth_conformance.mock.run_keys import prepare_key_file
from oauth_conformance.settings import SETTINGS
from tools.forkrun import fork_server

ROOT = Path(__file__).resolve().parents[1]
__all__ = ["ROOT", "SEARCH_DEFAULTS", "ChildProcess", "SuiteRun", "clean_environ", "env_file_text", "run_suite"]
_BARE_VALUE = re.compile(r"[A-Za-z0-9_.:/@-]*")
# The search (seconds of Hypothesis per run) is off unless a run asks for it (--search=on, or its env
# file): most child runs test something else. Where it runs, it explores the same examples every time,
# so that two runs compared with each other (serial and -n 2, a baseline and a rerun) differ in nothing else.
SEARCH_DEFAULTS = {"OAUTH_SEARCH": "off", "OAUTH_SEARCH_DERANDOMIZE": "true"}
# How a child run gets its process: forked from the preloaded server, or a new interpreter.
ChildProcess = Literal["forked", "interpreter"]


@dataclass(frozen=True)
class SuiteRun:
    returncode: int
    stdout: str
    stderr: str
    reports: Path
    seconds: float

    @property
    def conformance(self) -> dict[str, Any]:
        document: dict[str, Any] = json.loads((self.reports / "conformance.json").read_text(encoding="utf-8"))
        return document

    def verdicts(self) -> dict[str, str]:
        return {r["id"]: r["verdict"] for r in self.conformance["requirements"]}


def clean_environ() -> dict[str, str]:
    """The child sees none of this process's suite settings: only what the test passes.

    PYTHONDONTWRITEBYTECODE is dropped as well: with it, every one of the kill matrix's hundred
    children compiled and assertion-rewrote the whole project anew (about a fifth of each run).
    The caches land in the git-ignored ``__pycache__`` folders.
    """
    names = {s.env for s in SETTINGS} | {"PYTHONDONTWRITEBYTECODE"}
    return {k: v for k, v in os.environ.items() if k not in names and not k.startswith("PYTEST_")}


def env_file_text(env: Mapping[str, str]) -> str:
    """NAME=value lines for a .env file; values python-dotenv would misread are single-quoted."""
    lines = []
    for name, value in env.items():
        if not _BARE_VALUE.fullmatch(value):
            # python-dotenv takes single-quoted values literally, except for \\ and \'.
            value = "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
        lines.append(f"{name}={value}\n")
    return "".join(lines)


def run_suite(tmp: Path, *args: str, env_file: dict[str, str] | None = None, timeout: float = 300,
              process: ChildProcess = "forked") -> SuiteRun:
    reports = tmp / "reports"
    pytest_args = ["-p", "no:cacheprovider", f"--reports-dir={reports}", *args]
    # Always an env file of the test's own, so a developer's .env (say, a real Creatio) is never read.
    path = tmp / "suite.env"
    path.write_text(env_file_text(SEARCH_DEFAULTS | (env_file or {})), encoding="utf-8")
    pytest_args.append(f"--env-file={path}")
    # Every child's mock loads the keys the first one generated (the variable is inherited).
    prepare_key_file()
    environ = clean_environ()
    started = time.monotonic()
    if process == "forked":
        forked = fork_server(environ).run(pytest_args, ROOT, environ, timeout)
        returncode, stdout, stderr = forked.returncode, forked.stdout, forked.stderr
    else:
        completed = subprocess.run([sys.executable, "-m", "pytest", *pytest_args], cwd=ROOT, env=environ,
                                   capture_output=True, text=True, timeout=timeout, check=False)
        returncode, stdout, stderr = completed.returncode, completed.stdout, completed.stderr
    return SuiteRun(returncode, stdout, stderr, reports, time.monotonic() - started)
