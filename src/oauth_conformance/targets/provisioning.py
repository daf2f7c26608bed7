"""Creating integrations the way the documented procedure does, with a run prefix and cleanup."""

from __future__ import annotations

from dataclasses import dataclass, field

from oauth_conformance.cleanup import Cleanup
from oauth_conformance.errors import UnexpectedResponseError
from oauth_conformance.http import exchange_id
from oauth_conformance.redaction import RedactedRepr
from oauth_conformance.targets.creatio import CreatioAdapter, ServiceResult, odata_literal

__all__ = ["CreationOutcome", "Integration", "Provisioner"]


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
    """What cleanup must delete, filled in as the server answers. Registered before each call, so a
    call that times out after the server acted is still undone (by name, which the run prefix makes unique)."""

    name: str
    client_id: str | None = None
    user_id: str | None = None


class Provisioner:
    def __init__(self, adapter: CreatioAdapter, run_prefix: str, cleanup: Cleanup) -> None:
        self.adapter = adapter
        self.run_prefix = run_prefix
        self.cleanup = cleanup

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
    ) -> CreationOutcome:
        """Save a new server-to-server integration.

        Without ``system_user_id`` this is "Create separate technical user for this integration"
        (the default): a technical user named after the integration, then the client. The UI handler
        is compiled front-end code; that it calls CreateTechnicalUser and then AddClient is inferred
        (creatio-oauth.md §3.4 [INF]). An empty ``name`` registers no cleanup by name: the caller
        compares the target before and after instead.
        """
        name = self.name_for(label) if name is None else name
        tracked = _Tracked(name)
        outcome = CreationOutcome()
        # Newest first at teardown: the integration goes before the user it runs as.
        if system_user_id is None and name:
            self.cleanup.add(f"delete technical user {name!r}", lambda: self._delete_user(tracked))
        if name:
            self.cleanup.add(f"delete integration {name!r}", lambda: self._delete_integration(tracked))
        if system_user_id is None:
            user = self.adapter.create_technical_user(name)
            outcome.calls.append(user)
            if not user.success:
                return outcome
            tracked.user_id = str(user.payload.get("systemUserId") or "") or None
            if tracked.user_id is None:
                raise UnexpectedResponseError("CreateTechnicalUser succeeded without a systemUserId", user.exchange)
            system_user_id = tracked.user_id
        client = self.adapter.add_client(name, system_user_id, application_url, description)
        outcome.calls.append(client)
        if not client.success:
            return outcome
        tracked.client_id = str(client.payload.get("clientId") or "") or None
        client_secret = str(client.payload.get("clientSecret") or "")
        row = self.adapter.integration_by_client_id(tracked.client_id) if tracked.client_id else None
        if tracked.client_id and row is None:
            raise UnexpectedResponseError(
                f"AddClient returned Client Id {tracked.client_id} but no OAuthClientApp row carries it",
                client.exchange,
            )
        outcome.integration = Integration(
            label=label,
            name=name,
            app_id=str(row["Id"]) if row else "",
            client_id=tracked.client_id or "",
            client_secret=client_secret,
            system_user_id=system_user_id,
            created_user_id=tracked.user_id,
        )
        return outcome

    def _delete_integration(self, tracked: _Tracked) -> None:
        client_ids = (
            [tracked.client_id]
            if tracked.client_id
            else [str(r["ClientId"]) for r in self.adapter.integrations(f"Name eq {odata_literal(tracked.name)}")]
        )
        for client_id in client_ids:
            self.delete_client(client_id)

    def delete_client(self, client_id: str) -> None:
        result = self.adapter.delete_client(client_id)
        if not result.success and self.adapter.integration_by_client_id(client_id) is not None:
            raise UnexpectedResponseError(f"DeleteClient failed: {result.message}", result.exchange)

    def _delete_user(self, tracked: _Tracked) -> None:
        user_ids = (
            [tracked.user_id]
            if tracked.user_id
            else [str(r["Id"]) for r in self.adapter.users(f"Name eq {odata_literal(tracked.name)}")]
        )
        for user_id in user_ids:
            self.delete_user(user_id)

    def delete_user(self, user_id: str) -> None:
        response = self.adapter.delete_user(user_id)
        if response.status_code >= 300 and self.adapter.user(user_id) is not None:
            raise UnexpectedResponseError(
                f"deleting technical user answered HTTP {response.status_code}", exchange_id(response)
            )
