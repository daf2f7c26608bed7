"""``python -m oauth_conformance.mock``: run the mock Creatio + Identity Service standalone.

Prints the URLs, the admin login and two ready-to-paste ``.env`` blocks (one for the suite's
``creatio`` target, with the integration ``oauth-conformance health`` watches, one for its generic
``oauth`` target with the seeded clients), then serves until Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import signal
import sys
import tempfile
import threading
from pathlib import Path
from types import FrameType

from .defects import BENIGN, DEFECTS
from .options import CREATIO_VERSIONS, DEACTIVATIONS, HOSTINGS, PATH_STYLES, PROFILES, MockOptions
from .server import start_mock
from .tls import TlsFiles, issue_loopback_tls


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port must be between 0 and 65535, not {value}")
    return value


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive, not {value}")
    return value


def _url(text: str) -> str:
    if not text.startswith(("http://", "https://")):
        raise argparse.ArgumentTypeError(f"not an http(s) URL: {text!r}")
    return text.rstrip("/")


def build_parser() -> argparse.ArgumentParser:
    switches = {**DEFECTS, **BENIGN}
    parser = argparse.ArgumentParser(
        prog="python -m oauth_conformance.mock",
        description="Run the bundled mock of Creatio and its Identity Service.",
        epilog="Defects and benign variants: "
        + "; ".join(f"{name}: {d.description}" for name, d in sorted(switches.items())),
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--creatio-port", type=_port, default=0, help="Creatio port (default: a free one)")
    parser.add_argument("--identity-port", type=_port, default=0, help="Identity Service port (default: a free one)")
    parser.add_argument("--profile", choices=PROFILES, default="creatio",
                        help="creatio: Creatio's behaviour; compliant: every MUST and SHOULD (default creatio)")
    parser.add_argument("--deactivation", choices=DEACTIVATIONS, default="per-request",
                        help="per-request: newer builds; until-expiry: 8.1 (default per-request)")
    parser.add_argument("--path-style", choices=PATH_STYLES, default="netframework",
                        help="netframework: services under /0/; netcore: at the root (default netframework)")
    parser.add_argument("--creatio-version", choices=CREATIO_VERSIONS, default="8.3",
                        help="the Creatio generation to reproduce (default 8.3)")
    parser.add_argument("--hosting", choices=HOSTINGS, default="onsite",
                        help="onsite: run by the customer; cloud: Creatio-managed (default onsite)")
    parser.add_argument("--defect", action="append", default=[], choices=sorted(switches), metavar="NAME",
                        help="turn on a defect or benign variant (repeatable)")
    parser.add_argument("--issuer", help="issuer to publish and sign with (default: the Identity Service URL)")
    parser.add_argument("--public-identity-url", type=_url,
                        help="Identity Service URL to announce when behind a reverse proxy")
    parser.add_argument("--public-creatio-url", type=_url, help="Creatio URL to announce when behind a reverse proxy")
    parser.add_argument("--token-lifetime", type=_positive, default=None,
                        help="access token lifetime in seconds (default: 3600 creatio, 600 compliant)")
    parser.add_argument("--admin-user", default="Supervisor", help="admin login name (default Supervisor)")
    parser.add_argument("--admin-password", default="Supervisor", help="admin password (default Supervisor)")
    parser.add_argument("--tls", action="store_true",
                        help="serve https with a throwaway CA of its own (its file is printed as OAUTH_CA_BUNDLE)")
    return parser


def _announced(public: str, listening: str) -> str:
    return public if public == listening else f"{public}  (listening on {listening})"


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="oauth-conformance-mock-tls-") as folder:
        tls = issue_loopback_tls(Path(folder)) if args.tls else None
        return _serve(args, tls)


def _serve(args: argparse.Namespace, tls: TlsFiles | None) -> int:
    options = MockOptions(
        profile=args.profile, deactivation=args.deactivation, path_style=args.path_style,
        creatio_version=args.creatio_version, hosting=args.hosting, defects=frozenset(args.defect),
        host=args.host, creatio_port=args.creatio_port,
        identity_port=args.identity_port, issuer=args.issuer, public_identity_url=args.public_identity_url,
        public_creatio_url=args.public_creatio_url, token_lifetime=args.token_lifetime,
        admin_user=args.admin_user, admin_password=args.admin_password, tls=tls,
    )
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    with start_mock(options) as mock:
        switches = ", ".join(sorted(options.defects)) or "none"
        print(f"Creatio mock:          {_announced(mock.public_creatio_url, mock.creatio_url)}")
        print(f"Identity Service mock: {_announced(mock.public_identity_url, mock.identity_url)}")
        print(f"Admin login:           {mock.admin_user} / {mock.admin_password}")
        if tls is not None:
            print(f"CA certificate:        {tls.ca}  (trust it, or pass it as OAUTH_CA_BUNDLE)")
        print(f"Profile:               {options.profile}, deactivation {options.deactivation}, "
              f"path style {options.path_style}; defects: {switches}")
        print(f"Creatio:               {options.creatio_version}, {options.hosting}")
        if mock.seed.watched is not None:
            print(f"Watched integration:   {mock.seed.watched.name!r} (CREATIO_CLIENT_ID below; "
                  "oauth-conformance health --env-file <the creatio block>)")
        print()
        print("# paste into .env to run the suite's creatio target against this mock")
        for name, value in mock.env().items():
            print(f"{name}={value}")
        print()
        print("# or paste this to run the suite's oauth target (standards checks only) against this mock")
        for name, value in mock.oauth_env().items():
            print(f"{name}={value}")
        print()
        print("Serving; press Ctrl-C to stop.", flush=True)
        while not stop.wait(0.5):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
