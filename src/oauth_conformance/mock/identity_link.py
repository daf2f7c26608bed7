"""Creatio's side of the wire to the Identity Service (creatio-oauth.md §1.2, §3.2).

Creatio reaches the IS only over HTTP, using the three ``OAuth20*`` system settings: discovery
(``DiscoveryCache``), a client-credentials token of the system client (cached by ``expires_in``),
and the management API at ``{OAuth20IdentityServerUrl}{relative path}``. Failures map to the two
exceptions of ``IdentityServiceWrapper``; either one cancels the entity save.
"""

from __future__ import annotations

import functools
import ssl
import time
from typing import Any
from urllib.parse import quote_plus

import httpx2
from joserfc.jwk import KeySet

from .creatio_store import SETTING_CLIENT_ID, SETTING_CLIENT_SECRET, SETTING_URL, CreatioStore

__all__ = ["LOCAL_API_SCOPE", "IdentityError", "IdentityLink", "empty_settings_message"]

IDENTITY_TIMEOUT_S = 5.0  # stands in for GlobalAppSettings.IdentityRequestTimeoutMs (§1.2)
DISCOVERY_TTL_S = 24 * 3600  # IdentityModel DiscoveryCache's default refresh interval [INF]
LOCAL_API_SCOPE = "IdentityServerApi"


@functools.cache
def _tls_context(ca_file: str | None = None) -> ssl.SSLContext:
    # Loading the CA store dominates the cost of an httpx2 client; load it once per process and CA file.
    return ssl.create_default_context(cafile=ca_file)


class IdentityError(Exception):
    """An IS call failed. ``error_code`` is the .NET exception name Creatio would report. [INF]"""

    error_code = "IdentityServiceException"


class IdentityConnectivityError(IdentityError):
    """Timeout or network failure: ``ApiServerConnectivityException`` (§1.2)."""

    error_code = "ApiServerConnectivityException"

    def __init__(self) -> None:
        # §1.2 [SRC S81]: the text Creatio logs for this case.
        super().__init__("IdentityServer busy or inaccessible.")


class IdentityApiError(IdentityError):
    """A response status of 300 or more: ``ApiServerException("{status} {body}")`` (§1.2)."""

    error_code = "ApiServerException"

    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"{status} {body}")
        self.status = status


class IdentitySettingsError(IdentityError):
    """One of the OAuth20* settings is empty, so there is nothing to call. [INF]"""

    error_code = "InvalidOperationException"


def empty_settings_message(empty: list[str]) -> str:
    """creatio-oauth.md §4: the health check's wording, reused for failed saves."""
    if len(empty) == 1:
        return f"System setting {empty[0]} is empty."
    return f"System settings {', '.join(empty)} are empty."


class IdentityLink:
    def __init__(self, store: CreatioStore, url_map: dict[str, str] | None = None,
                 timeout: float = IDENTITY_TIMEOUT_S, ca_file: str | None = None) -> None:
        """``url_map`` maps announced (public) IS URLs to the loopback address the mock listens on.

        Behind a reverse proxy the settings and discovery name the public URL; the mock's Creatio
        reaches its own IS directly, as split-horizon DNS would let a real one do.
        """
        self.store = store
        self.url_map = {k.rstrip("/"): v.rstrip("/") for k, v in (url_map or {}).items()}
        self.timeout = timeout
        # The mock's own CA when it serves https (as a real Creatio would trust its IS's CA).
        self.ca_file = ca_file
        self._discovery: dict[str, tuple[float, dict[str, Any]]] = {}
        self._keys: dict[str, KeySet] = {}
        self._tokens: dict[tuple[str, ...], tuple[float, str]] = {}

    def settings(self) -> tuple[str, str, str]:
        values = [self.store.setting(code) for code in (SETTING_URL, SETTING_CLIENT_ID, SETTING_CLIENT_SECRET)]
        empty = [code for code, value in zip((SETTING_URL, SETTING_CLIENT_ID, SETTING_CLIENT_SECRET), values,
                                             strict=True) if not value]
        if empty:
            raise IdentitySettingsError(empty_settings_message(empty))
        return values[0], values[1], values[2]

    def _rewrite(self, url: str) -> str:
        for public, internal in self.url_map.items():
            if url == public or url.startswith(public + "/"):
                return internal + url[len(public):]
        return url

    async def _send(self, method: str, url: str, **kwargs: Any) -> httpx2.Response:
        try:
            # A client per call: the IS may be stopped and restarted between calls, and stale
            # keep-alive connections would turn that into spurious errors.
            verify = _tls_context(self.ca_file)
            async with httpx2.AsyncClient(timeout=self.timeout, trust_env=False, verify=verify) as client:
                return await client.request(method, self._rewrite(url), **kwargs)
        except (httpx2.HTTPError, ValueError) as error:
            raise IdentityConnectivityError() from error

    @staticmethod
    def _json(response: httpx2.Response) -> Any:
        try:
            return response.json()
        except ValueError as error:
            raise IdentityApiError(response.status_code, response.text) from error

    async def discovery(self, fresh: bool = False) -> dict[str, Any]:
        """The discovery document; DiscoveryCache takes the authority and appends the well-known path."""
        authority = self.settings()[0].rstrip("/")
        cached = self._discovery.get(authority)
        if cached is not None and not fresh and time.monotonic() - cached[0] < DISCOVERY_TTL_S:
            return cached[1]
        response = await self._send("GET", authority + "/.well-known/openid-configuration")
        document = self._json(response)
        if response.status_code != 200 or not isinstance(document, dict):
            raise IdentityApiError(response.status_code, response.text)
        self._discovery[authority] = (time.monotonic(), document)
        return document

    async def key_set(self, refresh: bool = False) -> KeySet:
        """The IS signing keys from the discovery ``jwks_uri``; cached until a ``kid`` is unknown."""
        jwks_uri = str((await self.discovery()).get("jwks_uri", ""))
        keys = self._keys.get(jwks_uri)
        if keys is None or refresh:
            response = await self._send("GET", jwks_uri)
            document = self._json(response)
            if response.status_code != 200 or not isinstance(document, dict):
                raise IdentityApiError(response.status_code, response.text)
            # Microsoft.IdentityModel's JsonWebKeySet skips keys it cannot read (SkipUnresolvedJsonWebKeys),
            # so an entry without kty costs nothing but itself. [INF]
            usable = [k for k in document.get("keys", []) if isinstance(k, dict) and "kty" in k]
            try:
                keys = KeySet.import_key_set({"keys": usable})
            except Exception as error:  # joserfc rejects malformed sets with assorted errors
                raise IdentityApiError(response.status_code, response.text) from error
            self._keys[jwks_uri] = keys
        return keys

    async def system_token(self, scope: str, fresh: bool = False) -> str:
        """A client-credentials token of the system client, cached by ``expires_in`` (§1.2)."""
        url, client_id, secret = self.settings()
        cache_key = (url, client_id, secret, scope)
        cached = self._tokens.get(cache_key)
        if cached is not None and not fresh and cached[0] > time.monotonic():
            return cached[1]
        token_endpoint = str((await self.discovery(fresh=fresh)).get("token_endpoint", ""))
        # IdentityModel sends client credentials in a Basic header, form-encoded first (RFC 6749 §2.3.1).
        basic = httpx2.BasicAuth(quote_plus(client_id), quote_plus(secret))
        response = await self._send("POST", token_endpoint, auth=basic,
                                    data={"grant_type": "client_credentials", "scope": scope})
        body = self._json(response)
        if response.status_code != 200 or not isinstance(body, dict) or "access_token" not in body:
            raise IdentityApiError(response.status_code, response.text)
        lifetime = body.get("expires_in")
        lifetime = lifetime if isinstance(lifetime, int) else 60
        self._tokens[cache_key] = (time.monotonic() + max(lifetime - 30, 1), str(body["access_token"]))
        return str(body["access_token"])

    async def manage(self, method: str, path: str, scope: str, body: Any = None,
                     tolerate_404: bool = False) -> httpx2.Response:
        """Call the management API: ``{setting}{path}`` (string.Format, §1.2), Bearer system token."""
        url = self.settings()[0]
        token = await self.system_token(f"{scope} {LOCAL_API_SCOPE}")
        headers = {"Authorization": f"Bearer {token}"}
        if body is None:
            response = await self._send(method, url + path, headers=headers)
        else:
            response = await self._send(method, url + path, headers=headers, json=body)
        if response.status_code >= 300 and not (tolerate_404 and response.status_code == 404):
            raise IdentityApiError(response.status_code, response.text)
        return response

    async def find_clients(self, filters: dict[str, Any]) -> list[dict[str, Any]]:
        """FindClients (``Clients/find``, §1.2): the IS clients matching ``filters``, as the IS describes them."""
        response = await self.manage("POST", "Clients/find", "find_clients", filters)
        found = self._json(response)
        if not isinstance(found, list):
            raise IdentityApiError(response.status_code, response.text)
        return [client for client in found if isinstance(client, dict)]
