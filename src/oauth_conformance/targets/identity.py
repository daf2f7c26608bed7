"""Client side of the authorization server: its metadata, and the client-credentials token request.

Metadata (§1.2) comes from the OpenID discovery document, else from the RFC 8414 authorization server
metadata; the token request (§1.3) carries the parameters the target's settings add to every one.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote, urlsplit

import httpx2

from oauth_conformance.errors import MetadataNotFoundError
from oauth_conformance.http import HttpClient, exchange_id, json_object
from oauth_conformance.redaction import REDACTOR, RedactedRepr

__all__ = [
    "AUTH_METHODS",
    "AuthMethod",
    "AuthStyle",
    "IdentityClient",
    "MetadataKind",
    "MetadataSource",
    "Rebased",
    "TokenResult",
    "basic_credentials",
    "metadata_urls",
    "style_of",
]

AuthStyle = Literal["post", "basic"]
# The RFC 8414 / IANA names of the two client-password methods of RFC 6749 §2.3.1, as settings name them.
AuthMethod = Literal["client_secret_basic", "client_secret_post"]
AUTH_METHODS: tuple[AuthMethod, ...] = ("client_secret_basic", "client_secret_post")
_STYLES: dict[AuthMethod, AuthStyle] = {"client_secret_basic": "basic", "client_secret_post": "post"}
# Which well-known document the metadata came from.
MetadataKind = Literal["openid-configuration", "oauth-authorization-server"]


def style_of(method: AuthMethod) -> AuthStyle:
    """How the suite sends credentials for an RFC 8414 authentication method name."""
    return _STYLES[method]


@dataclass(frozen=True, repr=False)
class TokenResult(RedactedRepr):
    response: httpx2.Response
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


@dataclass(frozen=True)
class MetadataSource:
    """Where the server's metadata was found: the document, its URL, and the issuer identifier the URL was
    built from (what RFC 8414 §3.3 and OpenID Connect Discovery §4.3 compare ``issuer`` with)."""

    kind: MetadataKind
    url: str
    issuer: str
    response: httpx2.Response

    @property
    def exchange(self) -> str | None:
        return exchange_id(self.response)


@dataclass(frozen=True)
class Rebased:
    """An advertised endpoint the suite reaches elsewhere: at the configured origin, with its path."""

    advertised: str
    used: str


def basic_credentials(client_id: str, client_secret: str) -> str:
    """RFC 6749 §2.3.1: each part is form-urlencoded before the Basic encoding."""
    pair = f"{quote(client_id, safe='')}:{quote(client_secret, safe='')}"
    return "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")


def metadata_urls(issuer: str) -> list[tuple[MetadataKind, str]]:
    """The well-known URLs of an issuer's metadata, in the order the suite tries them.

    OpenID Connect Discovery §4 appends ``/.well-known/openid-configuration`` to the issuer. RFC 8414
    §3.1 inserts ``/.well-known/oauth-authorization-server`` between the host and the issuer's path;
    servers mounted under a path often serve the appended form instead (django-oauth-toolkit, Okta's
    legacy form), so for an issuer with a path both are tried. Both specifications remove a terminating
    "/" first.
    """
    base = issuer.rstrip("/")
    parts = urlsplit(base)
    urls: list[tuple[MetadataKind, str]] = [
        ("openid-configuration", f"{base}/.well-known/openid-configuration"),
        ("oauth-authorization-server",
         f"{parts.scheme}://{parts.netloc}/.well-known/oauth-authorization-server{parts.path}"),
    ]
    if parts.path:
        urls.append(("oauth-authorization-server", f"{base}/.well-known/oauth-authorization-server"))
    return urls


def _kids(key_set: httpx2.Response) -> set[object]:
    keys = (json_object(key_set) or {}).get("keys")
    return {key.get("kid") for key in keys if isinstance(key, dict)} if isinstance(keys, list) else set()


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


class IdentityClient:
    """The authorization server as the suite reaches it.

    ``base_url`` is the issuer the user configured (the Identity Service for Creatio). Where the user named
    only a token endpoint, ``issuers`` are the candidate issuers derived from it: a document found there
    counts only when its ``token_endpoint`` is that URL, so the metadata of a neighbouring server (Entra
    ID's v1 document beside its v2 token endpoint, Okta's org server beside a custom one) is never taken
    for it. ``setting`` names what the user set, for messages. ``token_parameters`` go with every token
    request (a scope, an audience, an RFC 8707 resource).
    """

    def __init__(
        self,
        http: HttpClient,
        base_url: str,
        token_url: str | None = None,
        *,
        setting: str = "CREATIO_IDENTITY_URL",
        issuers: Sequence[str] = (),
        token_parameters: Mapping[str, str] | None = None,
    ) -> None:
        self.http = http
        self.setting = setting
        self._base_url = base_url.rstrip("/")
        # Kept as given: an issuer identifier may end in "/" (Auth0's does), and §3.3 compares it verbatim.
        self._issuer = base_url
        # A token URL the user named wins over discovery (the oauth target may have no metadata at all).
        self._token_url = token_url
        self._issuers = tuple(issuers)
        self._token_parameters = dict(token_parameters or {})
        self._source: MetadataSource | None = None
        self._body: dict[str, Any] | None = None
        self._problem: MetadataNotFoundError | None = None
        self._oauth_metadata: dict[str, Any] | None = None
        self._rebased: dict[str, Rebased] = {}
        # Each key set kept, by its advertised URL, with the kids it lists.
        self._key_sets: dict[str, tuple[httpx2.Response, set[object]]] = {}

    # -- where the server is --------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """The issuer without a terminating "/": what the well-known URLs and rebased endpoints are built
        on. Where it is derived from a token URL, looking for the metadata settles it (one walk a run)."""
        if self._issuers:
            self._find_metadata()
        return self._base_url

    @property
    def issuer(self) -> str:
        """The issuer identifier the metadata URL was built from, as configured (or as derived)."""
        if self._issuers:
            self._find_metadata()
        return self._issuer

    @property
    def discovery_url(self) -> str:
        """The OpenID discovery document's URL at the issuer (it may not exist: see ``metadata_source``)."""
        return f"{self.base_url}/.well-known/openid-configuration"

    def where(self) -> str:
        """Where the suite was pointed, naming the setting: for messages."""
        return f"{self._base_url} ({self.setting})"

    @property
    def token_parameters(self) -> Mapping[str, str]:
        """What every token request carries beyond grant_type and client authentication."""
        return dict(self._token_parameters)

    # -- metadata ---------------------------------------------------------------------------------

    def _accepts(self, body: Mapping[str, Any]) -> bool:
        if not self._issuers or not self._token_url:
            return True
        named = body.get("token_endpoint")
        if not isinstance(named, str):
            return False
        # The path decides: the host is the one the document was fetched from (see ``reachable``).
        return urlsplit(named).path.rstrip("/") == urlsplit(self._token_url).path.rstrip("/")

    def _find_metadata(self) -> None:
        if self._source is not None or self._problem is not None:
            return
        tried: list[str] = []
        last: httpx2.Response | None = None
        for issuer in self._issuers or (self._issuer,):
            for kind, url in metadata_urls(issuer):
                response = last = self.http.get(url)
                body = json_object(response) if response.status_code == 200 else None
                if body is None:
                    shape = ", no JSON object" if response.status_code == 200 else ""
                    tried.append(f"{url} (HTTP {response.status_code}{shape})")
                    continue
                if not self._accepts(body):
                    tried.append(f"{url} (names token_endpoint {body.get('token_endpoint')!r})")
                    continue
                if self._issuers:
                    named = body.get("issuer")
                    derived = issuer.rstrip("/")
                    self._base_url = derived
                    self._issuer = named if isinstance(named, str) and named.rstrip("/") == derived else derived
                self._source, self._body = MetadataSource(kind, url, self._issuer, response), body
                if kind == "oauth-authorization-server":
                    self._oauth_metadata = body
                return
        if self._issuers:
            # Nothing found: the origin of the token URL stands for the server in messages and rebasing.
            self._base_url = self._issuer = _origin(self._issuers[-1])
            hint = f"set OAUTH_ISSUER to the issuer of {self._token_url}"
        else:
            hint = f"check {self.setting}"
        self._problem = MetadataNotFoundError(
            f"no authorization server metadata: {'; '.join(tried)}; {hint}", exchange_id(last) if last else None
        )

    @property
    def found(self) -> MetadataSource | None:
        """The metadata source found so far, without looking for one (for descriptions)."""
        return self._source

    def metadata_source(self) -> MetadataSource:
        """The document the metadata was read from; raises MetadataNotFoundError, naming every URL tried,
        where the server publishes none (once a run: the answer is kept)."""
        self._find_metadata()
        if self._problem is not None:
            raise self._problem
        assert self._source is not None  # _find_metadata sets one of the two
        return self._source

    def discovery(self) -> dict[str, Any]:
        """The server's metadata: the OpenID discovery document, else the RFC 8414 metadata."""
        self.metadata_source()
        assert self._body is not None
        return self._body

    def oauth_metadata(self) -> dict[str, Any]:
        """The RFC 8414 authorization server metadata, or {} where the server publishes none.

        Some servers (django-oauth-toolkit, for one) list introspection and revocation only there, not
        in their OpenID document.
        """
        if self._oauth_metadata is None:
            self._find_metadata()
            self._oauth_metadata = {}
            if self._problem is not None:
                return self._oauth_metadata  # every candidate URL was tried already
            for kind, url in metadata_urls(self._issuer):
                if kind != "oauth-authorization-server":
                    continue
                response = self.http.get(url)
                body = json_object(response)
                if response.status_code == 200 and body is not None:
                    self._oauth_metadata = body
                    break
        return self._oauth_metadata

    def advertised(self, member: str) -> object:
        """A metadata member from the document discovery found, else from the RFC 8414 metadata."""
        value = self.discovery().get(member)
        return value if value is not None else self.oauth_metadata().get(member)

    def advertised_endpoint(self, member: str) -> str | None:
        """An advertised endpoint the suite may send client credentials to (rebased, see ``reachable``),
        or None where none is named."""
        value = self.advertised(member)
        if not isinstance(value, str) or not value:
            return None
        return self.reachable(value)

    def key_set(self, jwks_uri: str, kid: str | None = None) -> httpx2.Response:
        """The key set the metadata's ``jwks_uri`` names (fetched at the configured origin, see
        ``reachable``) as the server served it, fetched once a run: every check of the keys, or with
        them, reads the same answer. Asked again where ``kid`` names a key the kept answer lacks, as a
        resource server does on meeting a new key (a server that rotated its keys during the run is not
        taken for one whose tokens name no key). Only a key set is kept: an error answer may pass, and
        each check that meets one reports it."""
        kept = self._key_sets.get(jwks_uri)
        if kept is not None and (kid is None or kid in kept[1]):
            return kept[0]
        response = self.http.get(self.reachable(jwks_uri))
        kids = _kids(response) if response.status_code == 200 else set()
        if kids:
            self._key_sets[jwks_uri] = (response, kids)
        return response

    # -- endpoints --------------------------------------------------------------------------------

    def reachable(self, url: str) -> str:
        """``url`` as the suite reaches it: at the configured origin.

        A server behind a proxy or TLS offloader often does not know its public address and advertises
        its own: Creatio 8.0's example discovery names ``https://localhost:8090/connect/token`` while it is
        fetched elsewhere (docs/creatio-generations.md §5); an offloader the server is not told about makes
        it advertise ``http://`` on its public host. Creatio itself reads discovery with endpoint
        validation off. The suite sends nothing to an origin it was not pointed at: an endpoint on
        another scheme, host or port is taken at the configured one, with the advertised path. The
        metadata checks read the advertised values, so an ``http://`` endpoint is still reported there,
        once, instead of every request that would have followed it failing.
        """
        base = urlsplit(self.base_url)
        if _origin(url) == _origin(self.base_url):
            return url
        parts = urlsplit(url)
        path = parts.path if parts.path.startswith(base.path or "/") else f"{base.path}{parts.path}"
        query = f"?{parts.query}" if parts.query else ""
        used = f"{base.scheme}://{base.netloc}{path}{query}"
        self._rebased.setdefault(url, Rebased(url, used))
        return used

    @property
    def rebased(self) -> tuple[Rebased, ...]:
        """The advertised endpoints taken at the configured origin so far, in the order they were met."""
        return tuple(self._rebased.values())

    def describe_rebasing(self) -> str | None:
        """One sentence on the endpoints taken at the configured origin, naming the setting; None if none."""
        if not self._rebased:
            return None
        first = next(iter(self._rebased.values()))
        advertised = sorted({_origin(r.advertised) for r in self._rebased.values()})
        return (
            f"the metadata advertises endpoints on {', '.join(advertised)} (e.g. {first.advertised}), not on "
            f"{self.where()}; the suite sends to {_origin(self._base_url)} with the advertised paths"
            + ("" if self._token_url else "; set OAUTH_TOKEN_URL if the token endpoint is elsewhere")
        )

    @property
    def token_endpoint(self) -> str:
        """The token endpoint: the one the user named, else the metadata's (at the configured origin, see
        ``reachable``), else ``/connect/token`` at the issuer (an IdentityServer's path)."""
        if self._token_url:
            return self._token_url
        endpoint = self.advertised("token_endpoint")
        if not isinstance(endpoint, str) or not endpoint:
            return f"{self.base_url}/connect/token"
        return self.reachable(endpoint)

    # -- the token request ------------------------------------------------------------------------

    def request_token(
        self,
        client_id: str,
        client_secret: str,
        style: AuthStyle = "post",
        extra: Mapping[str, str | None] | None = None,
    ) -> TokenResult:
        """A client-credentials token request. ``extra`` adds parameters or overrides the configured ones;
        a None value leaves a configured one out (a request without the configured scope)."""
        REDACTOR.register(client_secret)
        merged: dict[str, str | None] = {"grant_type": "client_credentials", **self._token_parameters, **(extra or {})}
        form = {name: value for name, value in merged.items() if value is not None}
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
