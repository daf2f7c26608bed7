"""The standards checks' target: clients and a protected resource, from any of the three targets."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from oauth_conformance.cleanup import Cleanup
from oauth_conformance.errors import SuiteError, UnexpectedResponseError
from oauth_conformance.http import HttpClient
from oauth_conformance.mock import PUBLIC_CLIENT_ID, SPECIAL_CLIENT_ID, SPECIAL_CLIENT_SECRET
from oauth_conformance.settings import Settings
from oauth_conformance.targets import CreatioEnvironment
from oauth_conformance.targets.identity import IdentityClient, TokenResult, basic_credentials
from oauth_conformance.targets.provisioning import Provisioner
from oauth_conformance.targets.standards import Client, StandardsTarget
from steps.creatio.context import existing_user_id


def _from_settings(settings: Settings, http: HttpClient) -> StandardsTarget:
    values = settings.oauth
    token_url = values["OAUTH_TOKEN_URL"]
    base = values["OAUTH_ISSUER"] or (token_url or "").rsplit("/", 2)[0]

    def client(prefix: str) -> Client | None:
        client_id, secret = values[f"{prefix}_ID"], values[f"{prefix}_SECRET"]
        return Client(client_id, secret) if client_id and secret else None

    primary = client("OAUTH_CLIENT")
    assert primary is not None  # load_settings requires it for the oauth target
    return StandardsTarget(
        description=f"OAuth server at {token_url or base}",
        identity=IdentityClient(http, base, token_url),
        client=primary,
        second_client=client("OAUTH_CLIENT2"),
        disabled_client=client("OAUTH_DISABLED_CLIENT"),
        resource_url=values["OAUTH_RESOURCE_URL"],
        denied_resource_url=values["OAUTH_DENIED_RESOURCE_URL"],
        public_client_id=values["OAUTH_PUBLIC_CLIENT_ID"],
        special_client=client("OAUTH_SPECIAL_CLIENT"),
    )


def _provisioned(environment: CreatioEnvironment, settings: Settings, cleanup: Cleanup) -> StandardsTarget:
    """Three integrations made for the run: two working clients and one with Active cleared."""
    adapter, connection = environment.adapter, environment.connection
    if environment.identity is None:
        pytest.skip("needs CREATIO_IDENTITY_URL (the Identity Service base URL)")
    if not adapter.can_manage or not (connection.tech_user and connection.allowed_entity):
        pytest.skip(
            "the standards checks provision their own clients: needs CREATIO_ADMIN_USER, CREATIO_ADMIN_PASSWORD, "
            "CREATIO_TECH_USER and CREATIO_ALLOWED_ENTITY"
        )
    user_id = existing_user_id(adapter, connection.tech_user)
    provisioner = Provisioner(adapter, f"{settings.run_prefix}std-", cleanup)
    clients = []
    # The disabled client runs as a technical user of its own, so deactivating it touches no other client.
    for label, system_user_id in (
        ("client", user_id),
        ("second client", user_id),
        ("disabled client", None),
    ):
        outcome = provisioner.create(label, system_user_id=system_user_id)
        integration = outcome.integration
        if integration is None or not integration.client_secret:
            refusal = outcome.refusal
            # The Creatio scenarios report this as CRE-credentials-generated; here it is a missing precondition.
            pytest.skip(
                f"the target did not provision the standards {label} "
                f"({refusal.message if refusal else 'no Client Id or secret in the answer'}); "
                "see CRE-credentials-generated"
            )
        clients.append(integration)
    disabled = adapter.update_integration(clients[2].app_id, {"IsActive": False})
    if disabled.status_code >= 300:
        raise UnexpectedResponseError(
            f"could not deactivate the standards disabled client: HTTP {disabled.status_code}"
        )
    # The bundled mock also holds two clients Creatio itself cannot make (its credentials are always hex
    # and always carry a secret): the special-characters client and a public client, both IS-only.
    mock = environment.mock
    return StandardsTarget(
        description=environment.description,
        identity=environment.identity,
        client=Client(clients[0].client_id, clients[0].client_secret),
        second_client=Client(clients[1].client_id, clients[1].client_secret),
        disabled_client=Client(clients[2].client_id, clients[2].client_secret),
        resource_url=adapter.service_url(f"odata/{connection.allowed_entity}"),
        denied_resource_url=(
            adapter.service_url(f"odata/{connection.denied_entity}") if connection.denied_entity else None
        ),
        public_client_id=PUBLIC_CLIENT_ID if mock is not None else None,
        special_client=Client(SPECIAL_CLIENT_ID, SPECIAL_CLIENT_SECRET) if mock is not None else None,
    )


@pytest.fixture(scope="session")
def standards(settings: Settings, http: HttpClient, request: pytest.FixtureRequest) -> Iterator[StandardsTarget]:
    if settings.target == "oauth":
        yield _from_settings(settings, http)
        return
    cleanup = Cleanup()
    try:
        yield _provisioned(request.getfixturevalue("creatio_env"), settings, cleanup)
    finally:
        problems = cleanup.run()
        if problems:
            raise SuiteError("cleanup of the standards clients left things behind: " + "; ".join(problems))


def require_part(value: object, needs: str) -> None:
    """Skip, naming what is missing, when the target lacks a part this check needs."""
    if value is None:
        pytest.skip(f"needs {needs}")


def client_auth(client: Client) -> dict[str, str]:
    """The Authorization header of ``client``'s HTTP Basic authentication (RFC 6749 §2.3.1)."""
    return {"Authorization": basic_credentials(client.client_id, client.client_secret)}


def fresh_access_token(standards: StandardsTarget) -> str:
    """A newly issued access token of the standards client (see ``usable_token``)."""
    token = usable_token(standards).access_token
    assert token is not None  # usable_token raises otherwise
    return token


def usable_token(standards: StandardsTarget) -> TokenResult:
    """A fresh token for a check that needs one; without it the check cannot run (an ERROR: the token
    endpoint's own checks report why)."""
    result = standards.token()
    if result.access_token is None:
        raise UnexpectedResponseError(f"the standards client obtains no token: {result.describe()}", result.exchange)
    return result


def advertised_endpoint(standards: StandardsTarget, member: str) -> str:
    """An endpoint the server's metadata advertises; the checks of an unadvertised feature are skipped."""
    try:
        standards.identity.discovery()
    except UnexpectedResponseError:
        pytest.skip(f"no discovery document: {member} is not advertised")
    endpoint = standards.identity.advertised_endpoint(member)  # ERROR for an endpoint on another host
    if endpoint is None:
        pytest.skip(f"neither the discovery document nor the RFC 8414 metadata advertises {member}")
    return endpoint
