"""``oauth-conformance`` (also ``python -m oauth_conformance``): the suite's command line, one
subcommand a module in ``oauth_conformance.commands``.

    evidence ID [ID ...]   one exchange of the last run, as its findings cite it (E44), redacted

Every subcommand exits 2 on a usage error and 4 on a wrong setting (one line naming it), as the suite
itself does; its other exit statuses are its own (``--help`` says them).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from types import ModuleType

from oauth_conformance.commands import evidence
from oauth_conformance.errors import SettingsError

__all__ = ["console_main", "main"]

COMMANDS: tuple[ModuleType, ...] = (evidence,)
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
    args = _parser().parse_args(argv)
    command = next(c for c in COMMANDS if args.command == c.NAME)
    try:
        result: int = command.run(args)
    except SettingsError as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return _SETTINGS
    return result


def console_main() -> None:
    """The ``oauth-conformance`` script."""
    raise SystemExit(main())
