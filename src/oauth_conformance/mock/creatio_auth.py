"""Who is calling the mock Creatio: Bearer token, or forms-auth cookie plus BPMCSRF header.

creatio-oauth.md §2.2: the policy scheme forwards to JwtBearer when the ``Authorization`` header
starts with ``Bearer`` (ordinal, case-sensitive), otherwise to the cookie scheme. Failures are a
401 with an empty body in the creatio profile; the compliant profile adds RFC 6750 §3 challenges.
"""

from __future__ import annotations

import hmac
import logging
import re
from dataclasses import dataclass
from typing import Literal

from starlette.requests import Request
from starlette.responses import Response

from .bearer import BearerRejected, BearerValidator
from .creatio_store import CreatioStore, SysAdminUnit
from .options import MockOptions
from .wire import empty, json_response

__all__ = ["AUTH_COOKIE", "CSRF_COOKIE", "Authenticator", "Principal"]

log = logging.getLogger(__name__)

AUTH_COOKIE = ".ASPXAUTH"  # §5 [SRC S81 AuthConsts.AuthCookieName]
CSRF_COOKIE = "BPMCSRF"
CSRF_HEADER = "BPMCSRF"
REALM = "Creatio"
# §2.1 [SRC S81] OAuthAuthorizationHelper's regex.
_CREATIO_BEARER = re.compile(r"^Bearer (.+)$", re.DOTALL)


@dataclass(frozen=True)
class Principal:
    user: SysAdminUnit
    via: Literal["cookie", "bearer"]


class Authenticator:
    def __init__(self, options: MockOptions, store: CreatioStore, validator: BearerValidator) -> None:
        self.options = options
        self.store = store
        self.validator = validator

    async def authenticate(self, request: Request) -> Principal | Response:
        header = request.headers.get("authorization")
        if self.options.compliant:
            in_query = request.query_params.get("access_token")
            if header is not None and in_query is not None and not self.options.has("api-accepts-two-token-methods"):
                # RFC 6750 §2: a client MUST NOT use more than one method to transmit the token.
                # Defect "api-accepts-two-token-methods". Realistic fault: the header wins and the
                # query parameter beside it is never looked at.
                return self._challenge(400, "invalid_request")
            if header is None and in_query and self.options.has("api-accepts-query-token"):
                # Defect. Realistic fault: JwtBearer's OnMessageReceived reads access_token from the
                # query (as SignalR samples do) for every endpoint, not only for WebSocket upgrades.
                return await self._bearer(in_query)
            scheme, _, rest = (header or "").strip().partition(" ")
            if scheme.lower() == "bearer":  # RFC 7235 §2.1: auth schemes are case-insensitive
                token = rest.strip()
                if not token:
                    if self.options.has("api-error-codes-missing"):
                        return self._challenge(401, None)
                    return self._challenge(400, "invalid_request")  # RFC 6750 §3.1
                return await self._bearer(token)
        elif header is not None and header.startswith("Bearer"):
            # [INF from IL] §2.2: StartsWith("Bearer") is ordinal, so "bearer x" goes to cookies.
            match = _CREATIO_BEARER.match(header)
            if match is None:
                return empty(401)  # "Wrong format of 'Authorization' header" (§2.1)
            return await self._bearer(match.group(1))
        return self._cookie(request)

    async def _bearer(self, token: str) -> Principal | Response:
        try:
            user = await self.validator.validate(token)
        except BearerRejected as reason:
            log.info("Bearer token rejected: %s", reason)
            if self.options.has("api-echoes-token"):
                # Defect. Realistic fault: a diagnostic error body quotes the credential it refused,
                # so the token ends up in client logs and proxies (RFC 6819 §4.6.7).
                return json_response({"error": "invalid_token", "message": f"Token rejected: {token}"}, 401,
                                     {"WWW-Authenticate": self._challenge_value("invalid_token")})
            if self.options.compliant:
                return self._challenge(401, None if self.options.has("api-error-codes-missing") else "invalid_token")
            # [SRC S81] §2.2 step 4: OnAuthenticationFailed → 401, empty body; a WWW-Authenticate
            # header is [NF]/[INF] (probably absent because the response has already started).
            return empty(401)
        return Principal(user, "bearer")

    def _cookie(self, request: Request) -> Principal | Response:
        session_key = request.cookies.get(AUTH_COOKIE)
        with self.store.lock:
            session = self.store.sessions.get(session_key or "")
        if session is None:
            return self._no_credentials()
        # [INF] §5: cookie-authenticated calls must echo the BPMCSRF cookie in a BPMCSRF header;
        # the mock answers a missing or wrong header with a bare 401, like a failed login state.
        sent = request.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(sent.encode(), session.csrf.encode()):
            return self._no_credentials()
        user = self.store.user(session.user_id)
        if user is None or not user.active:
            return self._no_credentials()
        return Principal(user, "cookie")

    def _no_credentials(self) -> Response:
        if self.options.compliant:
            # RFC 6750 §3.1: no error code when the request carried no usable authentication.
            # Defect "challenge-always-has-error". Realistic fault: one challenge for every 401, so a
            # request without credentials is told its token is invalid.
            return self._challenge(401, "invalid_token" if self.options.has("challenge-always-has-error") else None)
        # [INF] §2.3: on .NET Framework a /0/ service answers a bare 401.
        return empty(401)

    def _challenge(self, status: int, error: str | None) -> Response:
        # Defect "no-bearer-challenge". Realistic fault: the error response has started before the
        # challenge is added, so none is sent.
        if self.options.has("no-bearer-challenge"):
            return empty(status)
        response = empty(status, {"WWW-Authenticate": self._challenge_value(error)})
        if self.options.has("challenges-in-separate-fields"):
            # Benign: a DPoP challenge in a WWW-Authenticate field of its own, before the Bearer one;
            # RFC 9110 §5.3 lets a list-based field come as several field lines, read as one list.
            response.raw_headers.insert(0, (b"www-authenticate", b'DPoP algs="ES256"'))
        return response

    def _challenge_value(self, error: str | None) -> str:
        # Benign "bearer-scheme-lowercase": RFC 9110 §11.1, "It uses a case-insensitive token to identify
        # the authentication scheme".
        scheme = "bearer" if self.options.has("bearer-scheme-lowercase") else "Bearer"
        challenge = f'{scheme} realm="{REALM}"'
        if self.options.has("challenge-extra-params"):
            # Benign: RFC 6750 §3 allows further auth-params; clients ignore the ones they do not know.
            challenge += ', scope="ApplicationAccess", error_uri="https://example.com/errors/bearer"'
        # Defect "api-error-codes-missing" passes error None. Realistic fault: a stock challenge
        # without the RFC 6750 §3.1 error attribute on every refusal.
        challenge += f', error="{error}"' if error else ""
        if self.options.has("dpop-challenge-first"):
            # Benign: a resource server that also accepts DPoP (RFC 9449 §7.1) lists its challenge first;
            # RFC 9110 §11.6.1 allows several challenges in one field, in any order.
            challenge = f'DPoP algs="ES256 PS256", {challenge}'
        return challenge

    def may(self, principal: Principal, entity: str, operation: str) -> bool:
        if principal.via == "bearer" and self.options.has("techuser-rights-ignored"):
            return True  # defect: the permission model is skipped for Bearer calls
        return self.store.can(principal.user, entity, operation)

    def forbidden(self, principal: Principal, entity: str, operation: str) -> Response:
        action = "read" if operation == "read" else "modify"
        # [INF] §2.1: a 3P report quotes "Current user does not have sufficient permissions to use
        # OData"; the mock words it per entity, in the OData 4 error shape.
        message = f'Current user does not have sufficient permissions to {action} the "{entity}" entity.'
        headers = None
        if self.options.compliant and principal.via == "bearer" and not self.options.has("api-error-codes-missing"):
            # RFC 6750 §3.1: a valid token without the privilege → 403 insufficient_scope.
            headers = {"WWW-Authenticate": self._challenge_value("insufficient_scope")}
        return json_response({"error": {"code": "", "message": message}}, 403, headers)
