"""The ``oauth`` target on servers shaped like the ones people use: metadata from RFC 8414 alone (also for
an issuer with a path, and found from a token URL), endpoints advertised on another scheme or host, the
settings that reach the token request (scope, audience, resource) and each client's authentication."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from oauth_conformance.cleanup import Cleanup
from oauth_conformance.errors import UnexpectedResponseError
from oauth_conformance.http import EvidenceLog, HttpClient, TransportPolicy
from oauth_conformance.mock import MockOptions, start_mock
from oauth_conformance.settings import load_settings
from oauth_conformance.targets import TARGETS
from oauth_conformance.targets.identity import IdentityClient, metadata_urls
from oauth_conformance.targets.oauth import issuer_candidates
from oauth_conformance.targets.standards import StandardsTarget
from steps.standards.context import authenticated, token_form
from tests.selftest.suite_runner import run_suite

_TOKEN = {"access_token": "opaque-token-0123456789abcdef", "token_type": "Bearer", "expires_in": 300}


@dataclass
class _Server:
    """A tiny authorization server: canned GET documents by path; every POST is recorded and answered
    with a token."""

    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    posts: list[tuple[str, dict[str, str], dict[str, list[str]]]] = field(default_factory=list)
    gets: list[str] = field(default_factory=list)
    url: str = ""

    def serve(self) -> Iterator[_Server]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, status: int, body: dict[str, Any] | None) -> None:
                content = json.dumps(body).encode() if body is not None else b""
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            def do_GET(self) -> None:
                server.gets.append(self.path)
                document = server.documents.get(urlsplit(self.path).path)
                self._answer(200 if document is not None else 404, document)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = parse_qs(self.rfile.read(length).decode(), keep_blank_values=True)
                server.posts.append((self.path, {k.lower(): v for k, v in self.headers.items()}, form))
                self._answer(200, _TOKEN)

            def log_message(self, *args: object) -> None:
                pass

        httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{httpd.server_port}"
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            httpd.shutdown()
            httpd.server_close()


@pytest.fixture
def server() -> Iterator[_Server]:
    yield from _Server().serve()


@pytest.fixture
def http() -> Iterator[HttpClient]:
    with HttpClient(TransportPolicy(timeout=5), EvidenceLog()) as client:
        yield client


def _metadata(issuer: str, prefix: str = "") -> dict[str, Any]:
    return {
        "issuer": issuer,
        "token_endpoint": f"{issuer}{prefix}/token",
        "jwks_uri": f"{issuer}{prefix}/jwks",
        "introspection_endpoint": f"{issuer}{prefix}/token/introspect",
        "revocation_endpoint": f"{issuer}{prefix}/revoke",
        "response_types_supported": ["code"],
    }


def _open(env: dict[str, str], http: HttpClient) -> StandardsTarget:
    settings = load_settings({}, environ={"OAUTH_TARGET": "oauth", **env})
    return TARGETS["oauth"].open(settings, http).standards(Cleanup())


# -- metadata -----------------------------------------------------------------------------------


def test_metadata_urls_follow_both_specifications() -> None:
    assert metadata_urls("https://as.example/realms/r/") == [
        ("openid-configuration", "https://as.example/realms/r/.well-known/openid-configuration"),
        ("oauth-authorization-server", "https://as.example/.well-known/oauth-authorization-server/realms/r"),
        ("oauth-authorization-server", "https://as.example/realms/r/.well-known/oauth-authorization-server"),
    ]
    assert [url for _, url in metadata_urls("https://as.example/")] == [
        "https://as.example/.well-known/openid-configuration",
        "https://as.example/.well-known/oauth-authorization-server",
    ]


def test_an_rfc8414_only_server_with_a_path_is_discovered(server: _Server, http: HttpClient) -> None:
    issuer = f"{server.url}/tenant/a"
    server.documents["/.well-known/oauth-authorization-server/tenant/a"] = _metadata(issuer)
    standards = _open({"OAUTH_ISSUER": issuer, "OAUTH_CLIENT_ID": "c", "OAUTH_CLIENT_SECRET": "s"}, http)
    identity = standards.identity
    source = identity.metadata_source()
    assert (source.kind, source.url, source.issuer) == (
        "oauth-authorization-server", f"{server.url}/.well-known/oauth-authorization-server/tenant/a", issuer)
    assert identity.token_endpoint == f"{issuer}/token"
    assert identity.advertised_endpoint("jwks_uri") == f"{issuer}/jwks"
    assert identity.advertised_endpoint("introspection_endpoint") == f"{issuer}/token/introspect"
    assert identity.advertised_endpoint("revocation_endpoint") == f"{issuer}/revoke"
    assert standards.token().issued and server.posts[-1][0] == "/tenant/a/token"


def test_the_appended_rfc8414_form_is_found_too(server: _Server, http: HttpClient) -> None:
    issuer = f"{server.url}/o"
    server.documents["/o/.well-known/oauth-authorization-server"] = _metadata(issuer)
    identity = IdentityClient(http, issuer, setting="OAUTH_ISSUER")
    assert identity.discovery()["issuer"] == issuer
    assert identity.oauth_metadata() is identity.discovery()  # one document, fetched once
    assert server.gets == ["/o/.well-known/openid-configuration", "/.well-known/oauth-authorization-server/o",
                           "/o/.well-known/oauth-authorization-server"]


def test_with_a_token_url_introspection_and_revocation_come_from_the_metadata(
    server: _Server, http: HttpClient
) -> None:
    issuer = f"{server.url}/realms/r"
    token_url = f"{issuer}/protocol/openid-connect/token"
    # Keycloak's shape; beside it, the metadata of another server on the same host (the origin's).
    server.documents["/realms/r/.well-known/openid-configuration"] = _metadata(issuer, "/protocol/openid-connect")
    server.documents["/.well-known/openid-configuration"] = _metadata(server.url)
    standards = _open({"OAUTH_TOKEN_URL": token_url, "OAUTH_CLIENT_ID": "c", "OAUTH_CLIENT_SECRET": "s"}, http)
    identity = standards.identity
    assert identity.advertised_endpoint("introspection_endpoint") == f"{token_url}/introspect"
    assert identity.advertised_endpoint("revocation_endpoint") == f"{issuer}/protocol/openid-connect/revoke"
    assert (identity.base_url, identity.issuer, identity.token_endpoint) == (issuer, issuer, token_url)
    assert "/.well-known/openid-configuration" not in server.gets  # found before the origin was tried


def test_a_neighbouring_servers_metadata_is_not_taken_for_the_token_url(server: _Server, http: HttpClient) -> None:
    # Entra ID's shape: the v1 document sits at the tenant, the v2 token endpoint below it.
    server.documents["/tenant/.well-known/openid-configuration"] = _metadata(f"{server.url}/tenant", "/oauth2")
    token_url = f"{server.url}/tenant/oauth2/v2.0/token"
    standards = _open({"OAUTH_TOKEN_URL": token_url, "OAUTH_CLIENT_ID": "c", "OAUTH_CLIENT_SECRET": "s"}, http)
    with pytest.raises(UnexpectedResponseError, match=r"names token_endpoint .*set OAUTH_ISSUER to the issuer of"):
        standards.identity.discovery()
    assert standards.identity.token_endpoint == token_url  # the configured one still serves the token checks


def test_missing_metadata_is_looked_for_once_and_named(server: _Server, http: HttpClient) -> None:
    identity = IdentityClient(http, f"{server.url}/x", setting="OAUTH_ISSUER")
    expected = r"no authorization server metadata: .*HTTP 404.*check OAUTH_ISSUER"
    for _ in range(3):
        with pytest.raises(UnexpectedResponseError, match=expected):
            identity.discovery()
    assert identity.oauth_metadata() == {}
    assert len(server.gets) == 3


def test_issuer_candidates_run_from_the_token_url_down_to_its_origin() -> None:
    assert issuer_candidates("https://kc.example/realms/r/protocol/openid-connect/token") == (
        "https://kc.example/realms/r/protocol/openid-connect", "https://kc.example/realms/r/protocol",
        "https://kc.example/realms/r", "https://kc.example/realms", "https://kc.example")
    assert issuer_candidates("https://tenant.auth0.example/oauth/token") == (
        "https://tenant.auth0.example/oauth", "https://tenant.auth0.example")


def test_an_issuer_identifier_keeps_its_terminating_slash(http: HttpClient) -> None:
    settings = load_settings({}, environ={"OAUTH_TARGET": "oauth", "OAUTH_ISSUER": "https://tenant.auth0.example/",
                                          "OAUTH_CLIENT_ID": "c", "OAUTH_CLIENT_SECRET": "s"})
    assert settings.oauth["OAUTH_ISSUER"] == "https://tenant.auth0.example/"
    identity = TARGETS["oauth"].open(settings, http).standards(Cleanup()).identity
    assert (identity.issuer, identity.base_url) == ("https://tenant.auth0.example/", "https://tenant.auth0.example")


# -- advertised endpoints on another scheme or host ---------------------------------------------


def test_advertised_endpoints_are_taken_at_the_configured_origin(http: HttpClient) -> None:
    identity = IdentityClient(http, "https://as.example/realms/r", setting="OAUTH_ISSUER")
    # A TLS offloader the server is not told about: http:// on its public host.
    assert identity.reachable("http://as.example/realms/r/token") == "https://as.example/realms/r/token"
    # Its own internal address.
    assert identity.reachable("http://10.0.0.5:8080/realms/r/revoke") == "https://as.example/realms/r/revoke"
    assert identity.reachable("https://as.example/realms/r/jwks") == "https://as.example/realms/r/jwks"
    assert [r.advertised for r in identity.rebased] == ["http://as.example/realms/r/token",
                                                        "http://10.0.0.5:8080/realms/r/revoke"]
    note = identity.describe_rebasing()
    assert note is not None and "http://10.0.0.5:8080, http://as.example" in note
    assert "https://as.example/realms/r (OAUTH_ISSUER)" in note and "set OAUTH_TOKEN_URL" in note


def test_an_http_advertised_token_endpoint_gets_requests_over_the_configured_https(
    server: _Server, http: HttpClient
) -> None:
    # The suite reaches the loopback server over http; it advertises another port, as an offloader would.
    server.documents["/.well-known/openid-configuration"] = _metadata("http://127.0.0.1:1")
    standards = _open({"OAUTH_ISSUER": server.url, "OAUTH_CLIENT_ID": "c", "OAUTH_CLIENT_SECRET": "s"}, http)
    assert standards.identity.token_endpoint == f"{server.url}/token"
    assert standards.token().issued
    # The metadata checks still read what was advertised.
    assert standards.identity.advertised("token_endpoint") == "http://127.0.0.1:1/token"


# -- what reaches the wire ----------------------------------------------------------------------


def _form_of(post: tuple[str, dict[str, str], dict[str, list[str]]]) -> dict[str, str]:
    return {name: values[0] for name, values in post[2].items()}


def _basic_id(post: tuple[str, dict[str, str], dict[str, list[str]]]) -> str | None:
    header = post[1].get("authorization")
    return base64.b64decode(header.removeprefix("Basic ")).decode().split(":")[0] if header else None


def test_scope_audience_and_resource_go_with_every_token_request(server: _Server, http: HttpClient) -> None:
    server.documents["/.well-known/openid-configuration"] = _metadata(server.url)
    standards = _open({
        "OAUTH_ISSUER": server.url, "OAUTH_CLIENT_ID": "c", "OAUTH_CLIENT_SECRET": "s",
        "OAUTH_SCOPE": "api://my-api/.default", "OAUTH_AUDIENCE": "https://api.example",
        "OAUTH_RESOURCE_INDICATOR": "https://api.example/v1",
    }, http)
    expected = {"scope": "api://my-api/.default", "audience": "https://api.example", "resource": "https://api.example/v1"}
    standards.token()
    assert _form_of(server.posts[-1]).items() >= expected.items()
    standards.token(extra={"scope": "other"})
    assert _form_of(server.posts[-1])["scope"] == "other"
    standards.token(extra={"scope": None})  # a request without the configured scope
    assert "scope" not in _form_of(server.posts[-1]) and _form_of(server.posts[-1])["audience"] == "https://api.example"
    assert token_form(standards, client_id="x") == {"grant_type": "client_credentials", **expected, "client_id": "x"}


def test_each_client_authenticates_as_configured(server: _Server, http: HttpClient) -> None:
    server.documents["/.well-known/openid-configuration"] = _metadata(server.url)
    env = {"OAUTH_ISSUER": server.url, "OAUTH_CLIENT_ID": "c1", "OAUTH_CLIENT_SECRET": "s1",
           "OAUTH_CLIENT_AUTH_METHOD": "client_secret_post",
           "OAUTH_CLIENT2_ID": "c2", "OAUTH_CLIENT2_SECRET": "s2", "OAUTH_CLIENT2_AUTH_METHOD": "client_secret_basic",
           "OAUTH_DISABLED_CLIENT_ID": "c3", "OAUTH_DISABLED_CLIENT_SECRET": "s3",
           "OAUTH_SPECIAL_CLIENT_ID": "c:4", "OAUTH_SPECIAL_CLIENT_SECRET": "s 4",
           "OAUTH_SPECIAL_CLIENT_AUTH_METHOD": "client_secret_basic",
           "OAUTH_INTROSPECTION_CLIENT_ID": "rs", "OAUTH_INTROSPECTION_CLIENT_SECRET": "rs-secret"}
    standards = _open(env, http)
    assert standards.second_client and standards.disabled_client and standards.special_client
    standards.token()
    assert _basic_id(server.posts[-1]) is None and _form_of(server.posts[-1])["client_id"] == "c1"
    standards.token(standards.second_client)
    assert _basic_id(server.posts[-1]) == "c2" and "client_secret" not in _form_of(server.posts[-1])
    # The disabled client has no method of its own: it authenticates as the first client does.
    assert authenticated(standards, standards.disabled_client, {"token": "t"}) == {
        "data": {"token": "t", "client_id": "c3", "client_secret": "s3"}}
    special = authenticated(standards, standards.special_client, {"token": "t"})
    assert special["data"] == {"token": "t"} and special["headers"]["Authorization"].startswith("Basic ")
    assert standards.introspector.client_id == "rs"


def test_without_a_configured_method_the_one_that_obtains_a_token_is_used(server: _Server, http: HttpClient) -> None:
    server.documents["/.well-known/openid-configuration"] = _metadata(server.url)
    standards = _open({"OAUTH_ISSUER": server.url, "OAUTH_CLIENT_ID": "c1", "OAUTH_CLIENT_SECRET": "s1",
                       "OAUTH_CLIENT2_ID": "c2", "OAUTH_CLIENT2_SECRET": "s2"}, http)
    assert standards.second_client is not None
    # Nothing asked yet: one token request of the standards client finds the method (Basic first).
    assert authenticated(standards, standards.second_client, {"token": "t"})["headers"]["Authorization"]
    assert len(server.posts) == 1 and _basic_id(server.posts[0]) == "c1"
    assert standards.introspector is standards.client


def test_a_run_against_the_mock_sends_the_parameters_and_names_its_target(tmp_path: Path) -> None:
    with start_mock(MockOptions(profile="compliant")) as mock:
        env = mock.oauth_env() | {"OAUTH_SCOPE": mock.seed.default_resource, "OAUTH_AUDIENCE": "urn:occ:audience",
                                  "OAUTH_RESOURCE_INDICATOR": "urn:occ:resource"}
        run = run_suite(tmp_path, "tests/conformance/test_rfc6749.py", "-q", env_file=env)
    report = run.conformance
    described = (f"OAuth server {mock.public_identity_url}; metadata from "
                 f"{mock.public_identity_url}/.well-known/openid-configuration")
    assert report["run"]["target_description"] == described
    assert f"target: {described}" in run.stdout
    exchanges = [json.loads(line) for line in (run.reports / "evidence.jsonl").read_text().splitlines()]
    token_url = f"{mock.public_identity_url}/connect/token"
    issued = [e for e in exchanges if e["url"] == token_url and e["status"] == 200]
    assert issued, "no token was issued"
    sent = [parse_qs(e["request"]["body"]) for e in issued]
    assert any(form.get("scope") == [mock.seed.default_resource] and form.get("audience") == ["urn:occ:audience"]
               and form.get("resource") == ["urn:occ:resource"] for form in sent)
