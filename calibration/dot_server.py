"""Run django-oauth-toolkit as a calibration target for the suite's generic ``oauth`` target.

``running_dot_server()`` starts DOT on a free loopback port with a fresh sqlite database in a
temporary directory and yields the suite's settings. ``python -m calibration.dot_server`` does the
same from the command line: it prints the settings as a ``.env`` block and serves until Ctrl-C or
SIGTERM.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx2

from .dot_clients import seed_clients
from .dot_paths import ADMIN_RESOURCE_PATH, DISCOVERY_PATH, RESOURCE_PATH
from .dot_settings import configure_django
from .keys import rsa_private_key_pem
from .serve_cli import serve
from .target_env import SeededClients, oauth_target_env
from .uvicorn_thread import UvicornThread

__all__ = ["main", "running_dot_server", "suite_env"]

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
    with httpx2.Client(timeout=5.0, trust_env=False) as http:
        while True:
            try:
                response = http.get(base_url + DISCOVERY_PATH)
                response.raise_for_status()
                document = response.json()
                if not isinstance(document, dict):
                    raise RuntimeError(f"{response.url}: discovery is not a JSON object")
                return document
            except httpx2.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)


def suite_env(base_url: str, discovery: Mapping[str, Any], clients: SeededClients) -> dict[str, str]:
    """The oauth-target settings that point the suite at this server."""
    issuer = discovery.get("issuer")
    if not isinstance(issuer, str) or not issuer:
        raise RuntimeError(f"DOT's discovery names no issuer: {dict(discovery)!r}")
    # DOT has no "disabled client" concept, so OAUTH_DISABLED_CLIENT_* stay unset; the suite reads the
    # token endpoint from discovery when it can.
    token_url = None if discovery.get("token_endpoint") else f"{issuer}/token/"
    return oauth_target_env(
        issuer, clients, base_url + RESOURCE_PATH, base_url + ADMIN_RESOURCE_PATH, token_url=token_url
    )


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


def main(argv: list[str] | None = None) -> int:
    return serve("python -m calibration.dot_server", "django-oauth-toolkit", running_dot_server, argv)


if __name__ == "__main__":
    sys.exit(main())
