"""What the suite runs against: the bundled mock or a real Creatio, both through the Creatio adapter."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from oauth_conformance.http import HttpClient
from oauth_conformance.settings import Settings
from oauth_conformance.targets.creatio import CreatioAdapter, CreatioConnection
from oauth_conformance.targets.identity import IdentityClient

if TYPE_CHECKING:
    from oauth_conformance.mock import MockServers

__all__ = ["CreatioEnvironment", "derive_identity_url", "open_environment"]


@dataclass
class CreatioEnvironment:
    kind: str
    description: str
    connection: CreatioConnection
    adapter: CreatioAdapter
    identity: IdentityClient | None
    mock: MockServers | None = field(default=None, repr=False)

    def close(self) -> None:
        if self.mock is not None:
            self.mock.stop()


def derive_identity_url(site_url: str) -> str | None:
    """Creatio cloud hosts their Identity Service at ``<instance>-is.creatio.com`` (creatio-oauth.md §1.1)."""
    parts = urlsplit(site_url)
    host = parts.hostname or ""
    if not host.endswith(".creatio.com"):
        return None
    first, _, rest = host.partition(".")
    return urlunsplit((parts.scheme, f"{first}-is.{rest}", "", "", ""))


def open_environment(settings: Settings, http: HttpClient) -> CreatioEnvironment:
    if settings.target == "mock":
        from oauth_conformance.targets.mock import open_mock_environment

        return open_mock_environment(settings, http)
    assert settings.creatio_url is not None  # load_settings refuses a creatio target without it
    identity_url = settings.creatio_identity_url or derive_identity_url(settings.creatio_url)
    connection = CreatioConnection(
        site_url=settings.creatio_url,
        identity_url=identity_url,
        path_style=settings.creatio_path_style,
        admin_user=settings.admin_user,
        admin_password=settings.admin_password,
        tech_user=settings.tech_user,
        allowed_entity=settings.allowed_entity,
        denied_entity=settings.denied_entity,
    )
    return CreatioEnvironment(
        kind="creatio",
        description=f"Creatio at {settings.creatio_url}",
        connection=connection,
        adapter=CreatioAdapter(http, connection),
        identity=IdentityClient(http, identity_url) if identity_url else None,
    )
