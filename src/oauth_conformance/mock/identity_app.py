"""The mock Identity Service as an ASGI app (creatio-oauth.md §1, blueprint §9).

Serves OIDC discovery, the JWKS, ``/connect/token``, ``/connect/introspect`` and the management
API Creatio uses. Paths are matched case-insensitively, as ASP.NET does.
"""

from __future__ import annotations

import time
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from .generations import OPAQUE_ISSUER, UNPROXIED_IDENTITY_ORIGIN
from .identity_callers import authenticated_caller, invalid_client, presented_credentials
from .identity_manage import ManagementApi
from .identity_revocation import REVOCATION_PATH, RevocationEndpoint
from .identity_store import SYSTEM_CLIENT_ID, IdentityStore
from .identity_token_endpoint import TokenEndpoint
from .identity_tokens import TokenIssuer
from .keys import SigningKey
from .options import MockOptions
from .routing import Router
from .wire import RFC6749_NO_CACHE, empty, json_response, read_form

__all__ = ["DISCOVERY_PATH", "IdentityApp"]

DISCOVERY_PATH = "/.well-known/openid-configuration"
JWKS_PATH = "/.well-known/openid-configuration/jwks"  # [INF] §1.2: the IdentityServer default
TOKEN_PATH = "/connect/token"
INTROSPECTION_PATH = "/connect/introspect"  # [INF] §1.2: the IdentityServer default
AUTHORIZE_PATH = "/connect/authorize"  # IdentityServer's default, advertised only by "metadata-no-response-types"
DEVICE_AUTHORIZATION_PATH = "/connect/deviceauthorization"  # IdentityServer's default


class IdentityApp:
    def __init__(self, options: MockOptions, store: IdentityStore, key: SigningKey, base_url: str) -> None:
        """``base_url`` is the announced base (public URL when behind a proxy), no trailing slash."""
        self.options = options
        self.store = store
        self.key = key
        self.base_url = base_url.rstrip("/")
        # Where the advertised endpoints sit. [DOC] 8.0 "Identity Service overview": the example
        # advertises https://localhost:8090/... while it is fetched from another host (an IS behind a
        # proxy that does not know its public address); 8.1 and later advertise the base URL [INF].
        self.endpoint_base = UNPROXIED_IDENTITY_ORIGIN if options.generation.opaque_identity else self.base_url
        # creatio-oauth.md §1.1: in 8.1+ the issuer is normally the IS base URL [INF]; 8.0's example
        # ([DOC]) and Creatio 10 ([CLIO]) publish an opaque "creatio.com"; the option overrides both.
        default_issuer = OPAQUE_ISSUER if options.generation.opaque_identity else self.base_url
        self.issuer = options.issuer if options.issuer is not None else default_issuer
        if options.has("issuer-http"):
            # Defect. Realistic fault: IssuerUri configured with the http:// address TLS is terminated
            # in front of, so the issuer is not an https URL although everything is served over https.
            self.issuer = self._plain_http(self.base_url)
        if options.has("issuer-mismatch"):
            # Defect. Realistic fault: IdentityServer's IssuerUri pinned to the path the IS had behind
            # an old reverse proxy, so discovery (and the tokens) name an issuer that is not the URL
            # the metadata is served from. Tokens and discovery agree, so Creatio still accepts them.
            self.issuer = self.base_url + "/identity"
        self.tokens = TokenIssuer(options, store, key, self.issuer)

    @staticmethod
    def _plain_http(url: str) -> str:
        """The same URL with http:// (for the defects that announce plain-http URLs)."""
        return "http://" + url.split("://", 1)[1]

    def asgi(self) -> Router:
        router = Router(down=lambda: self.store.down)
        router.add("GET", DISCOVERY_PATH, self.discovery)
        if self.options.compliant:
            # RFC 8414 §3: the OAuth metadata path; the issuer has no path component, so it is the
            # same document. IdentityServer serves only the OIDC path. [INF]
            router.add("GET", "/.well-known/oauth-authorization-server", self.discovery)
        router.add("GET", JWKS_PATH, self.jwks)
        endpoint = TokenEndpoint(self.options, self.store, self.tokens)
        router.add(("GET", "POST"), TOKEN_PATH, endpoint)
        # Defect "introspection-get-answers". Realistic fault: the route is mapped for every verb and
        # the authentication filter is attached to POST only, so a GET with ?token= is answered.
        introspection_verbs = ("GET", "POST") if self.options.has("introspection-get-answers") else "POST"
        router.add(introspection_verbs, INTROSPECTION_PATH, self.introspect)
        if self.options.compliant:
            router.add("POST", REVOCATION_PATH, RevocationEndpoint(self.options, self.store, self.tokens))
        if self.options.has("metadata-no-response-types"):
            # The authorization endpoint that defect keeps advertised is there (the fault is the missing
            # member): a request without client_id is refused, as IdentityServer's is.
            router.add("GET", AUTHORIZE_PATH, self.authorize)
        ManagementApi(self.store, self.tokens).mount(router)
        return router

    def discovery_document(self) -> dict[str, Any]:
        with self.store.lock:
            resources = sorted(self.store.resources)
            system_scopes = list(self.store.clients[SYSTEM_CLIENT_ID].allowed_scopes)
        endpoints = self.endpoint_base
        document = {
            "issuer": self.issuer,
            "jwks_uri": endpoints + JWKS_PATH,
            "token_endpoint": endpoints + TOKEN_PATH,
            # Defect "introspection-advertised-dead". Realistic fault: discovery names the path the
            # endpoint had before a proxy rewrite, which now answers 404.
            "introspection_endpoint": endpoints + (
                "/connect/introspection" if self.options.has("introspection-advertised-dead") else INTROSPECTION_PATH),
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
        if self.options.compliant:
            document["revocation_endpoint"] = endpoints + REVOCATION_PATH
        plain_base = self._plain_http(endpoints)
        if self.options.has("jwks-over-plain-http"):
            # Defect. Realistic fault: the key set's URL was written by hand with http://, and the
            # listener answers plain http too, so nobody noticed.
            document["jwks_uri"] = plain_base + JWKS_PATH
        if self.options.has("revocation-over-plain-http"):
            # Defect. Realistic fault: as above, for the revocation endpoint, which takes client secrets.
            document["revocation_endpoint"] = plain_base + REVOCATION_PATH
        return self._with_metadata_defects(document)

    def _with_metadata_defects(self, document: dict[str, Any]) -> dict[str, Any]:
        if self.options.has("metadata-empty-array"):
            # Defect. Realistic fault: the document is serialised from an options object whose unset
            # lists come out as [], which RFC 8414 §3.2 says to omit.
            document["acr_values_supported"] = []
        if self.options.has("metadata-no-grant-types"):
            # Defect. Realistic fault: grant_types_supported left out, so its default (authorization_code
            # and implicit) claims the client credentials grant is not offered.
            del document["grant_types_supported"]
        if self.options.has("metadata-no-response-types"):
            # Defect. Realistic fault: the metadata is assembled from the endpoints that are switched on,
            # and a deployment that keeps IdentityServer's authorize endpoint advertised drops the member
            # RFC 8414 §2 makes REQUIRED for it. (Without an authorization endpoint, omitting it is right:
            # §3.2 omits empty lists.)
            document["authorization_endpoint"] = self.endpoint_base + AUTHORIZE_PATH
            del document["response_types_supported"]
        if self.options.has("device-authorization-advertised-dead"):
            # Defect. Realistic fault: the document is IdentityServer's default one, which lists the
            # device authorization endpoint, while the deployment maps no such route, so it answers 404.
            document["device_authorization_endpoint"] = self.endpoint_base + DEVICE_AUTHORIZATION_PATH
        return document

    async def authorize(self, request: Request) -> Response:
        """``GET /connect/authorize`` (only where advertised): no grant here uses it, so every request is
        refused as one without a client_id."""
        return json_response({"error": "invalid_request", "error_description": "client_id is missing."}, 400)

    async def discovery(self, request: Request) -> Response:
        if self.options.has("metadata-as-text"):
            # Defect. Realistic fault: the metadata is a static file behind a web server that maps
            # .well-known paths (no extension) to text/plain.
            return json_response(self.discovery_document(), headers={"Content-Type": "text/plain"})
        return json_response(self.discovery_document())

    async def jwks(self, request: Request) -> Response:
        if self.options.has("jwks-as-text"):
            # Defect. Realistic fault: the key set is a static file served by a web server that knows
            # no .json mapping, so it goes out as text/plain.
            return json_response(self.key.jwks(), headers={"Content-Type": "text/plain; charset=utf-8"})
        return json_response(self.key.jwks())

    async def introspect(self, request: Request) -> Response:
        """RFC 7662, authenticated with the system client (creatio-oauth.md §1.2); in the compliant
        profile any enabled client may also introspect the tokens issued to itself."""
        if request.method == "GET":  # only with the "introspection-get-answers" defect
            return self._introspection_answer(dict(request.query_params).get("token"), None)
        form = await read_form(request)
        if form is None:
            return json_response({"error": "invalid_request"}, 400, RFC6749_NO_CACHE)
        params = {name: value for name, value in form if value}
        # Defect "introspection-any-secret". Realistic fault: the caller is looked up by its id and
        # the secret comparison was lost in a refactoring.
        caller = authenticated_caller(self.options, self.store, presented_credentials(request, params),
                                      any_secret=self.options.has("introspection-any-secret"))
        if caller is None and not self.options.has("introspection-open"):
            # Defect "introspection-open" skips this. Realistic fault: the endpoint was meant for an
            # internal network only and its authentication switched off.
            if self.options.compliant:
                return invalid_client()
            return empty(401)  # [INF] IdentityServer's introspection endpoint answers a bare 401
        token = params.get("token")
        if token is None:
            return json_response({"error": "invalid_request"}, 400, RFC6749_NO_CACHE)
        return self._introspection_answer(token, caller)

    def _introspection_answer(self, token: str | None, caller: str | None) -> Response:
        # Defect "revoked-token-still-active". Realistic fault: revocation lands in the reference-token
        # store, and introspection of a self-contained JWT checks only its signature and expiry.
        honour = not self.options.has("revoked-token-still-active")
        claims = self.tokens.check(token, honour_revocation=honour) if token else None
        if claims is not None and caller not in (None, SYSTEM_CLIENT_ID) and claims.get("client_id") != caller:
            claims = None  # a client learns only about its own tokens
        if claims is not None and self.options.has("introspection-says-inactive"):
            # Defect. Realistic fault: the endpoint looks tokens up in the reference-token store only,
            # so every self-contained JWT is reported inactive.
            claims = None
        # RFC 7662 §2.2: an inactive token gets `{"active": false}` and nothing else.
        body: dict[str, Any] = {"active": False}
        if claims is not None:
            body = {"active": True, "token_type": "access_token", **claims}
            if self.options.has("introspection-exp-differs") and isinstance(claims.get("exp"), int):
                # Defect. Realistic fault: the answer's exp is worked out from the client's configured
                # token lifetime at the time of the question, not read from the token.
                body["exp"] = int(time.time()) + 2 * 3600
            if self.options.has("introspection-extra-members"):
                # Benign: RFC 7662 §2.2 lets the answer carry further members; callers ignore unknown ones.
                body |= {"username": str(claims.get("client_id", "")), "mock_extension": {"note": "benign"}}
        elif self.options.has("introspection-inactive-verbose"):
            # Defect. Realistic fault: the inactive answer is built from the same template as the
            # active one, so it says why and for whom (RFC 7662 §2.2 wants active alone).
            body = {"active": False, "token_type": "access_token", "error": "token not found"}
        return json_response(body, 200, RFC6749_NO_CACHE)
