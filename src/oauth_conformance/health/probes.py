"""The three checks of ``oauth-conformance health``, on the creatio and the oauth target, with the watched
integration's own credentials and never an admin login (an env file may hold one: it is not used).

1. **token**: a client-credentials token request at the Identity Service (or the OAuth server), as the
   integration makes it. It runs first: the other two use the token.
2. **diagnostics**: Creatio's ``api/OAuthHealthCheck`` (creatio-oauth.md §4), sent with the integration's
   token, since whether it needs a session is not documented (creatio-generations.md §6). A build without
   it (404: before 8.1.2, or .NET 8 before 8.3.2, creatio-generations.md §4), one that wants a login for
   it (401, 403, a redirect, the login page), a cloud tenant (whose Identity Service settings are
   Creatio's, so the tab reports them empty) and an OAuth server (no such endpoint) make it "not
   available", which never makes the result unhealthy.
3. **api**: one call with the token. On Creatio an OData read of CREATIO_ALLOWED_ENTITY, which must
   return a collection; without that setting a read of ``SysAdminUnit`` (one row, its Id), where a 403
   still shows the API took the token (the technical user's rights decide the rest). On the oauth target
   a GET of OAUTH_RESOURCE_URL, which must answer 2xx; without it the check is not available.

Every exchange goes through the suite's HttpClient: bounded, under the transport policy, redacted.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import httpx2

from oauth_conformance.cleanup import Cleanup
from oauth_conformance.errors import (
    HostCutOffError,
    MetadataNotFoundError,
    SettingsError,
    SuiteError,
    TransportFailedError,
)
from oauth_conformance.health.result import CheckName, CheckResult, CheckState, HealthResult, integration_label
from oauth_conformance.http import EvidenceLog, HttpClient, TransportPolicy, exchange_id, json_object
from oauth_conformance.redaction import REDACTOR
from oauth_conformance.settings import Settings
from oauth_conformance.targets import TARGETS
from oauth_conformance.targets.creatio import CreatioAdapter, CreatioConnection, HealthReport, has_records
from oauth_conformance.targets.creatio_target import derive_identity_url, resolve_hosting
from oauth_conformance.targets.identity import IdentityClient, TokenResult

__all__ = ["watch"]

_HEALTH_PATH = "api/OAuthHealthCheck"
# Without CREATIO_ALLOWED_ENTITY: an entity every Creatio has; the smallest read of it.
_FALLBACK_ENTITY = "SysAdminUnit"


@dataclass(frozen=True)
class _Answer:
    """What one check found; ``sent`` is False when it needed no exchange to decide."""

    state: CheckState
    detail: str = ""
    http_status: int | None = None
    sent: bool = True


def _timed(name: CheckName, probe: Callable[[], _Answer]) -> CheckResult:
    """Run one check: a server that could not be reached is ``unreachable``, any other failure of the
    exchange (a body too large, a path style the instance does not show) ``failed``."""
    started = time.perf_counter()
    try:
        answer = probe()
    except HostCutOffError as error:
        answer = _Answer("unreachable", error.reason)
    except TransportFailedError as error:
        answer = _Answer("unreachable", str(error))
    except SuiteError as error:
        answer = _Answer("failed", f"failed ({error})")
    elapsed = time.perf_counter() - started
    # Redacted here once more: a detail may quote a server's answer.
    return CheckResult(name, answer.state, REDACTOR.text(answer.detail), elapsed if answer.sent else None,
                       answer.http_status)


def _token_answer(result: TokenResult) -> _Answer:
    if result.issued:
        return _Answer("ok", http_status=result.status)
    if result.status == 200:
        return _Answer("failed", "failed (HTTP 200 without an access_token)", result.status)
    error = f" {result.error}" if result.error else ""
    return _Answer("failed", f"refused (HTTP {result.status}{error})", result.status)


def _no_metadata(http: HttpClient, identity: IdentityClient) -> _Answer:
    """The token endpoint is read from the metadata, as Creatio itself does (creatio-generations.md §5)."""
    last = http.evidence.exchanges[-1] if http.evidence.exchanges else None
    status = last.status if last is not None else None
    answered = f": HTTP {status}" if status is not None else ""
    return _Answer("failed", f"failed (no authorization server metadata at {identity.where()}{answered})", status)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _api_answer(response: httpx2.Response, held: bool, what: str) -> _Answer:
    status = response.status_code
    if held:
        return _Answer("ok", http_status=status)
    verb = "refused" if status in (401, 403) else "failed"
    return _Answer("failed", f"{verb} (HTTP {status} {what})", status)


class _Watch(Protocol):
    """One target's checks: validated from the settings without I/O, run with one client."""

    @property
    def client_id(self) -> str: ...

    def run(self, http: HttpClient) -> tuple[CheckResult, ...]: ...


class _CreatioWatch:
    def __init__(self, settings: Settings) -> None:
        if not (settings.creatio_client_id and settings.creatio_client_secret):
            raise SettingsError(
                "CREATIO_CLIENT_ID and CREATIO_CLIENT_SECRET are not set; expected the Client Id and Client "
                "secret of the integration to watch (health uses its own credentials, never an admin login)"
            )
        site = settings.creatio_url
        if site is None:  # the creatio target's validation refused this already
            raise SettingsError("CREATIO_URL is not set; expected the Creatio site root")
        identity_url = settings.creatio_identity_url or derive_identity_url(site)
        if identity_url is None:
            raise SettingsError(
                "CREATIO_IDENTITY_URL is not set; expected the Identity Service base URL (the system setting "
                "OAuth20IdentityServerUrl), which is derived only for a *.creatio.com site"
            )
        self._client_id, self._secret = settings.creatio_client_id, settings.creatio_client_secret
        self._identity_url = identity_url
        self._entity = settings.allowed_entity
        # No admin login, whatever the env file holds: the integration's own view of the instance.
        self._connection = CreatioConnection(
            site_url=site, identity_url=identity_url, path_style=settings.creatio_path_style,
            hosting=resolve_hosting(settings.creatio_hosting, site), admin_user=None, admin_password=None,
            tech_user=None, allowed_entity=settings.allowed_entity, denied_entity=None,
        )

    @property
    def client_id(self) -> str:
        return self._client_id

    def run(self, http: HttpClient) -> tuple[CheckResult, ...]:
        adapter = CreatioAdapter(http, self._connection)
        identity = IdentityClient(http, self._identity_url)
        tokens: list[str] = []

        def token() -> _Answer:
            try:
                # In the body, as Creatio's own documentation and Postman collection send it.
                result = identity.request_token(self._client_id, self._secret, "post")
            except MetadataNotFoundError:
                return _no_metadata(http, identity)
            if result.access_token and result.issued:
                tokens.append(result.access_token)
            return _token_answer(result)

        token_check = _timed("token", token)
        access_token = tokens[0] if tokens else None
        diagnostics = _timed("diagnostics", lambda: self._diagnostics(http, adapter, access_token))
        api = _timed("api", lambda: self._api(adapter, access_token))
        return diagnostics, token_check, api

    def _diagnostics(self, http: HttpClient, adapter: CreatioAdapter, access_token: str | None) -> _Answer:
        if self._connection.hosting == "cloud":
            return _Answer("unavailable", "a cloud tenant's Identity Service settings are Creatio's", sent=False)
        headers = _bearer(access_token) if access_token else {}
        response = http.get(adapter.service_url(_HEALTH_PATH), headers=headers)
        report = HealthReport(response.status_code, json_object(response), exchange_id(response))
        status = report.status
        if not report.offered:
            return _Answer("unavailable", "no OAuthHealthCheck in this build", status)
        if status in (401, 403) or 300 <= status < 400 or (status == 200 and report.body is None):
            return _Answer("unavailable", "needs a login", status)
        if report.green:
            return _Answer("ok", http_status=status)
        if report.body is not None and "HasProblem" in report.body:
            # Its Message where it sends one, else the flags that are not set (HealthReport.message).
            said = report.message if report.message.startswith("HTTP ") else f"HTTP {status}: {report.message}"
            return _Answer("failed", f"reports a problem ({said})", status)
        return _Answer("failed", f"failed (HTTP {status})", status)

    def _api(self, adapter: CreatioAdapter, access_token: str | None) -> _Answer:
        if access_token is None:
            return _Answer("skipped", "no token", sent=False)
        if self._entity:
            response = adapter.read_entity_with_token(self._entity, access_token)
            return _api_answer(response, has_records(response), f"reading {self._entity}")
        response = adapter.http.get(adapter.service_url(f"odata/{_FALLBACK_ENTITY}"),
                                    params={"$top": "1", "$select": "Id"}, headers=_bearer(access_token))
        return _api_answer(response, has_records(response) or response.status_code == 403,
                           f"reading {_FALLBACK_ENTITY}")


class _OAuthWatch:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        client_id = settings.oauth["OAUTH_CLIENT_ID"]
        if not client_id:  # the oauth target's validation refused this already
            raise SettingsError("OAUTH_CLIENT_ID is not set; expected a client allowed the client_credentials grant")
        self._client_id = client_id

    @property
    def client_id(self) -> str:
        return self._client_id

    def run(self, http: HttpClient) -> tuple[CheckResult, ...]:
        # The oauth target as the suite opens it (no I/O): the client, its method, the token parameters.
        standards = TARGETS["oauth"].open(self._settings, http).standards(Cleanup())
        tokens: list[str] = []

        def token() -> _Answer:
            try:
                result = standards.token()
            except MetadataNotFoundError:
                return _no_metadata(http, standards.identity)
            if result.access_token and result.issued:
                tokens.append(result.access_token)
            return _token_answer(result)

        token_check = _timed("token", token)
        diagnostics = CheckResult("diagnostics", "unavailable", "an OAuth server has no diagnostics endpoint")
        access_token = tokens[0] if tokens else None
        resource_url = standards.resource_url

        def api() -> _Answer:
            if resource_url is None:
                return _Answer("unavailable", "OAUTH_RESOURCE_URL is not set", sent=False)
            if access_token is None:
                return _Answer("skipped", "no token", sent=False)
            response = http.get(resource_url, headers=_bearer(access_token))
            return _api_answer(response, 200 <= response.status_code < 300, "from OAUTH_RESOURCE_URL")

        return diagnostics, token_check, _timed("api", api)


_WATCHES: dict[str, Callable[[Settings], _Watch]] = {"creatio": _CreatioWatch, "oauth": _OAuthWatch}


def watch(settings: Settings, name: str | None = None) -> HealthResult:
    """Check the integration the settings name; ``name`` labels it in place of its masked client id.

    A wrong or missing setting is the result's ``problem`` (misconfigured), not an exception.
    """
    started = time.time()
    target = settings.target
    if target == "mock":
        return HealthResult(None, name, (), started, problem=(
            "OAUTH_TARGET=mock: health watches a running server; expected --target creatio or oauth (the "
            "standalone mock, python -m oauth_conformance.mock, prints an env block for each)"))
    try:
        watched = _WATCHES[target](settings)
    except SettingsError as error:
        return HealthResult(target, name, (), started, problem=str(error))
    policy = TransportPolicy(timeout=settings.timeout, verify=settings.tls_verify)
    with HttpClient(policy, EvidenceLog()) as http:
        checks = watched.run(http)
    return HealthResult(target, name or integration_label(watched.client_id), checks, started)
