"""The clients the suite's oauth target needs, as instances of Authlib's own client model.

Authlib's SQLAlchemy client model (``OAuth2ClientMixin``) decides what the token endpoint asks of a
client: the secret comparison, the grant types it may use, the one authentication method it registered
(RFC 7591 ``token_endpoint_auth_method``) and which of the requested scopes it gets. The instances are
kept in memory rather than in a database: storage decides nothing the suite can observe.

One method differs: a request without a scope gets the client's registered scope. The mixin's
``get_allowed_scope`` answers it with an empty scope, which Authlib's JWT generator writes as the claim
``scope: ""`` and Authlib's own JWT validator then rejects (joserfc refuses a blank claim value), so a
token issued without a scope would read nothing on Authlib's own resource server. RFC 6749 §3.3 lets
the server apply "a pre-defined default value" instead; the client's registered scope is that default.

Ids and secrets are the ones Authlib's RFC 7591 registration endpoint issues
(``ClientRegistrationEndpoint.generate_client_info``); only the special-characters client's are chosen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from authlib.integrations.sqla_oauth2 import OAuth2ClientMixin  # type: ignore[import-untyped]
from authlib.oauth2.rfc7591 import ClientRegistrationEndpoint  # type: ignore[import-untyped]
from sqlalchemy import Boolean, Column, Integer
from sqlalchemy.orm import DeclarativeBase

from .authlib_paths import READ_SCOPE
from .target_env import SPECIAL_CLIENT_ID, SPECIAL_CLIENT_SECRET, Credentials, SeededClients

__all__ = ["PUBLIC_REDIRECT_URI", "Client", "ClientStore", "seed_clients"]

PUBLIC_REDIRECT_URI = "http://127.0.0.1/cb"

_CLIENT_CREDENTIALS = "client_credentials"


class _Base(DeclarativeBase):
    pass


class Client(_Base, OAuth2ClientMixin):  # type: ignore[misc]  # Authlib is untyped
    __tablename__ = "oauth2_client"

    id = Column(Integer, primary_key=True)
    # Authlib's model has no way to switch a client off; a deployer adds one, and ``ClientStore``
    # does not find a client that is off, so Authlib refuses it exactly as it refuses an unknown one.
    active = Column(Boolean, nullable=False, default=True)

    def get_allowed_scope(self, scope: str | None) -> str:
        if not scope:  # omitted or empty (RFC 6749 §3.1: a parameter without a value counts as omitted)
            return str(self.scope)
        return str(super().get_allowed_scope(scope))


@dataclass
class ClientStore:
    """The registered clients, by client_id; what the AuthorizationServer's ``query_client`` reads."""

    clients: dict[str, Client] = field(default_factory=dict)

    def add(self, client: Client) -> None:
        self.clients[client.client_id] = client

    def query_client(self, client_id: str) -> Client | None:
        client = self.clients.get(client_id)
        return client if client is not None and client.active else None


def _register(
    store: ClientStore,
    name: str,
    auth_method: str,
    grant_types: Sequence[str],
    *,
    credentials: Credentials | None = None,
    response_types: Sequence[str] = (),
    redirect_uris: Sequence[str] = (),
    active: bool = True,
) -> Credentials:
    """Register one client as Authlib's registration endpoint would; return its id and secret."""
    info = ClientRegistrationEndpoint().generate_client_info(None)
    if credentials is not None:
        info |= {"client_id": credentials.client_id, "client_secret": credentials.client_secret}
    if auth_method == "none":
        info["client_secret"] = ""  # RFC 7591 §3.2.1: a client authenticating with "none" gets no secret
    client = Client(active=active, **info)
    client.set_client_metadata({
        "client_name": name,
        "token_endpoint_auth_method": auth_method,
        "grant_types": list(grant_types),
        "response_types": list(response_types),
        "redirect_uris": list(redirect_uris),
        "scope": READ_SCOPE,
    })
    store.add(client)
    return Credentials(client.client_id, client.client_secret)


def seed_clients(store: ClientStore) -> SeededClients:
    """Register the five clients the suite's oauth target names."""
    grant = [_CLIENT_CREDENTIALS]
    # client_secret_basic is the method RFC 6749 §2.3.1 makes every server support, and the model's default.
    client = _register(store, "calibration client 1", "client_secret_basic", grant)
    client2 = _register(store, "calibration client 2", "client_secret_basic", grant)
    special = _register(store, "calibration special-characters client", "client_secret_basic", grant,
                        credentials=Credentials(SPECIAL_CLIENT_ID, SPECIAL_CLIENT_SECRET))
    # The suite sends the deactivated client's credentials in the body, so it is registered for that
    # method: its refusal can then come from the deactivation alone.
    disabled = _register(store, "calibration deactivated client", "client_secret_post", grant, active=False)
    # A browser-based client: the authorization code grant, no secret. This server offers no
    # authorization endpoint, so the client can obtain nothing; the suite only needs it registered.
    public = _register(store, "calibration public client", "none", ["authorization_code"],
                       response_types=["code"], redirect_uris=[PUBLIC_REDIRECT_URI])
    return SeededClients(client, client2, public.client_id, special, disabled)
