"""The mock Creatio as an ASGI app (creatio-oauth.md §2–§5, blueprint §9).

Routes (``{P}`` is ``/0`` in the ``netframework`` path style and empty in ``netcore``):

- ``POST /ServiceModel/AuthService.svc/Login``: forms login, at the site root in both styles (§5);
- ``POST {P}/rest/OAuthConfigService/<Method>`` (§3.3);
- ``GET|POST|PATCH|DELETE {P}/odata/<EntitySet>[(<guid>)]`` (§2.1, §3.3);
- ``GET {P}/api/OAuthHealthCheck`` (§4);
- ``/__mock__/rights`` and ``/__mock__/state``: mock-only administration (see ``admin.py``).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from .admin import MockAdmin, Snapshot
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
        router.add(("GET", "POST", "PATCH", "DELETE"), prefix + "/odata/{resource}", api(odata.handle))
        router.add("GET", prefix + "/api/OAuthHealthCheck", api(health.handle))
        router.add("POST", "/__mock__/rights", admin.rights)
        router.add("GET", "/__mock__/state", admin.state)
        return router
