"""OData 4 at ``{Creatio}/0/odata/`` (``/odata/`` on .NET): integrations, users, two business entities.

``OAuthClientApp`` writes go through the same listener logic as OAuthConfigService, so they sync
with the IS and are cancelled when it fails (creatio-oauth.md §3.3 "OData", [INF]). Reads and
writes are checked against the per-user permission model (``read``/``edit`` per entity).

``SysAdminUnit`` is read-only for every caller, administrators included: [SRC] S81
Terrasoft.WebHost.dll.config:271 lists it (with VwSysAdminUnit, SysUserInRole, SysAdminUnitInRole,
which the mock does not expose) under DataServiceRestrictedModifySchemas, and OData's
GetIsResourceRestrictedForModify has no exception for CanManageSolution. Users are created, changed
and deleted through AdministrationService (``administration.py``).
"""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from .creatio_auth import Authenticator, Principal
from .creatio_store import SECURED_ENTITIES, CreatioStore
from .ids import canonical_guid
from .integrations import Changes, IntegrationError, Integrations, guid_or_none
from .odata_query import QueryError, parse_query
from .options import MockOptions
from .wire import empty, json_response, read_json_object

__all__ = ["ODataService"]

_RESOURCE = re.compile(r"^(\w+)(?:\((.*)\))?$")
_FIELDS: dict[str, list[str]] = {
    "OAuthClientApp": ["Id", "Name", "ClientId", "ApplicationUrl", "RedirectUrl", "Description", "IsActive",
                       "SystemUserId", "CreatedOn", "ModifiedOn"],
    "SysAdminUnit": ["Id", "Name", "SysAdminUnitTypeValue", "Active"],
    "Contact": ["Id", "Name", "Email", "JobTitle"],
    "Currency": ["Id", "Name", "ShortName", "Code", "Symbol", "Rate"],
}
_APP_TEXT = {"Name": "name", "ApplicationUrl": "application_url", "RedirectUrl": "redirect_url",
             "Description": "description"}
# [SRC S81] DataServiceRestrictedModifySchemas, as far as the mock exposes those entities.
RESTRICTED_MODIFY = frozenset({"SysAdminUnit"})


def _same_kind(value: object, current: object) -> bool:
    def kind(v: object) -> str:
        if isinstance(v, bool):
            return "bool"
        return "number" if isinstance(v, int | float) else type(v).__name__

    return kind(value) == kind(current)


def odata_error(status: int, message: str) -> Response:
    # [INF] the OData 4 JSON error shape; Creatio's exact codes are not recorded.
    return json_response({"error": {"code": "", "message": message}}, status)


class ODataService:
    def __init__(self, options: MockOptions, store: CreatioStore, auth: Authenticator,
                 integrations: Integrations, service_root: str) -> None:
        """``service_root`` is the announced ``.../odata`` URL, used in ``@odata.context``."""
        self.options = options
        self.store = store
        self.auth = auth
        self.integrations = integrations
        self.service_root = service_root

    async def handle(self, request: Request) -> Response:
        principal = await self.auth.authenticate(request)
        if isinstance(principal, Response):
            return principal
        match = _RESOURCE.match(request.path_params["resource"])
        entity = next((e for e in SECURED_ENTITIES if match and e.lower() == match.group(1).lower()), None)
        if match is None or entity is None:
            return odata_error(404, f"Resource not found for the segment '{request.path_params['resource']}'.")
        raw_key = match.group(2)
        key = None
        if raw_key is not None:
            key = canonical_guid(raw_key.strip("'").removeprefix("guid'"))
            if key is None:
                return odata_error(400, f"The key value '{raw_key}' is not a valid Guid.")
        operation = "read" if request.method == "GET" else "edit"
        if operation == "edit" and entity in RESTRICTED_MODIFY:
            # [SRC S81] refused for everyone, before any per-user right. The status and the text are [NF]
            # (the text lives in Terrasoft.Core.dll): the mock answers as for any missing right, 403.
            return self.auth.forbidden(principal, entity, operation)
        if not self.auth.may(principal, entity, operation):
            if (operation == "read" and key is None and principal.via == "bearer"
                    and self.options.has("denied-read-empty-list")):
                # Benign variant. creatio-versions.md §2: record-level rights filter the rows instead of
                # refusing the entity, so the caller sees an empty collection.
                context = f"{self.service_root}/$metadata#{entity}"
                return json_response({"@odata.context": context, "value": []})
            return self.auth.forbidden(principal, entity, operation)
        try:
            if request.method == "GET":
                return self._get(request, entity, key)
            if request.method == "POST" and key is None and entity == "OAuthClientApp":
                return await self._post_app(principal, request)
            if request.method == "PATCH" and key is not None:
                return await self._patch(principal, request, entity, key)
            if request.method == "DELETE" and key is not None:
                return await self._delete(principal, entity, key)
        except IntegrationError as error:
            return odata_error(error.status, error.message)
        except QueryError as error:
            return odata_error(400, str(error))
        return odata_error(405, f"{request.method} is not supported on this resource by the mock.")

    def _rows(self, entity: str, listing: bool) -> list[dict[str, Any]]:
        with self.store.lock:
            if entity == "OAuthClientApp":
                apps = list(self.store.apps.values())
                if listing and self.options.has("integration-not-listed"):
                    # Defect: integrations created through OAuthConfigService vanish from the list page.
                    apps = [a for a in apps if a.created_via != "service"]
                return [a.odata() for a in apps]
            if entity == "SysAdminUnit":
                return [u.odata() for u in self.store.users.values()]
            return [dict(r) for r in self.store.records[entity].values()]

    def _get(self, request: Request, entity: str, key: str | None) -> Response:
        context = f"{self.service_root}/$metadata#{entity}"
        if key is not None:
            row = next((r for r in self._rows(entity, listing=False) if r["Id"] == key), None)
            if row is None:
                return odata_error(404, "The requested resource does not exist.")
            return json_response({"@odata.context": context + "/$entity", **row})
        query = parse_query(request.query_params)
        # The list page reads the collection without a filter; lookups (by Id, ClientId, Name) filter it.
        rows = query.apply(self._rows(entity, listing=not query.conditions), _FIELDS[entity])
        if query.select is not None:
            context += "(" + ",".join(f for f in _FIELDS[entity] if f in query.select) + ")"
        return json_response({"@odata.context": context, "value": rows})

    async def _body(self, request: Request) -> dict[str, Any]:
        body = await read_json_object(request)
        if body is None:
            raise IntegrationError("ArgumentException", "The request body must be a JSON object.", 400)
        # Instance annotations such as @odata.type carry no data.
        return {k: v for k, v in body.items() if not k.startswith("@")}

    async def _post_app(self, principal: Principal, request: Request) -> Response:
        body = await self._body(request)
        values = self._app_values(body, allowed=set(_APP_TEXT) | {"SystemUserId"})
        app = await self.integrations.insert(
            principal, name=values.get("Name"), application_url=values.get("ApplicationUrl"),
            redirect_url=values.get("RedirectUrl"), description=values.get("Description"),
            system_user_id=values.get("SystemUserId"), via="odata",
        )
        context = f"{self.service_root}/$metadata#OAuthClientApp/$entity"
        return json_response({"@odata.context": context, **app.odata()}, 201,
                             {"Location": f"{self.service_root}/OAuthClientApp({app.id})"})

    @staticmethod
    def _app_values(body: dict[str, Any], allowed: set[str]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, value in body.items():
            if name not in allowed:
                raise IntegrationError("ArgumentException", f"Property '{name}' cannot be written.", 400)
            if name == "IsActive":
                if not isinstance(value, bool):
                    raise IntegrationError("ArgumentException", "IsActive must be a boolean.", 400)
            elif name == "SystemUserId":
                value = guid_or_none(value)
                if value is None:
                    raise IntegrationError("ArgumentException", "SystemUserId must be a Guid.", 400)
            elif value is not None and not isinstance(value, str):
                raise IntegrationError("ArgumentException", f"{name} must be a string.", 400)
            values[name] = value
        return values

    async def _patch(self, principal: Principal, request: Request, entity: str, key: str) -> Response:
        body = await self._body(request)
        if entity == "OAuthClientApp":
            app = self.integrations.app(key)
            values = self._app_values(body, allowed=set(_APP_TEXT) | {"IsActive", "SystemUserId"})
            if self.options.has("edit-ignored"):
                # Defect: the answer is 204 as usual, but these edits are dropped on the floor.
                for name in ("Name", "ApplicationUrl", "Description"):
                    values.pop(name, None)
            changes = Changes(
                name=values.get("Name"), application_url=values.get("ApplicationUrl"),
                redirect_url=values.get("RedirectUrl"), description=values.get("Description"),
                is_active=values.get("IsActive"), system_user_id=values.get("SystemUserId"),
            )
            await self.integrations.update(principal, app, changes)
            return empty(204)
        return self._patch_record(entity, key, body)

    def _patch_record(self, entity: str, key: str, body: dict[str, Any]) -> Response:
        with self.store.lock:
            row = self.store.records[entity].get(key)
            if row is None:
                return odata_error(404, "The requested resource does not exist.")
            for name, value in body.items():
                current = row.get(name)
                if name == "Id" or name not in row or not _same_kind(value, current):
                    return odata_error(400, f"Property '{name}' cannot be written with that value.")
            row.update(body)
        return empty(204)

    async def _delete(self, principal: Principal, entity: str, key: str) -> Response:
        if entity == "OAuthClientApp":
            await self.integrations.delete(principal, self.integrations.app(key))
            return empty(204)
        with self.store.lock:
            if self.store.records[entity].pop(key, None) is None:
                return odata_error(404, "The requested resource does not exist.")
        return empty(204)
