"""The data every mock starts with (creatio-oauth.md §9 "Seed data")."""

from __future__ import annotations

from dataclasses import dataclass, field

from .creatio_auth import Principal
from .creatio_store import (
    SETTING_CLIENT_ID,
    SETTING_CLIENT_SECRET,
    SETTING_URL,
    TECHNICAL_USER_TYPE,
    USER_TYPE,
    CreatioStore,
    OAuthClientApp,
    OAuthResource,
    SysAdminUnit,
)
from .identity_store import SYSTEM_CLIENT_ID, IdentityStore, OwnedResource
from .ids import new_guid, new_resource_name
from .integrations import CLIENT_CREDENTIALS, Changes, IntegrationError, Integrations
from .options import MockOptions

__all__ = ["CLIENT2_NAME", "CLIENT_NAME", "DISABLED_CLIENT_NAME", "WATCHED_NAME", "SeedClient", "SeedInfo", "seed",
           "seed_clients", "seed_watched_integration"]

TECHNICAL_USER_NAME = "Conformance technical user"
ALLOWED_ENTITY = "Currency"
DENIED_ENTITY = "Contact"
# Integrations of the technical user for the suite's generic ``oauth`` target (see ``seed_clients``).
CLIENT_NAME = "Conformance client"
CLIENT2_NAME = "Conformance client 2"
DISABLED_CLIENT_NAME = "Conformance disabled client"
# The integration the creatio target's env block names for ``oauth-conformance health`` to watch: one of its
# own, so that a suite run against the oauth block's clients never changes what the monitor sees.
WATCHED_NAME = "Conformance watched integration"


@dataclass(frozen=True)
class SeedClient:
    """A seeded integration: its OAuthClientApp row and the IS client behind it."""

    name: str
    app_id: str  # OAuthClientApp.Id
    client_id: str
    client_secret: str = field(repr=False)
    active: bool = True


@dataclass(frozen=True)
class SeedInfo:
    """What the suite needs to know about the seeded data."""

    technical_user_id: str
    technical_user_name: str = TECHNICAL_USER_NAME
    allowed_entity: str = ALLOWED_ENTITY  # the technical user may read it
    denied_entity: str = DENIED_ENTITY  # the technical user has no rights on it
    admin_user_id: str = ""
    default_resource: str = ""
    # "Conformance client", "Conformance client 2", "Conformance disabled client" (inactive), in that order.
    oauth_clients: tuple[SeedClient, ...] = ()
    # The integration for ``oauth-conformance health`` (``seed_watched_integration``); None until saved.
    watched: SeedClient | None = None

    def oauth_client(self, name: str) -> SeedClient:
        """The seeded integration called ``name``; KeyError when there is none."""
        for client in self.oauth_clients:
            if client.name == name:
                return client
        raise KeyError(name)


def seed(options: MockOptions, creatio: CreatioStore, identity: IdentityStore, identity_base_url: str) -> SeedInfo:
    """Fill both stores. ``identity_base_url`` is the announced IS base, without a trailing slash."""
    admin = SysAdminUnit(id=new_guid(), name=options.admin_user, type_value=USER_TYPE,
                         password=options.admin_password, can_manage_solution=True, all_rights=True)
    # [DOC] technical users are a beta from 8.1.5 (generations.py): on 8.0 and 8.1 the integrations' user
    # is an ordinary one (type 4, active, no password, so it cannot log in either).
    technical_type = TECHNICAL_USER_TYPE if options.generation.technical_users else USER_TYPE
    technical = SysAdminUnit(id=new_guid(), name=TECHNICAL_USER_NAME, type_value=technical_type)
    resource = OAuthResource(id=new_guid(), name=new_resource_name())
    with creatio.lock:
        creatio.users = {admin.id: admin, technical.id: technical}
        creatio.rights[technical.id] = {ALLOWED_ENTITY: {"read"}}
        creatio.resources = {resource.id: resource}
        creatio.settings.update({
            # §1.2 [INF]: the URL setting ends in "/" because Creatio appends relative paths to it.
            SETTING_URL: identity_base_url + "/",
            SETTING_CLIENT_ID: SYSTEM_CLIENT_ID,
            SETTING_CLIENT_SECRET: identity.system_secret,
        })
        for name, short, code, symbol, rate in (("US Dollar", "USD", "840", "$", 1.0),
                                                ("Euro", "EUR", "978", "€", 0.92),
                                                ("Pound Sterling", "GBP", "826", "£", 0.79)):
            row_id = new_guid()
            creatio.records["Currency"][row_id] = {"Id": row_id, "Name": name, "ShortName": short, "Code": code,
                                                   "Symbol": symbol, "Rate": rate}
        for name, email, title in (("Andrew Baker", "a.baker@example.com", "Purchasing manager"),
                                   ("Maria Lopez", "m.lopez@example.com", "CFO")):
            row_id = new_guid()
            creatio.records["Contact"][row_id] = {"Id": row_id, "Name": name, "Email": email, "JobTitle": title}
    # §3.2: the default resource exists in Creatio and is registered in the IS (Type=ApplicationAccess).
    identity.register_resource(OwnedResource(resource.name, resource.display_name, {"Type": "ApplicationAccess"}))
    identity.admin_user_id = admin.id  # read only by the defect "token-wrong-user-claim"
    return SeedInfo(technical_user_id=technical.id, admin_user_id=admin.id, default_resource=resource.name)


async def seed_clients(integrations: Integrations, info: SeedInfo) -> tuple[SeedClient, ...]:
    """Create the three integrations of the technical user, as the admin saving them would.

    Runs once both servers answer: the saves go through the same OAuthClientApp listeners as
    OAuthConfigService and OData, so the IS gets real clients through its management API, and
    every switched-on defect applies to them as to any other save. The disabled client is created
    and deactivated first, so that a defect cascading a deactivation to the user's other
    integrations (``deactivate-all-clients-of-user``) leaves the two active clients alone.
    """
    admin = integrations.store.user(info.admin_user_id)
    if admin is None:
        raise RuntimeError("mock seed: the admin user is missing")
    principal = Principal(admin, "cookie")
    apps: dict[str, OAuthClientApp] = {}
    try:
        for name in (DISABLED_CLIENT_NAME, CLIENT_NAME, CLIENT2_NAME):
            # Client credentials explicitly: on 8.3 the grant types are part of the save.
            apps[name] = await integrations.insert(
                principal, name=name, application_url=None, redirect_url=None, description=None,
                system_user_id=info.technical_user_id, via="service", grant_types=(CLIENT_CREDENTIALS,))
            if name == DISABLED_CLIENT_NAME:
                await integrations.update(principal, apps[name], Changes(is_active=False))
    except IntegrationError as error:
        raise RuntimeError(f"mock seed: saving integration {name!r} failed: {error.message}") from error
    with integrations.store.lock:  # read after every save: a defect may have changed a secret
        return tuple(SeedClient(name=name, app_id=apps[name].id, client_id=apps[name].client_id,
                                client_secret=apps[name].client_secret, active=apps[name].is_active)
                     for name in (CLIENT_NAME, CLIENT2_NAME, DISABLED_CLIENT_NAME))


async def seed_watched_integration(integrations: Integrations, info: SeedInfo) -> SeedClient:
    """Create the integration a monitor watches, as an admin saving it would: an active integration of the
    technical user, which may read the allowed entity the env block names, so the health command's API
    call reads data. Saved like the others, so every switched-on defect applies to it too."""
    admin = integrations.store.user(info.admin_user_id)
    if admin is None:
        raise RuntimeError("mock seed: the admin user is missing")
    try:
        app = await integrations.insert(
            Principal(admin, "cookie"), name=WATCHED_NAME, application_url=None, redirect_url=None,
            description="Watched by oauth-conformance health", system_user_id=info.technical_user_id,
            via="service", grant_types=(CLIENT_CREDENTIALS,))
    except IntegrationError as error:
        raise RuntimeError(f"mock seed: saving integration {WATCHED_NAME!r} failed: {error.message}") from error
    with integrations.store.lock:
        return SeedClient(name=WATCHED_NAME, app_id=app.id, client_id=app.client_id, client_secret=app.client_secret,
                          active=app.is_active)
