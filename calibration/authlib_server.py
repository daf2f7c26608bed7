"""Run Authlib (Flask integration) as a calibration target for the suite's generic ``oauth`` target.

Authlib is an OAuth 2.0 implementation of its own, not built on oauthlib as django-oauth-toolkit is, so
the two calibration servers share no server code. ``running_authlib_server()`` starts it on a free
loopback port with fresh keys and clients and yields the suite's settings; ``python -m
calibration.authlib_server`` does the same from the command line, printing the settings as a ``.env``
block and serving until Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx2

from .authlib_app import create_app
from .authlib_clients import ClientStore, seed_clients
from .authlib_paths import ADMIN_RESOURCE_PATH, ISSUER_PATH, RESOURCE_PATH
from .authlib_tokens import signing_keys
from .keys import rsa_private_key_pem
from .serve_cli import serve
from .target_env import SeededClients, oauth_target_env
from .wsgi_thread import WsgiThread

__all__ = ["main", "running_authlib_server", "suite_env"]


def _metadata(issuer: str) -> dict[str, Any]:
    """The RFC 8414 metadata as the server publishes it, fetched from the issuer's well-known URI."""
    from authlib.oauth2.rfc8414 import get_well_known_url  # type: ignore[import-untyped]

    with httpx2.Client(timeout=5.0, trust_env=False) as http:
        response = http.get(get_well_known_url(issuer, external=True))
        response.raise_for_status()
        document = response.json()
    if not isinstance(document, dict):
        raise RuntimeError(f"{response.url}: the metadata is not a JSON object")
    return document


def suite_env(base_url: str, metadata: dict[str, Any], clients: SeededClients) -> dict[str, str]:
    """The oauth-target settings that point the suite at this server: the issuer alone, no token URL.

    The server publishes RFC 8414 metadata only, so the suite has to find the token endpoint there, as
    it must for any server without an OpenID discovery document.
    """
    issuer = metadata.get("issuer")
    if not isinstance(issuer, str) or not issuer:
        raise RuntimeError(f"the metadata names no issuer: {metadata!r}")
    return oauth_target_env(issuer, clients, base_url + RESOURCE_PATH, base_url + ADMIN_RESOURCE_PATH)


@contextmanager
def running_authlib_server(port: int = 0) -> Iterator[dict[str, str]]:
    """Start the server on 127.0.0.1:``port`` (0: a free port), yield the suite's env, stop on exit."""
    server = WsgiThread(port=port)
    try:
        store = ClientStore()
        clients = seed_clients(store)
        signing, public = signing_keys(rsa_private_key_pem())
        server.start(create_app(server.url, store, signing, public))
        yield suite_env(server.url, _metadata(server.url + ISSUER_PATH), clients)
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> int:
    return serve("python -m calibration.authlib_server", "Authlib", running_authlib_server, argv)


if __name__ == "__main__":
    sys.exit(main())
