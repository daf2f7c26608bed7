"""Technical users on a Creatio: created, deactivated and deleted through the API each generation offers.

docs/creatio-generations.md §1–§2: OData and DataService refuse every write to ``SysAdminUnit``
(restricted-modify schemas), so users are made and removed only through services:
- create: ``AdministrationService/UpdateOrCreateTechnicalUser`` (8.2 and later; the caller picks the Id,
  so a call that times out is still undone), else ``OAuthConfigService/CreateTechnicalUser`` (later builds,
  as Creatio's own CLI uses it); 8.0 and 8.1 have no technical users at all;
- delete: ``AdministrationService/DeleteUser`` (every generation);
- deactivate, when deleting is refused: ``AdministrationService/UpdateOrCreateUser`` with Active false.
"""

from __future__ import annotations

import fcntl
import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from oauth_conformance.errors import FeatureNotOfferedError
from oauth_conformance.http import exchange_id
from oauth_conformance.targets.creatio import CreatioAdapter, ServiceResult

__all__ = ["NO_TECHNICAL_USERS", "CreationMethod", "TechUserBudget", "TechnicalUsers", "new_user_id"]

CreationMethod = Literal["AdministrationService/UpdateOrCreateTechnicalUser", "OAuthConfigService/CreateTechnicalUser"]
_ADMINISTRATION: CreationMethod = "AdministrationService/UpdateOrCreateTechnicalUser"
_CONFIG: CreationMethod = "OAuthConfigService/CreateTechnicalUser"

NO_TECHNICAL_USERS = (
    "this Creatio offers no server-side way to create a technical user: "
    "AdministrationService/UpdateOrCreateTechnicalUser (8.2 and later) and OAuthConfigService/CreateTechnicalUser "
    "both answered HTTP 404 (Creatio 8.0 and 8.1 have no technical users; they came with 8.1.5 as a beta)"
)
# CLIO reads a created user's Id from any of these members: the reply shape is not documented.
_ID_MEMBERS = ("systemUserId", "id", "value", "result")


@dataclass
class TechUserBudget:
    """How many technical users the run may still create. On a real instance only with the opt-in
    (CREATIO_CREATE_TECH_USERS), since each one counts against the subscription while it exists.

    ``ledger``: a file that the processes of one run (pytest-xdist workers) count in together, so that the
    run as a whole creates at most ``limit``, whichever worker asks; None in a run of one process."""

    allowed: bool
    limit: int
    created: int = 0
    ledger: Path | None = None

    def take(self) -> None:
        if not self.allowed:
            raise FeatureNotOfferedError(
                "creates a technical user of its own: set CREATIO_CREATE_TECH_USERS=true to allow it (each is "
                "deleted again through AdministrationService/DeleteUser, or listed at the end; at most "
                "CREATIO_MAX_TECH_USERS per run)"
            )
        if not self._count(+1):
            raise FeatureNotOfferedError(
                f"creates a technical user, and this run already created CREATIO_MAX_TECH_USERS={self.limit}"
            )

    def give_back(self) -> None:
        """A taken user that was never made (the instance offers no way) does not count."""
        self._count(-1)

    def _count(self, change: int) -> bool:
        """Add ``change`` to the run's count unless that passes the limit; whether it was added."""
        if self.ledger is None:
            if self.created + change > self.limit:
                return False
            self.created += change
            return True
        with self.ledger.open("a+", encoding="utf-8") as ledger:
            fcntl.flock(ledger, fcntl.LOCK_EX)  # released when the file closes
            ledger.seek(0)
            created = int(ledger.read().strip() or 0)
            if created + change > self.limit:
                return False
            ledger.seek(0)
            ledger.truncate()
            ledger.write(str(created + change))
        self.created += change
        return True


class TechnicalUsers:
    """The technical-user services of one instance; learns on first use which creation method it has."""

    def __init__(self, adapter: CreatioAdapter) -> None:
        self.adapter = adapter
        self.method: CreationMethod | None = None
        self._offered = True

    def create(self, user_id: str, name: str) -> ServiceResult:
        """Create the technical user ``name``; ``payload["systemUserId"]`` is its Id on success (``user_id``
        where the build lets the caller choose it). A build with no way at all is FeatureNotOfferedError."""
        if not self._offered:
            raise FeatureNotOfferedError(NO_TECHNICAL_USERS)
        if self.method in (None, _ADMINISTRATION):
            try:
                result = self._update_or_create(user_id, name)
                self.method = _ADMINISTRATION
                return result
            except FeatureNotOfferedError:
                if self.method == _ADMINISTRATION:
                    raise
        try:
            result = self._create_through_config(name)
        except FeatureNotOfferedError as missing:
            self._offered = False
            raise FeatureNotOfferedError(NO_TECHNICAL_USERS, missing.exchange_id) from None
        self.method = _CONFIG
        return result

    def _update_or_create(self, user_id: str, name: str) -> ServiceResult:
        # BodyStyle Bare: the body is the DTO itself, and the reply a bare string, empty on success.
        response, reply = self.adapter.service_call(
            "AdministrationService", "UpdateOrCreateTechnicalUser", {"Id": user_id, "Name": name, "Active": True}
        )
        success = response.status_code == 200 and reply == ""
        message = None if success else _message(reply, response.status_code)
        payload = {"systemUserId": user_id} if success else {}
        return ServiceResult(success, payload, message, response.status_code, exchange_id(response))

    def _create_through_config(self, name: str) -> ServiceResult:
        result = self.adapter.config_service("CreateTechnicalUser", {"createTechnicalUserRequest": {"name": name}})
        new_id = next((result.payload[m] for m in _ID_MEMBERS if isinstance(result.payload.get(m), str)), None)
        if result.success and new_id:
            result.payload["systemUserId"] = new_id
        return result

    def delete(self, user_id: str) -> ServiceResult:
        """``DeleteUser``: its result is a JSON object serialised into a string, parsed here."""
        response, reply = self.adapter.service_call("AdministrationService", "DeleteUser", {"userId": user_id})
        parsed: object = None
        if isinstance(reply, str):
            try:
                parsed = json.loads(reply)
            except ValueError:
                parsed = None
        body = parsed if isinstance(parsed, dict) else {}
        success = response.status_code == 200 and body.get("Success") is True
        reason = str(body.get("ExceptionMessage") or "")
        message = None if success else (reason or _message(reply, response.status_code))
        return ServiceResult(success, body, message, response.status_code, exchange_id(response))

    def deactivate(self, user_id: str) -> ServiceResult:
        """``UpdateOrCreateUser`` with only Id and Active: the user page's save of one column."""
        response, reply = self.adapter.service_call(
            "AdministrationService",
            "UpdateOrCreateUser",
            {"jsonObject": json.dumps({"Id": user_id, "Active": False}), "roleId": None},
        )
        success = response.status_code == 200 and reply == ""
        message = None if success else _message(reply, response.status_code)
        return ServiceResult(success, {}, message, response.status_code, exchange_id(response))


def new_user_id() -> str:
    return str(uuid.uuid4())


def _message(reply: object, status: int) -> str:
    if isinstance(reply, str) and reply:
        return reply
    return f"HTTP {status}" + (f": {json.dumps(reply)[:300]}" if reply not in (None, "") else "")
