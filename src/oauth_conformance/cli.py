"""``oauth-conformance`` (also ``python -m oauth_conformance``): the suite's command line, one
subcommand a module in ``oauth_conformance.commands``.

    run [OPTION ...]       the suite, from any directory (options: the suite's and pytest's)
    health                 one integration, with its own credentials: diagnostics, a token, one API call
    evidence ID [ID ...]   one exchange of the last run, as its findings cite it (E44), redacted

A usage error exits 2. A wrong setting is one line naming it, and exits 4 as the suite itself does,
except for ``health``, whose statuses are fixed for monitoring (0 healthy, 1 unhealthy, 2 unreachable or
misconfigured); each command's ``--help`` gives its own.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from types import ModuleType

from oauth_conformance.commands import evidence, health, run
from oauth_conformance.errors import SettingsError

__all__ = ["COMMANDS", "console_main", "main"]

COMMANDS: tuple[ModuleType, ...] = (run, health, evidence)
_SETTINGS = 4


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="oauth-conformance",
        description="The OAuth 2.0 client-credentials conformance suite's command line.",
    )
    subcommands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.add_arguments(subcommands.add_parser(command.NAME, help=command.HELP))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args, passed = parser.parse_known_args(argv)
    command = next(c for c in COMMANDS if args.command == c.NAME)
    # Only a command that hands its other options on (run, to pytest) takes options it does not know.
    if passed and not getattr(command, "PASSES_THROUGH", False):
        parser.error(f"unrecognized arguments: {' '.join(passed)}")
    try:
        result: int = command.run(args, passed) if getattr(command, "PASSES_THROUGH", False) else command.run(args)
    except SettingsError as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return _SETTINGS
    return result


def console_main() -> None:
    """The ``oauth-conformance`` script."""
    raise SystemExit(main())
