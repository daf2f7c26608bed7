"""Running the two mock apps: each on its own uvicorn server in a background thread."""

from __future__ import annotations

import asyncio
import dataclasses
import ssl
import threading
import time
from collections.abc import Coroutine
from types import TracebackType
from typing import Any, TypeVar

import httpx2
from starlette.requests import Request
from starlette.responses import Response

from oauth_conformance.suite import profiles_dir

from .creatio_app import CreatioApp
from .creatio_store import CreatioStore, SysAdminUnit
from .generations import UNPROXIED_IDENTITY_ORIGIN
from .identity_app import DISCOVERY_PATH, IdentityApp
from .identity_store import PUBLIC_CLIENT_ID, SPECIAL_CLIENT_ID, SPECIAL_CLIENT_SECRET, IdentityStore, IsClient
from .ids import new_guid
from .keys import SigningKey
from .options import MockOptions
from .routing import Router
from .seed import (
    CLIENT2_NAME,
    CLIENT_NAME,
    DISABLED_CLIENT_NAME,
    SeedClient,
    SeedInfo,
    seed,
    seed_clients,
    seed_watched_integration,
)
from .serving import START_TIMEOUT_S, PlainAndTlsServer, ServerThread
from .wire import json_response

__all__ = ["MockServers", "start_mock"]

T = TypeVar("T")
Server = ServerThread | PlainAndTlsServer


def _url_host(host: str) -> str:
    """A host to put in URLs: wildcard binds are reached over loopback; IPv6 needs brackets."""
    host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
    return f"[{host}]" if ":" in host else host


class MockServers:
    """The running mock pair. Use as a context manager, or call ``stop()``."""

    def __init__(self, options: MockOptions, creatio: Server, identity: Server,
                 seed_info: SeedInfo, creatio_store: CreatioStore, identity_store: IdentityStore,
                 signing_key: SigningKey, public_creatio_url: str, public_identity_url: str) -> None:
        self.options = options
        self.seed = seed_info
        self.admin_user = options.admin_user
        self.admin_password = options.admin_password
        host = _url_host(options.host)
        #: Site root the mock listens on (no trailing slash, no ``/0``).
        self.creatio_url = f"{options.scheme}://{host}:{creatio.port}"
        #: IS base the mock listens on (no trailing slash).
        self.identity_url = f"{options.scheme}://{host}:{identity.port}"
        #: The URLs the mock announces (equal to the above unless public URLs were given).
        self.public_creatio_url = public_creatio_url
        self.public_identity_url = public_identity_url
        self._creatio = creatio
        self._identity = identity
        self._creatio_store = creatio_store
        self._identity_store = identity_store
        self._signing_key = signing_key

    def __enter__(self) -> MockServers:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()

    def stop(self) -> None:
        # Both at once: each uvicorn shutdown takes a few tenths of a second.
        for server in (self._creatio, self._identity):
            server.request_stop()
        for server in (self._creatio, self._identity):
            server.join()

    @property
    def identity_available(self) -> bool:
        return self._identity.running

    def set_identity_available(self, available: bool) -> None:
        """Stop the IS server for real (connections are refused), or start it on the same port."""
        if available:
            self._identity.start()
        else:
            self._identity.stop()

    def set_system_setting(self, code: str, value: str) -> None:
        """Write a Creatio system setting, e.g. ``OAuth20IdentityServerClientSecret``; ``""`` empties it."""
        with self._creatio_store.lock:
            self._creatio_store.settings[code] = value

    def system_setting(self, code: str) -> str:
        return self._creatio_store.setting(code)

    def remove_default_resource(self) -> None:
        """Delete the default OAuthResource in Creatio and its registration (and grants) in the IS."""
        with self._creatio_store.lock:
            default = self._creatio_store.default_resource()
            if default is None:
                return
            del self._creatio_store.resources[default.id]
        self._identity_store.remove_resource(default.name)

    def sign_token(self, claims: dict[str, Any], typ: str = "at+jwt") -> str:
        """Mock-only test hook: sign arbitrary claims with the IS key (e.g. a token expired long ago).

        A real target offers nothing like it; the suite's checks must not rely on it.
        """
        return self._signing_key.sign(claims, typ)

    def add_user(self, name: str, type_value: int) -> str:
        """Mock-only test hook: store an active SysAdminUnit of any type, without rights or password; its Id.

        For a unit no API of the generation creates (a type-7 unit on 8.1, say, as a migrated database
        could hold). The suite's checks must not rely on it.
        """
        user = SysAdminUnit(id=new_guid(), name=name, type_value=type_value)
        with self._creatio_store.lock:
            self._creatio_store.users[user.id] = user
        return user.id

    def snapshot(self) -> dict[str, list[str]]:
        """Every object of each kind: integrations and SysAdminUnits by name, IS clients by id and by name
        (duplicates and empty names kept, so that a user and an integration of one name are two, and an
        IS client a run left behind is found by the run's prefix like the rest)."""
        with self._creatio_store.lock:
            integrations = sorted(a.name for a in self._creatio_store.apps.values())
            users = sorted(u.name for u in self._creatio_store.users.values())
        return {"integrations": integrations, "users": users, "identity_clients": self._identity_store.client_ids(),
                "identity_client_names": self._identity_store.client_names()}

    def _trust(self) -> dict[str, str]:
        """Over https, the CA the suite must trust for this mock."""
        return {"OAUTH_CA_BUNDLE": str(self.options.tls.ca)} if self.options.tls else {}

    def env(self) -> dict[str, str]:
        """The settings that point the suite's ``creatio`` target at this mock, with the integration
        ``oauth-conformance health`` watches (CREATIO_CLIENT_ID, CREATIO_CLIENT_SECRET)."""
        return self._trust() | {
            "OAUTH_TARGET": "creatio",
            "CREATIO_URL": self.public_creatio_url,
            "CREATIO_IDENTITY_URL": self.public_identity_url,
            "CREATIO_ADMIN_USER": self.admin_user,
            "CREATIO_ADMIN_PASSWORD": self.admin_password,
            "CREATIO_TECH_USER": self.seed.technical_user_name,
            "CREATIO_ALLOWED_ENTITY": self.seed.allowed_entity,
            "CREATIO_DENIED_ENTITY": self.seed.denied_entity,
            "CREATIO_HOSTING": self.options.hosting,
        } | self._watched() | self._waivers()

    def _watched(self) -> dict[str, str]:
        """The integration ``oauth-conformance health`` watches: its own credentials, no admin login."""
        watched = self.seed.watched
        if watched is None:
            return {}
        return {"CREATIO_CLIENT_ID": watched.client_id, "CREATIO_CLIENT_SECRET": watched.client_secret}

    def _waivers(self) -> dict[str, str]:
        """The waiver files of the generation this mock reproduces, where it has deviations of its own
        (the suite's profiles, wherever it is installed)."""
        if self.options.profile != "creatio" or self.options.creatio_version != "8.0":
            return {}
        profiles = profiles_dir()
        return {"OAUTH_WAIVERS": f"{profiles / 'creatio.toml'},{profiles / 'creatio-8.0.toml'}"}

    def oauth_env(self) -> dict[str, str]:
        """The settings that point the suite's generic ``oauth`` target at this mock.

        The clients are the seeded integrations of the technical user; the protected resource is the
        OData entity set that user may read.
        """
        client, client2, disabled = (self.seed.oauth_client(name)
                                     for name in (CLIENT_NAME, CLIENT2_NAME, DISABLED_CLIENT_NAME))
        resource = f"{self.public_creatio_url}{self.options.app_prefix}/odata/{self.seed.allowed_entity}"
        return self._trust() | {
            "OAUTH_TARGET": "oauth",
            "OAUTH_ISSUER": self.public_identity_url,
            "OAUTH_CLIENT_ID": client.client_id,
            "OAUTH_CLIENT_SECRET": client.client_secret,
            "OAUTH_CLIENT2_ID": client2.client_id,
            "OAUTH_CLIENT2_SECRET": client2.client_secret,
            "OAUTH_DISABLED_CLIENT_ID": disabled.client_id,
            "OAUTH_DISABLED_CLIENT_SECRET": disabled.client_secret,
            "OAUTH_RESOURCE_URL": resource,
            "OAUTH_SPECIAL_CLIENT_ID": SPECIAL_CLIENT_ID,
            "OAUTH_SPECIAL_CLIENT_SECRET": SPECIAL_CLIENT_SECRET,
            "OAUTH_PUBLIC_CLIENT_ID": PUBLIC_CLIENT_ID,
        }


def _wait_until_answering(urls: list[str], ca_file: str | None) -> None:
    # One client for every URL, and no CA store over plain http: loading the system's CA bundle takes
    # longer (about 30 ms) than everything else this wait does.
    verify: ssl.SSLContext | bool = ssl.create_default_context(cafile=ca_file) if ca_file else False
    with httpx2.Client(timeout=2.0, trust_env=False, verify=verify) as client:
        deadline = time.monotonic() + START_TIMEOUT_S
        for url in urls:
            while True:
                try:
                    client.get(url)
                    break
                except httpx2.TransportError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.01)


def _run_coroutine(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` to completion on a fresh event loop in a worker thread.

    A thread of its own, because ``start_mock`` may be called from code that already runs an event loop.
    """
    results: list[T] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(asyncio.run(coroutine))
        except BaseException as error:  # handed to the caller below
            errors.append(error)

    worker = threading.Thread(target=run, name="mock-seed", daemon=True)
    worker.start()
    worker.join()
    if errors:
        raise errors[0]
    return results[0]


_DEFAULT_OPTIONS = MockOptions()


def start_mock(options: MockOptions = _DEFAULT_OPTIONS) -> MockServers:
    """Start the mock Identity Service and Creatio; return once both answer HTTP."""
    identity = _server("identity", options, options.identity_port)
    try:
        creatio = _server("creatio", options, options.creatio_port)
    except OSError:
        identity.join()
        raise
    try:
        return _start(options, identity, creatio)
    except BaseException:
        for server in (identity, creatio):
            server.stop()
        raise


def _server(name: str, options: MockOptions, port: int) -> Server:
    if options.tls is not None and options.plain_http_too:
        refusal = _https_required() if options.has("plain-http-https-required") else None
        return PlainAndTlsServer(name, options.host, port, options.tls, refusal)
    return ServerThread(name, options.host, port, options.tls)


def _https_required() -> Router:
    """Benign variant "plain-http-https-required": plain http gets a refusal and nothing else."""

    async def refuse(request: Request) -> Response:
        return json_response({"error": "invalid_request", "error_description": "HTTPS required"}, 403)

    return Router(not_found=refuse)


def _start(options: MockOptions, identity: Server, creatio: Server) -> MockServers:
    host = _url_host(options.host)
    identity_url = f"{options.scheme}://{host}:{identity.port}"
    creatio_url = f"{options.scheme}://{host}:{creatio.port}"
    public_identity = (options.public_identity_url or identity_url).rstrip("/")
    public_creatio = (options.public_creatio_url or creatio_url).rstrip("/")

    identity_store = IdentityStore(options.lifetime)
    creatio_store = CreatioStore()
    seed_info = seed(options, creatio_store, identity_store, public_identity)
    key = SigningKey(options)
    servers = MockServers(options, creatio, identity, seed_info, creatio_store, identity_store, key,
                          public_creatio, public_identity)
    identity.app = IdentityApp(options, identity_store, key, public_identity).asgi()
    # Creatio reaches its IS on loopback even when settings and discovery name a public URL, or (8.0)
    # discovery advertises endpoints on the address the IS has behind its proxy.
    url_map = {public_identity: identity_url}
    if options.generation.opaque_identity:
        url_map[UNPROXIED_IDENTITY_ORIGIN] = identity_url
    creatio_app = CreatioApp(options, creatio_store, public_creatio, url_map,
                             servers.snapshot, key.public_jwk() if options.has("jwks-stale-key") else None)
    creatio.app = creatio_app.asgi()
    identity.start()
    creatio.start()
    ca_file = str(options.tls.ca) if options.tls else None
    _wait_until_answering([identity_url + DISCOVERY_PATH, creatio_url + "/"], ca_file)
    # The integrations for the oauth target and the one a monitor watches: saved like any other, so only
    # once the IS answers (and before a defect takes it down).
    clients, watched = _run_coroutine(_seed_integrations(creatio_app, seed_info))
    servers.seed = dataclasses.replace(seed_info, oauth_clients=clients, watched=watched)
    _add_special_clients(identity_store, servers.seed, options)
    if options.has("health-green-identity-down"):
        # Defect, with health.py: the IS goes down once the mock has started and seeded its clients.
        identity_store.down = True
    return servers


async def _seed_integrations(app: CreatioApp, info: SeedInfo) -> tuple[tuple[SeedClient, ...], SeedClient]:
    return await seed_clients(app.integrations, info), await seed_watched_integration(app.integrations, info)


def _add_special_clients(store: IdentityStore, seed_info: SeedInfo, options: MockOptions) -> None:
    with store.lock:
        store.clients[SPECIAL_CLIENT_ID] = IsClient(
            client_id=SPECIAL_CLIENT_ID,
            secret=SPECIAL_CLIENT_SECRET,
            name="Conformance special-characters client",
            access_token_lifetime=store.token_lifetime,
            allowed_scopes=[seed_info.default_resource],
            properties={"SysAdminUnitId": seed_info.technical_user_id},
        )
        # Defect "public-client-gets-tokens". Realistic fault: IdentityServer's RequireClientSecret =
        # false copied onto a client that also allows the client credentials grant.
        public_grants = (["authorization_code", "client_credentials"] if options.has("public-client-gets-tokens")
                         else ["authorization_code"])
        store.clients[PUBLIC_CLIENT_ID] = IsClient(
            client_id=PUBLIC_CLIENT_ID,
            secret="",
            name="Conformance public client",
            access_token_lifetime=store.token_lifetime,
            allowed_scopes=[seed_info.default_resource],
            allowed_grant_types=public_grants,
            properties={"SysAdminUnitId": seed_info.technical_user_id},
            redirect_uri="http://127.0.0.1/callback",
        )
