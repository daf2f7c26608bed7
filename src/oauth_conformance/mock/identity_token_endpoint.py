"""``POST {IS}/connect/token``: the client credentials grant (creatio-oauth.md §1.3).

Order of checks, as in IdentityServer's TokenEndpoint [INF]: request shape, then client
authentication, then grant type, then scope.
"""

from __future__ import annotations

import hmac
import time
from collections import defaultdict
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

from .identity_store import SPECIAL_CLIENT_ID, SPECIAL_CLIENT_SECRET, SYSTEM_CLIENT_ID, IdentityStore, IsClient
from .identity_tokens import TokenIssuer
from .ids import upper_hex
from .options import MockOptions
from .wire import (
    IDENTITYSERVER_NO_CACHE,
    RFC6749_NO_CACHE,
    basic_scheme,
    empty,
    json_response,
    parse_basic,
    read_form,
)

__all__ = ["TokenEndpoint"]

# Grant types an OAuth server knows but these clients may not use: RFC 6749 §5.2 wants
# `unauthorized_client` for them and `unsupported_grant_type` only for unknown values.
# IdentityServer behaves the same way (creatio-oauth.md §1.3 table).
KNOWN_GRANTS = frozenset(
    {
        "authorization_code",
        "password",
        "refresh_token",
        "implicit",
        "urn:ietf:params:oauth:grant-type:device_code",
        "urn:ietf:params:oauth:grant-type:jwt-bearer",
        "urn:ietf:params:oauth:grant-type:token-exchange",
    }
)


# Benign variant "deactivation-delay": how long the IS's client store keeps an enabled client cached.
CLIENT_CACHE_S = 1.5

# Parameters of the token request this IS knows (for the "unknown-param-rejected" defect).
KNOWN_PARAMS = frozenset({"grant_type", "scope", "client_id", "client_secret", "client_assertion",
                          "client_assertion_type", "resource", "audience", "username", "password", "code",
                          "redirect_uri", "refresh_token", "code_verifier"})

# Defect "long-value-unregistered-error": the longest parameter value the length guard lets through.
MAX_VALUE_CHARS = 1000
# What the form media type is compared with, as a whole string (defect "charset-drops-no-store").
FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"


class TokenEndpoint:
    def __init__(self, options: MockOptions, store: IdentityStore, issuer: TokenIssuer) -> None:
        self.options = options
        self.store = store
        self.issuer = issuer
        # Last token per client, scope and requested resource, with its expiry ("token-reused" only).
        self._reused: dict[tuple[str, str, str], tuple[str, float]] = {}
        # Client id → monotonic time until which it counts as enabled ("deactivation-delay" only).
        self._enabled_until: dict[str, float] = {}

    @property
    def _no_cache(self) -> dict[str, str]:
        # RFC 6749 §5.1 wants `no-store`; IdentityServer sends `no-store, no-cache, max-age=0`.
        return RFC6749_NO_CACHE if self.options.compliant else IDENTITYSERVER_NO_CACHE

    def _json(self, body: dict[str, Any], status: int, headers: dict[str, str] | None = None) -> Response:
        merged = {**self._no_cache, **(headers or {})}
        if headers is not None and "Pragma" not in headers and self.options.has("pragma-missing"):
            del merged["Pragma"]  # the defect's header set is complete (see _token_headers)
        if self.options.has("json-charset"):  # benign variant: a charset parameter on the media type
            merged["Content-Type"] = "application/json; charset=utf-8"
        return json_response(body, status, merged)

    def _error(self, error: str, description: str, status: int = 400,
               headers: dict[str, str] | None = None) -> Response:
        body = {"error": error}
        if self.options.compliant:
            body["error_description"] = description
        # [INF] creatio-oauth.md §1.3: IdentityServer's error body is `{"error": "..."}` only,
        # unless a description was set; the mock's creatio profile never sets one.
        return self._json(body, status, headers)

    def _invalid_client(self, description: str = "Client authentication failed.") -> Response:
        if self.options.compliant and not self.options.has("basic-failure-400"):
            # RFC 6749 §5.2: 401 with a challenge for the scheme the client used. The mock answers
            # the same for body credentials, which §5.2 allows ("MAY respond with 401").
            return self._error(
                "invalid_client", description, 401,
                {"WWW-Authenticate": 'Basic realm="IdentityService", charset="UTF-8"'},
            )
        # [INF] creatio-oauth.md §1.3: IdentityServer answers 400 even when Basic was used, and the
        # same body for a wrong secret, an unknown client and a disabled client. Defect
        # "basic-failure-400" does the same in the compliant profile. Realistic fault: one error
        # handler for every OAuth error, so invalid_client loses its 401 and its Basic challenge.
        return self._error("invalid_client", description, 400)

    def _token_headers(self, request: Request) -> dict[str, str]:
        """Headers of a successful token response, with the caching defects and variants applied."""
        headers = dict(self._no_cache)
        content_type = request.headers.get("content-type")
        # Only a form POST gets here with a Content-Type, so what differs from FORM_MEDIA_TYPE is a parameter.
        if (self.options.has("charset-drops-no-store") and content_type is not None
                and content_type.strip().lower() != FORM_MEDIA_TYPE):
            # Defect. Realistic fault: the rule that marks token answers no-store is matched on the
            # request's Content-Type as a whole string, so a form request that names its charset
            # ("application/x-www-form-urlencoded; charset=utf-8") misses it, and the token goes out with
            # the host's default Cache-Control: private. Pragma is the endpoint's own, and stays.
            headers["Cache-Control"] = "private"
        if self.options.has("cache-control-extra"):
            # Benign: more restrictive directives beside no-store (RFC 7234 allows any combination).
            headers["Cache-Control"] = "no-store, no-cache, private"
        if self.options.has("no-store-missing"):
            # Defect. Realistic fault: a middleware (e.g. ASP.NET response caching or a CDN rule)
            # rewrites Cache-Control on every answer, so the token response loses no-store.
            headers["Cache-Control"] = "no-cache"
        if self.options.has("pragma-missing"):
            # Defect. Realistic fault: a hand-written token endpoint sets only Cache-Control, as
            # modern guidance suggests, forgetting the Pragma header RFC 6749 §5.1 still requires.
            del headers["Pragma"]
        if self.options.has("token-json-as-text"):
            # Defect. Realistic fault: the body is serialised by hand and written as a string, so the
            # framework's default text/plain media type goes out with the JSON.
            headers["Content-Type"] = "text/plain; charset=utf-8"
        return headers

    async def __call__(self, request: Request) -> Response:
        if request.method != "POST" and self.options.has("get-accepted-at-token-endpoint"):
            # Defect. Realistic fault: the endpoint is mapped for every verb and reads its
            # parameters from the query when there is no body, so GET issues tokens (and puts the
            # secret in URLs and logs).
            return await self._grant(request, list(request.query_params.multi_items()))
        if request.method != "POST":
            if self.options.compliant:
                # RFC 6749 §3.2: the client MUST use POST.
                return self._error("invalid_request", "The token endpoint accepts POST only.", 405,
                                   {"Allow": "POST"})
            # [INF] creatio-oauth.md §1.3: IdentityServer answers a GET with 400 invalid_request.
            return self._error("invalid_request", "The token endpoint accepts POST only.")
        form = await read_form(request)
        if self.options.has("credentials-in-query-accepted") and request.query_params:
            # Defect. Realistic fault: parameters read through a merged accessor (ASP.NET's
            # Request["name"], PHP's $_REQUEST) that looks in the query string as well as the body,
            # so credentials sent in the URI authenticate.
            form = [*(form or []), *request.query_params.multi_items()]
        if form is None:
            # [INF] §1.3: a body that is not form-encoded → 400 invalid_request.
            return self._error("invalid_request", "The body must be application/x-www-form-urlencoded.")
        if self.options.has("non-ascii-client-id-500"):
            try:
                self._throttle_key(form)
            except UnicodeEncodeError:
                # Defect. Realistic fault: the per-client request throttle keys its counters on the
                # client_id of the form, encoded as ASCII for the counter store; a client_id outside
                # ASCII raises, nothing catches it, and the host answers an unhandled exception with a
                # bare 500 (ASP.NET outside development). A Basic header's client id never reaches it.
                return empty(500)
        return await self._grant(request, form)

    @staticmethod
    def _throttle_key(form: list[tuple[str, str]]) -> bytes:
        """The key of the request's counter in the throttle's store (defect "non-ascii-client-id-500")."""
        client_ids = [value for name, value in form if name == "client_id"]
        return b"token:" + (client_ids[0].encode("ascii") if client_ids else b"-")

    async def _grant(self, request: Request, form: list[tuple[str, str]]) -> Response:
        if self.options.has("long-value-unregistered-error") and any(len(v) > MAX_VALUE_CHARS for _, v in form):
            # Defect. Realistic fault: a home-grown input length guard (IdentityServer's
            # InputLengthRestrictions answer invalid_request) that names its own error code, one
            # RFC 6749 §5.2 does not register, so clients cannot tell what went wrong.
            return self._error("request_too_large", f"A parameter value is longer than {MAX_VALUE_CHARS} characters.")
        if self.options.has("unknown-param-rejected") and any(name not in KNOWN_PARAMS for name, _ in form):
            # Defect. Realistic fault: strict request-model validation (unknown members are an
            # error) applied to the token request, although RFC 6749 §3.2 says to ignore them.
            return self._error("invalid_request", "Unknown parameter.")
        if self.options.has("empty-scope-rejected") and ("scope", "") in form:
            # Defect. Realistic fault: the scope parser splits "" into one empty scope name and
            # finds it not allowed, instead of treating the empty parameter as omitted.
            return self._error("invalid_scope", "The requested scope is not allowed for this client.")
        values: dict[str, list[str]] = defaultdict(list)
        for name, value in form:
            if value:  # RFC 6749 §3.2: a parameter sent without a value is treated as omitted
                values[name].append(value)
        # Defect "repeated-secret-any-matches". Realistic fault: client authentication reads client_secret
        # as a list (written for secret rotation, where a client holds several secrets) and tries each
        # value; the repeated-parameter guard runs on what the grant itself reads, which no longer holds
        # client_secret, so a repeated secret is never refused.
        other_secrets: list[str] = []
        if self.options.has("repeated-secret-any-matches") and len(values.get("client_secret", [])) > 1:
            first, *other_secrets = values.pop("client_secret")
            values["client_secret"] = [first]
        if self.options.has("duplicate-params-accepted"):
            # Defect. Realistic fault: the form is read into a plain dictionary, so a repeated
            # parameter silently keeps its last value instead of failing the request.
            params = {name: v[-1] for name, v in values.items()}
        elif self.options.compliant and any(len(v) > 1 for v in values.values()):
            # RFC 6749 §3.2: request parameters MUST NOT be included more than once.
            return self._error("invalid_request", "A parameter was repeated.")
        else:
            # [INF] ASP.NET joins repeated form values with commas, so a doubled grant_type becomes an
            # unknown grant type in the creatio profile.
            params = {name: ",".join(v) for name, v in values.items()}

        credentials = self._credentials(request, params)
        if isinstance(credentials, Response):
            return credentials
        client = self._authenticate(credentials)
        if credentials is not None and credentials == (params.get("client_id"), params.get("client_secret")):
            # The other values of a repeated body secret ("repeated-secret-any-matches"); none otherwise.
            for secret in other_secrets:
                client = client or self._authenticate((credentials[0], secret))
        if client is None:
            if (self.options.has("spaced-secret-echoed") and credentials is not None and credentials[1]
                    and " " in credentials[1]):
                # Defect. Realistic fault: a failed secret is checked for format afterwards (generated
                # secrets are hex, so one holding a space cannot be one), and that check's message
                # quotes the value it refused, as ASP.NET model validation's "The value '…' is not
                # valid" does: the secret lands in the answer and in every log that keeps it.
                return self._invalid_client(f"The value '{credentials[1]}' is not valid for client_secret.")
            if self.options.has("error-echoes-secret") and credentials is not None and credentials[1]:
                # Defect. Realistic fault: a debugging aid left in the error handler that quotes the
                # credentials it failed to match, so every failed attempt writes a secret into the
                # answer, and from there into client and proxy logs.
                return self._error("invalid_client", f"No client matches secret {credentials[1]!r}.", 401,
                                   {"WWW-Authenticate": 'Basic realm="IdentityService"'})
            return self._invalid_client()

        grant = params.get("grant_type")
        if grant is None:
            if self.options.compliant:
                return self._error("invalid_request", "grant_type is missing.")
            # creatio-oauth.md §1.3 table: IdentityServer answers a missing grant_type with this code.
            return self._error("unsupported_grant_type", "grant_type is missing.")
        if grant == "password" and self.options.has("password-grant-accepted"):
            # Defect. Realistic fault: the client was registered with IdentityServer's
            # ResourceOwnerPasswordAndClientCredentials grant set and a stub password validator from
            # a sample that accepts every user, so the password grant issues tokens.
            pass
        elif grant != "client_credentials":
            if grant in KNOWN_GRANTS:
                return self._error("unauthorized_client", "The client may not use this grant type.")
            if self.options.has("unknown-grant-invalid-grant"):
                # Defect. Realistic fault: every failure of the grant step is mapped to invalid_grant,
                # the code for a bad authorization grant, instead of unsupported_grant_type.
                return self._error("invalid_grant", "The grant type is not supported.")
            return self._error("unsupported_grant_type", "The grant type is not supported.")
        elif "client_credentials" not in client.allowed_grant_types:
            return self._error("unauthorized_client", "The client may not use this grant type.")

        requested = params.get("scope")
        scopes = self._scopes(client, requested)
        narrowed_silently = False
        if scopes is None and requested is not None and self.options.has("scope-narrowed-silently"):
            # Defect. Realistic fault: scopes the client may not have are dropped without a word, and
            # the response leaves scope out, so the client believes it holds what it asked for.
            scopes, narrowed_silently = self._scopes(client, None), True
        if scopes is None:
            return self._error("invalid_scope", "The requested scope is not allowed for this client.")
        resource = params.get("resource")
        if resource is not None and not self._well_formed_resource(resource):
            return self._error("invalid_target", "The resource parameter is not an absolute URI.")
        # RFC 9068 §3: the token for a requested resource names it as its audience. [INF] Creatio documents
        # no resource indicators; the mock narrows aud to any well-formed one, as an IdentityServer that
        # honours them does for its API resources (a token for another resource is refused by Creatio's
        # API, whose audience is the default resource).
        audience = resource
        if self.options.has("token-aud-ignores-resource"):
            # Defect. Realistic fault: the resource parameter is validated (it is a known parameter) but
            # the token service never reads it, so every token carries the default audience.
            audience = None
        reuse = self.options.has("token-reused")
        cache_key = (client.client_id, " ".join(scopes), audience or "")
        cached = self._reused.get(cache_key) if reuse else None
        if cached is not None and cached[1] > time.time() + 1 and self.issuer.check(cached[0]) is not None:
            # Defect. Realistic fault: the AS (or a gateway) caches the token per client to save
            # signing, so every request within the lifetime gets the same (still valid) token back.
            token, lifetime = cached[0], round(cached[1] - time.time())
        else:
            # The signature is computed off the loop: with "token-reused", requests of one client at once
            # may each get a token of their own, and the last one signed stays cached.
            token, lifetime = await self.issuer.issue(client, scopes, audience)
            if reuse:
                self._reused[cache_key] = (token, time.time() + lifetime)
        body = self._token_body(token, lifetime, " ".join(scopes))
        if narrowed_silently:
            del body["scope"]
        return self._json(body, 200, self._token_headers(request))

    @staticmethod
    def _well_formed_resource(resource: str) -> bool:
        """Whether ``resource`` is what RFC 8707 §2 allows: "an absolute URI" that "MUST NOT include a
        fragment component"."""
        try:
            parts = urlsplit(resource)
        except ValueError:  # e.g. "https://[::1": an unclosed IPv6 literal is no URI at all
            return False
        return bool(parts.scheme) and bool(parts.netloc or parts.path) and "#" not in resource and " " not in resource

    def _credentials(self, request: Request, params: dict[str, str]) -> tuple[str, str | None] | Response | None:
        header = request.headers.get("authorization")
        # Defect "basic-not-urldecoded". Realistic fault: a hand-written Basic parser that splits the
        # decoded pair at the colon but skips the form-urldecoding RFC 6749 §2.3.1 prescribes.
        basic = parse_basic(header, urldecode=not self.options.has("basic-not-urldecoded"))
        if basic_scheme(header) and self.options.has("basic-auth-rejected") and (
                basic is None or basic[0] != SYSTEM_CLIENT_ID):
            # Defect. Realistic fault: a reverse proxy (or an IIS site with Basic authentication
            # enabled) in front of the IS's public address consumes the Authorization header, so
            # client_secret_basic requests arrive without credentials and fail as invalid_client,
            # while form-body credentials pass. Creatio reaches its IS on the internal address (as
            # IdentityLink's url_map models), so its system client's Basic requests are untouched;
            # the mock cannot tell the two routes apart and exempts that client by its id instead.
            header, basic = None, None
        body_id, body_secret = params.get("client_id"), params.get("client_secret")
        if body_id not in (None, SYSTEM_CLIENT_ID) and self.options.has("body-credentials-rejected"):
            # Defect. Realistic fault: an IS configured for client_secret_basic only (the parser for
            # body credentials switched off), although Creatio documents the body form. The system
            # client is exempt so that Creatio's own calls keep working.
            body_id, body_secret = None, None
        if self.options.compliant:
            if basic_scheme(header) and basic is None:
                return self._invalid_client()
            # Defect "two-auth-methods-accepted". Realistic fault: the Basic parser runs first and
            # the body credentials beside it are never looked at (IdentityServer's order, §1.3).
            if (basic is not None and not self.options.has("two-auth-methods-accepted")
                    and (body_secret is not None or body_id not in (None, basic[0]))):
                # RFC 6749 §2.3: a client MUST NOT use more than one authentication method.
                return self._error("invalid_request", "More than one client authentication method was used.")
        # [INF] IdentityServer runs its Basic parser before the body parser; the first hit wins.
        if basic is not None:
            return basic
        if body_id is not None:
            return body_id, body_secret
        if self.options.has("gateway-injects-default-client"):
            # Defect. Realistic fault: a gateway in front of the token endpoint adds a default
            # client's credentials to requests that carry none (kept for a legacy caller), so a
            # request without client authentication is served.
            return SPECIAL_CLIENT_ID, SPECIAL_CLIENT_SECRET
        return None

    def _authenticate(self, credentials: tuple[str, str | None] | None) -> IsClient | None:
        if credentials is None:
            return None
        client_id, secret = credentials
        client = self.store.get(client_id)
        if client is None and secret and self.options.has("unknown-client-accepted"):
            # Defect. Realistic fault: a development switch that registers unknown clients on first
            # use with the secret they present was left on.
            with self.store.lock:
                client = IsClient(client_id=client_id, secret=secret, name=client_id,
                                  access_token_lifetime=self.store.token_lifetime,
                                  allowed_scopes=sorted(self.store.resources))
                self.store.clients[client_id] = client
        if client is not None and client.secret == "":
            # A public client (IdentityServer's RequireClientSecret = false) is identified by its id
            # alone; the grant-type check refuses it the client credentials grant unless allowed.
            return client if client.enabled and not secret else None
        if client is not None and not secret and self.options.has("client-id-alone-accepted"):
            # Defect. Realistic fault: "no secret sent" is read as "the empty secret", and the empty
            # string is compared as a prefix of the stored one, so a confidential client authenticates
            # with its id alone.
            return client if client.enabled else None
        if client is None or not secret:
            return None
        matches = self._secret_matches(secret, client.secret)
        if not matches and not self.options.has("accept-any-secret"):  # defect: any secret will do
            return None
        # [INF] creatio-oauth.md §7: IdentityServer refuses a disabled client with invalid_client.
        if not self._enabled(client) and not self.options.has("inactive-client-gets-tokens"):
            return None
        return client

    def _secret_matches(self, presented: str, stored: str) -> bool:
        if self.options.has("secret-whitespace-stripped"):
            # Defect. Realistic fault: the presented secret is trimmed before the comparison, as the
            # management UI trims what it stores, so a secret with spaces around it authenticates.
            presented = presented.strip()
        if self.options.has("secret-case-insensitive"):
            # Defect. Realistic fault: the secrets are compared with an ignore-case string comparison
            # (.NET's StringComparison.OrdinalIgnoreCase), copied from the client id lookup, so the
            # secret in any letter case authenticates: the hex secret loses most of its strength.
            return presented.lower() == stored.lower()
        return hmac.compare_digest(presented.encode(), stored.encode())

    def _enabled(self, client: IsClient) -> bool:
        """Whether the client counts as enabled; live, unless the client store caches it."""
        if not self.options.has("deactivation-delay"):
            return client.enabled
        # Benign variant. creatio-versions.md §2 [INF]: the IS's client store may cache clients, so a
        # deactivation reaches the token endpoint only once the cached entry (made at a token request
        # while the client was enabled) expires. Only enabled clients are cached: a re-activation is
        # seen at once, and a client disabled before anyone asked for a token is refused at once.
        now = time.monotonic()
        with self.store.lock:
            if self._enabled_until.get(client.client_id, 0.0) > now:
                return True
            if client.enabled:
                self._enabled_until[client.client_id] = now + CLIENT_CACHE_S
            return client.enabled

    def _scopes(self, client: IsClient, requested: str | None) -> list[str] | None:
        with self.store.lock:
            allowed = list(client.allowed_scopes)
        if requested is None or not requested.split():
            # [INF] §1.3: with no scope, IdentityServer grants all of the client's allowed scopes.
            scopes = allowed
        else:
            wanted = set(requested.split())
            if not wanted <= set(allowed):
                return None
            scopes = [s for s in allowed if s in wanted]
        # IdentityServer refuses a client with nothing to grant (invalid_scope). [INF]
        return scopes or None

    def _token_body(self, token: str, lifetime: int, scope: str) -> dict[str, Any]:
        token_type = "bearer" if self.options.has("lowercase-token-type") else "Bearer"
        if self.options.has("refresh-token-issued"):
            # Defect. Realistic fault: the client is registered with offline access (IdentityServer's
            # AllowOfflineAccess, or a shared default client template), so client credentials
            # responses carry a refresh token RFC 6749 §4.4.3 says they should not.
            return {"access_token": token, "expires_in": lifetime, "token_type": token_type, "scope": scope,
                    "refresh_token": upper_hex(32)}
        if self.options.has("expires-in-string"):
            # Defect. Realistic fault: the lifetime comes from a string setting and is serialised
            # without conversion, so expires_in is the JSON string "3600" instead of a number.
            return {"access_token": token, "expires_in": str(lifetime), "token_type": token_type, "scope": scope}
        if self.options.has("extra-token-fields"):
            # Benign: RFC 6749 §5.1 says clients ignore unknown members; JSON member order is free.
            return {"scope": scope, "token_type": token_type, "mock_note": "benign extra member",
                    "expires_in": lifetime, "access_token": token}
        # [INF] creatio-oauth.md §1.3: IdentityServer's member order; no refresh_token (§1.3, [DOC]).
        return {"access_token": token, "expires_in": lifetime, "token_type": token_type, "scope": scope}
