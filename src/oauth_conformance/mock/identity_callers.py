"""Who calls the Identity Service's introspection and revocation endpoints: client authentication
with HTTP Basic or body credentials, as at the token endpoint."""

from __future__ import annotations

import hmac

from starlette.requests import Request
from starlette.responses import Response

from .identity_store import SYSTEM_CLIENT_ID, IdentityStore
from .options import MockOptions
from .wire import RFC6749_NO_CACHE, basic_scheme, json_response, parse_basic

__all__ = ["authenticated_caller", "invalid_client", "presented_credentials"]


def presented_credentials(request: Request, params: dict[str, str]) -> tuple[str, str] | None:
    """The client id and secret of the Basic header, else of the body, else None."""
    header = request.headers.get("authorization")
    credentials = parse_basic(header)
    if credentials is None and not basic_scheme(header) and "client_id" in params:
        credentials = (params["client_id"], params.get("client_secret", ""))
    return credentials


def authenticated_caller(
    options: MockOptions, store: IdentityStore, credentials: tuple[str, str] | None, any_secret: bool = False
) -> str | None:
    """The client id of a confidential, enabled caller whose secret matches, else None.

    The creatio profile lets only the system client call these endpoints (creatio-oauth.md §1.2);
    the compliant profile lets every confidential client in, for its own tokens. ``any_secret`` is
    the "introspection-any-secret" defect.
    """
    if credentials is None:
        return None
    client = store.get(credentials[0])
    if client is None or not client.enabled or not client.secret:
        return None
    if credentials[0] != SYSTEM_CLIENT_ID and not options.compliant:
        return None
    if any_secret and credentials[1]:
        return credentials[0]
    return credentials[0] if hmac.compare_digest(credentials[1].encode(), client.secret.encode()) else None


def invalid_client() -> Response:
    """RFC 6749 §5.2's answer to a failed client authentication: 401 with a Basic challenge."""
    return json_response({"error": "invalid_client"}, 401,
                         {**RFC6749_NO_CACHE, "WWW-Authenticate": 'Basic realm="IdentityService"'})
