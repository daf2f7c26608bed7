"""URL paths and scopes of the Authlib calibration server.

The issuer has a path (``/oauth``), so its RFC 8414 metadata sits at the path-inserted well-known URI
(``/.well-known/oauth-authorization-server/oauth``, RFC 8414 §3.1): the form DOT, whose OpenID document
appends the well-known segment, does not exercise.
"""

from __future__ import annotations

__all__ = [
    "ADMIN_RESOURCE_PATH",
    "ADMIN_SCOPE",
    "INTROSPECTION_PATH",
    "ISSUER_PATH",
    "JWKS_PATH",
    "READ_SCOPE",
    "RESOURCE_PATH",
    "RESOURCE_SERVER_PATH",
    "REVOCATION_PATH",
    "TOKEN_PATH",
]

ISSUER_PATH = "/oauth"
TOKEN_PATH = f"{ISSUER_PATH}/token"
INTROSPECTION_PATH = f"{ISSUER_PATH}/introspect"
REVOCATION_PATH = f"{ISSUER_PATH}/revoke"
JWKS_PATH = f"{ISSUER_PATH}/jwks"

# The resource server: its URL is the audience of every access token (RFC 9068 §3's default resource).
RESOURCE_SERVER_PATH = "/api"
RESOURCE_PATH = f"{RESOURCE_SERVER_PATH}/resource"
ADMIN_RESOURCE_PATH = f"{RESOURCE_SERVER_PATH}/admin-resource"

# Every client gets read (its default scope); none may have admin, so the admin resource is the one a
# token may not read.
READ_SCOPE = "read"
ADMIN_SCOPE = "admin"
