"""Settings: precedence, validation, and messages that name the setting and what was expected; values
kept as given or refused; a token URL of any path depth; exit 4 for a wrong setting."""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from oauth_conformance.cleanup import Cleanup
from oauth_conformance.errors import SettingsError
from oauth_conformance.http import EvidenceLog, HttpClient, TransportPolicy
from oauth_conformance.redaction import REDACTOR
from oauth_conformance.settings import SETTINGS, load_settings
from oauth_conformance.targets import TARGETS
from tests.selftest.suite_runner import run_suite

ROOT = Path(__file__).resolve().parents[2]
# The least the oauth target needs.
_OAUTH = {"OAUTH_TARGET": "oauth", "OAUTH_ISSUER": "https://as.example", "OAUTH_CLIENT_ID": "c",
          "OAUTH_CLIENT_SECRET": "s"}
# RFC 6749 Appendix A: client_id and client_secret are *VSCHAR, VSCHAR = %x20-7E.
_VSCHAR = re.compile(r"[\x20-\x7e]*")


def test_defaults_select_the_bundled_mock() -> None:
    settings = load_settings({}, environ={})
    assert settings.target == "mock"
    assert settings.mock_profile == "creatio"
    assert settings.run_prefix.startswith("occ-")


def test_option_beats_environment_beats_env_file(tmp_path: Path) -> None:
    env_file = tmp_path / "f.env"
    env_file.write_text("MOCK_PROFILE=compliant\nOAUTH_TIMEOUT=3\nOAUTH_FAIL_ON=should\n")
    settings = load_settings(
        {"OAUTH_FAIL_ON": "must"}, environ={"OAUTH_TIMEOUT": "7"}, env_file=env_file
    )
    assert (settings.mock_profile, settings.timeout, settings.fail_on) == ("compliant", 7.0, "must")
    assert settings.sources["MOCK_PROFILE"] == "env file"
    assert settings.sources["OAUTH_TIMEOUT"] == "environment"
    assert settings.sources["OAUTH_FAIL_ON"] == "option"


def test_creatio_target_without_url_names_the_setting() -> None:
    expected = r"CREATIO_URL is not set; --target=creatio expects the Creatio site root"
    with pytest.raises(SettingsError, match=expected):
        load_settings({"OAUTH_TARGET": "creatio"}, environ={})


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"OAUTH_TARGET": "staging"}, r"--target='staging' is not valid; expected one of mock, creatio, oauth"),
        ({"OAUTH_STANDARDS_PROFILE": "lenient"}, r"--standards-profile='lenient' is not valid"),
        ({"OAUTH_TIMEOUT": "soon"}, r"OAUTH_TIMEOUT='soon' is not a number"),
        (
            {"OAUTH_TARGET": "creatio", "CREATIO_URL": "mycompany.creatio.com"},
            r"CREATIO_URL='mycompany.creatio.com' is not a URL",
        ),
        ({"OAUTH_TLS_VERIFY": "maybe"}, r"OAUTH_TLS_VERIFY='maybe' is not a boolean"),
        ({"OAUTH_TIMEOUT": "nan"}, r"OAUTH_TIMEOUT='nan' is not a number"),
        ({"OAUTH_TIMEOUT": "inf"}, r"OAUTH_TIMEOUT='inf' is not a number"),
        ({"MOCK_DEFECTS": "accept-any-secret,no-such-defect"}, r"MOCK_DEFECTS: unknown no-such-defect"),
        (
            {"OAUTH_TARGET": "creatio", "CREATIO_URL": "http://crm.example.com"},
            r"CREATIO_URL='http://crm.example.com' uses plain http to a non-loopback host; expected an https URL",
        ),
        ({"CREATIO_ADMIN_USER": "Supervisor"}, r"CREATIO_ADMIN_USER and CREATIO_ADMIN_PASSWORD go together"),
        ({"CREATIO_MAX_TECH_USERS": "many"}, r"CREATIO_MAX_TECH_USERS='many' is not a count; expected a whole number"),
        (
            {"CREATIO_CREATE_TECH_USERS": "please"},
            r"CREATIO_CREATE_TECH_USERS='please' is not valid; expected one of true, false",
        ),
        ({"MOCK_CREATIO_VERSION": "7.18"}, r"--mock-creatio-version='7.18' is not valid; expected one of 8.0, 8.1"),
        ({"CREATIO_HOSTING": "saas"}, r"CREATIO_HOSTING='saas' is not valid; expected one of auto, onsite, cloud"),
        (
            {"OAUTH_TLS_VERIFY": "false", "OAUTH_CA_BUNDLE": "/etc/hosts"},
            r"OAUTH_CA_BUNDLE is set but OAUTH_TLS_VERIFY=false",
        ),
        ({"OAUTH_WAIVERS": "no/such/waivers.toml"}, r"OAUTH_WAIVERS: no such file no/such/waivers.toml"),
        ({"OAUTH_TARGET": "oauth"}, r"OAUTH_TOKEN_URL and OAUTH_ISSUER are not set"),
        (
            {"OAUTH_TARGET": "oauth", "OAUTH_ISSUER": "https://is.example", "OAUTH_CLIENT_ID": "c"},
            r"OAUTH_CLIENT_SECRET is not set; --target=oauth expects",
        ),
        ({"OAUTH_CLIENT2_ID": "x"}, r"OAUTH_CLIENT2_ID and OAUTH_CLIENT2_SECRET go together"),
        (
            {"OAUTH_INTROSPECTION_CLIENT_SECRET": "x"},
            r"OAUTH_INTROSPECTION_CLIENT_ID and OAUTH_INTROSPECTION_CLIENT_SECRET go together",
        ),
        (
            {"OAUTH_CLIENT_AUTH_METHOD": "private_key_jwt"},
            r"OAUTH_CLIENT_AUTH_METHOD='private_key_jwt' is not valid; expected one of client_secret_basic, "
            r"client_secret_post",
        ),
        (
            {"OAUTH_CLIENT2_AUTH_METHOD": "client_secret_post"},
            r"OAUTH_CLIENT2_AUTH_METHOD is set but OAUTH_CLIENT2_ID is not",
        ),
        (
            {**_OAUTH, "OAUTH_SCOPE": 'read "all"'},
            r"OAUTH_SCOPE='read \"all\"' is not a scope; expected space-separated scope tokens",
        ),
        (
            {**_OAUTH, "OAUTH_RESOURCE_INDICATOR": "api.example.com"},
            r"OAUTH_RESOURCE_INDICATOR='api.example.com' is not an absolute URI without a fragment",
        ),
        (
            {**_OAUTH, "OAUTH_RESOURCE_INDICATOR": "https://api.example.com/#v1"},
            r"OAUTH_RESOURCE_INDICATOR=.* is not an absolute URI without a fragment",
        ),
    ],
)
def test_bad_values_name_setting_and_expectation(values: dict[str, str], expected: str) -> None:
    with pytest.raises(SettingsError, match=expected):
        load_settings({}, environ=values)


def test_missing_env_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"--env-file .*missing.env: no such file"):
        load_settings({}, environ={}, env_file=tmp_path / "missing.env")


def test_env_example_documents_every_setting() -> None:
    example = (ROOT / ".env.example").read_text()
    missing = [s.env for s in SETTINGS if f"{s.env}=" not in example]
    assert not missing, f".env.example lacks {missing}"


def test_example_credentials_stay_within_rfc6749_appendix_a() -> None:
    # A comment or a value suggesting other characters would have people configure clients no
    # conforming server issues; docs/oauth-servers.md's env blocks are held to the same rule.
    for path in (ROOT / ".env.example", ROOT / "docs" / "oauth-servers.md"):
        lines = [line for line in path.read_text(encoding="utf-8").splitlines()
                 if re.match(r"\s*OAUTH_\w*_(ID|SECRET)=", line)]
        assert lines, f"{path.name} shows no client credentials"
        # The value, without the comment beside it.
        outside = [line for line in lines if not _VSCHAR.fullmatch(line.split("=", 1)[1].split(" #", 1)[0])]
        assert not outside, f"{path.name}: credentials outside VSCHAR: {outside}"


def test_the_oauth_target_settings_reach_its_settings() -> None:
    settings = load_settings({}, environ={
        **_OAUTH, "OAUTH_ISSUER": "https://tenant.auth0.example/", "OAUTH_SCOPE": "api://a/.default read",
        "OAUTH_AUDIENCE": "https://api.example", "OAUTH_RESOURCE_INDICATOR": "urn:example:api",
        "OAUTH_CLIENT_AUTH_METHOD": "client_secret_post", "OAUTH_INTROSPECTION_CLIENT_ID": "rs",
        "OAUTH_INTROSPECTION_CLIENT_SECRET": "rs-secret",
        "OAUTH_INTROSPECTION_CLIENT_AUTH_METHOD": "client_secret_basic",
    })
    assert settings.oauth["OAUTH_ISSUER"] == "https://tenant.auth0.example/"  # an issuer identifier, verbatim
    assert settings.oauth["OAUTH_SCOPE"] == "api://a/.default read"
    assert settings.oauth["OAUTH_RESOURCE_INDICATOR"] == "urn:example:api"
    assert settings.oauth["OAUTH_CLIENT_AUTH_METHOD"] == "client_secret_post"
    assert settings.oauth["OAUTH_INTROSPECTION_CLIENT_AUTH_METHOD"] == "client_secret_basic"


def test_empty_values_in_env_file_mean_unset(tmp_path: Path) -> None:
    settings = load_settings({}, environ={}, env_file=ROOT / ".env.example")
    assert settings.creatio_url is None and settings.fail_on == "must"


def test_unwritable_reports_dir_is_named(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(SettingsError, match=r"OAUTH_REPORTS_DIR=.*a-file/reports.*expected a writable folder"):
        load_settings({"OAUTH_REPORTS_DIR": str(blocker / "reports")}, environ={})


def test_loopback_http_is_allowed() -> None:
    settings = load_settings({}, environ={"OAUTH_TARGET": "creatio", "CREATIO_URL": "http://127.0.0.1:5000/"})
    assert settings.creatio_url == "http://127.0.0.1:5000"


def test_the_mock_settings_offer_exactly_the_mock_options() -> None:
    # targets/mock.py names the mock's choices without importing the mock (which starts nothing but
    # costs its web stack at start-up); the two lists must not drift apart.
    from typing import get_args

    from oauth_conformance.mock import options
    from oauth_conformance.targets import mock

    assert get_args(options.Profile) == mock.MOCK_PROFILES
    assert get_args(options.Deactivation) == mock.MOCK_DEACTIVATIONS
    assert get_args(options.PathStyle) == mock.MOCK_PATH_STYLES
    assert get_args(options.CreatioVersion) == mock.MOCK_CREATIO_VERSIONS
    assert get_args(options.Hosting) == mock.MOCK_HOSTINGS


# -- URLs ------------------------------------------------------------------------------------------

_URL_SETTINGS = ("CREATIO_URL", "CREATIO_IDENTITY_URL", "OAUTH_ISSUER", "OAUTH_TOKEN_URL", "OAUTH_RESOURCE_URL",
                 "OAUTH_DENIED_RESOURCE_URL")


def _with_url(name: str, url: str) -> dict[str, str]:
    """The least settings under which ``name`` is read, with ``url`` in it."""
    if name.startswith("CREATIO_"):
        return {"OAUTH_TARGET": "creatio", "CREATIO_URL": "https://crm.example", name: url}
    return {**_OAUTH, name: url}


@pytest.mark.parametrize("name", _URL_SETTINGS)
def test_a_url_with_user_information_is_refused_without_showing_it(name: str) -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings({}, environ=_with_url(name, "https://admin:hunter2-in-url@host.example/path"))
    message = str(refused.value)
    assert message.startswith(f"{name}=") and "user information" in message and "expected" in message
    assert "hunter2-in-url" not in message and "admin" not in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://[::1", r"its host is malformed \(an IPv6 address goes in brackets"),
        ("http://[::1]junk/", r"its host is malformed"),
        ("http://[zz::1]/", r"its host is malformed"),
        ("http://127.0.0.1:abc/", r"its port 'abc' is not a number from 1 to 65535"),
        ("http://127.0.0.1:70000/", r"its port '70000' is not a number from 1 to 65535"),
        ("http://127.0.0.1:0/", r"its port '0' is not a number from 1 to 65535"),
        ("https://host..example/", r"'host..example' is not a host name"),
        ("https://exa mple.example/", r"contains a space or a control character"),
        ("https://host.example/token#part", r"carries a fragment"),
        ("ftp://host.example/", r"is not a URL; expected an http\(s\) URL"),
        ("https:///token", r"is not a URL; expected an http\(s\) URL"),
        ("http://crm.example/", r"uses plain http to a non-loopback host"),
    ],
)
@pytest.mark.parametrize("name", _URL_SETTINGS)
def test_every_malformed_url_gets_one_line_naming_the_setting(name: str, url: str, expected: str) -> None:
    with pytest.raises(SettingsError, match=f"^{name}=.*{expected}") as refused:
        load_settings({}, environ=_with_url(name, url))
    assert "\n" not in str(refused.value) and "expected" in str(refused.value)


@pytest.mark.parametrize("name", ["CREATIO_URL", "OAUTH_ISSUER"])
def test_a_base_url_or_an_issuer_with_a_query_is_refused(name: str) -> None:
    with pytest.raises(SettingsError, match=rf"^{name}=.* carries a query"):
        load_settings({}, environ=_with_url(name, "https://host.example/base?tenant=1"))


def test_endpoint_urls_are_kept_as_given() -> None:
    settings = load_settings({}, environ={
        **_OAUTH, "OAUTH_TOKEN_URL": "https://as.example/o/token/", "OAUTH_RESOURCE_URL": "https://api.example/v1/?x=/",
        "OAUTH_DENIED_RESOURCE_URL": "https://[2001:db8::1]:8443/denied"})
    assert settings.oauth["OAUTH_TOKEN_URL"] == "https://as.example/o/token/"  # django-oauth-toolkit's shape
    assert settings.oauth["OAUTH_RESOURCE_URL"] == "https://api.example/v1/?x=/"
    assert settings.oauth["OAUTH_DENIED_RESOURCE_URL"] == "https://[2001:db8::1]:8443/denied"


def test_a_malformed_resource_indicator_is_refused_not_crashed_on() -> None:
    with pytest.raises(SettingsError, match=r"^OAUTH_RESOURCE_INDICATOR=.* is not an absolute URI"):
        load_settings({}, environ={**_OAUTH, "OAUTH_RESOURCE_INDICATOR": "https://[::1/api"})


# -- CA bundle and timeouts ------------------------------------------------------------------------


def test_a_ca_bundle_that_is_not_pem_is_refused(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not a certificate\n")
    der = tmp_path / "ca.der"
    der.write_bytes(b"\x30\x82\x01\x0a\x02\x82\x01\x01\x00")
    broken = tmp_path / "broken.pem"
    broken.write_text("-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n")
    for path, expected in ((text, "holds no PEM certificate"), (der, "holds no PEM certificate"),
                           (broken, "is not a valid PEM CA bundle"), (tmp_path, "no such file")):
        with pytest.raises(SettingsError, match=rf"^OAUTH_CA_BUNDLE=.*{expected}.*expected") as refused:
            load_settings({}, environ={"OAUTH_CA_BUNDLE": str(path)})
        assert "\n" not in str(refused.value)


def test_a_pem_ca_bundle_is_taken(tmp_path: Path) -> None:
    from oauth_conformance.mock.tls import issue_loopback_tls

    files = issue_loopback_tls(tmp_path)
    assert load_settings({}, environ={"OAUTH_CA_BUNDLE": str(files.ca)}).tls_verify == str(files.ca)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("10 s", "is not a number"), ("1_0", "is not a number"), ("0x10", "is not a number"), ("-1", "is not a number"),
     ("1e3", "is not a number"), ("0", "is too small"), ("601", "is too large; expected at most 600 seconds"),
     ("9" * 400, "is not a finite number"), ("²", "is not a number")],
)
def test_a_bad_timeout_gets_one_line(value: str, expected: str) -> None:
    with pytest.raises(SettingsError, match=rf"^OAUTH_TIMEOUT=.* {expected}"):
        load_settings({}, environ={"OAUTH_TIMEOUT": value})


@pytest.mark.parametrize("value", ["0.5", "10", "600", ".5"])
def test_a_timeout_in_range_is_taken(value: str) -> None:
    assert load_settings({}, environ={"OAUTH_TIMEOUT": value}).timeout == float(value)


def test_a_count_of_unicode_digits_is_refused() -> None:
    with pytest.raises(SettingsError, match=r"CREATIO_MAX_TECH_USERS='²' is not a count"):
        load_settings({}, environ={"CREATIO_MAX_TECH_USERS": "²"})


# -- spaces ------------------------------------------------------------------------------------------


def test_credentials_keep_their_spaces_exactly() -> None:
    # RFC 6749 Appendix A: client_id and client_secret are *VSCHAR, and VSCHAR includes the space.
    settings = load_settings({}, environ={**_OAUTH, "OAUTH_CLIENT_ID": " client id ",
                                          "OAUTH_CLIENT_SECRET": "  secret with spaces  "})
    assert settings.oauth["OAUTH_CLIENT_ID"] == " client id "
    assert settings.oauth["OAUTH_CLIENT_SECRET"] == "  secret with spaces  "


def test_a_quoted_secret_in_the_env_file_keeps_its_spaces(tmp_path: Path) -> None:
    env_file = tmp_path / "f.env"
    env_file.write_text("OAUTH_TARGET=oauth\nOAUTH_ISSUER=https://as.example\nOAUTH_CLIENT_ID=c\n"
                        "OAUTH_CLIENT_SECRET='  padded secret '\n")
    settings = load_settings({}, environ={}, env_file=env_file)
    assert settings.oauth["OAUTH_CLIENT_SECRET"] == "  padded secret "


@pytest.mark.parametrize(
    ("options", "environ", "expected"),
    [
        ({}, {"OAUTH_TIMEOUT": " 10"}, r"^OAUTH_TIMEOUT=' 10' has leading or trailing whitespace; expected"),
        ({}, {"OAUTH_TARGET": "mock "}, r"^OAUTH_TARGET='mock ' has leading or trailing whitespace"),
        ({"OAUTH_FAIL_ON": " should"}, {}, r"^--fail-on=' should' has leading or trailing whitespace"),
        ({}, {**_OAUTH, "OAUTH_ISSUER": " https://as.example"}, r"^OAUTH_ISSUER=' https://as.example' has leading"),
        ({}, {"CREATIO_ADMIN_USER": "Supervisor ", "CREATIO_ADMIN_PASSWORD": "p"},
         r"^CREATIO_ADMIN_USER='Supervisor ' has leading"),
        ({}, {**_OAUTH, "OAUTH_CLIENT_SECRET": "   "}, r"^OAUTH_CLIENT_SECRET is only whitespace; expected a value"),
    ],
)
def test_other_values_with_spaces_around_them_are_refused(
    options: dict[str, str], environ: dict[str, str], expected: str
) -> None:
    with pytest.raises(SettingsError, match=expected):
        load_settings(options, environ=environ)


def test_every_secret_read_is_registered_with_the_redactor() -> None:
    secret, password = "settings-secret-" + "7" * 16, "admin-password-" + "8" * 16
    load_settings({}, environ={**_OAUTH, "OAUTH_CLIENT2_ID": "c2", "OAUTH_CLIENT2_SECRET": secret,
                               "CREATIO_ADMIN_USER": "Supervisor", "CREATIO_ADMIN_PASSWORD": password})
    shown = REDACTOR.text(f"{secret} {password}")
    assert secret not in shown and password not in shown


# -- a token URL of any path depth ------------------------------------------------------------------


class _Metadata(BaseHTTPRequestHandler):
    """Serves an OpenID discovery document at the origin naming the token URL it is given."""

    token_path = "/"

    def do_GET(self) -> None:
        origin = f"http://{self.headers['Host']}"
        found = self.path == "/.well-known/openid-configuration"
        body = json.dumps({"issuer": origin, "token_endpoint": origin + self.token_path}).encode() if found else b""
        self.send_response(200 if found else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.mark.parametrize("path", ["", "/", "/token", "/token/", "/oauth/token", "/a/b/c/token", "/token?x=1"])
def test_a_token_url_of_any_path_depth_works(path: str) -> None:
    handler = type("Handler", (_Metadata,), {"token_path": path.split("?")[0] or "/"})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        settings = load_settings({}, environ={"OAUTH_TARGET": "oauth", "OAUTH_TOKEN_URL": origin + path,
                                              "OAUTH_CLIENT_ID": "c", "OAUTH_CLIENT_SECRET": "s"})
        with HttpClient(TransportPolicy(timeout=5), EvidenceLog()) as http:
            identity = TARGETS["oauth"].open(settings, http).standards(Cleanup()).identity
            assert identity.token_endpoint == origin + path
            assert identity.discovery()["issuer"] == origin
            assert (identity.base_url, identity.issuer) == (origin, origin)
            assert identity.discovery_url == f"{origin}/.well-known/openid-configuration"
            assert identity.reachable("http://elsewhere.example/jwks") == f"{origin}/jwks"
    finally:
        server.shutdown()
        server.server_close()


# -- exit 4 ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "expected", "hidden"),
    [
        ({"OAUTH_TARGET": "creatio", "CREATIO_URL": "https://admin:pw-in-url-1234@crm.example"},
         "CREATIO_URL='https://…@crm.example' carries user information", "pw-in-url-1234"),
        ({"OAUTH_TARGET": "creatio", "CREATIO_URL": "http://[::1"}, "CREATIO_URL='http://[::1' is not a URL", None),
        ({"OAUTH_TIMEOUT": "ten"}, "OAUTH_TIMEOUT='ten' is not a number", None),
    ],
)
def test_a_wrong_setting_ends_the_run_with_exit_4_and_one_line(
    tmp_path: Path, env: dict[str, str], expected: str, hidden: str | None
) -> None:
    run = run_suite(tmp_path, "-p", "no:hypothesispytest", "tests/conformance/test_discovery.py", env_file=env,
                    timeout=120)
    assert run.returncode == 4, run.stdout[-2000:] + run.stderr[-2000:]
    errors = [line for line in run.stderr.splitlines() if line.startswith("ERROR:")]
    assert len(errors) == 1 and expected in errors[0], run.stderr
    assert "INTERNALERROR" not in run.stderr and "Traceback" not in run.stderr + run.stdout
    if hidden:
        assert hidden not in run.stdout + run.stderr
