"""What the standards checks need of any target: a token endpoint, clients, and a protected resource.

The mock and creatio targets provision their clients as integrations through the Creatio adapter (so
the resource is an OData entity the technical user may read); the oauth target takes them from settings.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from oauth_conformance.redaction import REDACTOR, RedactedRepr
from oauth_conformance.targets.identity import AuthMethod, AuthStyle, IdentityClient, TokenResult, style_of

__all__ = ["REUSE_SECONDS", "Client", "StandardsTarget"]

# How long a token of the standards client serves the checks that need a token but not a new one (at most
# a third of its lifetime, see ``StandardsTarget.reusable_token``): long enough for a run's checks of a
# token to share one, short enough that none of them judges a token near its expiry.
REUSE_SECONDS = 60.0


@dataclass(frozen=True, repr=False)
class Client(RedactedRepr):
    client_id: str
    client_secret: str = field(repr=False)
    # How this client authenticates (RFC 6749 §2.3.1), where the server allows it only one way; None: as
    # the standards client's tokens were obtained (see ``StandardsTarget.auth_style``).
    auth_method: AuthMethod | None = None

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
    # A caller the introspection endpoint authorizes (RFC 7662 §2.1 lets the server choose, often only
    # resource servers); None: the standards client introspects its own tokens.
    introspection_client: Client | None = None
    # The client authentication that works here, found on first use: checks that only need a token get
    # one however the server allows, so a server refusing one method fails that method's checks alone.
    _style: AuthStyle | None = field(default=None, repr=False)
    # The standards client's token the checks share, and when it was issued (``time.monotonic``).
    _shared: tuple[TokenResult, float] | None = field(default=None, repr=False)

    def reusable_token(self) -> TokenResult:
        """A token of the standards client for a check whose point is what a token is or does, not that a
        new one is issued: asked for once and shared while it is young (``REUSE_SECONDS``, and a third of
        the ``expires_in`` the server gave it). A token is meant to be used until it expires (RFC 6749
        §1.4), so a check of it holds for every use. A check whose point is a new token (uniqueness, a
        revocation, a form of the request) asks ``token`` for one. Only an issued token is kept: a refusal
        is asked again by the next check, which reports it with its own exchange."""
        now = time.monotonic()
        if self._shared is not None:
            result, issued_at = self._shared
            if now - issued_at < _reuse_window(result):
                return result
        result = self.token()
        self._shared = (result, now) if result.issued else None
        return result

    def forget_reusable_token(self) -> None:
        """After a revocation by this target's clients, the shared token may be dead too: "the revocation of
        a particular token may cause the revocation of related tokens and the underlying authorization
        grant" (RFC 7009 §2.1)."""
        self._shared = None

    def token(self, client: Client | None = None, extra: Mapping[str, str | None] | None = None) -> TokenResult:
        """A token request of ``client`` (the standards client by default), the way it authenticates here;
        ``extra`` as for ``IdentityClient.request_token``."""
        client = client or self.client
        if client.auth_method is not None:
            return self._request(client, style_of(client.auth_method), extra)
        if self._style is not None:
            return self._request(client, self._style, extra)
        result = self._request(client, "basic", extra)
        if result.issued:
            self._style = "basic"
            return result
        fallback = self._request(client, "post", extra)
        if fallback.issued:
            self._style = "post"
            return fallback
        return result

    def _request(self, client: Client, style: AuthStyle, extra: Mapping[str, str | None] | None) -> TokenResult:
        return self.identity.request_token(client.client_id, client.client_secret, style, extra)

    def auth_style(self, client: Client) -> AuthStyle:
        """How ``client`` sends its credentials to this server's endpoints (token, introspection,
        revocation): its configured method, else the one the standards client's tokens were obtained
        with, found with one token request where none was made yet; HTTP Basic, the method RFC 6749
        §2.3.1 says servers MUST support, where no method obtained a token."""
        if client.auth_method is not None:
            return style_of(client.auth_method)
        if self.client.auth_method is not None:
            return style_of(self.client.auth_method)
        if self._style is None:
            self.token()
        return self._style or "basic"

    @property
    def introspector(self) -> Client:
        """Who introspects: the configured introspection caller, else the standards client itself."""
        return self.introspection_client or self.client


def _reuse_window(result: TokenResult) -> float:
    lifetime = (result.body or {}).get("expires_in")
    if isinstance(lifetime, int | float) and not isinstance(lifetime, bool) and lifetime > 0:
        return min(REUSE_SECONDS, lifetime / 3)
    return REUSE_SECONDS
