"""``python -m oauth_conformance``: the suite's command line.

    evidence ID [ID ...]   one exchange of the last run, as its findings cite it (E44), redacted

Exit status: 0 done; 1 an ID the run's evidence log does not hold; 2 a usage error; 4 a wrong setting
(a reports folder without an evidence log), as the suite itself exits on one.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from oauth_conformance.errors import SettingsError
from oauth_conformance.redaction import REDACTOR
from oauth_conformance.report.evidence_log import find_exchanges, normalise_id

__all__ = ["main"]

_NOT_FOUND, _USAGE, _SETTINGS = 1, 2, 4


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m oauth_conformance",
        description="The OAuth 2.0 client-credentials conformance suite's command line.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    evidence = commands.add_parser(
        "evidence",
        help="print exchanges of the last run, by the IDs its findings cite (E44)",
        description="Print exchanges of the last run by the IDs its findings and reports cite (E44, e44 or 44).",
    )
    evidence.add_argument("ids", nargs="+", metavar="ID", help="an evidence ID such as E44")
    evidence.add_argument(
        "--reports-dir", type=Path, default=Path("reports"), help="where the run wrote its reports (default: reports)"
    )
    evidence.add_argument("--json", action="store_true", help="print each exchange as its evidence.jsonl line")
    return parser


def _evidence(args: argparse.Namespace) -> int:
    ids = [normalise_id(text) for text in args.ids]
    unknown = [text for text, normal in zip(args.ids, ids, strict=True) if normal is None]
    if unknown:
        print(f"not an evidence ID: {', '.join(unknown)}; expected E and a number, such as E44", file=sys.stderr)
        return _USAGE
    wanted = [i for i in ids if i is not None]
    found = find_exchanges(args.reports_dir, wanted)
    for index, exchange_id in enumerate(wanted):
        exchange = found.get(exchange_id)
        if exchange is None:
            continue
        if args.json:
            print(REDACTOR.text(json.dumps(exchange.as_dict(), ensure_ascii=False)))
            continue
        if index:
            print()
        print(f"# {exchange_id}" + (f" · {exchange.test}" if exchange.test else ""))
        # Redacted when it was recorded; once more, in case the file was written by an older version.
        print(REDACTOR.text(exchange.as_text()))
    missing = [i for i in wanted if i not in found]
    if missing:
        print(f"not in {args.reports_dir / 'evidence.jsonl'}: {', '.join(missing)}", file=sys.stderr)
        return _NOT_FOUND
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _evidence(args)
    except SettingsError as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return _SETTINGS
