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

import httpx

from oauth_conformance.errors import FeatureNotOfferedError, UnexpectedResponseError
from oauth_conformance.http import HttpClient, exchange_id, json_object
from oauth_conformance.redaction import REDACTOR, RedactedRepr

__all__ = [
    "HOSTINGS",
    "PATH_STYLES",
    "CreatioAdapter",
    "CreatioConnection",
    "HealthReport",
    "Hosting",
    "PathStyle",
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

# Server-driven paging bound: enough for any realistic list of integrations or users.
_MAX_PAGES = 50
HEALTH_FLAGS = ("IsSystemSettingsFilledIn", "IsIdentityServiceAvailable", "IsAccessTokenRetrievableForSystemActions")


@dataclass(frozen=True, repr=False)
class CreatioConnection(RedactedRepr):
    """Where a Creatio is and what the suite may use on it."""

    site_url: str
    identity_url: str | None
    path_style: PathStyle
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
        self._cookies: httpx.Cookies | None = None
        self._path_style: PathStyle = connection.path_style
        REDACTOR.register(connection.admin_password)

    # -- sessions -------------------------------------------------------------------------------

    @property
    def can_manage(self) -> bool:
        return bool(self.connection.admin_user and self.connection.admin_password)

    def login(self) -> httpx.Cookies:
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
        self._cookies = httpx.Cookies(response.cookies)
        for cookie in response.cookies.jar:
            REDACTOR.register(cookie.value)
        # No BPMCSRF cookie is legitimate where UseCsrfToken is off (§5); the header is then left out.
        return self._cookies

    def ensure_login(self) -> None:
        if self._cookies is None:
            self.login()

    def _session(self) -> httpx.Cookies:
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
        """Ask both prefixes; only the runtime's own answers as Creatio would (§2.1, §4)."""
        styles: tuple[tuple[PathStyle, str], ...] = (("netframework", "/0"), ("netcore", ""))
        if self.can_manage:
            # A logged-in OData read answers a JSON collection on every 8.x instance.
            cookies = self._session()
            for style, prefix in styles:
                response = self.http.get(
                    f"{self.connection.site_url}{prefix}/odata/SysAdminUnit",
                    params={"$top": "1", "$select": "Id"},
                    cookies=cookies,
                    headers=self._csrf_headers(cookies),
                )
                body = json_object(response)
                if response.status_code == 200 and body is not None and isinstance(body.get("value"), list):
                    return style
        else:
            # Anonymous: the health endpoint exists under one prefix only; the other is a 404.
            answers = {
                style: self.http.get(f"{self.connection.site_url}{prefix}/api/OAuthHealthCheck").status_code
                for style, prefix in styles
            }
            present = [style for style, status in answers.items() if status != 404]
            if len(present) == 1:
                return present[0]
        raise UnexpectedResponseError(
            "could not tell the path style of this Creatio (neither /0/... nor /... answered as Creatio); "
            "set CREATIO_PATH_STYLE to netframework (/0/ paths) or netcore"
        )

    @staticmethod
    def _csrf_headers(cookies: httpx.Cookies) -> dict[str, str]:
        csrf = cookies.get("BPMCSRF")
        return {"BPMCSRF": csrf} if csrf else {}

    def _admin(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        cookies = self._session()
        headers = {**self._csrf_headers(cookies), **kwargs.pop("headers", {})}
        return self.http.request(method, self.service_url(path), cookies=cookies, headers=headers, **kwargs)

    # -- diagnostics (§4) -----------------------------------------------------------------------

    def health(self) -> HealthReport:
        if self.can_manage:
            response = self._admin("GET", "api/OAuthHealthCheck")
        else:
            response = self.http.get(self.service_url("api/OAuthHealthCheck"))
        return HealthReport(response.status_code, json_object(response), exchange_id(response))

    # -- OAuthConfigService (§3.3) --------------------------------------------------------------

    def config_service(self, method: str, body: Mapping[str, Any]) -> ServiceResult:
        response = self._admin("POST", f"rest/OAuthConfigService/{method}", json=dict(body))
        payload = json_object(response)
        result = payload.get(f"{method}Result") if payload else None
        if not isinstance(result, dict):
            if response.status_code == 404:
                raise FeatureNotOfferedError(
                    f"this Creatio has no OAuthConfigService/{method} (HTTP 404); it came with later 8.x builds",
                    exchange_id(response),
                )
            if response.status_code in (401, 403):
                raise UnexpectedResponseError(
                    f"OAuthConfigService/{method} refused the admin session: HTTP {response.status_code}",
                    exchange_id(response),
                )
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

    def create_technical_user(self, name: str) -> ServiceResult:
        return self.config_service("CreateTechnicalUser", {"createTechnicalUserRequest": {"name": name}})

    def add_client(
        self, name: str, system_user_id: str | None, application_url: str = "", description: str = ""
    ) -> ServiceResult:
        request = {"name": name, "applicationUrl": application_url, "redirectUrl": "", "systemUserId": system_user_id}
        if description:
            request["description"] = description  # accepted by newer builds (§3.3)
        return self.config_service("AddClient", {"addClientRequest": request})

    def delete_client(self, client_id: str) -> ServiceResult:
        return self.config_service("DeleteClient", {"deleteClientRequest": {"clientId": client_id}})

    def get_client_secret(self, app_id: str) -> ServiceResult:
        return self.config_service("GetClientSecret", {"clientAppId": app_id})

    # -- OData (§3.1) ---------------------------------------------------------------------------

    def odata_query(self, entity: str, params: Mapping[str, str]) -> list[dict[str, Any]]:
        """Every row, following server-driven paging (``@odata.nextLink``) up to a bound."""
        rows: list[dict[str, Any]] = []
        response = self._admin("GET", f"odata/{entity}", params=dict(params))
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

    def update_integration(self, app_id: str, fields: Mapping[str, Any]) -> httpx.Response:
        """What Save on the integration page does: an entity update, synced to the Identity Service (§3.2)."""
        return self._admin("PATCH", f"odata/OAuthClientApp({app_id})", json=dict(fields))

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

    def delete_user(self, user_id: str) -> httpx.Response:
        return self._admin("DELETE", f"odata/SysAdminUnit({user_id})")

    # -- the API as an integration (§2.1) -------------------------------------------------------

    def read_entity_with_token(self, entity: str, access_token: str) -> httpx.Response:
        REDACTOR.register(access_token)
        return self.http.get(
            self.service_url(f"odata/{entity}"),
            params={"$top": "3"},
            headers={"Authorization": f"Bearer {access_token}"},
        )


def has_records(response: httpx.Response) -> bool:
    """An OData collection came back: the request was authorised to read."""
    body = json_object(response)
    return response.status_code == 200 and body is not None and isinstance(body.get("value"), list)


def describe_body(response: httpx.Response) -> str:
    """A short, redacted description of a response for a finding's message."""
    body = json_object(response)
    text = json.dumps(body, ensure_ascii=False) if body is not None else response.text
    text = REDACTOR.text(text)
    return f"HTTP {response.status_code}" + (f": {text[:200]}" if text else ", empty body")
