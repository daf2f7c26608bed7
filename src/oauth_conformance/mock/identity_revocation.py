"""``POST {IS}/connect/revocation`` (RFC 7009), served and advertised in the compliant profile only.

IdentityServer has this endpoint too, but Creatio neither documents nor uses it for its JWT access
tokens (creatio-oauth.md §1.2, §7 [INF]/[NF]), so the creatio profile leaves it out. A revoked token
is refused by introspection (and the management API) from then on; the mock's Creatio validates
self-contained JWTs locally, as Creatio's JwtBearer path does, so the API keeps accepting it until
it expires.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from .identity_callers import authenticated_caller, invalid_client, presented_credentials
from .identity_store import IdentityStore
from .identity_tokens import TokenIssuer
from .options import MockOptions
from .wire import RFC6749_NO_CACHE, empty, json_response, read_form

__all__ = ["REVOCATION_PATH", "RevocationEndpoint"]

REVOCATION_PATH = "/connect/revocation"
KNOWN_HINTS = frozenset({"access_token", "refresh_token"})


class RevocationEndpoint:
    def __init__(self, options: MockOptions, store: IdentityStore, tokens: TokenIssuer) -> None:
        self.options = options
        self.store = store
        self.tokens = tokens

    async def __call__(self, request: Request) -> Response:
        form = await read_form(request)
        if form is None:
            return self._error("invalid_request", 400)
        params = {name: value for name, value in form if value}
        caller = authenticated_caller(self.options, self.store, presented_credentials(request, params))
        if caller is None:
            # RFC 7009 §2.1 with RFC 6749 §5.2: failed client authentication.
            return invalid_client()
        token = params.get("token")
        if token is None:
            return self._error("invalid_request", 400)
        hint = params.get("token_type_hint")
        if hint is not None and hint != "access_token" and self.options.has("revocation-hint-strict"):
            # Defect. Realistic fault: the hint is taken as the token's type, so an access token sent
            # with another hint is "not found" and refused, instead of the lookup going on (§2.1).
            return self._error("unsupported_token_type", 400)
        claims = self.tokens.check(token)
        if claims is not None and self.options.has("revocation-access-tokens-unsupported"):
            # Defect. Realistic fault: only reference and refresh tokens are revocable, and the endpoint
            # says so for every JWT access token it recognises.
            return self._error("unsupported_token_type", 400)
        if claims is None:
            if self.options.has("revocation-unknown-400"):
                # Defect. Realistic fault: an unknown or malformed token is reported as an error,
                # although RFC 7009 §2.2 answers 200 so that a client can always drop its copy.
                return self._error("invalid_token", 400)
            return self._ok()
        # A token of another client is left alone. RFC 7009 §2.1 would have the request refused; the
        # mock answers 200 instead, as django-oauth-toolkit does, so the answer does not tell whether
        # the token exists. RFC7009-2.1-client-auth asks only that the token stays valid: both pass.
        # Defect "revocation-any-client". Realistic fault: the caller is authenticated, but nobody
        # checks that the token was issued to it, so any client can revoke any other's tokens.
        owned = claims.get("client_id") == caller or self.options.has("revocation-any-client")
        if owned and isinstance(claims.get("jti"), str):
            with self.store.lock:
                self.store.revoked_jtis.add(claims["jti"])
        return self._ok()

    def _ok(self) -> Response:
        if self.options.has("revocation-json-body"):
            # Benign: RFC 7009 §2.2 says the content of a 200 answer is ignored by the client.
            return json_response({}, 200, RFC6749_NO_CACHE)
        return empty(200)

    @staticmethod
    def _error(error: str, status: int) -> Response:
        return json_response({"error": error}, status, RFC6749_NO_CACHE)
