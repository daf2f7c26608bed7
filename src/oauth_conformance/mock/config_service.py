"""``POST {Creatio}/0/rest/OAuthConfigService/<Method>`` (creatio-oauth.md §3.3).

WCF "Wrapped" JSON: the request sits in an object named after the parameter, the answer in
``<Method>Result``. Refusals are ``{"success": false, "errorInfo": {"errorCode", "message"}}``
with HTTP 200, as the service catches its exceptions; ``errorCode`` carries the .NET exception
name [INF]. Callers must be authenticated; the write methods also need CanManageSolution.

Per generation (``generations.py``): every one offers AddClient, UpdateClient, DeleteClient,
GetClientSecret and AddDefaultResource; CreateTechnicalUser exists on none ([SRC] S81/S82 have no
such method; no 8.3 source) unless the benign variant ``create-technical-user-service`` offers it
where technical users exist (8.2, 8.3). 8.3 adds the applicationUrl and grantType rules of AddClient.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from .creatio_auth import Authenticator, Principal
from .ids import canonical_guid
from .integrations import CLIENT_CREDENTIALS, Changes, IntegrationError, Integrations, guid_or_none
from .wire import json_response, read_json_object

__all__ = ["ConfigService"]

Payload = dict[str, Any]
Method = Callable[[Principal, Payload], Awaitable[Payload]]

# [SRC] S81 = S82 OAuthConfigServiceDto.OAuth20.cs:14-24: the AddClient DTO's IsRequired members. IsRequired
# means "present in the JSON"; a missing one fails deserialisation before the method runs ([INF] WCF).
ADD_CLIENT_REQUIRED = ("name", "redirectUrl", "applicationUrl", "systemUserId")
AUTHORIZATION_CODE = "authorization_code"
# [DOC] 8.3 names authorization_code; [CLI] CLIO sends client_credentials. Compared case-sensitively
# ([CLI] CLIO DIARY:4709-4711, "treats the grant type value as case-sensitive").
KNOWN_GRANT_TYPES = (AUTHORIZATION_CODE, CLIENT_CREDENTIALS)
# [INF] wordings chosen by the mock: the 8.3 page says these are required or constrained, not what the
# refusal says.
APPLICATION_URL_REQUIRED = "The applicationUrl parameter is required."


def _unsupported_grant(value: object) -> str:
    return f"Grant type {value!r} is not supported. Use one of: {', '.join(KNOWN_GRANT_TYPES)}."


class WcfFault(Exception):
    """The request never reached the method (a deserialisation fault): an HTTP status, no Result."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


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
        self.options = integrations.options
        offered: list[tuple[str, Method]] = [
            ("AddClient", self.add_client),
            ("UpdateClient", self.update_client),
            ("DeleteClient", self.delete_client),
            ("GetClientSecret", self.get_client_secret),
            ("AddDefaultResource", self.add_default_resource),
        ]
        if self.options.has("create-technical-user-service") and self.options.generation.technical_users:
            # Benign variant: the method CLIO calls on 10.x builds ([CLI]), only where type 7 exists.
            offered.append(("CreateTechnicalUser", self.create_technical_user))
        self.methods: dict[str, tuple[str, Method]] = {name.lower(): (name, method) for name, method in offered}

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
        except WcfFault as fault:
            return Response(status_code=fault.status)
        except IntegrationError as error:
            result = {"success": False, "errorInfo": {"errorCode": error.error_code, "message": error.message}}
        return json_response({f"{name}Result": result})

    async def add_client(self, principal: Principal, body: Payload) -> Payload:
        request = _wrapped(body, "addClientRequest")
        if any(member not in request for member in ADD_CLIENT_REQUIRED):
            raise WcfFault(400)  # [INF] WCF: an IsRequired member is missing → 400, no AddClientResult
        system_user = request["systemUserId"]
        if not isinstance(system_user, str) or canonical_guid(system_user) is None:
            raise WcfFault(400)  # [INF] a Guid member that is null or no Guid fails deserialisation too
        self.integrations.require_manage(principal)
        application_url = _text(request, "applicationUrl")
        grant_types: tuple[str, ...] | None = None
        if self.options.generation.application_url_required and not (application_url or "").strip():
            # [DOC] 8.3 "Manage OAuth integrations using API": applicationUrl is required.
            raise IntegrationError("ArgumentException", APPLICATION_URL_REQUIRED, 400)
        if self.options.generation.grant_type_member:
            grant_types = self._grant_types(request)
        # Any other member (description, and before 8.3 grantType and allowedGrantTypes) is not in the
        # DTO, so it is ignored ([INF] DataContract) and description is not stored.
        app = await self.integrations.insert(
            principal,
            name=_text(request, "name"),
            application_url=application_url,
            redirect_url=_text(request, "redirectUrl"),
            description=None,
            system_user_id=system_user,
            via="service",
            grant_types=grant_types,
        )
        # `id` (the OAuthClientApp Id) is a mock addition so that callers need no OData lookup;
        # the real response documents clientId and clientSecret only (§3.3).
        if self.integrations.options.has("secret-not-returned"):
            # Defect. Realistic fault: a build that shows the secret only once in the UI and leaves it
            # out of the API answer, so an integration created through the API never learns it.
            return {"success": True, "clientId": app.client_id, "id": app.id}
        return {"success": True, "clientId": app.client_id, "clientSecret": app.client_secret, "id": app.id}

    @staticmethod
    def _grant_types(request: Payload) -> tuple[str, ...]:
        """8.3: the grants the IS client gets from grantType and allowedGrantTypes.

        [DOC] "may create an app that cannot use client credentials": with neither member the app is
        created for authorization_code only (the less convenient reading), so its client credentials
        requests get unauthorized_client. ``allowedGrantTypes: ["client_credentials"]`` counts the same
        as ``grantType`` ([CLI] CLIO sends both).
        """
        grants: list[str] = []
        grant_type = request.get("grantType")
        if grant_type is not None:
            if grant_type not in KNOWN_GRANT_TYPES:  # case-sensitive: "ClientCredentials" is refused
                raise IntegrationError("ArgumentException", _unsupported_grant(grant_type), 400)
            grants.append(grant_type)
        allowed = request.get("allowedGrantTypes")
        if allowed is not None:
            if not isinstance(allowed, list):
                raise IntegrationError("ArgumentException", "allowedGrantTypes must be a list.", 400)
            for value in allowed:
                if value not in KNOWN_GRANT_TYPES:
                    raise IntegrationError("ArgumentException", _unsupported_grant(value), 400)
                if value not in grants:
                    grants.append(value)
        return tuple(grants) or (AUTHORIZATION_CODE,)

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
        # Benign variant "create-technical-user-service" (see __init__); the reply CLIO reads ([CLI]).
        request = _wrapped(body, "createTechnicalUserRequest")
        user = self.integrations.create_technical_user(principal, _text(request, "name"))
        return {"success": True, "systemUserId": user.id}

    async def add_default_resource(self, principal: Principal, body: Payload) -> Payload:
        resource = await self.integrations.add_default_resource(principal)
        return {"success": True, "scope": resource.name}
