"""``oauth-conformance evidence ID [ID ...]``: exchanges of the last run, as its findings cite them (E44),
redacted.

Exit status: 0 printed; 1 an ID the run's evidence log does not hold; 2 a malformed ID; 4 a reports
folder without an evidence log (a wrong setting, as the suite itself exits on one).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from oauth_conformance.redaction import REDACTOR
from oauth_conformance.report.evidence_log import EVIDENCE_FILE, find_exchanges, normalise_id

__all__ = ["HELP", "NAME", "add_arguments", "run"]

NAME = "evidence"
HELP = "print exchanges of the last run, by the IDs its findings cite (E44)"
_NOT_FOUND, _USAGE = 1, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = "Print exchanges of the last run by the IDs its findings and reports cite (E44, e44 or 44)."
    parser.add_argument("ids", nargs="+", metavar="ID", help="an evidence ID such as E44")
    parser.add_argument(
        "--reports-dir", type=Path, default=Path("reports"), help="where the run wrote its reports (default: reports)"
    )
    parser.add_argument("--json", action="store_true", help="print each exchange as its evidence.jsonl line")


def run(args: argparse.Namespace) -> int:
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
        print(f"not in {args.reports_dir / EVIDENCE_FILE}: {', '.join(missing)}", file=sys.stderr)
        return _NOT_FOUND
    return 0
