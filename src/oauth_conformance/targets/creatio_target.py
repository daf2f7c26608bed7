"""The ``creatio`` target: a Creatio instance and its Identity Service, driven through the Creatio adapter.

The mock target is the same environment in front of the bundled mock (``targets.mock``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from oauth_conformance.errors import FeatureNotOfferedError, SettingsError, SuiteError, UnexpectedResponseError
from oauth_conformance.suite import profiles_dir
from oauth_conformance.targets._target import TargetSpec
from oauth_conformance.targets.creatio import CreatioAdapter, CreatioConnection, Hosting, ResolvedHosting, odata_literal
from oauth_conformance.targets.identity import IdentityClient
from oauth_conformance.targets.provisioning import CreationOutcome, Provisioner
from oauth_conformance.targets.standards import Client, StandardsTarget
from oauth_conformance.targets.technical_users import TechnicalUsers, TechUserBudget

if TYPE_CHECKING:
    from oauth_conformance.cleanup import Cleanup
    from oauth_conformance.http import HttpClient
    from oauth_conformance.mock import MockServers
    from oauth_conformance.settings import Settings
    from oauth_conformance.targets._registry import TargetName

__all__ = [
    "CREATIO_WAIVERS",
    "SPEC",
    "CreatioEnvironment",
    "derive_identity_url",
    "existing_user_id",
    "resolve_hosting",
]

# Creatio's known deviations, applied by default to a Creatio and to the mock's imitation of one.
CREATIO_WAIVERS = profiles_dir() / "creatio.toml"


def existing_user_id(adapter: CreatioAdapter, name: str) -> str:
    """The Id of the user CREATIO_TECH_USER names; a name the target does not know is a broken setting."""
    row = adapter.user_by_name(name)
    if row is None:
        raise SuiteError(f"CREATIO_TECH_USER={name!r}: no such user on the target")
    return str(row["Id"])


@dataclass
class CreatioEnvironment:
    """A Creatio and its Identity Service, driven through the Creatio adapter: the creatio target itself,
    and the Creatio of the mock target."""

    kind: TargetName
    description: str
    connection: CreatioConnection
    adapter: CreatioAdapter
    identity: IdentityClient | None
    # Everything the run creates is named with it; leftovers of other runs are told apart by it.
    run_prefix: str
    # What this process names what it creates with (the run's prefix, then its xdist worker's).
    names_prefix: str
    # The technical users the run may create, and how this instance creates and removes them.
    budget: TechUserBudget
    technical_users: TechnicalUsers
    # The bundled mock behind it, for the mock target; None on a real Creatio.
    mock: MockServers | None = field(default=None, repr=False)
    _tech_user_id: str | None = field(default=None, repr=False)

    def creatio(self) -> CreatioEnvironment:
        return self

    def tech_user_id(self) -> str:
        """The Id of the user CREATIO_TECH_USER names, looked up once a run: a user's Id never changes, and
        every scenario on that user asked for it again."""
        if self._tech_user_id is None:
            self._tech_user_id = existing_user_id(self.adapter, self.connection.tech_user or "")
        return self._tech_user_id

    @property
    def identity_url_needed(self) -> str:
        """Why the Identity Service is unknown, in one line."""
        if self.connection.hosting == "cloud":
            return (
                "needs CREATIO_IDENTITY_URL: a cloud Creatio on a custom domain has its Identity Service at "
                "no <instance>-is.creatio.com address (the system setting OAuth20IdentityServerUrl names it)"
            )
        return "needs CREATIO_IDENTITY_URL (the Identity Service base URL; the system setting OAuth20IdentityServerUrl)"

    def provisioner(self, prefix: str, cleanup: Cleanup) -> Provisioner:
        return Provisioner(self.adapter, self.technical_users, self.budget, prefix, cleanup)

    def standards(self, cleanup: Cleanup) -> StandardsTarget:
        """Three integrations made for the run: two working clients and one with Active cleared."""
        adapter, connection = self.adapter, self.connection
        if self.identity is None:
            raise FeatureNotOfferedError(self.identity_url_needed)
        if not adapter.can_manage or not (connection.tech_user and connection.allowed_entity):
            raise FeatureNotOfferedError(
                "the standards checks provision their own clients: needs CREATIO_ADMIN_USER, "
                "CREATIO_ADMIN_PASSWORD, CREATIO_TECH_USER and CREATIO_ALLOWED_ENTITY"
            )
        user_id = self.tech_user_id()
        provisioner = self.provisioner(f"{self.names_prefix}std-", cleanup)
        clients = []
        for label, own_user in (("client", False), ("second client", False), ("disabled client", True)):
            outcome = self._standards_client(provisioner, label, user_id, own_user)
            integration = outcome.integration
            if integration is None or not integration.client_secret:
                refusal = outcome.refusal
                # The Creatio scenarios report this as CRE-credentials-generated; here it is a missing precondition.
                raise FeatureNotOfferedError(
                    f"the target did not provision the standards {label} "
                    f"({refusal.message if refusal else 'no Client Id or secret in the answer'}); "
                    "see CRE-credentials-generated"
                )
            clients.append(integration)
        disabled = adapter.update_integration(clients[2].app_id, {"IsActive": False})
        if disabled.status_code >= 300:
            raise UnexpectedResponseError(
                f"could not deactivate the standards disabled client: HTTP {disabled.status_code}"
            )
        return StandardsTarget(
            description=self.description,
            identity=self.identity,
            client=Client(clients[0].client_id, clients[0].client_secret),
            second_client=Client(clients[1].client_id, clients[1].client_secret),
            disabled_client=Client(clients[2].client_id, clients[2].client_secret),
            resource_url=adapter.service_url(f"odata/{connection.allowed_entity}"),
            denied_resource_url=(
                adapter.service_url(f"odata/{connection.denied_entity}") if connection.denied_entity else None
            ),
        )

    @staticmethod
    def _standards_client(provisioner: Provisioner, label: str, user_id: str, own_user: bool) -> CreationOutcome:
        """The disabled client runs as a technical user of its own where the run may create one, so that
        deactivating it touches no other client; elsewhere it shares CREATIO_TECH_USER."""
        if own_user:
            try:
                return provisioner.create(label)
            except FeatureNotOfferedError:
                pass
        return provisioner.create(label, system_user_id=user_id)

    def leftovers(self, family: str) -> list[str]:
        """What another run named (prefix ``family``, not this run's prefix): left by a run that could not
        clean up, or belonging to one going on elsewhere. One entry per object, each with its kind, so that
        a technical user named after its integration counts as the second object it is: integrations and
        users, and the Identity Service clients where the target shows them (only the bundled mock does:
        a Creatio gives the suite no way to list its Identity Service's clients)."""

        def theirs(name: str) -> bool:
            return name.startswith(family) and not name.startswith(self.run_prefix)

        found = [f"integration {name!r}" for name in _names(self._named(self.adapter.integrations, family))
                 if theirs(name)]
        found += [f"user {name!r}" for name in _names(self._named(self.adapter.users, family)) if theirs(name)]
        if self.mock is not None:
            clients = self.mock.snapshot()["identity_client_names"]
            found += [f"Identity Service client {name!r}" for name in clients if theirs(name)]
        return sorted(found)

    @staticmethod
    def _named(listing: Callable[[str | None], list[dict[str, Any]]], family: str) -> list[dict[str, Any]]:
        """The rows whose Name starts with ``family``, filtered on the server (a real instance may hold
        thousands of users); where the filter is refused (a gateway that knows less OData than Creatio),
        every row, as before the filter."""
        try:
            return listing(f"startswith(Name,{odata_literal(family)})")
        except UnexpectedResponseError:
            return listing(None)

    def close(self) -> None:
        """Nothing to stop: a real instance outlives the run."""


def _names(rows: list[dict[str, Any]]) -> list[str]:
    return [str(row.get("Name") or "") for row in rows]


def derive_identity_url(site_url: str) -> str | None:
    """Creatio cloud hosts their Identity Service at ``<instance>-is.creatio.com`` (creatio-oauth.md §1.1)."""
    parts = urlsplit(site_url)
    host = parts.hostname or ""
    if not _creatio_cloud_host(site_url):
        return None
    first, _, rest = host.partition(".")
    return urlunsplit((parts.scheme, f"{first}-is.{rest}", "", "", ""))


def _creatio_cloud_host(site_url: str) -> bool:
    return (urlsplit(site_url).hostname or "").endswith(".creatio.com")


def resolve_hosting(setting: Hosting, site_url: str) -> ResolvedHosting:
    """CREATIO_HOSTING, with ``auto`` read from the host name: Creatio's cloud serves *.creatio.com. A
    cloud instance on a custom domain needs CREATIO_HOSTING=cloud (and CREATIO_IDENTITY_URL)."""
    if setting != "auto":
        return setting
    return "cloud" if _creatio_cloud_host(site_url) else "onsite"


def _site_url(settings: Settings) -> str:
    if settings.creatio_url is None:
        raise SettingsError(
            "CREATIO_URL is not set; --target=creatio expects the Creatio site root, "
            "e.g. CREATIO_URL=https://mycompany.creatio.com (in .env, the environment, or --env-file)"
        )
    return settings.creatio_url


def _validate(settings: Settings) -> None:
    _site_url(settings)


def _open(settings: Settings, http: HttpClient) -> CreatioEnvironment:
    site_url = _site_url(settings)
    identity_url = settings.creatio_identity_url or derive_identity_url(site_url)
    connection = CreatioConnection(
        site_url=site_url,
        identity_url=identity_url,
        path_style=settings.creatio_path_style,
        hosting=resolve_hosting(settings.creatio_hosting, site_url),
        admin_user=settings.admin_user,
        admin_password=settings.admin_password,
        tech_user=settings.tech_user,
        allowed_entity=settings.allowed_entity,
        denied_entity=settings.denied_entity,
    )
    adapter = CreatioAdapter(http, connection)
    return CreatioEnvironment(
        kind="creatio",
        description=f"Creatio at {site_url} ({connection.hosting})",
        connection=connection,
        adapter=adapter,
        identity=IdentityClient(http, identity_url) if identity_url else None,
        run_prefix=settings.run_prefix,
        names_prefix=settings.names_prefix,
        budget=TechUserBudget(settings.create_tech_users, settings.max_tech_users, ledger=settings.tech_user_ledger),
        technical_users=TechnicalUsers(adapter),
    )


def _default_waivers(settings: Settings) -> tuple[Path, ...]:
    return (CREATIO_WAIVERS,)


SPEC = TargetSpec(
    summary="a Creatio instance: CREATIO_URL, optionally an admin login and a technical user",
    settings=(
        "CREATIO_URL",
        "CREATIO_IDENTITY_URL",
        "CREATIO_PATH_STYLE",
        "CREATIO_HOSTING",
        "CREATIO_ADMIN_USER",
        "CREATIO_ADMIN_PASSWORD",
        "CREATIO_TECH_USER",
        "CREATIO_ALLOWED_ENTITY",
        "CREATIO_DENIED_ENTITY",
        "CREATIO_DEACTIVATION_WAIT",
        "CREATIO_CREATE_TECH_USERS",
        "CREATIO_MAX_TECH_USERS",
        # The integration oauth-conformance health watches.
        "CREATIO_CLIENT_ID",
        "CREATIO_CLIENT_SECRET",
    ),
    open=_open,
    validate=_validate,
    default_waivers=_default_waivers,
    describe=lambda settings: f"Creatio at {settings.creatio_url}",
)
