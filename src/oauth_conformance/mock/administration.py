"""``POST {Creatio}{P}/rest/AdministrationService/<Method>``: creating, changing and deleting users.

[SRC] S82 ``AS/AdministrationServiceUsers.CrtUIv2.cs`` (S81 ``CS/…``, same file): a session-based WCF
service ([INF]: admin cookie + BPMCSRF, as OAuthConfigService). The mock offers the three methods a
client needs to manage the users of its integrations, since OData may not write ``SysAdminUnit``
(``odata.py``):

- ``UpdateOrCreateTechnicalUser`` (8.2 and 8.3; absent on 8.0 and 8.1 [SRC S81 has no technical users]):
  Bare, the body is the ``TechnicalUserInfoDto`` itself, the reply a bare JSON string, ``""`` on success
  and otherwise the message (a refusal is a return value, HTTP 200);
- ``DeleteUser`` (every generation): Wrapped ``{"userId"}`` → ``{"DeleteUserResult": "<JSON string>"}``;
- ``UpdateOrCreateUser`` (every generation): Wrapped ``{"jsonObject": "<JSON string>", "roleId"}`` →
  ``{"UpdateOrCreateUserResult": "<message or empty>"}``.

A request WCF cannot deserialise never reaches the method: an HTTP fault with no result. Where the
source parses an argument outside its ``try`` (``Guid.Parse`` in DeleteUser, ``Json.Deserialize`` in
UpdateOrCreateUser) the fault is a 500 [INF]. The messages of Terrasoft.Core's exceptions are not in
any public source [NF]; the mock's wordings are below.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from .creatio_auth import Authenticator, Principal
from .creatio_store import TECHNICAL_USER_TYPE, USER_TYPE, CreatioStore, SysAdminUnit
from .ids import canonical_guid
from .options import MockOptions
from .wire import JsonRefused, empty, json_response, parse_json, read_json_object

__all__ = [
    "NAME_REQUIRED",
    "NO_ADMINISTRATION_RIGHT",
    "SAME_NAME",
    "UNKNOWN_COLUMN",
    "UNKNOWN_USER",
    "USER_REFERENCED",
    "AdministrationService",
]

Payload = dict[str, Any]
Method = Callable[[Principal, Payload], Response]

# [NF] wordings chosen by the mock. SAME_NAME stands for the resource CannotSaveTechnicalUserWithSameName
# ([SRC S82] :802-806), whose English text is in no public source.
SAME_NAME = "A user or role with the same name already exists."
# [INF] SysAdminUnit.Name is a required column: the save fails on an empty or blank one.
NAME_REQUIRED = 'The "Name" column must be filled in.'
# [SRC] the methods call CheckCanExecuteOperation("CanManageAdministration") inside their try; the mock's
# rule for it is CanManageSolution, its one administrator right.
NO_ADMINISTRATION_RIGHT = 'Insufficient permissions for the system operation "CanManageAdministration".'
# [NF] whether a user an OAuthClientApp still names (SystemUser) can be deleted: the less convenient
# reading, it cannot (a reference constraint of the database).
USER_REFERENCED = "The user cannot be deleted because OAuthClientApp records refer to it."
# [INF] SaveUser would insert a new unit for an unknown Id ([SRC S82] :629-688); the mock models only
# changes to existing units through UpdateOrCreateUser and answers an unknown Id with this message.
UNKNOWN_USER = "User with specified Id does not exist."
UNKNOWN_COLUMN = 'Column "{name}" cannot be saved: only Name and Active of VwSysAdminUnit are supported.'
# TechnicalUserInfoDto's optional Guid members ([SRC S82] :28-54): parsed, otherwise ignored by the mock.
_OPTIONAL_GUIDS = ("SysLanguageId", "ContactId", "TimeZoneId")


class _Fault(Exception):
    """A WCF fault: the HTTP status, no result body."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def _guid_member(body: Payload, name: str, status: int) -> str:
    value = body.get(name)
    key = canonical_guid(value) if isinstance(value, str) else None
    if key is None:
        raise _Fault(status)
    return key


def _delete_result(success: bool, security: bool = False, message: str | None = None) -> Response:
    # [SRC S82] :969-995: JsonConvert.SerializeObject of an anonymous object, returned as a string.
    text = json.dumps({"Success": success, "IsSecurityException": security, "ExceptionMessage": message},
                      separators=(",", ":"))
    return json_response({"DeleteUserResult": text})


class AdministrationService:
    def __init__(self, options: MockOptions, store: CreatioStore, auth: Authenticator) -> None:
        self.options = options
        self.store = store
        self.auth = auth
        offered: list[tuple[str, Method]] = [
            ("DeleteUser", self.delete_user),
            ("UpdateOrCreateUser", self.update_or_create_user),
        ]
        if options.generation.technical_users:
            offered.append(("UpdateOrCreateTechnicalUser", self.update_or_create_technical_user))
        self.methods: dict[str, tuple[str, Method]] = {name.lower(): (name, method) for name, method in offered}

    async def handle(self, request: Request) -> Response:
        entry = self.methods.get(request.path_params["method"].lower())
        if entry is None:
            return empty(404)  # WCF: "Endpoint not found."
        principal = await self.auth.authenticate(request)
        if isinstance(principal, Response):
            return principal
        body = await read_json_object(request)
        if body is None:
            return empty(400)  # WCF rejects a body it cannot deserialise
        try:
            return entry[1](principal, body)
        except _Fault as fault:
            return empty(fault.status)

    @staticmethod
    def _may_administer(principal: Principal) -> bool:
        return principal.user.can_manage_solution

    def _name_taken(self, name: str, except_id: str) -> bool:
        # [SRC S82] ValidateTechnicalUserUniqueName (:604-611): any SysAdminUnit with that Name and another
        # Id. [INF] Creatio's databases compare names case-insensitively; the mock does too.
        folded = name.casefold()
        with self.store.lock:
            return any(u.name.casefold() == folded and u.id != except_id for u in self.store.users.values())

    def update_or_create_technical_user(self, principal: Principal, dto: Payload) -> Response:
        # [SRC S82] :28-54: Id and Name are IsRequired (present); Id is a Guid the caller chooses.
        user_id = _guid_member(dto, "Id", 400)
        if "Name" not in dto or not (dto["Name"] is None or isinstance(dto["Name"], str)):
            raise _Fault(400)
        name: str = dto["Name"] or ""
        # [SRC S82] Active is a plain bool member: absent means false, so the user is created inactive.
        active = dto.get("Active", False)
        if not isinstance(active, bool):
            raise _Fault(400)
        for member in _OPTIONAL_GUIDS:
            if dto.get(member) is not None:
                _guid_member(dto, member, 400)
        with self.store.lock:  # the name check and the save in one section: two saves of one name at once
            return self._save_unique_technical_user(principal, user_id, name, active)

    def _save_unique_technical_user(self, principal: Principal, user_id: str, name: str, active: bool) -> Response:
        # [SRC S82] :802-806: the name check runs first, outside the try, and returns its message.
        if self._name_taken(name, user_id):
            return json_response(SAME_NAME)
        if not self._may_administer(principal):  # [SRC] :817-818, inside the try
            return json_response(NO_ADMINISTRATION_RIGHT)
        # §3.4: SysAdminUnitTypeValue 7, no rights, no password; [SRC S82] SaveUser sets the type (and
        # connection type and time zone) on an existing unit too.
        # Defect "techuser-wrong-type". Realistic fault: the DTO's type constant points at the ordinary
        # user type (472E97C7-…, value 4) instead of BaseConsts.TechnicalUserSysAdminUnitTypeId.
        type_value = USER_TYPE if self.options.has("techuser-wrong-type") else TECHNICAL_USER_TYPE
        if not name.strip():
            if self.options.has("unnamed-user-created"):
                # Defect. Realistic fault: the required-column validation runs in a listener after the
                # insert (OnSaved instead of OnSaving) and its error is reported, but the row stays.
                self._save_technical_user(user_id, name, active, type_value)
            return json_response(NAME_REQUIRED)
        self._save_technical_user(user_id, name, active, type_value)
        return json_response("")

    def _save_technical_user(self, user_id: str, name: str, active: bool, type_value: int) -> None:
        with self.store.lock:
            user = self.store.users.get(user_id)
            if user is None:
                self.store.users[user_id] = SysAdminUnit(id=user_id, name=name, type_value=type_value, active=active)
            else:
                user.name, user.active, user.type_value = name, active, type_value

    def delete_user(self, principal: Principal, body: Payload) -> Response:
        # [SRC S82] :969-995: Guid.Parse(userId) runs before the try: a missing or malformed id is a fault.
        user_id = _guid_member(body, "userId", 500)
        if not self._may_administer(principal):
            return _delete_result(False, security=True, message=NO_ADMINISTRATION_RIGHT)
        with self.store.lock:
            if self.store.users.get(user_id) is None:
                # [SRC] the private DeleteUser does nothing when FetchFromDB fails: success.
                return _delete_result(True)
            if any(app.system_user_id == user_id for app in self.store.apps.values()):
                return _delete_result(False, message=USER_REFERENCED)
            if self.options.has("delete-user-refused"):
                # Defect. Realistic fault: a build whose DeleteUser also demands a licence-management
                # right no administrator role carries by default, so it refuses every delete; the user
                # stays (and keeps its subscription slot) unless someone removes it by hand.
                return _delete_result(False, security=True, message=NO_ADMINISTRATION_RIGHT)
            # [SRC S82] :317-327: the SysUserInRole rows go first (the mock's rights), then the unit.
            del self.store.users[user_id]
            self.store.rights.pop(user_id, None)
            self.store.sessions = {k: s for k, s in self.store.sessions.items() if s.user_id != user_id}
        return _delete_result(True)

    def update_or_create_user(self, principal: Principal, body: Payload) -> Response:
        # [SRC] S81 :504-517, S82 :773-786: Json.Deserialize(jsonObject) runs before the try.
        raw = body.get("jsonObject")
        try:
            columns = parse_json(raw) if isinstance(raw, str) else None
        except JsonRefused:
            columns = None
        if not isinstance(columns, dict):
            raise _Fault(500)
        return json_response({"UpdateOrCreateUserResult": self._save_user(principal, columns)})

    def _save_user(self, principal: Principal, columns: Payload) -> str:
        """SaveUser for an existing unit: the message, or "" when saved."""
        if not self._may_administer(principal):
            return NO_ADMINISTRATION_RIGHT
        user_id = canonical_guid(columns["Id"]) if isinstance(columns.get("Id"), str) else None
        user = self.store.user(user_id or "")
        if user is None:
            return UNKNOWN_USER
        changes: dict[str, Any] = {}
        for name, value in columns.items():
            if name == "Id":
                continue
            if name == "Name" and isinstance(value, str):
                if not value.strip():
                    return NAME_REQUIRED
                changes["name"] = value
            elif name == "Active" and isinstance(value, bool):
                changes["active"] = value
            else:
                return UNKNOWN_COLUMN.format(name=name)
        with self.store.lock:
            for attribute, value in changes.items():
                setattr(user, attribute, value)
        return ""
