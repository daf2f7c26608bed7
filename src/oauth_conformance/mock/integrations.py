"""Saving OAuth integrations: Creatio's entity listeners and their IS sync (creatio-oauth.md §3.2).

OAuthConfigService and OData both end here, as in Creatio where both go through the
``OAuthClientApp`` listeners. Every change first calls the IS; when that call fails the save is
cancelled and nothing is stored.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from .creatio_auth import Principal
from .creatio_store import (
    TECHNICAL_USER_TYPE,
    USER_TYPE,
    CreatioStore,
    OAuthClientApp,
    OAuthResource,
    SysAdminUnit,
    now_iso,
)
from .identity_link import IdentityError, IdentityLink
from .ids import canonical_guid, new_client_id, new_client_secret, new_guid, new_resource_name
from .options import MockOptions

__all__ = ["CLIENT_CREDENTIALS", "Changes", "IntegrationError", "Integrations", "guid_or_none"]

# [SRC S82] AS/OAuthClientAppListener.OAuth20.cs:21,41: sent to the IS for an empty ApplicationUrl (8.2+);
# the OAuthClientApp row keeps what was given.
DEFAULT_APPLICATION_URL = "http://defaulturl.com"
CLIENT_CREDENTIALS = "client_credentials"

# [SRC] verbatim messages: S81 :65-79 / S82 :69-85 (user), S81 :214/:247 and S82 :250/:283 (UpdateClient and
# DeleteClient of an unknown clientId), S82 GetClientSecret (an unknown OAuthClientApp Id).
INVALID_SYSTEM_USER = "Specified system user is not valid."
RECORD_NOT_FOUND = "Record with specified Id does not exist."
CLIENT_NOT_FOUND = "Client with specified Id does not exist."
# [INF] wording chosen by the mock: the sources show that these cases fail, not their text.
NAME_REQUIRED = "Name is required."
NO_MANAGE_RIGHT = 'Insufficient permissions for the system operation "CanManageSolution".'
NO_DEFAULT_RESOURCE = "Default OAuth resource is not found."
DEFAULT_RESOURCE_EXISTS = "Default OAuth resource already exists."
USER_EXISTS = "User with the specified name already exists."
CONCURRENT_EDITS = "The record was changed by other saves too often to save this one; try again."
# Rounds of an update before it gives up (see Integrations.update): far more than overlap in practice.
UPDATE_ROUNDS = 64


def _client_update(
    client_id: str, name: str, description: str, client_uri: str, redirect_uri: str, enabled: bool, user_id: str
) -> dict[str, object]:
    """The body of IS ``Clients/update``: §3.2 [SRC], any update sends Enabled = IsActive, the
    properties and the name."""
    return {
        "ClientId": client_id,
        "ClientName": name,
        "Description": description,
        "ClientUri": client_uri,
        "RedirectUri": redirect_uri,
        "Enabled": enabled,
        "Properties": {"SysAdminUnitId": user_id},
    }


def _edited_fields(app: OAuthClientApp) -> tuple[object, ...]:
    """What an update reads and writes: an edit stored meanwhile changes it."""
    return (app.name, app.application_url, app.redirect_url, app.description, app.system_user_id, app.is_active,
            app.client_secret, app.edits, app.first_deactivated_on)


# The columns the page's edit form offers beside Active (Name, Application URL, Description).
_FORM_TEXTS = ("name", "application_url", "description")
# The sequence defects that keep a deleted integration's IS client, disabled, for a later save to revive.
_REVIVING = ("same-name-revives-deleted", "reactivation-revives-deleted-sibling")


class IntegrationError(Exception):
    """A refused save. ``error_code`` is the .NET exception name in ``errorInfo`` [INF];
    ``status`` is what OData answers with."""

    def __init__(self, error_code: str, message: str, status: int) -> None:
        super().__init__(message)
        self.error_code = error_code
        self.message = message
        self.status = status


def _invalid(message: str) -> IntegrationError:
    return IntegrationError("ArgumentException", message, 400)


def _identity_failed(error: IdentityError) -> IntegrationError:
    # §3.2: the save is cancelled and the user is told; OData surfaces that as a server error.
    return IntegrationError(error.error_code, str(error), 500)


@dataclass(frozen=True)
class _Update:
    """What one update makes of a row as it stands, and the IS ``Clients/update`` body that says so."""

    new: dict[str, str]
    is_active: bool
    secret: str
    body: dict[str, object]
    edited: bool  # something other than IsActive changed
    deactivating: bool
    reactivating: bool


@dataclass(frozen=True)
class Changes:
    """An update; None leaves a field unchanged (UpdateClient semantics, §3.3)."""

    name: str | None = None
    application_url: str | None = None
    redirect_url: str | None = None
    description: str | None = None
    is_active: bool | None = None
    system_user_id: str | None = None


class Integrations:
    def __init__(self, options: MockOptions, store: CreatioStore, link: IdentityLink) -> None:
        self.options = options
        self.store = store
        self.link = link

    def require_manage(self, principal: Principal) -> None:
        # §3.2 [SRC]: every insert, update and delete first checks CanManageSolution.
        if not principal.user.can_manage_solution:
            raise IntegrationError("SecurityException", NO_MANAGE_RIGHT, 403)

    def _system_user(self, user_id: str | None) -> SysAdminUnit:
        user = self.store.user(user_id or "")
        # [SRC S81] :65-79 accepts type 4 only (8.0 likewise [INF]); [SRC S82] :69-85 also 7 (generations.py).
        if user is None or user.type_value not in self.options.generation.bindable_user_types:
            raise _invalid(INVALID_SYSTEM_USER)
        return user

    def _client_uri(self, application_url: str) -> str:
        """The ClientUri the listener sends to the IS for a row's ApplicationUrl."""
        if not application_url and self.options.generation.substitutes_default_url:
            return DEFAULT_APPLICATION_URL  # [SRC S82] listener :21,41; the row stays empty
        return application_url  # [SRC S81] listener :32-42 sends it as given

    def _bound_user(self, principal: Principal, requested: SysAdminUnit) -> SysAdminUnit:
        """The user a new integration is bound to: the requested one, unless ``techuser-choice-ignored``."""
        if requested.type_value == TECHNICAL_USER_TYPE and self.options.has("techuser-choice-ignored"):
            # Defect. Realistic fault: the insert re-resolves the user through a lookup still filtered to
            # ordinary users (type 4, the 8.1 rule of §3.3) and, finding nothing, falls back to the
            # current user (UserConnection.CurrentUser) instead of refusing, so the integration silently
            # runs as the admin who saved it (Supervisor).
            return principal.user
        return requested

    def _new_client_id(self) -> str:
        client_id = new_client_id()
        # Defect "credential-format-lowercase". Realistic fault: a port of the generator to
        # Convert.ToHexStringLower / ToString("x2") instead of BitConverter.ToString, or a
        # ToLowerInvariant() added for "normalisation": same lengths, different format (§1.3).
        return client_id.lower() if self.options.has("credential-format-lowercase") else client_id

    def _new_client_secret(self) -> str:
        secret = new_client_secret()
        if self.options.has("short-client-secret"):
            # Defect. Realistic fault: the generator takes 8 random bytes (a GUID half, a long) instead
            # of 32, so the secret carries 64 bits; RFC 6819 §5.1.4.2.2 asks for at least 128.
            secret = secret[:16]
        # Defect "credential-format-lowercase": see _new_client_id.
        return secret.lower() if self.options.has("credential-format-lowercase") else secret

    def app(self, app_id: str) -> OAuthClientApp:
        app = self.store.app(app_id)
        if app is None:
            raise IntegrationError("ItemNotFoundException", RECORD_NOT_FOUND, 404)
        return app

    def app_by_client_id(self, client_id: str | None) -> OAuthClientApp:
        app = self.store.app_by_client_id(client_id or "")
        if app is None:
            # [SRC] S81 :214/:247, S82 :250/:283: UpdateClient and DeleteClient look the row up by ClientId.
            raise IntegrationError("ItemNotFoundException", RECORD_NOT_FOUND, 404)
        return app

    async def insert(self, principal: Principal, *, name: str | None, application_url: str | None,
                     redirect_url: str | None, description: str | None, system_user_id: str | None,
                     via: str, grant_types: tuple[str, ...] | None = None) -> OAuthClientApp:
        """Save a new integration. ``grant_types``: the IS client's allowed grants where the generation
        registers them (8.3); None is the client credentials grant alone."""
        self.require_manage(principal)
        # [SRC S82] no server check of an empty name (Name is required only in the UI schema); 8.3 [NF],
        # so the less convenient reading: an empty name is saved.
        user = self._bound_user(principal, self._system_user(system_user_id))
        resource = self.store.default_resource()
        if resource is None:  # §3.2: insert requires exactly one default OAuthResource
            raise IntegrationError("InvalidOperationException", NO_DEFAULT_RESOURCE, 400)
        app = OAuthClientApp(
            id=new_guid(), name=name or "", client_id=self._new_client_id(), client_secret=self._new_client_secret(),
            system_user_id=user.id, application_url=application_url or "",
            redirect_url=redirect_url or "", description=description or "", created_via=via,
        )
        registration: dict[str, object] = {
            "ClientId": app.client_id,
            "ClientSecret": app.client_secret,
            "ClientName": app.name,
            "CustomerId": app.name,
            "Description": app.description,
            "ClientUri": self._client_uri(app.application_url),
            "RedirectUri": app.redirect_url,
            "Properties": {"SysAdminUnitId": user.id},
            "CanRegisterOwnScopes": False,
        }
        if self.options.generation.grant_type_member:
            # [INF] 8.3 registers the grants the request named ([DOC] grantType; [CLI] CLIO's
            # allowedGrantTypes); IdentityServer's AllowedGrantTypes is where a client's grants live.
            registration["AllowedGrantTypes"] = list(grant_types or (CLIENT_CREDENTIALS,))
        try:
            await self.link.manage("POST", "clients/addregistrar", "add_registrar_client", registration)
        except IdentityError as error:
            raise _identity_failed(error) from error
        try:
            # §3.2: the OAuthResourceInClient row for the default resource triggers Clients/scopes.
            await self.link.manage("POST", "Clients/scopes", "update_client",
                                   {"ClientId": app.client_id, "AllowedScopes": [resource.name]})
        except IdentityError as error:
            await self._undo_registration(app)
            raise _identity_failed(error) from error
        if self.options.has("same-name-revives-deleted"):
            try:
                await self._relink_same_name(app)
            except IdentityError as error:
                await self._undo_registration(app)
                raise _identity_failed(error) from error
        with self.store.lock:
            self.store.apps[app.id] = app
        return app

    async def _undo_registration(self, app: OAuthClientApp) -> None:
        # Undo the half-made client so that a cancelled save leaves nothing behind.
        with contextlib.suppress(IdentityError):
            await self.link.manage("DELETE", f"clients/{app.client_id}", "remove_client", tolerate_404=True)

    def _orphans(self, found: list[dict[str, object]], exclude: str) -> list[dict[str, object]]:
        """The clients among ``found`` that Creatio registered (they carry a SysAdminUnitId property) and
        that no OAuthClientApp row names, ``exclude`` (the client being saved) apart."""
        with self.store.lock:
            named = {a.client_id for a in self.store.apps.values()}

        def registered(client: dict[str, object]) -> bool:
            properties = client.get("Properties")
            return isinstance(properties, dict) and bool(properties.get("SysAdminUnitId"))

        return [c for c in found
                if registered(c) and c.get("ClientId") not in named and c.get("ClientId") != exclude]

    async def _enable(self, client: dict[str, object]) -> None:
        """Push Enabled = true for an IS client as ``Clients/find`` described it, nothing else changed."""
        properties = client.get("Properties")
        user_id = properties.get("SysAdminUnitId", "") if isinstance(properties, dict) else ""
        await self.link.manage("POST", "Clients/update", "update_client", _client_update(
            str(client.get("ClientId", "")), str(client.get("ClientName", "")), str(client.get("Description", "")),
            str(client.get("ClientUri", "")), str(client.get("RedirectUri", "")), True, str(user_id),
        ))

    async def _relink_same_name(self, app: OAuthClientApp) -> None:
        """Defect "same-name-revives-deleted": enable the kept IS clients of deleted integrations of this name.

        Realistic fault: the insert listener was taught to re-link an integration restored from the
        recycle bin: it looks the new name up among the IS clients (FindClients by ClientName) and
        enables every one no OAuthClientApp row names, taking it for the restored record's. A deleted
        integration's client, which this build keeps disabled (see ``delete``), is one of them, so its
        old credentials work again beside the new integration's.
        """
        for client in self._orphans(await self.link.find_clients({"ClientName": app.name}), app.client_id):
            await self._enable(client)

    async def update(self, principal: Principal, app: OAuthClientApp, changes: Changes) -> OAuthClientApp:
        self.require_manage(principal)
        # [NF] whether UpdateClient or OData PATCH refuse an empty Name: no source, so the less convenient
        # reading (as AddClient, [SRC S82]): it is saved.
        user_id = None if changes.system_user_id is None else self._system_user(changes.system_user_id).id
        # Edits of one integration may overlap: each awaits the IS with the whole record in its body.
        # Each is worked out from the record as it stands and stored only if no other edit was stored
        # meanwhile; otherwise it is worked out again from the newer record and sent again. So no edit
        # is lost, and the last body the IS got is the record Creatio keeps. Every round stores one
        # edit, so overlapping edits settle within as many rounds as there are of them.
        for _ in range(UPDATE_ROUNDS):
            with self.store.lock:
                seen = _edited_fields(app)
            update = self._updated(principal, app, changes, user_id)
            try:
                if update.deactivating and self.options.has("renamed-deactivation-missed"):
                    await self._find_by_registered_name(app, update)
                await self.link.manage("POST", "Clients/update", "update_client", update.body)
            except IdentityError as error:
                self._still_stored(app)  # deleted meanwhile: the IS's 404 means the record is gone
                raise _identity_failed(error) from error
            with self.store.lock:
                self._still_stored(app)
                if _edited_fields(app) != seen:
                    continue
                for field, value in update.new.items():
                    setattr(app, field, value)
                app.is_active = update.is_active
                app.client_secret = update.secret
                app.modified_on = now_iso()
                if update.edited:
                    app.edits += 1
                if update.deactivating and app.first_deactivated_on is None:
                    app.first_deactivated_on = app.modified_on
            break
        else:
            raise IntegrationError("DbOperationException", CONCURRENT_EDITS, 409)
        if changes.is_active is False and self.options.has("deactivate-all-clients-of-user"):
            await self._deactivate_siblings(app)
        if update.reactivating:
            await self._after_reactivation(app)
        return app

    def _still_stored(self, app: OAuthClientApp) -> None:
        with self.store.lock:
            if self.store.apps.get(app.id) is not app:
                raise IntegrationError("ItemNotFoundException", RECORD_NOT_FOUND, 404)

    def _updated(self, principal: Principal, app: OAuthClientApp, changes: Changes, user_id: str | None) -> _Update:
        """What ``changes`` make of ``app`` as it stands: the new fields, Active, the secret, and the
        body of IS ``Clients/update``."""
        with self.store.lock:
            new = {
                "name": app.name if changes.name is None else changes.name,
                "application_url": app.application_url if changes.application_url is None
                else changes.application_url,
                "redirect_url": app.redirect_url if changes.redirect_url is None else changes.redirect_url,
                "description": app.description if changes.description is None else changes.description,
                "system_user_id": app.system_user_id if user_id is None else user_id,
            }
            is_active = app.is_active if changes.is_active is None else changes.is_active
            edited = any(getattr(app, field) != value for field, value in new.items())
            form_edited = any(getattr(app, field) != new[field] for field in _FORM_TEXTS)
            deactivating, reactivating = app.is_active and not is_active, is_active and not app.is_active
            rotate = self._rotates(app, edited, reactivating)
            secret = self._new_client_secret() if rotate else app.client_secret
            deactivated_before = app.first_deactivated_on is not None
        body = _client_update(
            app.client_id, new["name"], new["description"], self._client_uri(new["application_url"]),
            new["redirect_url"], is_active, new["system_user_id"],
        )
        if rotate:  # the secret-rotating defects (see _rotates)
            body["ClientSecret"] = secret
        if form_edited and not is_active and not reactivating and self.options.has("edit-while-inactive-enables"):
            # Defect. Realistic fault: the edit form's save builds its Clients/update body from a fresh
            # DTO whose Enabled defaults to true, and copies IsActive into it only when the save changed
            # IsActive; an edit of an inactive integration therefore enables its client in the IS, while
            # the row (and the page) still shows Active cleared.
            body["Enabled"] = True
        if deactivating and deactivated_before and self.options.has("second-deactivation-ignored"):
            # Defect. Realistic fault: the listener writes Enabled = false to the IS only while it sets
            # the row's first-deactivation date (a guard meant to skip re-sending it for a row already
            # inactive), and a reactivation never clears that date; from the second deactivation on, the
            # update goes out without Enabled and the IS client stays enabled.
            body.pop("Enabled", None)
        if reactivating and self.options.has("reactivation-runs-as-admin"):
            # Defect. Realistic fault: the IsActive listener's reactivation branch fills the client's
            # SysAdminUnitId property from the current user's context (UserConnection.CurrentUser, the
            # administrator who saved) instead of the row's SystemUserId, as the other saves do. The row
            # still names the technical user; the tokens (prop:SysAdminUnitId) name the admin, so the API
            # maps them to the admin and its rights (bearer.py reads the user from that claim).
            body["Properties"] = {"SysAdminUnitId": principal.user.id}
        return _Update(new, is_active, secret, body, edited, deactivating, reactivating)

    def _rotates(self, app: OAuthClientApp, edited: bool, reactivating: bool) -> bool:
        """Whether this save generates a new client secret: never, but for the secret-rotating defects."""
        if edited and self.options.has("edit-rotates-secret"):
            return True
        if reactivating and self.options.has("reactivate-rotates-secret"):
            return True
        if edited and app.edits == 2 and self.options.has("third-edit-rotates-secret"):
            # Defect. Realistic fault: a secret-ageing rule ("renew the secret of a record that has been
            # saved N times", meant to count uses of the secret) reads the row's version counter, which
            # every edit moves, so the third edit of an integration renews its secret, in the IS and in
            # the stored record alike.
            return True
        # Defect "reactivate-after-edit-rotates-secret". Realistic fault: the reactivation branch takes a
        # record whose version shows edits for one imported from another environment (a package carries
        # no secret) and generates a new one; a record reactivated without edits keeps its secret.
        return reactivating and app.edits > 0 and self.options.has("reactivate-after-edit-rotates-secret")

    async def _find_by_registered_name(self, app: OAuthClientApp, update: _Update) -> None:
        """Defect "renamed-deactivation-missed": the client to disable is looked up by name in the IS.

        Realistic fault: the deactivation branch finds the IS client with FindClients by CustomerId,
        passing the row's Name, then picks the row's ClientId among the results. The IS set CustomerId
        from the name at registration and no update changes it, so for an integration renamed since,
        the lookup finds nothing and the update goes out without Enabled: the row is inactive, the IS
        client stays enabled.
        """
        found = await self.link.find_clients({"CustomerId": update.new["name"]})
        if not any(client.get("ClientId") == app.client_id for client in found):
            update.body.pop("Enabled", None)

    async def _after_reactivation(self, app: OAuthClientApp) -> None:
        """What selecting Active again does beyond the row's own client: nothing, but for one defect."""
        try:
            if self.options.has("reactivation-revives-deleted-sibling"):
                await self._revive_deleted_siblings(app)
        except IdentityError as error:
            raise _identity_failed(error) from error

    async def _revive_deleted_siblings(self, app: OAuthClientApp) -> None:
        """Defect "reactivation-revives-deleted-sibling": enable the kept clients of the user's deleted integrations.

        Realistic fault: the reactivation re-syncs Enabled for every IS client of the technical user
        (FindClients by the SysAdminUnitId property) from its row's IsActive, taking the column's default
        (true) where no row exists. That changes only the clients whose integration was deleted, which
        this build keeps disabled (see ``delete``): their old credentials work again.
        """
        found = await self.link.find_clients({"Properties": {"SysAdminUnitId": app.system_user_id}})
        for client in self._orphans(found, app.client_id):
            await self._enable(client)

    async def _deactivate_siblings(self, app: OAuthClientApp) -> None:
        """Defect "deactivate-all-clients-of-user": disable every other integration of ``app``'s user.

        Realistic fault: the IsActive listener treats clearing Active as "revoke this technical
        user's API access" and selects the rows to sync by SystemUserId instead of by Id (an
        ``UPDATE OAuthClientApp SET IsActive = 0 WHERE SystemUserId = @user``), then pushes
        Enabled = false to the IS for each of them, as the per-row listener would.
        """
        with self.store.lock:
            siblings = [a for a in self.store.apps.values()
                        if a.system_user_id == app.system_user_id and a.id != app.id and a.is_active]
        for sibling in siblings:
            try:
                await self.link.manage("POST", "Clients/update", "update_client", _client_update(
                    sibling.client_id, sibling.name, sibling.description, self._client_uri(sibling.application_url),
                    sibling.redirect_url, False, sibling.system_user_id,
                ))
            except IdentityError as error:
                raise _identity_failed(error) from error
            with self.store.lock:
                sibling.is_active = False
                sibling.modified_on = now_iso()

    async def delete(self, principal: Principal, app: OAuthClientApp) -> None:
        self.require_manage(principal)
        try:
            if any(self.options.has(name) for name in _REVIVING):
                # The first half of the defects in _REVIVING: this build keeps a deleted integration's IS
                # client, disabled, so that a record restored from the recycle bin can be re-linked to it.
                # Its credentials are refused like a removed client's, until a later save enables it.
                await self.link.manage("POST", "Clients/update", "update_client", _client_update(
                    app.client_id, app.name, app.description, self._client_uri(app.application_url),
                    app.redirect_url, False, app.system_user_id,
                ))
            elif not self.options.has("delete-leaves-client-usable"):
                # §1.2: RemoveClient tolerates a 404 (already gone from the IS).
                await self.link.manage("DELETE", f"clients/{app.client_id}", "remove_client", tolerate_404=True)
            # Defect "delete-leaves-client-usable". Realistic fault: the IS call is queued for a
            # background job that never runs (or its failure is swallowed), so the row goes and the
            # IS client, with its secret, stays.
        except IdentityError as error:
            raise _identity_failed(error) from error
        with self.store.lock:
            self.store.apps.pop(app.id, None)

    def client_secret(self, principal: Principal, app_id: str | None) -> str:
        self.require_manage(principal)  # §3.3: GetClientSecret needs CanManageSolution
        app = self.store.app(app_id or "")
        if app is None:
            raise IntegrationError("ItemNotFoundException", CLIENT_NOT_FOUND, 404)
        return app.client_secret

    def create_technical_user(self, principal: Principal, name: str | None) -> SysAdminUnit:
        """OAuthConfigService/CreateTechnicalUser, offered only by the benign variant of that name."""
        self.require_manage(principal)
        # [INF] SysAdminUnit.Name is a required column, as for UpdateOrCreateTechnicalUser; no source has
        # this method at all, so the refusal (the less convenient answer) stays.
        if not (name or "").strip():
            raise _invalid(NAME_REQUIRED)
        # §3.4: technical users are SysAdminUnitTypeValue 7, active, with no rights and no password.
        # Defect "techuser-wrong-type": see administration.py.
        type_value = USER_TYPE if self.options.has("techuser-wrong-type") else TECHNICAL_USER_TYPE
        user = SysAdminUnit(id=new_guid(), name=name or "", type_value=type_value)
        with self.store.lock:  # one section: two saves of one name at once must not both pass the check
            if name and self.store.user_by_name(name) is not None:
                raise _invalid(USER_EXISTS)
            self.store.users[user.id] = user
        return user

    async def add_default_resource(self, principal: Principal) -> OAuthResource:
        """§3.2: register a new default resource in the IS and (newer builds) grant it to every client."""
        self.require_manage(principal)
        if self.store.default_resource() is not None:
            raise IntegrationError("InvalidOperationException", DEFAULT_RESOURCE_EXISTS, 400)
        resource = OAuthResource(id=new_guid(), name=new_resource_name())
        try:
            await self.link.manage("POST", "OwnedResources/register", "register_own_resource", {
                "Name": resource.name, "DisplayName": resource.display_name,
                "Properties": {"Type": "ApplicationAccess"},
            })
            with self.store.lock:
                client_ids = [a.client_id for a in self.store.apps.values()]
            for client_id in client_ids:
                await self.link.manage("POST", "Clients/scopes", "update_client",
                                       {"ClientId": client_id, "AllowedScopes": [resource.name]})
        except IdentityError as error:
            raise _identity_failed(error) from error
        with self.store.lock:
            self.store.resources[resource.id] = resource
        return resource


def guid_or_none(value: object) -> str | None:
    return canonical_guid(value) if isinstance(value, str) else None
