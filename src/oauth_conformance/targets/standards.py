"""What the standards checks need of any target: a token endpoint, clients, and a protected resource.

The mock and creatio targets provision their clients as integrations through the Creatio adapter (so
the resource is an OData entity the technical user may read); the oauth target takes them from settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from oauth_conformance.redaction import REDACTOR, RedactedRepr
from oauth_conformance.targets.identity import AuthStyle, IdentityClient, TokenResult

__all__ = ["Client", "StandardsTarget"]


@dataclass(frozen=True, repr=False)
class Client(RedactedRepr):
    client_id: str
    client_secret: str = field(repr=False)

    def __post_init__(self) -> None:
        REDACTOR.register(self.client_secret)


@dataclass
class StandardsTarget:
    description: str
    identity: IdentityClient
    client: Client
    # Optional parts; a check that needs one is skipped, naming the setting, when it is missing.
    second_client: Client | None = None
    disabled_client: Client | None = None
    resource_url: str | None = None
    # A resource the client's token is valid for but may not read.
    denied_resource_url: str | None = None
    # A client registered without a secret (Creatio has none: every integration has a secret).
    public_client_id: str | None = None
    # A client whose id or secret changes under form-urlencoding (for the Basic encoding check).
    special_client: Client | None = None
    # The client authentication that works here, found on first use: checks that only need a token get
    # one however the server allows, so a server refusing one method fails that method's checks alone.
    _style: AuthStyle | None = field(default=None, repr=False)

    def token(self, client: Client | None = None, extra: Mapping[str, str] | None = None) -> TokenResult:
        client = client or self.client
        if self._style is not None:
            return self.identity.request_token(client.client_id, client.client_secret, self._style, extra)
        result = self.identity.request_token(client.client_id, client.client_secret, "basic", extra)
        if result.issued:
            self._style = "basic"
            return result
        fallback = self.identity.request_token(client.client_id, client.client_secret, "post", extra)
        if fallback.issued:
            self._style = "post"
            return fallback
        return result
