"""``POST {Creatio}/0/rest/OAuthConfigService/<Method>`` (creatio-oauth.md §3.3).

WCF "Wrapped" JSON: the request sits in an object named after the parameter, the answer in
``<Method>Result``. Refusals are ``{"success": false, "errorInfo": {"errorCode", "message"}}``
with HTTP 200, as the service catches its exceptions; ``errorCode`` carries the .NET exception
name [INF]. Callers must be authenticated; the write methods also need CanManageSolution.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from .creatio_auth import Authenticator, Principal
from .integrations import Changes, IntegrationError, Integrations, guid_or_none
from .wire import json_response, read_json_object

__all__ = ["ConfigService"]

Payload = dict[str, Any]
Method = Callable[[Principal, Payload], Awaitable[Payload]]


def _wrapped(body: Payload, name: str) -> Payload:
    inner = body.get(name)
    if not isinstance(inner, dict):
        # [INF] WCF hands the method a null request; the mock reports it as .NET would.
        raise IntegrationError("ArgumentNullException", f"Value cannot be null. (Parameter '{name}')", 400)
    return inner


def _text(request: Payload, name: str) -> str | None:
    value = request.get(name)
    if value is None or isinstance(value, str):
        return value
    raise IntegrationError("ArgumentException", f"{name} must be a string.", 400)


def _flag(request: Payload, name: str) -> bool | None:
    value = request.get(name)
    if value is None or isinstance(value, bool):
        return value
    raise IntegrationError("ArgumentException", f"{name} must be a boolean.", 400)


class ConfigService:
    def __init__(self, auth: Authenticator, integrations: Integrations) -> None:
        self.auth = auth
        self.integrations = integrations
        self.methods: dict[str, tuple[str, Method]] = {
            name.lower(): (name, method)
            for name, method in (
                ("AddClient", self.add_client),
                ("UpdateClient", self.update_client),
                ("DeleteClient", self.delete_client),
                ("GetClientSecret", self.get_client_secret),
                ("CreateTechnicalUser", self.create_technical_user),
                ("AddDefaultResource", self.add_default_resource),
            )
        }

    async def handle(self, request: Request) -> Response:
        entry = self.methods.get(request.path_params["method"].lower())
        if entry is None:
            return Response(status_code=404)  # WCF: "Endpoint not found."
        name, method = entry
        principal = await self.auth.authenticate(request)
        if isinstance(principal, Response):
            return principal
        body = await read_json_object(request)
        if body is None:
            return Response(status_code=400)  # WCF rejects a body it cannot deserialize
        try:
            result = await method(principal, body)
        except IntegrationError as error:
            result = {"success": False, "errorInfo": {"errorCode": error.error_code, "message": error.message}}
        return json_response({f"{name}Result": result})

    async def add_client(self, principal: Principal, body: Payload) -> Payload:
        request = _wrapped(body, "addClientRequest")
        app = await self.integrations.insert(
            principal,
            name=_text(request, "name"),
            application_url=_text(request, "applicationUrl"),
            redirect_url=_text(request, "redirectUrl"),
            description=_text(request, "description"),
            system_user_id=_text(request, "systemUserId"),
            via="service",
        )
        # `id` (the OAuthClientApp Id) is a mock addition so that callers need no OData lookup;
        # the real response documents clientId and clientSecret only (§3.3).
        if self.integrations.options.has("secret-not-returned"):
            # Defect. Realistic fault: a build that shows the secret only once in the UI and leaves it
            # out of the API answer, so an integration created through the API never learns it.
            return {"success": True, "clientId": app.client_id, "id": app.id}
        return {"success": True, "clientId": app.client_id, "clientSecret": app.client_secret, "id": app.id}

    async def update_client(self, principal: Principal, body: Payload) -> Payload:
        request = _wrapped(body, "updateClientRequest")
        app = self.integrations.app_by_client_id(_text(request, "clientId"))
        changes = Changes(
            name=_text(request, "name"),
            application_url=_text(request, "applicationUrl"),
            redirect_url=_text(request, "redirectUrl"),
            description=_text(request, "description"),
            is_active=_flag(request, "isActive"),
            system_user_id=_text(request, "systemUserId"),
        )
        await self.integrations.update(principal, app, changes)
        return {"success": True}

    async def delete_client(self, principal: Principal, body: Payload) -> Payload:
        request = _wrapped(body, "deleteClientRequest")
        app = self.integrations.app_by_client_id(_text(request, "clientId"))
        await self.integrations.delete(principal, app)
        return {"success": True}

    async def get_client_secret(self, principal: Principal, body: Payload) -> Payload:
        # §3.3: the one unwrapped parameter, {"clientAppId": "<OAuthClientApp.Id>"}.
        app_id = guid_or_none(body.get("clientAppId"))
        return {"success": True, "clientSecret": self.integrations.client_secret(principal, app_id)}

    async def create_technical_user(self, principal: Principal, body: Payload) -> Payload:
        request = _wrapped(body, "createTechnicalUserRequest")
        user = self.integrations.create_technical_user(principal, _text(request, "name"))
        return {"success": True, "systemUserId": user.id}

    async def add_default_resource(self, principal: Principal, body: Payload) -> Payload:
        resource = await self.integrations.add_default_resource(principal)
        return {"success": True, "scope": resource.name}
