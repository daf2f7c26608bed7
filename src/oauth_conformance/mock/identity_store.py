"""State of the mock Identity Service: clients and owned resources (IdentityServer-style)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from .ids import upper_hex

__all__ = [
    "LOCAL_API_SCOPE",
    "PUBLIC_CLIENT_ID",
    "SPECIAL_CLIENT_ID",
    "SPECIAL_CLIENT_SECRET",
    "SYSTEM_CLIENT_ID",
    "IdentityStore",
    "IsClient",
    "OwnedResource",
]

SYSTEM_CLIENT_ID = "bpmonline-designer"  # [CLIO] creatio-oauth.md §1.2: the bundled system client
LOCAL_API_SCOPE = "IdentityServerApi"
# creatio-oauth.md §1.2: AllowedScopes of the system client in the bundled appsettings.json.
SYSTEM_CLIENT_SCOPES: tuple[str, ...] = (
    "register_own_resource",
    "get_resource_list",
    "get_client_info",
    "find_clients",
    "remove_client",
    "update_client",
    "add_registrar_client",
    LOCAL_API_SCOPE,
)


# A client whose id and secret change under form-urlencoding (RFC 6749 §2.3.1, Appendix B), so the
# suite can check that Basic credentials are urlencoded before base64. It lives in the Identity Service
# only: Creatio itself generates hex credentials and could never produce it.
SPECIAL_CLIENT_ID = "conformance:client+special"
SPECIAL_CLIENT_SECRET = "s3cret %+/: £€ &="
# A public client (registered without a secret, as for a browser app's authorization code flow), so the
# suite can check that the client credentials grant is refused to it (RFC 6749 §4.4). IS-only as well.
PUBLIC_CLIENT_ID = "conformance-public-client"


@dataclass
class IsClient:
    """An IdentityServer client as the management API stores it."""

    client_id: str
    secret: str
    name: str
    access_token_lifetime: int
    enabled: bool = True
    allowed_scopes: list[str] = field(default_factory=list)
    allowed_grant_types: list[str] = field(default_factory=lambda: ["client_credentials"])
    properties: dict[str, str] = field(default_factory=dict)
    description: str = ""
    client_uri: str = ""
    redirect_uri: str = ""

    def info(self) -> dict[str, Any]:
        """What ``GET clients/{id}`` answers: everything but the secret."""
        return {
            "ClientId": self.client_id,
            "ClientName": self.name,
            "Description": self.description,
            "ClientUri": self.client_uri,
            "RedirectUri": self.redirect_uri,
            "Enabled": self.enabled,
            "AllowedScopes": list(self.allowed_scopes),
            "AllowedGrantTypes": list(self.allowed_grant_types),
            "AccessTokenLifetime": self.access_token_lifetime,
            "Properties": dict(self.properties),
        }


@dataclass
class OwnedResource:
    """An API resource registered through ``OwnedResources/register`` (e.g. ``ApplicationAccess_…``)."""

    name: str
    display_name: str
    properties: dict[str, str] = field(default_factory=dict)

    def info(self) -> dict[str, Any]:
        return {"Name": self.name, "DisplayName": self.display_name, "Properties": dict(self.properties)}


class IdentityStore:
    """Clients and resources behind one lock; handlers hold it only for short, await-free sections."""

    def __init__(self, token_lifetime: int) -> None:
        self.lock = threading.RLock()
        self.token_lifetime = token_lifetime
        self.clients: dict[str, IsClient] = {}
        self.resources: dict[str, OwnedResource] = {}
        # jti values revoked at the revocation endpoint (compliant profile).
        self.revoked_jtis: set[str] = set()
        # While True the IS answers every request 503 (the "health-green-identity-down" defect).
        self.down = False
        # The admin user (Supervisor) Creatio runs its system actions as; seeded by ``seed``. Only
        # the defect "token-wrong-user-claim" reads it: a real IS has no reason to know it.
        self.admin_user_id = ""
        # The appsettings example uses a 32-character secret (creatio-oauth.md §6).
        self.system_secret = upper_hex(16)
        self.clients[SYSTEM_CLIENT_ID] = IsClient(
            client_id=SYSTEM_CLIENT_ID,
            secret=self.system_secret,
            name="Creatio system client",
            access_token_lifetime=token_lifetime,
            allowed_scopes=list(SYSTEM_CLIENT_SCOPES),
            allowed_grant_types=["implicit", "client_credentials"],
        )

    def get(self, client_id: str) -> IsClient | None:
        with self.lock:
            return self.clients.get(client_id)

    def client_ids(self) -> list[str]:
        with self.lock:
            return sorted(self.clients)

    def client_names(self) -> list[str]:
        """Every client's ClientName (Creatio registers an integration's client under its name)."""
        with self.lock:
            return sorted(client.name for client in self.clients.values())

    def register_resource(self, resource: OwnedResource) -> bool:
        with self.lock:
            if resource.name in self.resources:
                return False
            self.resources[resource.name] = resource
            return True

    def remove_resource(self, name: str) -> None:
        """Drop a resource and every grant of it, as deleting an IdentityServer API resource does."""
        with self.lock:
            self.resources.pop(name, None)
            for client in self.clients.values():
                if name in client.allowed_scopes:
                    client.allowed_scopes.remove(name)
