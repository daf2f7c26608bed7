"""``oauth-conformance health``: is the watched integration working? With its own credentials and no
admin login: Creatio's OAuth diagnostics where the instance offers them, a token, one API call.

Output: one line (``healthy: diagnostics 12 ms, token 120 ms, api 35 ms``), or ``--json`` an object; with
``--prometheus PATH`` also a Prometheus text-format file, replaced atomically, for the node_exporter
textfile collector (docs/monitoring/).

Exit status: 0 healthy; 1 unhealthy (a server answered, and wrongly); 2 unreachable (no answer) or
misconfigured (the line names the setting). Unlike the other subcommands, a wrong setting exits 2, not
4: the interface of ``health`` is the three statuses a monitor tells apart (DESIGN.md).
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from pathlib import Path

from oauth_conformance.errors import SettingsError
from oauth_conformance.health import HealthResult, as_json, one_line, prometheus_text, watch, write_atomically
from oauth_conformance.settings import env_file_in, load_settings

__all__ = ["HELP", "NAME", "add_arguments", "run"]

NAME = "health"
HELP = "check one integration with its own credentials: diagnostics, a token, one API call (exit 0, 1 or 2)"
_MISCONFIGURED = 2
# As OAUTH_TIMEOUT allows.
_MAX_TIMEOUT = 600.0


def _timeout(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not (math.isfinite(value) and 0.1 <= value <= _MAX_TIMEOUT):
        raise argparse.ArgumentTypeError(f"expected seconds from 0.1 to {_MAX_TIMEOUT:g}, not {text!r}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Check one integration with its own credentials and no admin login: Creatio's OAuth diagnostics "
        "where the instance offers them, a client-credentials token, and one API call with it. "
        "Exit 0 healthy, 1 unhealthy, 2 unreachable or misconfigured."
    )
    parser.add_argument("--env-file", type=Path, metavar="PATH",
                        help="settings file (default: .env in the current folder, if any); the environment wins "
                             "over it")
    parser.add_argument("--target", choices=("creatio", "oauth"),
                        help="creatio: CREATIO_URL and the integration CREATIO_CLIENT_ID / CREATIO_CLIENT_SECRET; "
                             "oauth: OAUTH_ISSUER or OAUTH_TOKEN_URL, OAUTH_CLIENT_ID / OAUTH_CLIENT_SECRET and "
                             "OAUTH_RESOURCE_URL (default: OAUTH_TARGET)")
    parser.add_argument("--json", action="store_true", help="print the result as one JSON object")
    parser.add_argument("--prometheus", type=Path, metavar="PATH",
                        help="also write the result as a Prometheus text-format file (replaced atomically), "
                             "e.g. /var/lib/node_exporter/textfile_collector/oauth_health.prom")
    parser.add_argument("--timeout", type=_timeout, metavar="S",
                        help="seconds to wait for any one HTTP exchange (default: OAUTH_TIMEOUT, 10)")
    parser.add_argument("--name", help="how --json and --prometheus name the integration (label integration; "
                                       "default: its client id, masked)")


def _env_file(args: argparse.Namespace) -> Path | None:
    return Path(args.env_file) if args.env_file is not None else env_file_in(Path())


def _options(args: argparse.Namespace) -> dict[str, str | None]:
    return {
        "OAUTH_TARGET": args.target,
        "OAUTH_TIMEOUT": None if args.timeout is None else repr(args.timeout),
        # Health writes no reports and applies no waivers: settings of the suite's run that name files
        # (a reports folder to create, waiver files relative to a checkout) must not stop it, nor leave
        # a reports/ folder wherever cron runs it.
        "OAUTH_REPORTS_DIR": tempfile.gettempdir(),
        "OAUTH_WAIVERS": "none",
    }


def _prometheus_problem(path: Path | None) -> str | None:
    if path is None or path.parent.is_dir():
        return None
    return f"--prometheus {path}: no folder {path.parent}; expected a file in an existing folder"


def _check(args: argparse.Namespace) -> HealthResult:
    problem = _prometheus_problem(args.prometheus)
    if problem is not None:
        return HealthResult(args.target, args.name, (), time.time(), problem=problem)
    try:
        settings = load_settings(_options(args), env_file=_env_file(args))
    except SettingsError as error:
        return HealthResult(args.target, args.name, (), time.time(), problem=str(error))
    return watch(settings, args.name)


def run(args: argparse.Namespace) -> int:
    result = _check(args)
    print(as_json(result) if args.json else one_line(result), flush=True)
    if args.prometheus is not None and args.prometheus.parent.is_dir():
        try:
            write_atomically(args.prometheus, prometheus_text(result))
        except OSError as error:
            print(f"misconfigured: --prometheus {args.prometheus}: {error.strerror}; expected a writable file",
                  file=sys.stderr)
            return _MISCONFIGURED
    return result.exit_status
