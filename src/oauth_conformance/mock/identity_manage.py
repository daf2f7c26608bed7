"""The IS management API that Creatio calls (creatio-oauth.md §1.2, second table).

Paths, verbs and required token scopes follow the table of ``IdentityServiceWrapper``. The request
and response bodies are not documented ([NF]); the mock uses IdentityServer property names
(``ClientId``, ``ClientName``, ``AllowedScopes``, ``Enabled``, ``Properties``) and answers errors
as ``{"error": "..."}``. Every call needs ``Authorization: Bearer <token>`` from this IS whose
``scope`` holds the method's scope and ``IdentityServerApi``: no or a bad token → 401, a token
without the scopes → 403 (ASP.NET's usual challenge/forbid split [INF]).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from .identity_store import LOCAL_API_SCOPE, IdentityStore, IsClient, OwnedResource
from .identity_tokens import TokenIssuer
from .routing import Router
from .wire import MAX_BODY_BYTES, empty, json_response, read_json_object

__all__ = ["ManagementApi"]

Body = dict[str, Any]


def _text(body: Body, name: str) -> str | None:
    value = body.get(name)
    return value if isinstance(value, str) else None


def _grant_types(value: object) -> list[str] | None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return None
    return list(value)


def _properties(value: object) -> dict[str, str] | None:
    if not isinstance(value, dict):
        return None
    return {str(k): str(v) for k, v in value.items() if v is not None}


# Creatio forwards what it accepted, and a save carries the integration's name twice (ClientName and
# CustomerId) beside its other texts: the IS takes more than Creatio does (wire.MAX_BODY_BYTES), so that
# no save Creatio took can fail here for its size.
MANAGEMENT_BODY_BYTES = 8 * MAX_BODY_BYTES


def _error(status: int, message: str) -> Response:
    return json_response({"error": message}, status)


class ManagementApi:
    def __init__(self, store: IdentityStore, issuer: TokenIssuer) -> None:
        self.store = store
        self.issuer = issuer
        # Client id → the CustomerId it was registered under (Creatio sends the integration's name, §3.2).
        # Set once by AddClient: Clients/update has no such member, so a rename leaves it as it was.
        # Guarded by the store's lock.
        self.customer_ids: dict[str, str] = {}

    def mount(self, router: Router) -> None:
        table: list[tuple[str, str, str, Callable[[Request], Awaitable[Response]]]] = [
            ("POST", "clients/addregistrar", "add_registrar_client", self.add_client),
            ("POST", "Clients/update", "update_client", self.update_client),
            ("DELETE", "clients/{clientId}", "remove_client", self.remove_client),
            ("GET", "clients/{clientId}", "get_client_info", self.get_client),
            ("POST", "Clients/find", "find_clients", self.find_clients),
            ("POST", "Clients/scopes", "update_client", self.grant_scopes),
            ("POST", "Clients/scopes/delete", "update_client", self.delete_scopes),
            ("POST", "OwnedResources/register", "register_own_resource", self.register_resource),
            ("POST", "OwnedResources/list", "get_resource_list", self.list_resources),
        ]
        for method, path, scope, handler in table:
            router.add(method, path, self._guarded(scope, handler))

    def _guarded(self, scope: str, handler: Callable[[Request], Awaitable[Response]]
                 ) -> Callable[[Request], Awaitable[Response]]:
        async def guarded(request: Request) -> Response:
            scheme, _, token = request.headers.get("authorization", "").partition(" ")
            claims = self.issuer.check(token.strip()) if scheme.lower() == "bearer" else None
            if claims is None:
                return empty(401, {"WWW-Authenticate": 'Bearer error="invalid_token"'})
            granted = str(claims.get("scope", "")).split()
            if scope not in granted or LOCAL_API_SCOPE not in granted:
                return empty(403, {"WWW-Authenticate": 'Bearer error="insufficient_scope"'})
            return await handler(request)

        return guarded

    async def _body(self, request: Request) -> Body | Response:
        body = await read_json_object(request, MANAGEMENT_BODY_BYTES)
        return _error(400, "The request body must be a JSON object.") if body is None else body

    async def add_client(self, request: Request) -> Response:
        body = await self._body(request)
        if isinstance(body, Response):
            return body
        client_id, secret = _text(body, "ClientId"), _text(body, "ClientSecret")
        if not client_id or not secret:
            return _error(400, "ClientId and ClientSecret are required.")
        client = IsClient(
            client_id=client_id,
            secret=secret,
            name=_text(body, "ClientName") or "",
            access_token_lifetime=self.store.token_lifetime,
            properties=_properties(body.get("Properties")) or {},
            description=_text(body, "Description") or "",
            client_uri=_text(body, "ClientUri") or "",
            redirect_uri=_text(body, "RedirectUri") or "",
        )
        grants = _grant_types(body.get("AllowedGrantTypes"))
        if grants:
            # Creatio 8.3 sends the grants AddClient was asked for; older builds send none, and the
            # client gets the client credentials grant (IsClient's default). [INF]
            client.allowed_grant_types = grants
        with self.store.lock:
            if client_id in self.store.clients:
                return _error(409, f"Client {client_id} already exists.")
            self.store.clients[client_id] = client
            self.customer_ids[client_id] = _text(body, "CustomerId") or client.name
            return json_response(client.info())

    async def update_client(self, request: Request) -> Response:
        body = await self._body(request)
        if isinstance(body, Response):
            return body
        with self.store.lock:
            client = self.store.clients.get(_text(body, "ClientId") or "")
            if client is None:
                return _error(404, "Client not found.")
            for field, attribute in (("ClientName", "name"), ("Description", "description"),
                                     ("ClientUri", "client_uri"), ("RedirectUri", "redirect_uri")):
                value = _text(body, field)
                if value is not None:
                    setattr(client, attribute, value)
            if isinstance(body.get("Enabled"), bool):
                client.enabled = body["Enabled"]
            properties = _properties(body.get("Properties"))
            if properties is not None:
                client.properties = properties
            # Only the mock's secret-rotating defects send a secret; the real API's secret handling
            # is [NF] (creatio-oauth.md §7: no rotation in Creatio).
            secret = _text(body, "ClientSecret")
            if secret:
                client.secret = secret
            return json_response(client.info())

    async def remove_client(self, request: Request) -> Response:
        with self.store.lock:
            if self.store.clients.pop(request.path_params["clientId"], None) is None:
                # creatio-oauth.md §1.2: Creatio tolerates this 404.
                return _error(404, "Client not found.")
            self.customer_ids.pop(request.path_params["clientId"], None)
        return empty(204)

    async def get_client(self, request: Request) -> Response:
        client = self.store.get(request.path_params["clientId"])
        return _error(404, "Client not found.") if client is None else json_response(client.info())

    async def find_clients(self, request: Request) -> Response:
        """``Clients/find``: the clients matching every filter given, disabled ones included.

        The body's members are [NF] (creatio-oauth.md §1.2 names the path and scope only); the mock
        filters on ``ClientName``, ``CustomerId`` and ``Properties`` (each property given must match).
        """
        body = await self._body(request)
        if isinstance(body, Response):
            return body
        name, customer = _text(body, "ClientName"), _text(body, "CustomerId")
        wanted = _properties(body.get("Properties")) or {}
        with self.store.lock:
            found = [
                {**client.info(), "CustomerId": self.customer_ids.get(client.client_id, "")}
                for client in self.store.clients.values()
                if (name is None or client.name == name)
                and (customer is None or self.customer_ids.get(client.client_id) == customer)
                and all(client.properties.get(key) == value for key, value in wanted.items())
            ]
        return json_response(found)

    async def _scope_change(self, request: Request, grant: bool) -> Response:
        body = await self._body(request)
        if isinstance(body, Response):
            return body
        scopes = body.get("AllowedScopes")
        if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
            return _error(400, "AllowedScopes must be a list of scope names.")
        with self.store.lock:
            client = self.store.clients.get(_text(body, "ClientId") or "")
            if client is None:
                return _error(404, "Client not found.")
            for scope in scopes:
                if grant and scope not in self.store.resources:
                    return _error(400, f"Unknown resource {scope}.")
            for scope in scopes:
                if grant and scope not in client.allowed_scopes:
                    client.allowed_scopes.append(scope)
                if not grant and scope in client.allowed_scopes:
                    client.allowed_scopes.remove(scope)
            return json_response(client.info())

    async def grant_scopes(self, request: Request) -> Response:
        return await self._scope_change(request, grant=True)

    async def delete_scopes(self, request: Request) -> Response:
        return await self._scope_change(request, grant=False)

    async def register_resource(self, request: Request) -> Response:
        body = await self._body(request)
        if isinstance(body, Response):
            return body
        name = _text(body, "Name")
        if not name:
            return _error(400, "Name is required.")
        resource = OwnedResource(name, _text(body, "DisplayName") or name, _properties(body.get("Properties")) or {})
        if not self.store.register_resource(resource):
            return _error(409, f"Resource {name} already exists.")
        return json_response(resource.info())

    async def list_resources(self, request: Request) -> Response:
        with self.store.lock:
            return json_response([r.info() for r in self.store.resources.values()])
