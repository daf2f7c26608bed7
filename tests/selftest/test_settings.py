"""Settings: precedence, validation, and messages that name the setting and what was expected."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from oauth_conformance.errors import SettingsError
from oauth_conformance.settings import SETTINGS, load_settings

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
        ({"OAUTH_TIMEOUT": "nan"}, r"OAUTH_TIMEOUT='nan' is not a finite number"),
        ({"OAUTH_TIMEOUT": "inf"}, r"OAUTH_TIMEOUT='inf' is not a finite number"),
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
