"""The mock Creatio as an ASGI app (creatio-oauth.md §2–§5, blueprint §9).

Routes (``{P}`` is ``/0`` in the ``netframework`` path style and empty in ``netcore``):

- ``POST /ServiceModel/AuthService.svc/Login``: forms login, at the site root in both styles (§5);
- ``POST {P}/rest/OAuthConfigService/<Method>`` (§3.3);
- ``POST {P}/rest/AdministrationService/<Method>`` (``administration.py``);
- ``GET|POST|PATCH|DELETE {P}/odata/<EntitySet>[(<guid>)]`` (§2.1, §3.3);
- ``GET {P}/api/OAuthHealthCheck`` (§4), only where the generation has it (``generations.py``);
- anonymous path markers: ``GET {P}/api/HealthCheck/Ping`` (and ``/api/HealthCheck/Ping`` at the root of a
  .NET Framework site), ``GET /0/Login/NuiLogin.aspx`` (.NET Framework) or ``GET /Login/Login.html`` (.NET);
- ``/__mock__/rights`` and ``/__mock__/state``: mock-only administration (see ``admin.py``).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from .admin import MockAdmin, Snapshot
from .administration import AdministrationService
from .bearer import BearerValidator
from .config_service import ConfigService
from .creatio_auth import Authenticator
from .creatio_store import CreatioStore
from .health import HealthCheck
from .identity_link import IdentityLink
from .integrations import Integrations
from .login import LoginService
from .odata import ODataService
from .options import MockOptions
from .routing import Handler, Router

__all__ = ["CreatioApp"]

LOGIN_PATH = "/ServiceModel/AuthService.svc/Login"
PING_PATH = "/api/HealthCheck/Ping"
# [CLI] clio EnvironmentRuntimeDetectionService.cs:97-129: the login page that tells the runtime apart.
UI_MARKERS = {"netframework": "/0/Login/NuiLogin.aspx", "netcore": "/Login/Login.html"}
# [INF] the page's content is nobody's business but the browser's; a stub that is HTML.
LOGIN_PAGE = "<!DOCTYPE html><html><head><title>Creatio</title></head><body></body></html>"


async def _ping(request: Request) -> Response:
    # [CLI] clio HealthCheckCommand.cs:94-97 and :192-202: anonymous, 200 directly. [INF] the body is the
    # mock's choice; clients look at the status only.
    return Response("Pong", media_type="text/plain")


async def _login_page(request: Request) -> Response:
    return Response(LOGIN_PAGE, media_type="text/html")


def _no_store(handler: Handler) -> Handler:
    """Compliant profile: API answers carry ``Cache-Control: no-store`` (RFC 6819 §4.6.6)."""

    async def wrapped(request: Request) -> Response:
        response = await handler(request)
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    return wrapped


class CreatioApp:
    def __init__(self, options: MockOptions, store: CreatioStore, base_url: str,
                 identity_url_map: dict[str, str], snapshot: Snapshot,
                 pinned_key: dict[str, Any] | None = None) -> None:
        """``base_url``: the announced site root (public URL when behind a proxy), no trailing slash.
        ``identity_url_map``: announced IS URL → loopback IS URL (see ``IdentityLink``).
        ``pinned_key``: a signing key configured in Creatio itself instead of read from the JWKS
        (only the "jwks-stale-key" defect uses it)."""
        self.options = options
        self.store = store
        self.base_url = base_url.rstrip("/")
        self.link = IdentityLink(store, identity_url_map, ca_file=str(options.tls.ca) if options.tls else None)
        self.auth = Authenticator(options, store, BearerValidator(options, store, self.link, pinned_key))
        self.integrations = Integrations(options, store, self.link)
        self.snapshot = snapshot

    def asgi(self) -> Router:
        prefix = self.options.app_prefix
        login = LoginService(self.store)
        config = ConfigService(self.auth, self.integrations)
        administration = AdministrationService(self.options, self.store, self.auth)
        odata = ODataService(self.options, self.store, self.auth, self.integrations,
                             f"{self.base_url}{prefix}/odata")
        health = HealthCheck(self.options, self.store, self.auth, self.link)
        admin = MockAdmin(self.options, self.store, self.snapshot)

        def api(handler: Handler) -> Handler:
            # Defect "api-cacheable-answers". Realistic fault: the caching headers are set by a
            # middleware that a deployment left out, so data answers may be kept by shared caches.
            wanted = self.options.compliant and not self.options.has("api-cacheable-answers")
            return _no_store(handler) if wanted else handler

        router = Router()
        router.add("POST", LOGIN_PATH, login.login)
        if prefix:
            router.add("POST", prefix + LOGIN_PATH, login.login_under_app_prefix)
        router.add("POST", prefix + "/rest/OAuthConfigService/{method}", api(config.handle))
        router.add("POST", prefix + "/rest/AdministrationService/{method}", api(administration.handle))
        router.add(("GET", "POST", "PATCH", "DELETE"), prefix + "/odata/{resource}", api(odata.handle))
        if self.options.path_style in self.options.generation.health_path_styles:
            # Elsewhere the route is not registered: 404 ([DOC] 8.1.2+, .NET 8 from 8.3.2; generations.py).
            router.add("GET", prefix + "/api/OAuthHealthCheck", api(health.handle))
        router.add("GET", prefix + PING_PATH, _ping)
        if prefix:
            # [CLI] clio HealthCheckCommand.cs:192-202: on .NET Framework the site root is WebAppLoader,
            # which answers its own ping, so both prefixes answer.
            router.add("GET", PING_PATH, _ping)
        router.add("GET", UI_MARKERS[self.options.path_style], _login_page)
        router.add("POST", "/__mock__/rights", admin.rights)
        router.add("GET", "/__mock__/state", admin.state)
        return router
