"""Client side of the Identity Service: discovery and the client-credentials token request (§1.2, §1.3)."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote, urlsplit

import httpx

from oauth_conformance.errors import UnexpectedResponseError
from oauth_conformance.http import HttpClient, exchange_id, json_object
from oauth_conformance.redaction import REDACTOR, RedactedRepr

__all__ = ["AuthStyle", "IdentityClient", "TokenResult", "basic_credentials"]

AuthStyle = Literal["post", "basic"]


@dataclass(frozen=True, repr=False)
class TokenResult(RedactedRepr):
    response: httpx.Response
    body: dict[str, Any] | None

    @property
    def status(self) -> int:
        return self.response.status_code

    @property
    def exchange(self) -> str | None:
        return exchange_id(self.response)

    @property
    def access_token(self) -> str | None:
        token = (self.body or {}).get("access_token")
        return token if isinstance(token, str) and token else None

    @property
    def error(self) -> str | None:
        error = (self.body or {}).get("error")
        return error if isinstance(error, str) else None

    @property
    def issued(self) -> bool:
        return self.status == 200 and self.access_token is not None

    def describe(self) -> str:
        if self.issued:
            return f"HTTP 200, token issued (exchange {self.exchange})"
        return f"HTTP {self.status}, error={self.error!r} (exchange {self.exchange})"


def basic_credentials(client_id: str, client_secret: str) -> str:
    """RFC 6749 §2.3.1: each part is form-urlencoded before the Basic encoding."""
    pair = f"{quote(client_id, safe='')}:{quote(client_secret, safe='')}"
    return "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")


class IdentityClient:
    def __init__(self, http: HttpClient, base_url: str, token_url: str | None = None) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/")
        # A token URL the user named wins over discovery (the oauth target may have no discovery at all).
        self._token_url = token_url
        self._discovery: dict[str, Any] | None = None
        self._oauth_metadata: dict[str, Any] | None = None

    @property
    def discovery_url(self) -> str:
        return f"{self.base_url}/.well-known/openid-configuration"

    def discovery(self) -> dict[str, Any]:
        if self._discovery is None:
            response = self.http.get(self.discovery_url)
            body = json_object(response)
            if response.status_code != 200 or body is None:
                raise UnexpectedResponseError(
                    f"discovery {self.discovery_url} answered HTTP {response.status_code} without a JSON object",
                    exchange_id(response),
                )
            self._discovery = body
        return self._discovery

    def oauth_metadata(self) -> dict[str, Any]:
        """The RFC 8414 authorization server metadata, or {} where the server publishes none.

        Some servers (django-oauth-toolkit, for one) list introspection and revocation only there, not
        in their OpenID document. RFC 8414 §3.1 inserts the well-known segment before the issuer's
        path; servers mounted under a path often serve the appended form instead, so both are tried.
        """
        if self._oauth_metadata is None:
            parts = urlsplit(self.base_url)
            candidates = [f"{parts.scheme}://{parts.netloc}/.well-known/oauth-authorization-server{parts.path}"]
            if parts.path:
                candidates.append(f"{self.base_url}/.well-known/oauth-authorization-server")
            self._oauth_metadata = {}
            for url in candidates:
                response = self.http.get(url)
                body = json_object(response)
                if response.status_code == 200 and body is not None:
                    self._oauth_metadata = body
                    break
        return self._oauth_metadata

    def advertised(self, member: str) -> object:
        """A metadata member from the OpenID discovery document, else from the RFC 8414 metadata."""
        value = self.discovery().get(member)
        return value if value is not None else self.oauth_metadata().get(member)

    def advertised_endpoint(self, member: str) -> str | None:
        """An advertised endpoint the suite may send client credentials to (rebased, see ``reachable``),
        or None where none is named."""
        value = self.advertised(member)
        if not isinstance(value, str) or not value:
            return None
        return self.reachable(value)

    def reachable(self, url: str) -> str:
        """``url`` as the suite reaches it: on the configured Identity Service.

        An Identity Service behind a proxy or TLS offloader often does not know its public address and
        advertises its own (Creatio 8.0's example discovery names ``https://localhost:8090/connect/token``
        while it is fetched elsewhere, docs/creatio-generations.md §5). Creatio itself reads discovery
        with endpoint validation off. The suite sends nothing to an origin it was not pointed at: an
        endpoint on another origin is taken at the configured one, with the advertised path. The scheme
        of an advertised endpoint on the configured host is kept: an http:// endpoint there is what the
        TLS checks report.
        """
        parts = urlsplit(url)
        base = urlsplit(self.base_url)
        if parts.netloc.lower() == base.netloc.lower():
            return url
        path = parts.path if parts.path.startswith(base.path or "/") else f"{base.path}{parts.path}"
        query = f"?{parts.query}" if parts.query else ""
        return f"{base.scheme}://{base.netloc}{path}{query}"

    @property
    def token_endpoint(self) -> str:
        """The token endpoint: the one the user named, else the discovery document's (on the configured
        Identity Service, see ``reachable``), else ``/connect/token`` there."""
        if self._token_url:
            return self._token_url
        endpoint = self.discovery().get("token_endpoint")
        if not isinstance(endpoint, str) or not endpoint:
            return f"{self.base_url}/connect/token"
        return self.reachable(endpoint)

    def request_token(
        self, client_id: str, client_secret: str, style: AuthStyle = "post", extra: Mapping[str, str] | None = None
    ) -> TokenResult:
        REDACTOR.register(client_secret)
        form = {"grant_type": "client_credentials", **(extra or {})}
        headers: dict[str, str] = {}
        if style == "post":
            form |= {"client_id": client_id, "client_secret": client_secret}
        else:
            headers["Authorization"] = basic_credentials(client_id, client_secret)
            REDACTOR.register(headers["Authorization"].removeprefix("Basic "))
        response = self.http.post(self.token_endpoint, data=form, headers=headers)
        result = TokenResult(response, json_object(response))
        REDACTOR.register(result.access_token)
        return result
