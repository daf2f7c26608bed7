"""A bounded fuzz of the bundled mock: any method, headers and body at any of its endpoints gets an answer
below 500, but for the 500s the mock documents (``DOCUMENTED_500``), and the mock keeps answering.

Both apps, both profiles, no defects (a defect may answer 500 on purpose: the cloud health check, an
Identity Service that is down). Requests are mostly well aimed, so that they get past authentication and
into the handlers: an endpoint's own method, content type and credentials, with a body shaped like the one
it takes and each member drawn from what breaks parsers: JSON nested past any depth, NaN and 1e999,
unpaired surrogates, integers of thousands of digits, invalid UTF-8, bodies over the mock's bound, forms
with repeated, empty and badly percent-encoded keys. The rest are wrong methods, content types and
credentials, malformed Basic and Bearer values, odd headers and query strings.

Reproducible: ``derandomize`` makes every run draw the same requests, and ``max_examples`` bounds it.
"""

from __future__ import annotations

import base64
import json
import logging
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote_plus

import httpx2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oauth_conformance.mock import MockOptions, MockServers, start_mock
from tests.selftest.mock_client import LOGIN, admin_session

# Examples per profile: about 14 s each on a laptop.
EXAMPLES = 2000
SYSTEM_CLIENT = "bpmonline-designer"
# Above the mock's body bound (1 MiB) and the Identity Service management API's (8 MiB), and far above
# what any endpoint takes.
HUGE = 1_100_000

# (endpoint, why) of every 500 the mock answers on purpose when no defect is on. AdministrationService
# parses these arguments before the method's try ([SRC S82] :969-995 Guid.Parse(userId), :773-786
# Json.Deserialize(jsonObject)), so a malformed one is a WCF fault, HTTP 500 with an empty body. The other
# documented 500s need what the fuzz does not do: OData saves that the Identity Service refused (it is
# healthy here), the health check on a cloud tenant or with empty settings (on-site, settings intact).
DOCUMENTED_500 = {
    "AdministrationService/DeleteUser": "a missing or malformed userId (Guid.Parse before the try)",
    "AdministrationService/UpdateOrCreateUser": "a jsonObject that is no JSON object (Json.Deserialize before the try)",
}

JsonBody = Callable[["Context"], st.SearchStrategy[Any]]
FormBody = Callable[["Context"], st.SearchStrategy[list[tuple[str, str]]]]


@dataclass
class Context:
    """A running mock and the credentials and ids the fuzz aims at. Everything the fuzz may change or
    delete is its own (``own_*``): the seeded clients and users stay as they are, so that the checks after
    the fuzz can use them."""

    mock: MockServers
    http: httpx2.Client
    cookie: str
    csrf: str
    bearer: str  # a seeded client's token, for Creatio's API
    system_secret: str
    system_bearer: str  # the system client's token, for the Identity Service's management API
    client_id: str
    client_secret: str
    own_apps: list[dict[str, str]] = field(default_factory=list)
    own_users: list[str] = field(default_factory=list)
    records: list[str] = field(default_factory=list)

    @property
    def prefix(self) -> str:
        return self.mock.options.app_prefix


def _token(http: httpx2.Client, mock: MockServers, client_id: str, secret: str, scope: str | None = None) -> str:
    data = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    if scope:
        data["scope"] = scope
    response = http.post(f"{mock.identity_url}/connect/token", data=data)
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def _context(mock: MockServers, http: httpx2.Client) -> Context:
    admin = admin_session(mock)
    with closing(admin):
        seeded = mock.seed.oauth_clients[0]
        system_scope = ("add_registrar_client update_client remove_client get_client_info register_own_resource "
                        "get_resource_list IdentityServerApi")
        system_secret = mock.system_setting("OAuth20IdentityServerClientSecret")
        ctx = Context(
            mock=mock, http=http, cookie=admin.cookies[".ASPXAUTH"], csrf=admin.cookies["BPMCSRF"],
            bearer=_token(http, mock, seeded.client_id, seeded.client_secret), system_secret=system_secret,
            system_bearer=_token(http, mock, SYSTEM_CLIENT, system_secret, system_scope),
            client_id=seeded.client_id, client_secret=seeded.client_secret,
        )
        for n in range(3):
            response = admin.post(f"{ctx.prefix}/rest/OAuthConfigService/AddClient", json={"addClientRequest": {
                "name": f"fuzz {n}", "redirectUrl": "", "applicationUrl": "https://fuzz.example.test",
                "systemUserId": mock.seed.technical_user_id, "grantType": "client_credentials"}})
            result = response.json()["AddClientResult"]
            ctx.own_apps.append({"id": result["id"], "client_id": result["clientId"], "secret": result["clientSecret"]})
        for n in range(2):
            user_id = str(uuid.uuid4())
            response = admin.post(f"{ctx.prefix}/rest/AdministrationService/UpdateOrCreateTechnicalUser",
                                  json={"Id": user_id, "Name": f"fuzz user {n}", "Active": True})
            if response.status_code == 200 and response.json() == "":  # 8.2 and 8.3 only
                ctx.own_users.append(user_id)
        for entity in ("Contact", "Currency"):
            rows = admin.get(f"{ctx.prefix}/odata/{entity}").json()["value"]
            ctx.records += [f"{entity}({row['Id']})" for row in rows]
    return ctx


# --- what breaks parsers -------------------------------------------------------------------------------

# JSON text that is no value the mock can hold, each a leaf anywhere in a body.
_RAW = (
    "NaN", "Infinity", "-Infinity", "1e999", "-1e999", "1" + "0" * 5000, '"\\ud800"', '"a\\udfffb"',
    "[" * 40 + "]" * 40, '{"a":' * 40 + "1" + "}" * 40, "[" * 100_000 + "]" * 100_000, '"\\u0000"',
)
_DEEP = ("[" * 1000 + "]" * 1000, "[" * 200_000, '{"a":' * 50_000 + "null" + "}" * 50_000)
_RAW_MARK = "\x00raw{}\x00"


@dataclass(frozen=True)
class Raw:
    """A leaf written into the JSON text as it is (so that it can be what json.dumps never writes)."""

    text: str


def _dumps(value: Any) -> str:
    """JSON text of ``value``, its ``Raw`` leaves written as they are."""
    raws: list[str] = []

    def mark(item: Any) -> Any:
        if isinstance(item, Raw):
            raws.append(item.text)
            return _RAW_MARK.format(len(raws) - 1)
        if isinstance(item, dict):
            return {key: mark(member) for key, member in item.items()}
        if isinstance(item, list):
            return [mark(member) for member in item]
        return item

    text = json.dumps(mark(value), ensure_ascii=False)
    for index, raw in enumerate(raws):
        text = text.replace(json.dumps(_RAW_MARK.format(index)), raw)
    return text


_SCALARS = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
            | st.text(max_size=40) | st.sampled_from(["", " ", "client_credentials", "authorization_code",
                                                      "00000000-0000-0000-0000-000000000000", "{guid}", "€ + %"]))
_JSON = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=4)
                     | st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=12)


# Which branch to take is drawn from a Random that Hypothesis seeds: its own choices among branches lean
# to the first and the last, and the fuzz wants its weights kept (most requests well aimed).
RANDOM = st.randoms(use_true_random=False)


def _chosen(weighted: list[tuple[int, st.SearchStrategy[Any]]]) -> st.SearchStrategy[Any]:
    """One of the strategies, each as often as its weight says."""
    pool = [strategy for weight, strategy in weighted for _ in range(weight)]
    return RANDOM.flatmap(lambda rnd: rnd.choice(pool))


_BAD = _chosen([(len(_RAW), RANDOM.map(lambda rnd: Raw(rnd.choice(_RAW)))), (1, st.just("x" * HUGE))])
_FUZZ = _chosen([(1, _JSON), (1, _BAD)])


def _leaf(*good: Any) -> st.SearchStrategy[Any]:
    """A member's value: one of those the endpoint takes, or (none given) anything (``_mutated`` breaks
    the good ones)."""
    return st.sampled_from(good) if good else _FUZZ


def _own_app(ctx: Context, key: str) -> st.SearchStrategy[Any]:
    return _leaf(*[app[key] for app in ctx.own_apps])


def _own_user(ctx: Context) -> st.SearchStrategy[Any]:
    return _leaf(*ctx.own_users, str(uuid.uuid4()))


@st.composite
def _mutated(draw: Any, good: st.SearchStrategy[dict[str, Any]]) -> dict[str, Any]:
    """A body the endpoint takes, with none, one or two of its members (or new ones) replaced by anything,
    or removed: two in five get through whole, the rest break one thing or two."""
    rnd = draw(RANDOM)
    body = dict(draw(good))
    for _ in range(rnd.choice([0, 0, 1, 1, 2])):
        key = rnd.choice(sorted(body)) if body and rnd.random() < 0.8 else draw(st.text(max_size=12))
        if key in body and rnd.random() < 0.2:
            del body[key]
        else:
            body[key] = draw(_FUZZ)
    return body


def _members(required: dict[str, st.SearchStrategy[Any]], optional: dict[str, st.SearchStrategy[Any]] | None = None
             ) -> st.SearchStrategy[dict[str, Any]]:
    return _mutated(st.fixed_dictionaries(required, optional=optional or {}))


def _wrapped(name: str, inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A WCF Wrapped body: the request in a member named after the parameter (itself broken 1 in 5)."""
    return _chosen([(4, st.fixed_dictionaries({name: inner})), (1, _members({name: _FUZZ}))])


def _add_client(ctx: Context) -> st.SearchStrategy[Any]:
    return _wrapped("addClientRequest", _members(
        {"name": _leaf("fuzz added"), "redirectUrl": _leaf(""), "applicationUrl": _leaf("https://a.example.test"),
         "systemUserId": _leaf(ctx.mock.seed.technical_user_id)},
        {"grantType": _leaf("client_credentials"), "allowedGrantTypes": _leaf(["client_credentials"]),
         "description": _leaf()}))


def _update_client(ctx: Context) -> st.SearchStrategy[Any]:
    texts = {name: _leaf("edited") for name in ("name", "applicationUrl", "redirectUrl", "description")}
    return _wrapped("updateClientRequest", _members(
        {"clientId": _own_app(ctx, "client_id")},
        {**texts, "isActive": _leaf(True, False), "systemUserId": _leaf(ctx.mock.seed.technical_user_id)}))


def _odata_app(ctx: Context) -> st.SearchStrategy[Any]:
    texts = {name: _leaf("odata") for name in ("Name", "ApplicationUrl", "RedirectUrl", "Description")}
    return _members({"SystemUserId": _leaf(ctx.mock.seed.technical_user_id)},
                    {**texts, "@odata.type": _leaf("#Terrasoft.OAuthClientApp")})


def _odata_app_edit(ctx: Context) -> st.SearchStrategy[Any]:
    texts = {name: _leaf("edited") for name in ("Name", "ApplicationUrl", "RedirectUrl", "Description")}
    return _members({}, {**texts, "IsActive": _leaf(True, False),
                         "SystemUserId": _leaf(ctx.mock.seed.technical_user_id)})


def _odata_record(ctx: Context) -> st.SearchStrategy[Any]:
    return _members({}, {name: _leaf("fuzzed", 1.5) for name in ("Name", "Rate", "Code", "Email", "Id")})


def _user_columns(ctx: Context) -> st.SearchStrategy[Any]:
    columns = _members({"Id": _own_user(ctx)}, {"Name": _leaf("renamed"), "Active": _leaf(True, False)})
    return st.builds(_dumps, columns) | _leaf()


def _technical_user(ctx: Context) -> st.SearchStrategy[Any]:
    return _members({"Id": _own_user(ctx), "Name": _leaf("fuzz technical")},
                    {"Active": _leaf(True, False), "SysLanguageId": _leaf(str(uuid.uuid4())),
                     "ContactId": _leaf()})


def _registrar(ctx: Context) -> st.SearchStrategy[Any]:
    return _members({"ClientId": _leaf("FUZZ-IS-CLIENT"), "ClientSecret": _leaf("s")},
                    {"ClientName": _leaf("fuzz is"), "Properties": _leaf({"SysAdminUnitId": "x"}),
                     "AllowedGrantTypes": _leaf(["client_credentials"]), "Description": _leaf()})


def _is_update(ctx: Context) -> st.SearchStrategy[Any]:
    return _members({"ClientId": _own_app(ctx, "client_id")},
                    {"ClientName": _leaf("x"), "Enabled": _leaf(True, False), "Properties": _leaf(),
                     "ClientSecret": _leaf()})


def _is_scopes(ctx: Context) -> st.SearchStrategy[Any]:
    return _members({"ClientId": _own_app(ctx, "client_id"),
                     "AllowedScopes": _leaf([ctx.mock.seed.default_resource], ["nope"])})


def _token_form(ctx: Context) -> st.SearchStrategy[list[tuple[str, str]]]:
    # A seeded client's credentials: the fuzz may delete its own integrations, and a token request changes
    # nothing.
    app = {"client_id": ctx.client_id, "secret": ctx.client_secret}
    names = st.sampled_from(["grant_type", "client_id", "client_secret", "scope", "resource", "audience",
                             "token", "token_type_hint", "", "=", "&", "%", "%zz", "+", "é"]) | st.text(max_size=8)
    values = st.sampled_from(["client_credentials", "password", app["client_id"], app["secret"], SYSTEM_CLIENT,
                              ctx.bearer, "", "https://[::1", "https://r.example.test/#f", "a b", "%", "%zz",
                              "%ff", ctx.mock.seed.default_resource]) | st.text(max_size=30)
    valid = [("grant_type", "client_credentials"), ("client_id", app["client_id"]), ("client_secret", app["secret"])]
    pairs = st.lists(st.tuples(names, values), max_size=3)
    return st.builds(lambda extra, keep: valid[:keep] + extra, pairs, st.sampled_from([0, 1, 2, 3, 3, 3]))


def _token_check_form(ctx: Context) -> st.SearchStrategy[list[tuple[str, str]]]:
    owner = [("client_id", ctx.client_id), ("client_secret", ctx.client_secret), ("token", ctx.bearer)]
    return st.builds(lambda base, extra: base + extra, st.just(owner) | _token_form(ctx),
                     st.lists(st.tuples(st.sampled_from(["token", "token_type_hint"]), st.text(max_size=20)),
                              max_size=2))


@dataclass(frozen=True)
class Endpoint:
    name: str
    app: str  # "creatio" or "identity"
    method: str
    path: str  # "{P}" is the application prefix
    auth: str  # the credentials it takes: "cookie", "bearer", "system", "client", "admin", "none"
    json_body: JsonBody | None = None
    form_body: FormBody | None = None


def _fixed(body: Any) -> JsonBody:
    return lambda ctx: st.just(body)


def _own_path(ctx: Context) -> st.SearchStrategy[str]:
    return st.sampled_from([app["client_id"] for app in ctx.own_apps] + ["nope", "%00", "..", "é"])


ENDPOINTS = (
    Endpoint("token", "identity", "POST", "/connect/token", "none", form_body=_token_form),
    Endpoint("introspection", "identity", "POST", "/connect/introspect", "client", form_body=_token_check_form),
    Endpoint("revocation", "identity", "POST", "/connect/revocation", "client", form_body=_token_check_form),
    Endpoint("discovery", "identity", "GET", "/.well-known/openid-configuration", "none"),
    Endpoint("oauth metadata", "identity", "GET", "/.well-known/oauth-authorization-server", "none"),
    Endpoint("jwks", "identity", "GET", "/.well-known/openid-configuration/jwks", "none"),
    Endpoint("clients/addregistrar", "identity", "POST", "/clients/addregistrar", "system", _registrar),
    Endpoint("Clients/update", "identity", "POST", "/Clients/update", "system", _is_update),
    Endpoint("Clients/scopes", "identity", "POST", "/Clients/scopes", "system", _is_scopes),
    Endpoint("Clients/scopes/delete", "identity", "POST", "/Clients/scopes/delete", "system", _is_scopes),
    Endpoint("clients/{id}", "identity", "GET", "/clients/{own}", "system"),
    Endpoint("clients/{id} DELETE", "identity", "DELETE", "/clients/{own}", "system"),
    Endpoint("OwnedResources/register", "identity", "POST", "/OwnedResources/register", "system",
             lambda ctx: _members({"Name": _leaf("FuzzResource")}, {"DisplayName": _leaf(), "Properties": _leaf()})),
    Endpoint("OwnedResources/list", "identity", "POST", "/OwnedResources/list", "system", _fixed({})),
    Endpoint("Login", "creatio", "POST", "/ServiceModel/AuthService.svc/Login", "none",
             lambda ctx: _members({"UserName": _leaf("Supervisor"), "UserPassword": _leaf("Supervisor", "x")})),
    Endpoint("Login under the prefix", "creatio", "POST", "{P}/ServiceModel/AuthService.svc/Login", "none",
             _fixed({})),
    Endpoint("OAuthConfigService/AddClient", "creatio", "POST", "{P}/rest/OAuthConfigService/AddClient", "cookie",
             _add_client),
    Endpoint("OAuthConfigService/UpdateClient", "creatio", "POST", "{P}/rest/OAuthConfigService/UpdateClient",
             "cookie", _update_client),
    Endpoint("OAuthConfigService/DeleteClient", "creatio", "POST", "{P}/rest/OAuthConfigService/DeleteClient",
             "cookie", lambda ctx: _wrapped("deleteClientRequest", _members({"clientId": _own_app(ctx, "client_id")}))),
    Endpoint("OAuthConfigService/GetClientSecret", "creatio", "POST",
             "{P}/rest/OAuthConfigService/GetClientSecret", "cookie",
             lambda ctx: _members({"clientAppId": _own_app(ctx, "id")})),
    Endpoint("OAuthConfigService/AddDefaultResource", "creatio", "POST",
             "{P}/rest/OAuthConfigService/AddDefaultResource", "cookie", _fixed({})),
    Endpoint("OAuthConfigService/CreateTechnicalUser", "creatio", "POST",
             "{P}/rest/OAuthConfigService/CreateTechnicalUser", "cookie",
             lambda ctx: _wrapped("createTechnicalUserRequest", _members({"name": _leaf("fuzz made")}))),
    Endpoint("AdministrationService/DeleteUser", "creatio", "POST", "{P}/rest/AdministrationService/DeleteUser",
             "cookie", lambda ctx: _members({"userId": _own_user(ctx)})),
    Endpoint("AdministrationService/UpdateOrCreateUser", "creatio", "POST",
             "{P}/rest/AdministrationService/UpdateOrCreateUser", "cookie",
             lambda ctx: _members({"jsonObject": _user_columns(ctx)}, {"roleId": _leaf()})),
    Endpoint("AdministrationService/UpdateOrCreateTechnicalUser", "creatio", "POST",
             "{P}/rest/AdministrationService/UpdateOrCreateTechnicalUser", "cookie", _technical_user),
    Endpoint("OData list", "creatio", "GET", "{P}/odata/{entity}", "bearer"),
    Endpoint("OData insert", "creatio", "POST", "{P}/odata/OAuthClientApp", "cookie", _odata_app),
    Endpoint("OData edit", "creatio", "PATCH", "{P}/odata/OAuthClientApp({own_app})", "cookie", _odata_app_edit),
    Endpoint("OData delete", "creatio", "DELETE", "{P}/odata/OAuthClientApp({own_app})", "cookie"),
    Endpoint("OData record edit", "creatio", "PATCH", "{P}/odata/{record}", "cookie", _odata_record),
    Endpoint("OData record delete", "creatio", "DELETE", "{P}/odata/{record}", "cookie"),
    Endpoint("OAuthHealthCheck", "creatio", "GET", "{P}/api/OAuthHealthCheck", "cookie"),
    Endpoint("Ping", "creatio", "GET", "{P}/api/HealthCheck/Ping", "none"),
    Endpoint("__mock__/rights", "creatio", "POST", "/__mock__/rights", "admin",
             lambda ctx: _members({"userId": _own_user(ctx), "entity": _leaf("Contact", "Currency"),
                                   "operations": _leaf(["read"], ["read", "edit"])})),
    Endpoint("__mock__/state", "creatio", "GET", "/__mock__/state", "admin"),
    Endpoint("anywhere", "creatio", "GET", "/{anything}", "cookie"),
    Endpoint("anywhere at the IS", "identity", "GET", "/{anything}", "none"),
)

METHODS = st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "PROPFIND", "get"])
CONTENT_TYPES = st.sampled_from([
    "", "text/plain", "application/json; charset=utf-16", "multipart/form-data; boundary=x",
    "application/x-www-form-urlencoded; charset=iso-8859-1", "application/json", "application/x-www-form-urlencoded",
    "application/json;;;", "*/*",
])
# Header values h11 lets through on the wire: visible ASCII, space, tab and obs-text (0x80-0xFF).
_FIELD_BYTES = st.binary(max_size=60).map(lambda b: bytes(c for c in b if c in range(0x20, 0x7F) or c >= 0x80 or c == 9)
                                          .strip(b" \t"))
_JUNK_HEADERS = st.lists(st.tuples(st.sampled_from(["X-Fuzz", "Accept", "Accept-Encoding", "Cookie", "BPMCSRF",
                                                     "X-Forwarded-For", "Content-Language", "If-None-Match"]),
                                   _FIELD_BYTES), max_size=3)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _own_credentials(ctx: Context) -> dict[str, list[tuple[str, bytes]]]:
    """The headers of each kind of credentials (``Endpoint.auth``)."""
    admin = f"{ctx.mock.admin_user}:{ctx.mock.admin_password}".encode()
    return {
        "cookie": [("Cookie", f".ASPXAUTH={ctx.cookie}; BPMCSRF={ctx.csrf}".encode()), ("BPMCSRF", ctx.csrf.encode())],
        "bearer": [("Authorization", f"Bearer {ctx.bearer}".encode())],
        "system": [("Authorization", f"Bearer {ctx.system_bearer}".encode())],
        # The system client: the one caller of introspection both profiles let in.
        "client": [("Authorization", f"Basic {_b64(f'{SYSTEM_CLIENT}:{ctx.system_secret}'.encode())}".encode())],
        "admin": [("Authorization", f"Basic {_b64(admin)}".encode())],
        "none": [],
    }


def _authorization(ctx: Context, wanted: str) -> st.SearchStrategy[list[tuple[str, bytes]]]:
    """The headers of the endpoint's own credentials, or of wrong or broken ones."""
    mock = ctx.mock
    own = _own_credentials(ctx)
    broken_segment = st.sampled_from([_b64(b'{"alg":' * 3000), _b64(b"\xff\xfe"), "%%%", "é", _b64(b"[" * 5000),
                                      _b64(b'{"alg":"RS256","typ":NaN}')])
    broken = st.one_of(
        st.builds(lambda raw: [("Authorization", b"Basic " + _b64(raw).encode())], st.binary(max_size=40)),
        st.builds(lambda text: [("Authorization", b"Basic " + text)], _FIELD_BYTES),
        st.builds(lambda seg: [("Authorization", f"Bearer {seg}.e30.sig".encode())], broken_segment),
        st.builds(lambda text: [("Authorization", b"Bearer " + text)], _FIELD_BYTES),
        st.builds(lambda text: [("Cookie", b".ASPXAUTH=" + text), ("BPMCSRF", text)], _FIELD_BYTES),
        st.builds(lambda raw: [("Authorization", raw)], _FIELD_BYTES),
        st.just([("Authorization", f"Basic {_b64(f'{mock.admin_user}:+%2B%'.encode())}".encode())]),
    )
    others = st.sampled_from([value for name, value in own.items() if name != wanted])
    return _chosen([(7, st.just(own[wanted])), (2, broken), (1, others)])


def _query(ctx: Context) -> st.SearchStrategy[list[tuple[str, str]]]:
    names = st.sampled_from(["$filter", "$select", "$orderby", "$top", "$skip", "$expand", "access_token", "token",
                             "%zz", ""]) | st.text(max_size=6)
    values = st.sampled_from(["Name eq 'x'", "Id eq {guid}", "Rate eq 1" + "0" * 5000, "Name eq 'unterminated",
                              "Rate desc", "Name,Id", "²", "9" * 5000, "1", "-1", "Name eq guid'x'",
                              "Rate eq 1.5 and Name eq null", ctx.bearer]) | st.text(max_size=20)
    return st.lists(st.tuples(names, values), max_size=3)


def _path(ctx: Context, endpoint: Endpoint, draw: Any) -> str:
    path = endpoint.path.replace("{P}", ctx.prefix)
    if "{own}" in path:
        path = path.replace("{own}", draw(_own_path(ctx)))
    if "{own_app}" in path:
        path = path.replace("{own_app}", draw(st.sampled_from([app["id"] for app in ctx.own_apps] + ["x", "'a'"])))
    if "{record}" in path:
        path = path.replace("{record}", draw(st.sampled_from([*ctx.records, "Contact(guid'0')", "Bogus(1)"])))
    if "{entity}" in path:
        path = path.replace("{entity}", draw(st.sampled_from(
            ["Currency", "Contact", "OAuthClientApp", "SysAdminUnit", "currency", "Nope", "Currency(", "Currency()"])))
    if "{anything}" in path:
        path = path.replace("{anything}", draw(st.text(alphabet="abc/%.-_~é0", max_size=30)))
    return path


def _body(ctx: Context, endpoint: Endpoint, draw: Any) -> tuple[bytes, str]:
    """The body and its content type: the endpoint's own kind, mostly; otherwise anything."""
    kind = draw(RANDOM).choice(["own"] * 12 + ["json", "deep", "bytes", "huge", "form", "empty"])
    if kind == "own" and endpoint.json_body is not None:
        value = draw(endpoint.json_body(ctx))
        text = _dumps(value).replace("{guid}", str(uuid.uuid4()))
        encoding = draw(RANDOM).choice(["utf-8"] * 8 + ["utf-16", "utf-8-sig"])
        return text.encode(encoding, "surrogatepass"), "application/json"
    if kind == "own" and endpoint.form_body is not None:
        pairs = draw(endpoint.form_body(ctx))
        raw = "&".join(f"{_form_quote(k, draw)}={_form_quote(v, draw)}" for k, v in pairs)
        return raw.encode("utf-8", "surrogatepass"), "application/x-www-form-urlencoded"
    content_type = draw(CONTENT_TYPES)
    if kind == "json" or kind == "own":
        return _dumps(draw(_FUZZ)).encode("utf-8", "surrogatepass"), content_type
    if kind == "deep":
        return draw(st.sampled_from(_DEEP + _RAW)).encode("ascii"), content_type
    if kind == "bytes":
        return draw(st.binary(max_size=200) | st.sampled_from([b"\xff\xfe{", b'{"a":"\xc3"}', b"\xed\xa0\x80"])), \
            content_type
    if kind == "huge":
        return b'{"a":"' + b"x" * HUGE + b'"}', content_type
    if kind == "form":
        return draw(st.sampled_from([b"a=%zz&a=%&=&&&b=%ff%fe", b"grant_type=client_credentials&grant_type=x",
                                     b"%" * 1000, b"a=" + b"%41" * 100_000, b"\xff=\xfe"])), content_type
    return b"", content_type


def _form_quote(text: str, draw: Any) -> str:
    # Mostly encoded as a client would; sometimes sent as is, broken escapes and all.
    return text if draw(RANDOM).random() < 0.2 else quote_plus(text, errors="surrogatepass")


@dataclass(frozen=True)
class Case:
    endpoint: Endpoint
    method: str
    url: str
    params: list[tuple[str, str]]
    headers: list[tuple[str, bytes]]
    body: bytes


def cases(ctx: Context) -> st.SearchStrategy[Case]:
    @st.composite
    def build(draw: Any) -> Case:
        rnd = draw(RANDOM)
        endpoint = rnd.choice(ENDPOINTS)
        method = endpoint.method if rnd.random() < 0.85 else draw(METHODS)
        base = ctx.mock.creatio_url if endpoint.app == "creatio" else ctx.mock.identity_url
        with_body = method not in ("GET", "HEAD", "DELETE") or rnd.random() < 0.3
        body, content_type = _body(ctx, endpoint, draw) if with_body else (b"", "")
        headers = list(draw(_authorization(ctx, endpoint.auth)))
        if content_type:
            headers.append(("Content-Type", content_type.encode()))
        headers += draw(_JUNK_HEADERS) if rnd.random() < 0.3 else []
        params = draw(_query(ctx)) if rnd.random() < 0.25 else []
        return Case(endpoint, method, base + _path(ctx, endpoint, draw), params, headers, body)

    return build()


def send(ctx: Context, case: Case) -> httpx2.Response:
    return ctx.http.request(case.method, case.url, params=tuple(case.params) or None,
                            # h11 refuses to send a value with whitespace at either end: that is no header.
                            headers=[(name.encode(), value.strip(b" \t")) for name, value in case.headers],
                            content=case.body)


def _error_shape(case: Case) -> Callable[[Any], bool]:
    """What a refusal with a body looks like at the endpoint: the OAuth error object at the Identity
    Service (and its management API's ``{"error": "..."}``), OData's error object, the login's result."""
    name = case.endpoint.name
    if case.endpoint.app == "identity" or name.startswith("__mock__"):
        return lambda body: isinstance(body, dict) and isinstance(body.get("error"), str)
    if name.startswith("OData"):
        return lambda body: (isinstance(body, dict) and isinstance(body.get("error"), dict)
                             and "message" in body["error"])
    if name.startswith("Login"):
        return lambda body: isinstance(body, dict) and body.get("Code") == 1
    return lambda body: False  # WCF faults and the router's refusals carry no body


# What uvicorn answers, before any application code, to a request it cannot parse.
_UNPARSED = "Invalid HTTP request received."


def shaped(case: Case, response: httpx2.Response) -> bool:
    """Whether a 4xx is in the shape its endpoint uses: no body, or the endpoint's error body."""
    if not 400 <= response.status_code < 500 or not response.content or case.method == "HEAD":
        return True
    if response.status_code == 400 and response.text == _UNPARSED:
        # The HTTP server's own refusal of bytes it could not parse as a request: no endpoint saw them, so
        # there is no endpoint shape to hold it to (seen once under load, not when the example was replayed).
        return True
    try:
        body = response.json()
    except ValueError:
        return False
    return _error_shape(case)(body)


def documented(case: Case, response: httpx2.Response) -> bool:
    """Whether a 500 is one the mock answers on purpose (``DOCUMENTED_500``): a WCF fault, empty body."""
    return response.status_code == 500 and case.endpoint.name in DOCUMENTED_500 and response.content == b""


# --- the fuzz ------------------------------------------------------------------------------------------

class _Failures(logging.Handler):
    """Records the mock's own reports of a handler that raised (routing.py) and uvicorn's of an app that did."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(params=["creatio", "compliant"], scope="module")
def ctx(request: pytest.FixtureRequest) -> Iterator[Context]:
    with start_mock(MockOptions(profile=request.param)) as mock, \
            httpx2.Client(trust_env=False, timeout=30) as http:
        yield _context(mock, http)


@pytest.fixture
def failures() -> Iterator[_Failures]:
    handler = _Failures()
    loggers = [logging.getLogger("oauth_conformance.mock"), logging.getLogger("uvicorn.error")]
    for logger in loggers:
        logger.addHandler(handler)
    yield handler
    for logger in loggers:
        logger.removeHandler(handler)


def test_no_input_gets_a_5xx_and_the_mock_keeps_answering(ctx: Context, failures: _Failures) -> None:
    seen: list[int] = []

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example,
                                     HealthCheck.filter_too_much])
    @given(cases(ctx))
    def fuzz(case: Case) -> None:
        response = send(ctx, case)
        seen.append(response.status_code)
        assert response.status_code < 500 or documented(case, response), (
            f"{case.method} {case.endpoint.name}: HTTP {response.status_code} {response.text[:300]}")
        assert shaped(case, response), f"{case.method} {case.endpoint.name}: {response.text[:300]}"

    fuzz()
    assert len(seen) >= EXAMPLES  # every example ran (a failure is shrunk with more)
    assert [record.getMessage() for record in failures.records] == []
    _assert_still_answering(ctx)


def _assert_still_answering(ctx: Context) -> None:
    """After the fuzz: discovery, a token, the API with it, a login and the admin state, as before."""
    mock, http = ctx.mock, ctx.http
    assert http.get(f"{mock.identity_url}/.well-known/openid-configuration").status_code == 200
    token = _token(http, mock, ctx.client_id, ctx.client_secret)
    listed = http.get(f"{mock.creatio_url}{ctx.prefix}/odata/{mock.seed.allowed_entity}",
                      headers={"Authorization": f"Bearer {token}"})
    assert listed.status_code == 200, listed.text
    login = http.post(mock.creatio_url + LOGIN, json={"UserName": mock.admin_user, "UserPassword": mock.admin_password})
    assert login.json()["Code"] == 0
    state = http.get(f"{mock.creatio_url}/__mock__/state", auth=(mock.admin_user, mock.admin_password))
    assert state.status_code == 200 and mock.seed.oauth_clients[0].name in state.json()["integrations"]


# --- inputs that broke the mock, each once, whatever the fuzz draws ----------------------------------------

def _json(ctx: Context, path: str, text: str, auth: str = "cookie", method: str = "POST") -> httpx2.Response:
    headers = {name: value.decode() for name, value in _own_credentials(ctx)[auth]}
    return ctx.http.request(method, ctx.mock.creatio_url + path.replace("{P}", ctx.prefix), content=text.encode(
        "utf-8", "surrogatepass"), headers={**headers, "Content-Type": "application/json"})


def _currency(ctx: Context) -> str:
    return next(record for record in ctx.records if record.startswith("Currency("))


def _stored_then_read(ctx: Context, value: str) -> list[httpx2.Response]:
    """A number stored in a record, then the list read and ordered by it (a value JSON cannot carry back
    out would break every later read)."""
    stored = _json(ctx, f"{{P}}/odata/{_currency(ctx)}", f'{{"Rate": {value}}}', method="PATCH")
    listed = ctx.http.get(f"{ctx.mock.creatio_url}{ctx.prefix}/odata/Currency", params={"$orderby": "Rate"},
                          headers={"Authorization": f"Bearer {ctx.bearer}"})
    _json(ctx, f"{{P}}/odata/{_currency(ctx)}", '{"Rate": 1.0}', method="PATCH")
    return [stored, listed]


def _odata(ctx: Context, **params: str) -> list[httpx2.Response]:
    return [ctx.http.get(f"{ctx.mock.creatio_url}{ctx.prefix}/odata/Currency", params=params,
                         headers={"Authorization": f"Bearer {ctx.bearer}"})]


BREAKERS: dict[str, Callable[[Context], list[httpx2.Response]]] = {
    "deep JSON at AddClient": lambda ctx: [_json(ctx, "{P}/rest/OAuthConfigService/AddClient", "[" * 100_000)],
    "deep JSON at the login": lambda ctx: [_json(ctx, "/ServiceModel/AuthService.svc/Login",
                                                 '{"UserName":' * 50_000, "none")],
    "deep JSON in a member": lambda ctx: [_json(ctx, "{P}/odata/OAuthClientApp",
                                                '{"Name": ' + "[" * 5000 + "]" * 5000 + "}")],
    "deep JSON at /__mock__/rights": lambda ctx: [_json(ctx, "/__mock__/rights", "[" * 100_000, "admin")],
    "an unpaired surrogate as the password": lambda ctx: [_json(ctx, "/ServiceModel/AuthService.svc/Login",
                                                                '{"UserName":"Supervisor","UserPassword":"\\ud800"}',
                                                                "none")],
    "an unpaired surrogate as a name": lambda ctx: [_json(ctx, "{P}/odata/OAuthClientApp",
                                                          f'{{"Name":"\\ud800","SystemUserId":'
                                                          f'"{ctx.mock.seed.technical_user_id}"}}')],
    "NaN stored": lambda ctx: _stored_then_read(ctx, "NaN"),
    "1e999 stored": lambda ctx: _stored_then_read(ctx, "1e999"),
    "an integer beyond 1e308 stored": lambda ctx: _stored_then_read(ctx, "1" + "0" * 400),
    "an integer of 5000 digits": lambda ctx: _stored_then_read(ctx, "1" + "0" * 5000),
    "$top of a superscript digit": lambda ctx: _odata(ctx, **{"$top": "\u00b2"}),
    "$skip of 5000 digits": lambda ctx: _odata(ctx, **{"$skip": "9" * 5000}),
    "a $filter literal of 5000 digits": lambda ctx: _odata(ctx, **{"$filter": "Rate eq 1" + "0" * 5000}),
    "a resource with an unclosed IPv6 literal": lambda ctx: [ctx.http.post(
        f"{ctx.mock.identity_url}/connect/token", data={"grant_type": "client_credentials", "client_id": ctx.client_id,
                                                        "client_secret": ctx.client_secret, "resource": "https://[::1"})],
    "operations that are no strings": lambda ctx: [_json(ctx, "/__mock__/rights", json.dumps(
        {"userId": ctx.mock.seed.technical_user_id, "entity": "Contact", "operations": [["read"]]}), "admin")],
    "a Bearer token whose header nests deeply": lambda ctx: [ctx.http.get(
        f"{ctx.mock.creatio_url}{ctx.prefix}/odata/Currency",
        headers={"Authorization": "Bearer " + _b64(b"[" * 5000).rstrip("=") + ".e30.c2ln"})],
    "a body over the bound at the token endpoint": lambda ctx: [ctx.http.post(
        f"{ctx.mock.identity_url}/connect/token", content=b"grant_type=" + b"x" * HUGE,
        headers={"Content-Type": "application/x-www-form-urlencoded"})],
    "a body over the bound at OData": lambda ctx: [_json(ctx, "{P}/odata/OAuthClientApp",
                                                         '{"Name": "' + "x" * HUGE + '"}')],
    "invalid UTF-8 in JSON": lambda ctx: [ctx.http.post(
        f"{ctx.mock.creatio_url}{ctx.prefix}/odata/OAuthClientApp", content=b'{"Name": "\xc3"}',
        headers={name: value.decode() for name, value in _own_credentials(ctx)["cookie"]})],
    "a form with broken escapes and repeated keys": lambda ctx: [ctx.http.post(
        f"{ctx.mock.identity_url}/connect/token", content=b"grant_type=%zz&grant_type=%&=&&client_id=%ff",
        headers={"Content-Type": "application/x-www-form-urlencoded"})],
}


# What the mock may store as it is: any integer JSON carries, however large.
STORED = {"an integer beyond 1e308 stored"}


@pytest.fixture(params=["creatio", "compliant"], scope="module")
def untouched(request: pytest.FixtureRequest) -> Iterator[Context]:
    """A mock of its own: the fuzz may have deleted the records these inputs are aimed at."""
    with start_mock(MockOptions(profile=request.param)) as mock, \
            httpx2.Client(trust_env=False, timeout=30) as http:
        yield _context(mock, http)


@pytest.mark.parametrize("breaker", sorted(BREAKERS))
def test_inputs_that_broke_the_mock_get_a_4xx(untouched: Context, breaker: str) -> None:
    """Each input found to answer 500 once: refused with a 4xx (the later reads it could break answer)."""
    answers = BREAKERS[breaker](untouched)
    assert [answer.status_code < 500 for answer in answers] == [True] * len(answers), [
        (answer.status_code, answer.text[:200]) for answer in answers]
    assert answers[0].status_code < 300 if breaker in STORED else answers[0].status_code >= 400, answers[0].text[:200]
