"""Creating integrations the way the documented procedure does, with a run prefix and cleanup.

Everything created is registered for cleanup before the call that creates it, so a call that times out
after the server acted is still undone. Cleanup removes through the APIs the generation offers
(``DeleteClient``; ``AdministrationService/DeleteUser``), and whatever it cannot remove it leaves
harmless (the integration's Active cleared, the user deactivated) and reports as a ``Leftover``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from oauth_conformance.cleanup import Cleanup, LeftBehindError, Leftover
from oauth_conformance.errors import FeatureNotOfferedError, SuiteError, UnexpectedResponseError
from oauth_conformance.redaction import RedactedRepr
from oauth_conformance.targets.creatio import CreatioAdapter, ServiceResult, odata_literal
from oauth_conformance.targets.technical_users import TechnicalUsers, TechUserBudget, new_user_id

__all__ = ["CreationOutcome", "Integration", "Provisioner"]

REMOVE_INTEGRATION = "delete it on the OAuth integrated applications page (System Designer) as an administrator"
REMOVE_USER = "delete it on the Users page of the System Designer (Users and roles) as an administrator"


@dataclass(repr=False)
class Integration(RedactedRepr):
    label: str
    name: str
    app_id: str
    client_id: str
    client_secret: str = field(repr=False)
    system_user_id: str | None
    created_user_id: str | None = None


@dataclass(repr=False)
class CreationOutcome(RedactedRepr):
    """What one Save did: the service calls in order, and the integration when it was created."""

    calls: list[ServiceResult] = field(default_factory=list)
    integration: Integration | None = None

    @property
    def refusal(self) -> ServiceResult | None:
        return next((call for call in self.calls if not call.success), None)

    @property
    def evidence(self) -> list[str | None]:
        return [call.exchange for call in self.calls]


@dataclass
class _Tracked:
    """What cleanup must remove, filled in as the server answers."""

    name: str
    client_id: str | None = None
    user_id: str | None = None
    # The creation was never attempted (the target offers no way): nothing to remove.
    not_made: bool = False
    # The scenario deleted it itself (a rotation) and DeleteClient answered success: cleanup only looks.
    deleted: bool = False


class Provisioner:
    def __init__(
        self,
        adapter: CreatioAdapter,
        users: TechnicalUsers,
        budget: TechUserBudget,
        run_prefix: str,
        cleanup: Cleanup,
    ) -> None:
        self.adapter = adapter
        self.users = users
        self.budget = budget
        self.run_prefix = run_prefix
        self.cleanup = cleanup
        # The integrations this provisioner made, by Client Id, for a deletion the procedure itself does.
        self._made: dict[str, _Tracked] = {}

    def name_for(self, label: str) -> str:
        return f"{self.run_prefix}{label}" if label else ""

    def create(
        self,
        label: str,
        *,
        system_user_id: str | None = None,
        application_url: str = "",
        description: str = "",
        name: str | None = None,
        user_id: str | None = None,
    ) -> CreationOutcome:
        """Save a new server-to-server integration.

        Without ``system_user_id`` this is "Create separate technical user for this integration" (the
        default): a technical user named after the integration, then the client. The UI's handler is
        compiled front-end code; the services it most likely calls are the ones used here
        (docs/creatio-generations.md §1.6 [INF]). Where the run may not create users, or the generation
        has none, this is FeatureNotOfferedError (a SKIP with the reason). ``user_id`` is the Id the
        separate technical user gets, for a caller that must find it again (a new one otherwise).
        """
        name = self.name_for(label) if name is None else name
        outcome = CreationOutcome()
        # Newest first at teardown: the integration goes before the user it runs as.
        user: _Tracked | None = None
        if system_user_id is None:
            self.budget.take()
            user = made_user = _Tracked(name, user_id=user_id or new_user_id())
            self.cleanup.add(f"technical user {name!r}", lambda: self._remove_created_user(made_user))
        app = _Tracked(name)
        self.cleanup.add(f"integration {name!r}", lambda: self._remove_integration(app))
        if user is not None:
            try:
                made = self.users.create(user.user_id or "", name)
            except FeatureNotOfferedError:
                user.not_made = True
                self.budget.give_back()
                raise
            outcome.calls.append(made)
            if not made.success:
                return outcome
            user.user_id = str(made.payload.get("systemUserId") or "") or None
            if user.user_id is None:
                raise UnexpectedResponseError("the technical user was created without an Id", made.exchange)
            system_user_id = user.user_id
        client = self.adapter.add_client(name, system_user_id, application_url, description)
        outcome.calls.append(client)
        if not client.success:
            return outcome
        app.client_id = str(client.payload.get("clientId") or "") or None
        if app.client_id:
            self._made[app.client_id] = app
        client_secret = str(client.payload.get("clientSecret") or "")
        row = self.adapter.integration_by_client_id(app.client_id) if app.client_id else None
        if app.client_id and row is None:
            raise UnexpectedResponseError(
                f"AddClient returned Client Id {app.client_id} but no OAuthClientApp row carries it",
                client.exchange,
            )
        outcome.integration = Integration(
            label=label,
            name=name,
            app_id=str(row["Id"]) if row else "",
            client_id=app.client_id or "",
            client_secret=client_secret,
            system_user_id=system_user_id,
            created_user_id=user.user_id if user else None,
        )
        return outcome

    # -- removal ----------------------------------------------------------------------------------

    def delete_client(self, client_id: str) -> None:
        """Delete an integration as the procedure does (rotation); a refusal is UnexpectedResponseError."""
        result = self.adapter.delete_client(client_id)
        if not result.success and self.adapter.integration_by_client_id(client_id) is not None:
            raise UnexpectedResponseError(f"DeleteClient failed: {result.message}", result.exchange)
        if result.success and client_id in self._made:
            self._made[client_id].deleted = True

    def _remove_integration(self, tracked: _Tracked) -> None:
        # Deleted by the scenario: gone is what counts, so one read decides whether to delete again.
        if tracked.deleted and tracked.client_id and self.adapter.integration_by_client_id(tracked.client_id) is None:
            return
        if tracked.client_id:
            client_ids = [tracked.client_id]
        elif tracked.name:
            # Unknown Client Id (the save never answered): find it by its run-prefixed name.
            rows = self.adapter.integrations(f"Name eq {odata_literal(tracked.name)}")
            client_ids = [str(r["ClientId"]) for r in rows]
        else:
            client_ids = []
        for client_id in client_ids:
            self.remove_integration(client_id, tracked.name)

    def remove_integration(self, client_id: str, name: str) -> None:
        """Delete an integration; where that fails, clear its Active so its credentials stop working, and
        report it as left behind."""
        result = self.adapter.delete_client(client_id)
        row = self.adapter.integration_by_client_id(client_id)
        if row is None:
            return
        reason = result.message or f"HTTP {result.status}"
        deactivated = self.adapter.update_integration(str(row["Id"]), {"IsActive": False}).status_code < 300
        state = f"{'Active cleared' if deactivated else 'still active'}, not deleted (DeleteClient: {reason})"
        raise LeftBehindError(Leftover(f"integration {name!r} (Client Id {client_id})", state, REMOVE_INTEGRATION))

    def _remove_created_user(self, tracked: _Tracked) -> None:
        if tracked.not_made:
            return
        if tracked.user_id:
            user_ids = [tracked.user_id]
        elif tracked.name:
            user_ids = [str(r["Id"]) for r in self.adapter.users(f"Name eq {odata_literal(tracked.name)}")]
        else:
            user_ids = []
        for user_id in user_ids:
            self.remove_user(user_id, tracked.name)

    def remove_user(self, user_id: str, name: str) -> None:
        """Delete a technical user through AdministrationService/DeleteUser (OData may not write
        SysAdminUnit); where that fails, deactivate it and report it as left behind."""
        try:
            deleted = self.users.delete(user_id)
            reason = deleted.message or "still listed after DeleteUser"
        except FeatureNotOfferedError as missing:
            reason = str(missing)
        # Gone is what counts, however the service answered: one read decides.
        if self.adapter.user(user_id) is None:
            return
        try:
            deactivated = self.users.deactivate(user_id)
            state = (
                f"deactivated, not deleted (DeleteUser: {reason})"
                if deactivated.success
                else f"still active (DeleteUser: {reason}; UpdateOrCreateUser: {deactivated.message})"
            )
        except SuiteError as error:
            state = f"still active (DeleteUser: {reason}; UpdateOrCreateUser: {error})"
        raise LeftBehindError(Leftover(f"technical user {name!r} (Id {user_id})", state, REMOVE_USER))
