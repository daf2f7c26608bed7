"""The mock Identity Service as an ASGI app (creatio-oauth.md §1, blueprint §9).

Serves OIDC discovery, the JWKS, ``/connect/token``, ``/connect/introspect`` and the management
API Creatio uses. Paths are matched case-insensitively, as ASP.NET does.
"""

from __future__ import annotations

import hmac
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from .identity_manage import ManagementApi
from .identity_store import SYSTEM_CLIENT_ID, IdentityStore
from .identity_token_endpoint import TokenEndpoint
from .identity_tokens import TokenIssuer
from .keys import SigningKey
from .options import MockOptions
from .routing import Router
from .wire import RFC6749_NO_CACHE, basic_scheme, empty, json_response, parse_basic, read_form

DISCOVERY_PATH = "/.well-known/openid-configuration"
JWKS_PATH = "/.well-known/openid-configuration/jwks"  # [INF] §1.2: the IdentityServer default
TOKEN_PATH = "/connect/token"
INTROSPECTION_PATH = "/connect/introspect"  # [INF] §1.2: the IdentityServer default


class IdentityApp:
    def __init__(self, options: MockOptions, store: IdentityStore, key: SigningKey, base_url: str) -> None:
        """``base_url`` is the announced base (public URL when behind a proxy), no trailing slash."""
        self.options = options
        self.store = store
        self.key = key
        self.base_url = base_url.rstrip("/")
        # creatio-oauth.md §1.1: in 8.x the issuer is normally the IS base URL [INF]; Creatio 10
        # publishes an opaque "creatio.com" [CLIO], hence the option.
        self.issuer = options.issuer if options.issuer is not None else self.base_url
        if options.has("issuer-mismatch"):
            # Defect. Realistic fault: IdentityServer's IssuerUri pinned to the path the IS had behind
            # an old reverse proxy, so discovery (and the tokens) name an issuer that is not the URL
            # the metadata is served from. Tokens and discovery agree, so Creatio still accepts them.
            self.issuer = self.base_url + "/identity"
        self.tokens = TokenIssuer(options, store, key, self.issuer)

    def asgi(self) -> Router:
        router = Router()
        router.add("GET", DISCOVERY_PATH, self.discovery)
        if self.options.compliant:
            # RFC 8414 §3: the OAuth metadata path; the issuer has no path component, so it is the
            # same document. IdentityServer serves only the OIDC path. [INF]
            router.add("GET", "/.well-known/oauth-authorization-server", self.discovery)
        router.add("GET", JWKS_PATH, self.jwks)
        endpoint = TokenEndpoint(self.options, self.store, self.tokens)
        router.add(("GET", "POST"), TOKEN_PATH, endpoint)
        router.add("POST", INTROSPECTION_PATH, self.introspect)
        ManagementApi(self.store, self.tokens).mount(router)
        return router

    def discovery_document(self) -> dict[str, Any]:
        with self.store.lock:
            resources = sorted(self.store.resources)
            system_scopes = list(self.store.clients[SYSTEM_CLIENT_ID].allowed_scopes)
        return {
            "issuer": self.issuer,
            "jwks_uri": self.base_url + JWKS_PATH,
            "token_endpoint": self.base_url + TOKEN_PATH,
            "introspection_endpoint": self.base_url + INTROSPECTION_PATH,
            "scopes_supported": system_scopes + resources,
            "claims_supported": ["client_id", "scope", "prop:SysAdminUnitId"],
            # Only what the mock really does; IdentityServer would list more grants. [INF]
            "grant_types_supported": ["client_credentials"],
            # RFC 8414 §2 and OIDC Discovery make this REQUIRED; IdentityServer's default list. [INF]
            "response_types_supported": ["code", "token", "id_token", "id_token token", "code id_token",
                                         "code token", "code id_token token"],
            "subject_types_supported": ["public"],
            # Defect "discovery-advertises-none-alg". Realistic fault: the list is copied from a
            # provider configuration that allows unsigned ID tokens, so `none` is advertised.
            "id_token_signing_alg_values_supported":
                ["RS256", "none"] if self.options.has("discovery-advertises-none-alg") else ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        }

    async def discovery(self, request: Request) -> Response:
        return json_response(self.discovery_document())

    async def jwks(self, request: Request) -> Response:
        return json_response(self.key.jwks())

    async def introspect(self, request: Request) -> Response:
        """RFC 7662, authenticated with the system client (creatio-oauth.md §1.2)."""
        form = await read_form(request)
        if form is None:
            return json_response({"error": "invalid_request"}, 400, RFC6749_NO_CACHE)
        params = {name: value for name, value in form if value}
        header = request.headers.get("authorization")
        credentials = parse_basic(header)
        if credentials is None and not basic_scheme(header) and "client_id" in params:
            credentials = (params["client_id"], params.get("client_secret", ""))
        if not self._is_system_client(credentials):
            if self.options.compliant:
                return json_response({"error": "invalid_client"}, 401,
                                     {**RFC6749_NO_CACHE, "WWW-Authenticate": 'Basic realm="IdentityService"'})
            return empty(401)  # [INF] IdentityServer's introspection endpoint answers a bare 401
        token = params.get("token")
        if token is None:
            return json_response({"error": "invalid_request"}, 400, RFC6749_NO_CACHE)
        claims = self.tokens.check(token)
        # RFC 7662 §2.2: an inactive token gets `{"active": false}` and nothing else.
        body = {"active": False} if claims is None else {"active": True, "token_type": "access_token", **claims}
        return json_response(body, 200, RFC6749_NO_CACHE)

    def _is_system_client(self, credentials: tuple[str, str] | None) -> bool:
        system = self.store.get(SYSTEM_CLIENT_ID)
        if credentials is None or system is None or credentials[0] != SYSTEM_CLIENT_ID:
            return False
        return hmac.compare_digest(credentials[1].encode(), system.secret.encode())
