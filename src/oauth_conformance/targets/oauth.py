"""The ``oauth`` target: any OAuth 2.0 server, from its token URL (or issuer) and client credentials in the
settings. It has no Creatio: the Creatio scenarios skip, the standards checks run."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from oauth_conformance.errors import FeatureNotOfferedError, SettingsError
from oauth_conformance.targets._target import TargetSpec
from oauth_conformance.targets.identity import IdentityClient
from oauth_conformance.targets.standards import Client, StandardsTarget

if TYPE_CHECKING:
    from oauth_conformance.cleanup import Cleanup
    from oauth_conformance.http import HttpClient
    from oauth_conformance.settings import Settings
    from oauth_conformance.targets.creatio_target import CreatioEnvironment

__all__ = ["SPEC", "OAuthTarget"]


@dataclass
class OAuthTarget:
    """The server the settings name, with the clients they name; it creates nothing."""

    target: StandardsTarget

    @property
    def description(self) -> str:
        return self.target.description

    def creatio(self) -> CreatioEnvironment:
        raise FeatureNotOfferedError("the Creatio scenarios need --target=mock or --target=creatio")

    def standards(self, cleanup: Cleanup) -> StandardsTarget:
        return self.target

    def close(self) -> None:
        """Nothing to stop."""


def _client(values: Mapping[str, str | None], prefix: str) -> Client | None:
    client_id, secret = values[f"{prefix}_ID"], values[f"{prefix}_SECRET"]
    return Client(client_id, secret) if client_id and secret else None


def _required(values: Mapping[str, str | None], name: str) -> str:
    value = values[name]
    if not value:
        # Imported here: the settings module imports the registry, and so this module.
        from oauth_conformance.settings import setting_help

        raise SettingsError(f"{name} is not set; --target=oauth expects {setting_help(name)}")
    return value


def _primary_client(values: Mapping[str, str | None]) -> Client:
    return Client(_required(values, "OAUTH_CLIENT_ID"), _required(values, "OAUTH_CLIENT_SECRET"))


def _validate(settings: Settings) -> None:
    if not (settings.oauth["OAUTH_TOKEN_URL"] or settings.oauth["OAUTH_ISSUER"]):
        raise SettingsError("OAUTH_TOKEN_URL and OAUTH_ISSUER are not set; --target=oauth expects at least one of them")
    _primary_client(settings.oauth)


def _open(settings: Settings, http: HttpClient) -> OAuthTarget:
    values = settings.oauth
    token_url = values["OAUTH_TOKEN_URL"]
    base = values["OAUTH_ISSUER"] or (token_url or "").rsplit("/", 2)[0]
    return OAuthTarget(
        StandardsTarget(
            description=f"OAuth server at {token_url or base}",
            identity=IdentityClient(http, base, token_url),
            client=_primary_client(values),
            second_client=_client(values, "OAUTH_CLIENT2"),
            disabled_client=_client(values, "OAUTH_DISABLED_CLIENT"),
            resource_url=values["OAUTH_RESOURCE_URL"],
            denied_resource_url=values["OAUTH_DENIED_RESOURCE_URL"],
            public_client_id=values["OAUTH_PUBLIC_CLIENT_ID"],
            special_client=_client(values, "OAUTH_SPECIAL_CLIENT"),
        )
    )


SPEC = TargetSpec(
    summary="any OAuth 2.0 server: OAUTH_TOKEN_URL or OAUTH_ISSUER, and client credentials",
    settings=(
        "OAUTH_ISSUER",
        "OAUTH_TOKEN_URL",
        "OAUTH_CLIENT_ID",
        "OAUTH_CLIENT_SECRET",
        "OAUTH_CLIENT2_ID",
        "OAUTH_CLIENT2_SECRET",
        "OAUTH_DISABLED_CLIENT_ID",
        "OAUTH_DISABLED_CLIENT_SECRET",
        "OAUTH_RESOURCE_URL",
        "OAUTH_DENIED_RESOURCE_URL",
        "OAUTH_PUBLIC_CLIENT_ID",
        "OAUTH_SPECIAL_CLIENT_ID",
        "OAUTH_SPECIAL_CLIENT_SECRET",
    ),
    open=_open,
    validate=_validate,
)
