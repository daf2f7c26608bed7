"""The Flask app of the Authlib calibration server: Authlib's AuthorizationServer and ResourceProtector.

Configured as Authlib's Flask documentation sets up a client-credentials server, with what a careful
deployer adds, each for the reason given where it is set:

- Grants: client_credentials only (``ClientCredentials``), taking both RFC 6749 §2.3.1 methods;
  Authlib's grant takes client_secret_basic alone by default. No authorization endpoint, no refresh
  tokens, no password grant (RFC 9700 §2.4).
- ``OAUTH2_SCOPES_SUPPORTED`` names the two scopes, so Authlib refuses any other with invalid_scope
  rather than silently narrowing it (``AuthorizationServer.validate_requested_scope``).
- JWT access tokens, introspection and revocation as in ``authlib_tokens``; the key set at JWKS_PATH.
- RFC 8414 metadata at the issuer's well-known URI (Authlib's ``get_well_known_url``), checked with
  Authlib's ``AuthorizationServerMetadata``. No OpenID discovery: this server offers no OpenID Connect
  (no ID tokens, no authorization endpoint), so an OpenID Provider document would describe nothing.
- Two resources behind Authlib's ResourceProtector: one needing the read scope every client gets by
  default (``authlib_clients``), one needing the admin scope no client may have. Their answers carry
  Cache-Control: no-store (RFC 6819 §4.6.6), which Authlib leaves to the view.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from authlib.integrations.flask_oauth2 import (  # type: ignore[import-untyped]
    AuthorizationServer,
    ResourceProtector,
)
from authlib.oauth2.rfc6749 import grants  # type: ignore[import-untyped]
from authlib.oauth2.rfc8414 import AuthorizationServerMetadata, get_well_known_url  # type: ignore[import-untyped]
from flask import Flask, Response, jsonify
from joserfc.jwk import KeySet

from .authlib_clients import ClientStore
from .authlib_paths import (
    ADMIN_RESOURCE_PATH,
    ADMIN_SCOPE,
    INTROSPECTION_PATH,
    ISSUER_PATH,
    JWKS_PATH,
    READ_SCOPE,
    RESOURCE_PATH,
    RESOURCE_SERVER_PATH,
    REVOCATION_PATH,
    TOKEN_PATH,
)
from .authlib_tokens import (
    CLIENT_AUTH_METHODS,
    AccessTokenGenerator,
    AccessTokenValidator,
    JwtIntrospection,
    JwtRevocation,
    NoStoredTokenIntrospection,
    NoStoredTokenRevocation,
)

__all__ = ["ClientCredentials", "create_app", "metadata_document"]

_SCOPES = [READ_SCOPE, ADMIN_SCOPE]


class ClientCredentials(grants.ClientCredentialsGrant):  # type: ignore[misc]  # Authlib is untyped
    TOKEN_ENDPOINT_AUTH_METHODS = CLIENT_AUTH_METHODS


def metadata_document(issuer: str, base_url: str) -> dict[str, Any]:
    """The RFC 8414 metadata, checked member by member with Authlib's own validation.

    ``response_types_supported`` is left out: RFC 8414 §2 makes it REQUIRED, but a server without an
    authorization endpoint supports no response type, and §3.2 forbids the empty array. It is the one
    member Authlib's ``validate`` insists on that this server cannot truthfully fill.
    """
    document = {
        "issuer": issuer,
        "token_endpoint": base_url + TOKEN_PATH,
        "jwks_uri": base_url + JWKS_PATH,
        "scopes_supported": _SCOPES,
        "grant_types_supported": [ClientCredentials.GRANT_TYPE],
        "token_endpoint_auth_methods_supported": CLIENT_AUTH_METHODS,
        "revocation_endpoint": base_url + REVOCATION_PATH,
        "revocation_endpoint_auth_methods_supported": CLIENT_AUTH_METHODS,
        "introspection_endpoint": base_url + INTROSPECTION_PATH,
        "introspection_endpoint_auth_methods_supported": CLIENT_AUTH_METHODS,
    }
    metadata = AuthorizationServerMetadata(document)
    for member in AuthorizationServerMetadata.REGISTRY_KEYS:
        if member != "response_types_supported":
            getattr(metadata, f"validate_{member}")()
    return document


def _keep_nothing(token: dict[str, Any], request: Any) -> None:
    """Authlib's save_token hook: a JWT access token is its own record, so nothing is stored."""


View = Callable[[], Response]


def _requiring(protector: Any, scope: str) -> Callable[[View], View]:
    """``protector(scope)``, Authlib's decorator for a view that needs a token with ``scope``, typed."""
    decorator: Callable[[View], View] = protector(scope)
    return decorator


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


def create_app(base_url: str, clients: ClientStore, signing: KeySet, public: KeySet) -> Flask:
    issuer = base_url + ISSUER_PATH
    audience = base_url + RESOURCE_SERVER_PATH
    app = Flask("calibration.authlib")
    app.config["OAUTH2_SCOPES_SUPPORTED"] = _SCOPES

    server = AuthorizationServer(app, query_client=clients.query_client, save_token=_keep_nothing)
    # Replaces the opaque-token generator init_app registered as the default.
    server.register_token_generator("default", AccessTokenGenerator(issuer, signing, audience))
    server.register_grant(ClientCredentials)
    # Each JWT endpoint first, then its fallback for anything that is not one of this server's JWTs.
    server.register_endpoint(JwtIntrospection(issuer, public))
    server.register_endpoint(NoStoredTokenIntrospection)
    server.register_endpoint(JwtRevocation(issuer, public))
    server.register_endpoint(NoStoredTokenRevocation)

    require_oauth = ResourceProtector()
    require_oauth.register_token_validator(AccessTokenValidator(issuer, audience, public))
    metadata = metadata_document(issuer, base_url)

    @app.post(TOKEN_PATH)
    def token() -> Any:
        return server.create_token_response()

    @app.post(INTROSPECTION_PATH)
    def introspect() -> Any:
        return server.create_endpoint_response(JwtIntrospection.ENDPOINT_NAME)

    @app.post(REVOCATION_PATH)
    def revoke() -> Any:
        return server.create_endpoint_response(JwtRevocation.ENDPOINT_NAME)

    @app.get(JWKS_PATH)
    def jwks() -> Response:
        return jsonify(public.as_dict(private=False))

    @app.get(get_well_known_url(issuer))
    def authorization_server_metadata() -> Response:
        return jsonify(metadata)

    @app.get(RESOURCE_PATH)
    @_requiring(require_oauth, READ_SCOPE)
    def resource() -> Response:
        return _no_store(jsonify({"resource": "read", "scopes_required": [READ_SCOPE]}))

    @app.get(ADMIN_RESOURCE_PATH)
    @_requiring(require_oauth, ADMIN_SCOPE)
    def admin_resource() -> Response:
        return _no_store(jsonify({"resource": "admin", "scopes_required": [ADMIN_SCOPE]}))

    return app
