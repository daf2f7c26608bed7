"""What every calibration server hands the suite: its seeded clients, and the ``oauth`` target's settings.

Each server registers its clients the way its own admin or registration code would; what the suite needs
of them is the same for every server, so the settings are built once, here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["SPECIAL_CLIENT_ID", "SPECIAL_CLIENT_SECRET", "Credentials", "SeededClients", "oauth_target_env"]

# The special-characters client's credentials: characters that change under
# application/x-www-form-urlencoded, all within RFC 6749 Appendix A's VSCHAR (%x20-7E), which is all a
# client_id or client_secret may hold. A client sending them unencoded in HTTP Basic, or a server not
# decoding them (RFC 6749 §2.3.1), fails with these.
SPECIAL_CLIENT_ID = "occ:special+id %x"
SPECIAL_CLIENT_SECRET = "s3cret:+% &=/x"


@dataclass(frozen=True)
class Credentials:
    client_id: str
    client_secret: str = field(repr=False)


@dataclass(frozen=True)
class SeededClients:
    client: Credentials
    client2: Credentials
    public_client_id: str
    special: Credentials
    # A registered client the server refuses to serve; None where the server has no such notion.
    disabled: Credentials | None = None


def oauth_target_env(
    issuer: str,
    clients: SeededClients,
    resource_url: str,
    denied_resource_url: str,
    token_url: str | None = None,
) -> dict[str, str]:
    """The oauth-target settings that point the suite at a calibration server.

    ``issuer`` is what the server publishes, not what we expect: the suite reads the metadata from it.
    ``token_url`` is set only where the suite cannot read the token endpoint from that metadata.
    """
    env = {
        "OAUTH_TARGET": "oauth",
        "OAUTH_ISSUER": issuer,
        "OAUTH_CLIENT_ID": clients.client.client_id,
        "OAUTH_CLIENT_SECRET": clients.client.client_secret,
        "OAUTH_CLIENT2_ID": clients.client2.client_id,
        "OAUTH_CLIENT2_SECRET": clients.client2.client_secret,
        "OAUTH_RESOURCE_URL": resource_url,
        "OAUTH_DENIED_RESOURCE_URL": denied_resource_url,
        "OAUTH_PUBLIC_CLIENT_ID": clients.public_client_id,
        "OAUTH_SPECIAL_CLIENT_ID": clients.special.client_id,
        "OAUTH_SPECIAL_CLIENT_SECRET": clients.special.client_secret,
    }
    if clients.disabled is not None:
        env["OAUTH_DISABLED_CLIENT_ID"] = clients.disabled.client_id
        env["OAUTH_DISABLED_CLIENT_SECRET"] = clients.disabled.client_secret
    if token_url is not None:
        env["OAUTH_TOKEN_URL"] = token_url
    return env
