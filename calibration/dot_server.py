"""Run django-oauth-toolkit as a calibration target for the suite's generic ``oauth`` target.

``running_dot_server()`` starts DOT on a free loopback port with a fresh sqlite database in a
temporary directory and yields the suite's settings. ``python -m calibration.dot_server`` does the
same from the command line: it prints the settings as a ``.env`` block and serves until Ctrl-C or
SIGTERM.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

import httpx

from tools.childrun import env_file_text

from .dot_clients import SeededClients, seed_clients
from .dot_paths import ADMIN_RESOURCE_PATH, DISCOVERY_PATH, RESOURCE_PATH
from .dot_settings import configure_django
from .keys import rsa_private_key_pem
from .uvicorn_thread import UvicornThread

_READY_TIMEOUT_S = 10.0


def _prepare_database(database: Path) -> SeededClients:
    """Configure Django on ``database``, migrate it and register the clients."""
    configure_django(database, rsa_private_key_pem())
    from django.core.management import call_command  # type: ignore[import-untyped]
    from django.db import connections  # type: ignore[import-untyped]

    call_command("migrate", verbosity=0)
    clients = seed_clients()
    # This thread's connection is done; the server's requests run on threads of their own.
    connections.close_all()
    return clients


def _discovery(base_url: str) -> dict[str, Any]:
    """Poll DOT's discovery document until it answers (the first request also loads DOT's URLconf)."""
    deadline = time.monotonic() + _READY_TIMEOUT_S
    with httpx.Client(timeout=5.0, trust_env=False) as http:
        while True:
            try:
                response = http.get(base_url + DISCOVERY_PATH)
                response.raise_for_status()
                document = response.json()
                if not isinstance(document, dict):
                    raise RuntimeError(f"{response.url}: discovery is not a JSON object")
                return document
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)


def suite_env(base_url: str, discovery: Mapping[str, Any], clients: SeededClients) -> dict[str, str]:
    """The oauth-target settings that point the suite at this server."""
    issuer = discovery.get("issuer")
    if not isinstance(issuer, str) or not issuer:
        raise RuntimeError(f"DOT's discovery names no issuer: {dict(discovery)!r}")
    env = {
        "OAUTH_TARGET": "oauth",
        # What DOT publishes, not what we expect: the suite fetches discovery from the issuer.
        "OAUTH_ISSUER": issuer,
        "OAUTH_CLIENT_ID": clients.client.client_id,
        "OAUTH_CLIENT_SECRET": clients.client.client_secret,
        "OAUTH_CLIENT2_ID": clients.client2.client_id,
        "OAUTH_CLIENT2_SECRET": clients.client2.client_secret,
        "OAUTH_RESOURCE_URL": base_url + RESOURCE_PATH,
        "OAUTH_DENIED_RESOURCE_URL": base_url + ADMIN_RESOURCE_PATH,
        "OAUTH_PUBLIC_CLIENT_ID": clients.public_client_id,
        "OAUTH_SPECIAL_CLIENT_ID": clients.special.client_id,
        "OAUTH_SPECIAL_CLIENT_SECRET": clients.special.client_secret,
        # DOT has no "disabled client" concept, so OAUTH_DISABLED_CLIENT_* stay unset.
    }
    if not discovery.get("token_endpoint"):  # the suite reads it from discovery when it can
        env["OAUTH_TOKEN_URL"] = f"{issuer}/token/"
    return env


@contextmanager
def running_dot_server(port: int = 0) -> Iterator[dict[str, str]]:
    """Start DOT on 127.0.0.1:``port`` (0: a free port), yield the suite's env, stop and clean up on exit.

    One per process: Django's settings are process-global (see ``configure_django``).
    """
    workdir = Path(tempfile.mkdtemp(prefix="dot-calibration-"))
    server: UvicornThread | None = None
    try:
        clients = _prepare_database(workdir / "db.sqlite3")
        from django.core.asgi import get_asgi_application  # type: ignore[import-untyped]

        server = UvicornThread(get_asgi_application(), port=port)
        server.start()
        yield suite_env(server.url, _discovery(server.url), clients)
    finally:
        if server is not None:
            server.stop()
        _close_connections()
        shutil.rmtree(workdir, ignore_errors=True)


def _close_connections() -> None:
    try:
        from django.db import connections
    except ImportError:  # Django never got configured
        return
    connections.close_all()


def _port(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port must be between 0 and 65535, not {value}")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m calibration.dot_server",
        description="Run django-oauth-toolkit on 127.0.0.1 and print the suite's oauth-target .env block.",
    )
    parser.add_argument("--port", type=_port, default=0, help="port to listen on (default: a free one)")
    args = parser.parse_args(argv)

    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, request_stop)
    started = time.monotonic()
    with running_dot_server(args.port) as env:
        # The env block alone goes to stdout, so `> .env` captures a usable file; notes go to stderr.
        sys.stdout.write(env_file_text(env))
        sys.stdout.flush()
        sys.stderr.write(
            f"# DOT calibration server ready in {time.monotonic() - started:.2f}s; Ctrl-C or SIGTERM stops it\n"
        )
        sys.stderr.flush()
        stop.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
