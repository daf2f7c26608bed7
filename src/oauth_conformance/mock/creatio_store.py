"""State of the mock Creatio: users, integrations, resources, settings, rights, sessions, records."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .ids import canonical_guid

__all__ = [
    "OAUTH_SETTINGS",
    "OPERATIONS",
    "SECURED_ENTITIES",
    "SETTING_CLIENT_ID",
    "SETTING_CLIENT_SECRET",
    "SETTING_URL",
    "TECHNICAL_USER_TYPE",
    "USER_TYPE",
    "CreatioStore",
    "OAuthClientApp",
    "OAuthResource",
    "Session",
    "SysAdminUnit",
    "now_iso",
]

# creatio-oauth.md §3.4: SysAdminUnitTypeValue 4 is an ordinary user, 7 a technical user.
USER_TYPE = 4
TECHNICAL_USER_TYPE = 7

SETTING_URL = "OAuth20IdentityServerUrl"
SETTING_CLIENT_ID = "OAuth20IdentityServerClientId"
SETTING_CLIENT_SECRET = "OAuth20IdentityServerClientSecret"
OAUTH_SETTINGS = (SETTING_URL, SETTING_CLIENT_ID, SETTING_CLIENT_SECRET)  # the order §4 checks them in

OPERATIONS = frozenset({"read", "edit"})
# Entities under the per-user permission model (the mock's simplification of Creatio's object
# rights and system operations; creatio-oauth.md §2.1, §3.4).
SECURED_ENTITIES = ("OAuthClientApp", "SysAdminUnit", "Contact", "Currency")
BUSINESS_ENTITIES = ("Contact", "Currency")


def now_iso() -> str:
    """A timestamp as Creatio's OData 4 writes it (UTC, milliseconds)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@dataclass
class SysAdminUnit:
    id: str
    name: str
    type_value: int
    active: bool = True
    password: str | None = None  # technical users have none: they authenticate only with OAuth (§3.4)
    can_manage_solution: bool = False
    all_rights: bool = False

    def odata(self) -> dict[str, Any]:
        return {"Id": self.id, "Name": self.name, "SysAdminUnitTypeValue": self.type_value, "Active": self.active}


@dataclass
class OAuthClientApp:
    id: str
    name: str
    client_id: str
    client_secret: str
    system_user_id: str
    application_url: str = ""
    redirect_url: str = ""
    description: str = ""
    is_active: bool = True
    created_on: str = field(default_factory=now_iso)
    modified_on: str = field(default_factory=now_iso)
    created_via: str = "odata"  # "service" for OAuthConfigService; defect integration-not-listed reads it
    # Saves that changed something other than IsActive (the row's version, as far as edits go), and when
    # Active was first cleared. Neither is an OData column: only the sequence defects of integrations.py
    # read them.
    edits: int = 0
    first_deactivated_on: str | None = None

    def odata(self) -> dict[str, Any]:
        # [NF] creatio-oauth.md §3.3: whether OData exposes the SecureText ClientSecret is unknown;
        # the mock never exposes it (read it through OAuthConfigService/GetClientSecret).
        return {
            "Id": self.id,
            "Name": self.name,
            "ClientId": self.client_id,
            "ApplicationUrl": self.application_url,
            "RedirectUrl": self.redirect_url,
            "Description": self.description,
            "IsActive": self.is_active,
            "SystemUserId": self.system_user_id,
            "CreatedOn": self.created_on,
            "ModifiedOn": self.modified_on,
        }


@dataclass
class OAuthResource:
    id: str
    name: str
    display_name: str = "Application access"  # §1.4: set by OAuthConfigService.CreateResource
    is_default: bool = True


@dataclass(frozen=True)
class Session:
    user_id: str
    csrf: str


class CreatioStore:
    """Everything behind one lock; handlers hold it only for short, await-free sections."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.users: dict[str, SysAdminUnit] = {}
        self.apps: dict[str, OAuthClientApp] = {}
        self.resources: dict[str, OAuthResource] = {}
        self.settings: dict[str, str] = {}
        self.rights: dict[str, dict[str, set[str]]] = {}
        self.sessions: dict[str, Session] = {}
        self.records: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in BUSINESS_ENTITIES}

    def user(self, user_id: str) -> SysAdminUnit | None:
        key = canonical_guid(user_id)
        with self.lock:
            return self.users.get(key) if key else None

    def user_by_name(self, name: str) -> SysAdminUnit | None:
        with self.lock:
            return next((u for u in self.users.values() if u.name == name), None)

    def app(self, app_id: str) -> OAuthClientApp | None:
        key = canonical_guid(app_id)
        with self.lock:
            return self.apps.get(key) if key else None

    def app_by_client_id(self, client_id: str) -> OAuthClientApp | None:
        with self.lock:
            return next((a for a in self.apps.values() if a.client_id == client_id), None)

    def default_resource(self) -> OAuthResource | None:
        with self.lock:
            return next((r for r in self.resources.values() if r.is_default), None)

    def setting(self, code: str) -> str:
        with self.lock:
            return self.settings.get(code, "")

    def can(self, user: SysAdminUnit, entity: str, operation: str) -> bool:
        if user.all_rights:
            return True
        with self.lock:
            return operation in self.rights.get(user.id, {}).get(entity, set())

    def set_rights(self, user_id: str, entity: str, operations: set[str]) -> None:
        with self.lock:
            self.rights.setdefault(user_id, {})[entity] = set(operations)
