"""``oauth-conformance run [OPTION ...]``: the suite, from any directory, as an installed package.

Every option is the suite's own pytest option (``--target``, ``--env-file``, ``--reports-dir``,
``--baseline`` ...) or pytest's (``-n 4``, ``-m creatio``, ``-k token``), passed through. The suite runs
with its own pytest configuration (``oauth_conformance/suite/pytest.ini``), never the folder's; its
reports go to ``--reports-dir`` (default ``reports`` in the current folder); its settings are read from
``--env-file``, else from ``.env`` in the current folder when there is one, and from the environment.

Exit status: pytest's and the gate's, as ``pytest`` in the checkout: 0 passed, 1 the gate failed,
2 interrupted, 4 a wrong setting, 5 nothing selected.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import pytest

from oauth_conformance.settings import env_file_in
from oauth_conformance.suite import features_dir, scenarios_dir

__all__ = ["HELP", "NAME", "PASSES_THROUGH", "add_arguments", "pytest_arguments", "run"]

NAME = "run"
HELP = "run the suite (every other option is the suite's or pytest's, passed through)"
# The command takes the options it does not know itself and hands them to pytest.
PASSES_THROUGH = True
_CONFIGURATION = Path(__file__).resolve().parents[1] / "suite" / "pytest.ini"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Run the suite from any directory. Every option is the suite's pytest option (--target, --env-file, "
        "--reports-dir, --baseline, --fail-on ...) or pytest's own (-n 4, -m creatio, -k token), passed "
        "through; `oauth-conformance run --help-pytest` lists them all."
    )
    parser.add_argument("--help-pytest", action="store_true", help="list every option the run takes, and exit")


def pytest_arguments(passed: list[str], cwd: Path) -> list[str]:
    """The pytest command line of a run from ``cwd`` with the options ``passed``."""
    scenarios, features = scenarios_dir(), features_dir()
    arguments = [
        "-c", str(_CONFIGURATION),
        # The folder that holds both (the installed suite's, or the checkout): pytest-bdd and Allure name
        # a feature by its path below it.
        f"--rootdir={os.path.commonpath([scenarios, features])}",
        "-o", f"bdd_features_base_dir={features}",
    ]
    env_file_given = any(option == "--env-file" or option.startswith("--env-file=") for option in passed)
    if not env_file_given and (env_file := env_file_in(cwd)) is not None:
        arguments.append(f"--env-file={env_file}")
    # Only the suite's scenarios are collected, whatever the folder holds.
    return [*arguments, *passed, str(scenarios)]


def run(args: argparse.Namespace, passed: list[str]) -> int:
    if args.help_pytest:
        return int(pytest.main(["-c", str(_CONFIGURATION), "--help"]))
    return int(pytest.main(pytest_arguments(passed, Path.cwd())))
