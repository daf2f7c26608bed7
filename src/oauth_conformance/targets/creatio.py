"""The Creatio adapter: speaks Creatio's own wire format, so the same code drives a real instance and
the bundled mock (creatio-oauth.md §3 and §5).

Admin operations use forms authentication (cookies plus the BPMCSRF header, §5), the
``OAuthConfigService`` REST service (§3.3) and OData 4 (§3.1), exactly as Creatio's own UI and clio do.
API calls as an integration use a Bearer token (§2.1).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args
from urllib.parse import urljoin

import httpx2

from oauth_conformance.errors import FeatureNotOfferedError, UnexpectedResponseError
from oauth_conformance.http import HttpClient, exchange_id, json_object
from oauth_conformance.redaction import REDACTOR, RedactedRepr

__all__ = [
    "DEFAULT_APPLICATION_URL",
    "HOSTINGS",
    "PATH_STYLES",
    "CreatioAdapter",
    "CreatioConnection",
    "HealthReport",
    "Hosting",
    "PathStyle",
    "ResolvedHosting",
    "ServiceResult",
    "describe_body",
    "has_records",
    "odata_literal",
]

# Creatio's service paths: /0/... on .NET Framework, none on .NET; "auto" asks the instance (§2.1, §4).
PathStyle = Literal["auto", "netframework", "netcore"]
PATH_STYLES: tuple[PathStyle, ...] = get_args(PathStyle)
# Who runs the instance: the documented procedure asks for the Diagnostic tab on-site only (step 3).
# "auto": cloud when the site is a *.creatio.com host.
Hosting = Literal["auto", "onsite", "cloud"]
HOSTINGS: tuple[Hosting, ...] = get_args(Hosting)
ResolvedHosting = Literal["onsite", "cloud"]

# What the suite puts in Application URL when a scenario names none: RFC 6761 reserves .invalid, so it
# can never reach anybody's server.
DEFAULT_APPLICATION_URL = "https://oauth-conformance.invalid/"
_PREFIXES: tuple[tuple[PathStyle, str], ...] = (("netframework", "/0"), ("netcore", ""))
# Server-driven paging bound: enough for any realistic list of integrations or users.
_MAX_PAGES = 50
HEALTH_FLAGS = ("IsSystemSettingsFilledIn", "IsIdentityServiceAvailable", "IsAccessTokenRetrievableForSystemActions")


@dataclass(frozen=True, repr=False)
class CreatioConnection(RedactedRepr):
    """Where a Creatio is and what the suite may use on it."""

    site_url: str
    identity_url: str | None
    path_style: PathStyle
    hosting: ResolvedHosting
    admin_user: str | None
    admin_password: str | None = field(repr=False)
    tech_user: str | None
    allowed_entity: str | None
    denied_entity: str | None


@dataclass(frozen=True, repr=False)
class ServiceResult(RedactedRepr):
    """The outcome of one ``OAuthConfigService`` call: Creatio wraps it in ``<Method>Result``."""

    success: bool
    payload: dict[str, Any]
    message: str | None
    status: int
    exchange: str | None


@dataclass(frozen=True)
class HealthReport:
    status: int
    body: dict[str, Any] | None
    exchange: str | None

    @property
    def flags(self) -> dict[str, object]:
        body = self.body or {}
        names = [*HEALTH_FLAGS]
        # Newer builds also report the default resource (creatio-oauth.md §4); check it when present.
        if "IsDefaultResourceRegistered" in body:
            names.append("IsDefaultResourceRegistered")
        return {name: body.get(name) for name in names}

    @property
    def offered(self) -> bool:
        """Whether the instance has the endpoint at all: 8.1.2 and later on .NET Framework, 8.3.2 and later
        on .NET 8 (docs/creatio-generations.md §4); a 404 is a build without it."""
        return self.status != 404

    @property
    def answered_ok(self) -> bool:
        """HTTP 200 with HasProblem false: what the endpoint itself says."""
        return self.status == 200 and (self.body or {}).get("HasProblem") is False

    @property
    def cleared_flags(self) -> list[str]:
        """The Diagnostic tab's checkboxes that are not selected."""
        return [name for name, value in self.flags.items() if value is not True]

    @property
    def green(self) -> bool:
        return self.answered_ok and not self.cleared_flags

    @property
    def message(self) -> str:
        body = self.body or {}
        text = body.get("Message")
        if text:
            return str(text)
        if self.body is None:
            return f"HTTP {self.status}, no JSON body"
        cleared = ", ".join(self.cleared_flags) or "-"
        return f"HTTP {self.status}, HasProblem={body.get('HasProblem')!r}, not true: {cleared}"


def odata_literal(value: str) -> str:
    """An OData string literal: single quotes doubled."""
    return "'" + value.replace("'", "''") + "'"


class CreatioAdapter:
    """Admin and API operations on one Creatio instance."""

    def __init__(self, http: HttpClient, connection: CreatioConnection) -> None:
        self.http = http
        self.connection = connection
        self._cookies: httpx2.Cookies | None = None
        self._path_style: PathStyle = connection.path_style
        REDACTOR.register(connection.admin_password)

    # -- sessions -------------------------------------------------------------------------------

    @property
    def can_manage(self) -> bool:
        return bool(self.connection.admin_user and self.connection.admin_password)

    def login(self) -> httpx2.Cookies:
        """Forms login at the site root on both runtimes (§5); failure is HTTP 200 with ``Code`` 1.
        Returns the session's cookies."""
        if not self.can_manage:
            raise UnexpectedResponseError("no admin login configured (CREATIO_ADMIN_USER, CREATIO_ADMIN_PASSWORD)")
        response = self.http.post(
            f"{self.connection.site_url}/ServiceModel/AuthService.svc/Login",
            json={"UserName": self.connection.admin_user, "UserPassword": self.connection.admin_password},
            headers={"ForceUseSession": "true"},
        )
        body = json_object(response)
        if response.status_code != 200 or body is None or body.get("Code") != 0:
            message = body.get("Message") if body else None
            raise UnexpectedResponseError(
                f"admin login as {self.connection.admin_user!r} refused: HTTP {response.status_code}"
                + (f", {message}" if message else ""),
                exchange_id(response),
            )
        self._cookies = httpx2.Cookies(response.cookies)
        for cookie in response.cookies.jar:
            REDACTOR.register(cookie.value)
        # No BPMCSRF cookie is legitimate where UseCsrfToken is off (§5); the header is then left out.
        return self._cookies

    def ensure_login(self) -> None:
        if self._cookies is None:
            self.login()

    def _session(self) -> httpx2.Cookies:
        return self._cookies if self._cookies is not None else self.login()

    # -- paths ----------------------------------------------------------------------------------

    @property
    def path_style(self) -> PathStyle:
        if self._path_style == "auto":
            self._path_style = self._detect_path_style()
        return self._path_style

    def service_url(self, path: str) -> str:
        """``/0/<path>`` on .NET Framework, ``/<path>`` on .NET (§2.1, §4)."""
        prefix = "/0" if self.path_style == "netframework" else ""
        return f"{self.connection.site_url}{prefix}/{path.lstrip('/')}"

    def _detect_path_style(self) -> PathStyle:
        """Tell the runtime as Creatio's own CLI does (clio EnvironmentRuntimeDetectionService): with a
        login, the one prefix whose OData read answers; without one, the one prefix whose anonymous
        ``api/HealthCheck/Ping`` answers. Where none or both answer (a .NET Framework site root answers
        its own ping), the login page decides: ``/0/Login/NuiLogin.aspx`` is .NET Framework,
        ``/Login/Login.html`` .NET. The OAuth health endpoint plays no part: many builds lack it."""
        answering = self._odata_prefixes() if self.can_manage else self._pinging_prefixes()
        if len(answering) == 1:
            return answering[0]
        markers: tuple[tuple[PathStyle, str], ...] = (
            ("netframework", "/0/Login/NuiLogin.aspx"),
            ("netcore", "/Login/Login.html"),
        )
        site = self.connection.site_url
        pages = [style for style, path in markers if self.http.get(f"{site}{path}").status_code == 200]
        if len(pages) == 1:
            return pages[0]
        raise UnexpectedResponseError(
            "could not tell the path style of this Creatio (neither /0/... nor /... answered as Creatio, and "
            "neither login page was found); set CREATIO_PATH_STYLE to netframework (/0/ paths) or netcore"
        )

    def _odata_prefixes(self) -> list[PathStyle]:
        """The prefixes under which a logged-in OData read answers a JSON collection."""
        cookies = self._session()
        answering: list[PathStyle] = []
        for style, prefix in _PREFIXES:
            response = self.http.get(
                f"{self.connection.site_url}{prefix}/odata/SysAdminUnit",
                params={"$top": "1", "$select": "Id"},
                cookies=cookies,
                headers=self._csrf_headers(cookies),
            )
            if has_records(response):
                answering.append(style)
        return answering

    def _pinging_prefixes(self) -> list[PathStyle]:
        """The prefixes under which the anonymous health ping answers 200 (a 3xx is the login page)."""
        return [
            style
            for style, prefix in _PREFIXES
            if self.http.get(f"{self.connection.site_url}{prefix}/api/HealthCheck/Ping").status_code == 200
        ]

    @staticmethod
    def _csrf_headers(cookies: httpx2.Cookies) -> dict[str, str]:
        csrf = cookies.get("BPMCSRF")
        return {"BPMCSRF": csrf} if csrf else {}

    def admin_request(self, method: str, path: str, **kwargs: Any) -> httpx2.Response:
        """A request in the admin session (cookies and the BPMCSRF header) to ``path`` under the service prefix."""
        cookies = self._session()
        headers = {**self._csrf_headers(cookies), **kwargs.pop("headers", {})}
        return self.http.request(method, self.service_url(path), cookies=cookies, headers=headers, **kwargs)

    # -- diagnostics (§4) -----------------------------------------------------------------------

    def health(self) -> HealthReport:
        if self.can_manage:
            response = self.admin_request("GET", "api/OAuthHealthCheck")
        else:
            response = self.http.get(self.service_url("api/OAuthHealthCheck"))
        return HealthReport(response.status_code, json_object(response), exchange_id(response))

    # -- OAuthConfigService (§3.3) --------------------------------------------------------------

    def service_call(self, service: str, method: str, body: Mapping[str, Any] | str) -> tuple[httpx2.Response, object]:
        """POST ``rest/<service>/<method>`` in the admin session; the answer and its ``<method>Result``
        (the whole body for a Bare method). A method the build lacks is a 404 ("Endpoint not found")."""
        response = self.admin_request("POST", f"rest/{service}/{method}", json=body)
        payload = json_object(response)
        if payload is not None and f"{method}Result" in payload:
            return response, payload[f"{method}Result"]
        if response.status_code == 404:
            raise FeatureNotOfferedError(
                f"this Creatio has no {service}/{method} (HTTP 404)", exchange_id(response)
            )
        if response.status_code in (401, 403):
            raise UnexpectedResponseError(
                f"{service}/{method} refused the admin session: HTTP {response.status_code}", exchange_id(response)
            )
        try:
            return response, response.json() if response.status_code == 200 else None
        except ValueError:
            return response, None

    def config_service(self, method: str, body: Mapping[str, Any]) -> ServiceResult:
        response, result = self.service_call("OAuthConfigService", method, body)
        if not isinstance(result, dict):
            # A WCF fault (HTTP 400/500) is a refusal too; its text is the only message there is.
            return ServiceResult(
                success=False,
                payload={},
                message=f"HTTP {response.status_code}: {response.text[:300]}" if response.text else None,
                status=response.status_code,
                exchange=exchange_id(response),
            )
        for key in ("clientSecret", "ClientSecret"):
            if isinstance(result.get(key), str):
                REDACTOR.register(result[key])
        error_info = result.get("errorInfo") if isinstance(result.get("errorInfo"), dict) else None
        message = error_info.get("message") if error_info else None
        return ServiceResult(
            success=result.get("success") is True and response.status_code == 200,
            payload=result,
            message=message,
            status=response.status_code,
            exchange=exchange_id(response),
        )

    def add_client(
        self, name: str, system_user_id: str | None, application_url: str = "", description: str = ""
    ) -> ServiceResult:
        """AddClient as every generation takes it (docs/creatio-generations.md §3): each DTO member present
        (8.1 and 8.2 fault on a missing one), a non-empty Application URL (required by the 8.1 page and
        the 8.3 API), and the grant type 8.3 needs, spelt as Creatio compares it (case-sensitive); 8.1 and
        8.2 ignore members they do not know."""
        request: dict[str, Any] = {
            "name": name,
            "applicationUrl": application_url or DEFAULT_APPLICATION_URL,
            "redirectUrl": "",
            "systemUserId": system_user_id,
            "grantType": "client_credentials",
            "allowedGrantTypes": ["client_credentials"],
        }
        if description:
            request["description"] = description
        return self.config_service("AddClient", {"addClientRequest": request})

    def delete_client(self, client_id: str) -> ServiceResult:
        return self.config_service("DeleteClient", {"deleteClientRequest": {"clientId": client_id}})

    def get_client_secret(self, app_id: str) -> ServiceResult:
        return self.config_service("GetClientSecret", {"clientAppId": app_id})

    # -- OData (§3.1) ---------------------------------------------------------------------------

    def admin_sees_records(self, entity: str) -> bool:
        """Whether an administrator reads any record of ``entity``: the control for an empty answer to a
        token (record-level rights answer 200 with ``value: []``)."""
        return bool(self.odata_query(entity, {"$top": "1", "$select": "Id"}))

    def odata_query(self, entity: str, params: Mapping[str, str]) -> list[dict[str, Any]]:
        """Every row, following server-driven paging (``@odata.nextLink``) up to a bound."""
        rows: list[dict[str, Any]] = []
        response = self.admin_request("GET", f"odata/{entity}", params=dict(params))
        for _ in range(_MAX_PAGES):
            body = json_object(response)
            if response.status_code != 200 or body is None or not isinstance(body.get("value"), list):
                raise UnexpectedResponseError(
                    f"OData {entity} query answered HTTP {response.status_code} without a collection",
                    exchange_id(response),
                )
            rows += [row for row in body["value"] if isinstance(row, dict)]
            next_link = body.get("@odata.nextLink")
            if not isinstance(next_link, str) or not next_link:
                return rows
            cookies = self._session()
            response = self.http.get(
                urljoin(self.service_url(f"odata/{entity}"), next_link),
                cookies=cookies,
                headers=self._csrf_headers(cookies),
            )
        raise UnexpectedResponseError(f"OData {entity} query still paging after {_MAX_PAGES} pages")

    def integrations(self, filter_expression: str | None = None) -> list[dict[str, Any]]:
        params = {"$select": "Id,Name,ClientId,ApplicationUrl,Description,IsActive,SystemUserId"}
        if filter_expression:
            params["$filter"] = filter_expression
        return self.odata_query("OAuthClientApp", params)

    def integration_by_client_id(self, client_id: str) -> dict[str, Any] | None:
        rows = self.integrations(f"ClientId eq {odata_literal(client_id)}")
        return rows[0] if rows else None

    def integration(self, app_id: str) -> dict[str, Any] | None:
        rows = self.integrations(f"Id eq {app_id}")
        return rows[0] if rows else None

    def update_integration(self, app_id: str, fields: Mapping[str, Any]) -> httpx2.Response:
        """What Save on the integration page does: an entity update, synced to the Identity Service (§3.2)."""
        return self.admin_request("PATCH", f"odata/OAuthClientApp({app_id})", json=dict(fields))

    def users(self, filter_expression: str | None = None) -> list[dict[str, Any]]:
        params = {"$select": "Id,Name,SysAdminUnitTypeValue,Active"}
        if filter_expression:
            params["$filter"] = filter_expression
        return self.odata_query("SysAdminUnit", params)

    def user_by_name(self, name: str) -> dict[str, Any] | None:
        rows = self.users(f"Name eq {odata_literal(name)}")
        return rows[0] if rows else None

    def user(self, user_id: str) -> dict[str, Any] | None:
        rows = self.users(f"Id eq {user_id}")
        return rows[0] if rows else None

    # -- the API as an integration (§2.1) -------------------------------------------------------

    def read_entity_with_token(self, entity: str, access_token: str) -> httpx2.Response:
        REDACTOR.register(access_token)
        return self.http.get(
            self.service_url(f"odata/{entity}"),
            params={"$top": "3"},
            headers={"Authorization": f"Bearer {access_token}"},
        )


def has_records(response: httpx2.Response) -> bool:
    """An OData collection came back: the request was authorised to read."""
    body = json_object(response)
    return response.status_code == 200 and body is not None and isinstance(body.get("value"), list)


def describe_body(response: httpx2.Response) -> str:
    """A short, redacted description of a response for a finding's message."""
    body = json_object(response)
    text = json.dumps(body, ensure_ascii=False) if body is not None else response.text
    text = REDACTOR.text(text)
    return f"HTTP {response.status_code}" + (f": {text[:200]}" if text else ", empty body")
