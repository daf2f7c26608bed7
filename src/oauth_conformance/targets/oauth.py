"""The ``oauth`` target: any OAuth 2.0 server, from its issuer (or token URL) and client credentials in
the settings. It has no Creatio: the Creatio scenarios skip, the standards checks run."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from oauth_conformance.errors import FeatureNotOfferedError, SettingsError
from oauth_conformance.targets._target import TargetSpec
from oauth_conformance.targets.identity import AUTH_METHODS, AuthMethod, IdentityClient
from oauth_conformance.targets.standards import Client, StandardsTarget

if TYPE_CHECKING:
    from oauth_conformance.cleanup import Cleanup
    from oauth_conformance.http import HttpClient
    from oauth_conformance.settings import Settings
    from oauth_conformance.targets.creatio_target import CreatioEnvironment

__all__ = ["CLIENT_PREFIXES", "SPEC", "TOKEN_PARAMETERS", "OAuthTarget", "describe", "issuer_candidates"]

# The clients the settings can name, by the prefix of their settings (<prefix>_ID, _SECRET, _AUTH_METHOD).
CLIENT_PREFIXES = ("OAUTH_CLIENT", "OAUTH_CLIENT2", "OAUTH_DISABLED_CLIENT", "OAUTH_SPECIAL_CLIENT",
                   "OAUTH_INTROSPECTION_CLIENT")
# Setting -> the token request parameter it sends with every client-credentials request: a scope (Entra
# ID refuses a request without one), an audience (Auth0 issues a JWT for its API only with one), a
# resource indicator (RFC 8707 §2).
TOKEN_PARAMETERS = {"OAUTH_SCOPE": "scope", "OAUTH_AUDIENCE": "audience", "OAUTH_RESOURCE_INDICATOR": "resource"}
# RFC 6749 §3.3: scope = scope-token *( SP scope-token ), scope-token = 1*( %x21 / %x23-5B / %x5D-7E ).
_SCOPE = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]+(?: [\x21\x23-\x5b\x5d-\x7e]+)*")


@dataclass
class OAuthTarget:
    """The server the settings name, with the clients they name; it creates nothing."""

    target: StandardsTarget
    # What the settings say the server is; the metadata found later is added to it.
    configured: str

    @property
    def description(self) -> str:
        found = self.target.identity.found
        if found is None:
            return self.configured
        return f"{self.configured}; metadata from {found.url}"

    def creatio(self) -> CreatioEnvironment:
        raise FeatureNotOfferedError("the Creatio scenarios need --target=mock or --target=creatio")

    def standards(self, cleanup: Cleanup) -> StandardsTarget:
        return self.target

    def close(self) -> None:
        """Nothing to stop."""


def _method(values: Mapping[str, str | None], prefix: str) -> AuthMethod | None:
    value = values[f"{prefix}_AUTH_METHOD"]
    # The settings refused any other value (the setting's choices).
    return next((method for method in AUTH_METHODS if method == value), None)


def _client(values: Mapping[str, str | None], prefix: str) -> Client | None:
    client_id, secret = values[f"{prefix}_ID"], values[f"{prefix}_SECRET"]
    return Client(client_id, secret, _method(values, prefix)) if client_id and secret else None


def _required(values: Mapping[str, str | None], name: str) -> str:
    value = values[name]
    if not value:
        # Imported here: the settings module imports the registry, and so this module.
        from oauth_conformance.settings import setting_help

        raise SettingsError(f"{name} is not set; --target=oauth expects {setting_help(name)}")
    return value


def _primary_client(values: Mapping[str, str | None]) -> Client:
    return Client(_required(values, "OAUTH_CLIENT_ID"), _required(values, "OAUTH_CLIENT_SECRET"),
                  _method(values, "OAUTH_CLIENT"))


def issuer_candidates(token_url: str) -> tuple[str, ...]:
    """The issuers a token URL may belong to, most specific first: each path prefix, down to the origin.

    Keycloak's ``/realms/r/protocol/openid-connect/token`` belongs to ``/realms/r``, Okta's
    ``/oauth2/default/v1/token`` to ``/oauth2/default``, Auth0's ``/oauth/token`` to the origin.
    """
    parts = urlsplit(token_url)
    origin = f"{parts.scheme}://{parts.netloc}"
    segments = [segment for segment in parts.path.split("/") if segment]
    prefixes = [origin + "".join(f"/{s}" for s in segments[:n]) for n in range(len(segments) - 1, 0, -1)]
    return (*prefixes, origin)


def describe(values: Mapping[str, str | None]) -> str:
    """The server as the settings name it (no I/O)."""
    issuer, token_url = values["OAUTH_ISSUER"], values["OAUTH_TOKEN_URL"]
    if issuer and token_url:
        return f"OAuth server {issuer} (token endpoint {token_url})"
    if issuer:
        return f"OAuth server {issuer}"
    return f"OAuth server with token endpoint {token_url}"


def _validate(settings: Settings) -> None:
    values = settings.oauth
    if not (values["OAUTH_TOKEN_URL"] or values["OAUTH_ISSUER"]):
        raise SettingsError("OAUTH_TOKEN_URL and OAUTH_ISSUER are not set; --target=oauth expects at least one of them")
    _primary_client(values)
    scope = values["OAUTH_SCOPE"]
    if scope is not None and not _SCOPE.fullmatch(scope):
        raise SettingsError(f"OAUTH_SCOPE={scope!r} is not a scope; expected space-separated scope tokens of "
                            "printable ASCII without \" or \\ (RFC 6749 §3.3), e.g. api://my-api/.default")
    resource = values["OAUTH_RESOURCE_INDICATOR"]
    if resource is not None:
        parts = urlsplit(resource)
        if not parts.scheme or "#" in resource or " " in resource:
            raise SettingsError(f"OAUTH_RESOURCE_INDICATOR={resource!r} is not an absolute URI without a "
                                "fragment; expected e.g. https://api.example.com (RFC 8707 §2)")


def _open(settings: Settings, http: HttpClient) -> OAuthTarget:
    values = settings.oauth
    issuer, token_url = values["OAUTH_ISSUER"], values["OAUTH_TOKEN_URL"]
    parameters = {parameter: value for name, parameter in TOKEN_PARAMETERS.items() if (value := values[name])}
    if issuer:
        identity = IdentityClient(http, issuer, token_url, setting="OAUTH_ISSUER", token_parameters=parameters)
    else:
        assert token_url is not None  # _validate: one of the two
        candidates = issuer_candidates(token_url)
        identity = IdentityClient(http, candidates[0], token_url, setting="OAUTH_TOKEN_URL", issuers=candidates,
                                  token_parameters=parameters)
    return OAuthTarget(
        StandardsTarget(
            description=describe(values),
            identity=identity,
            client=_primary_client(values),
            second_client=_client(values, "OAUTH_CLIENT2"),
            disabled_client=_client(values, "OAUTH_DISABLED_CLIENT"),
            resource_url=values["OAUTH_RESOURCE_URL"],
            denied_resource_url=values["OAUTH_DENIED_RESOURCE_URL"],
            public_client_id=values["OAUTH_PUBLIC_CLIENT_ID"],
            special_client=_client(values, "OAUTH_SPECIAL_CLIENT"),
            introspection_client=_client(values, "OAUTH_INTROSPECTION_CLIENT"),
        ),
        describe(values),
    )


SPEC = TargetSpec(
    summary="any OAuth 2.0 server: OAUTH_ISSUER or OAUTH_TOKEN_URL, and client credentials",
    settings=(
        "OAUTH_ISSUER",
        "OAUTH_TOKEN_URL",
        "OAUTH_CLIENT_ID",
        "OAUTH_CLIENT_SECRET",
        "OAUTH_CLIENT_AUTH_METHOD",
        "OAUTH_SCOPE",
        "OAUTH_AUDIENCE",
        "OAUTH_RESOURCE_INDICATOR",
        "OAUTH_CLIENT2_ID",
        "OAUTH_CLIENT2_SECRET",
        "OAUTH_CLIENT2_AUTH_METHOD",
        "OAUTH_DISABLED_CLIENT_ID",
        "OAUTH_DISABLED_CLIENT_SECRET",
        "OAUTH_DISABLED_CLIENT_AUTH_METHOD",
        "OAUTH_RESOURCE_URL",
        "OAUTH_DENIED_RESOURCE_URL",
        "OAUTH_PUBLIC_CLIENT_ID",
        "OAUTH_SPECIAL_CLIENT_ID",
        "OAUTH_SPECIAL_CLIENT_SECRET",
        "OAUTH_SPECIAL_CLIENT_AUTH_METHOD",
        "OAUTH_INTROSPECTION_CLIENT_ID",
        "OAUTH_INTROSPECTION_CLIENT_SECRET",
        "OAUTH_INTROSPECTION_CLIENT_AUTH_METHOD",
    ),
    open=_open,
    validate=_validate,
    describe=lambda settings: describe(settings.oauth),
)
