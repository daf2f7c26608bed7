"""Settings: from pytest options, the environment and an env file, in that order of precedence.

Every setting has one environment name (also the key in ``.env``); a few also have a pytest option,
which wins. A wrong or missing value raises SettingsError naming the setting and what was expected.
The chosen target validates what it needs (``targets.TARGETS``); the choices of a setting come from
where its values are defined (the registry, the gate, the catalogue's profiles, the mock target).

No value is silently changed. Client ids, secrets and passwords are taken exactly as given, spaces
included: RFC 6749 Appendix A allows a space anywhere in a client id or secret, and a server that issued
one expects it back byte for byte. Any other value with a leading or trailing space is refused, naming
the setting: a stray space there is a mistake the run would otherwise carry into a URL, a path or a name.
Every secret read is registered with the redactor at once, before anything can print it.
"""

from __future__ import annotations

import ipaddress
import math
import os
import re
import secrets
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar
from urllib.parse import urlsplit

from dotenv import dotenv_values

from oauth_conformance.catalogue import STANDARDS_PROFILES, StandardsProfile
from oauth_conformance.errors import SettingsError
from oauth_conformance.netutil import is_loopback
from oauth_conformance.redaction import REDACTOR
from oauth_conformance.targets import TARGET_NAMES, TARGETS, TargetName
from oauth_conformance.targets.creatio import HOSTINGS, PATH_STYLES, Hosting, PathStyle
from oauth_conformance.targets.identity import AUTH_METHODS
from oauth_conformance.targets.mock import (
    MOCK_CREATIO_VERSIONS,
    MOCK_DEACTIVATIONS,
    MOCK_HOSTINGS,
    MOCK_PATH_STYLES,
    MOCK_PROFILES,
    MockCreatioVersion,
    MockDeactivation,
    MockHosting,
    MockPathStyle,
    MockProfile,
    check_switches,
)
from oauth_conformance.targets.oauth import CLIENT_PREFIXES
from oauth_conformance.verdicts.levels import GATE, FailOn

if TYPE_CHECKING:  # the mock package is heavy to import, and settings need only the type
    from oauth_conformance.mock.tls import TlsFiles

__all__ = [
    "RUN_PREFIX_FAMILY",
    "SEARCH_MODES",
    "SETTINGS",
    "SearchMode",
    "Setting",
    "Settings",
    "env_file_in",
    "load_settings",
    "option_value",
    "setting_help",
]

Choice = TypeVar("Choice", bound=str)

# Every default run prefix starts with this; the leftovers of other runs are found by it.
RUN_PREFIX_FAMILY = "occ-"


@dataclass(frozen=True)
class Setting:
    env: str
    help: str
    option: str | None = None
    default: str | None = None
    choices: tuple[str, ...] | None = None


# OAUTH_SEARCH: whether the search runs (auto: against the bundled mock only).
SearchMode = Literal["auto", "on", "off"]
SEARCH_MODES: tuple[SearchMode, ...] = ("auto", "on", "off")
# The bundled mock applies a deactivation at once, or within 1.5 s (the deactivation-delay variant): twice
# that, so that a slow answer under load never makes the variant look like a fault.
_MOCK_DEACTIVATION_WAIT = 3.0
_REAL_TARGET_SEARCH_RATE = 5.0
_REAL_TARGET_SEARCH_REQUESTS = 4000
# Against the bundled mock the search's requests are loopback traffic: its budget is its examples.
_UNLIMITED_REQUESTS = 10**9

# The outward interface (DESIGN.md): option and variable names are fixed; add, never rename.
SETTINGS: tuple[Setting, ...] = (
    Setting("OAUTH_TARGET", "what to run against", "--target", "mock", TARGET_NAMES),
    Setting("MOCK_PROFILE", "the bundled mock's behaviour", "--mock-profile", "creatio", MOCK_PROFILES),
    Setting(
        "MOCK_DEACTIVATION",
        "how the mock's API treats tokens issued before deactivation: per-request (newer Creatio) "
        "or until-expiry (8.1)",
        "--mock-deactivation",
        "per-request",
        MOCK_DEACTIVATIONS,
    ),
    Setting("MOCK_PATH_STYLE", "the mock's service paths", "--mock-path-style", "netframework", MOCK_PATH_STYLES),
    Setting("MOCK_CREATIO_VERSION", "the Creatio generation the mock reproduces", "--mock-creatio-version",
            MOCK_CREATIO_VERSIONS[-1], MOCK_CREATIO_VERSIONS),
    Setting("MOCK_HOSTING", "whether the mock is an on-site or a cloud Creatio", "--mock-hosting", "onsite",
            MOCK_HOSTINGS),
    Setting("MOCK_DEFECTS", "comma-separated seeded defects to switch on in the mock", "--mock-defects", ""),
    Setting("MOCK_TLS", "serve the bundled mock over https, with a CA of its own that the run trusts",
            "--mock-tls", "false", ("true", "false")),
    Setting("OAUTH_WAIVERS", "waiver files, comma-separated", None, None),
    Setting("OAUTH_FAIL_ON", "lowest level that fails the gate", "--fail-on", "must", tuple(GATE)),
    Setting("OAUTH_BASELINE", "an earlier run's conformance.json: the summary and reports show what changed since",
            "--baseline", None),
    Setting("OAUTH_FAIL_ON_REGRESSION", "fail the gate when a requirement's verdict got worse than in the baseline "
            "(true/false; the option --fail-on-regression sets it)", None, "false", ("true", "false")),
    Setting("OAUTH_STANDARDS_PROFILE", "standards profile", "--standards-profile", "rfc-strict", STANDARDS_PROFILES),
    Setting("OAUTH_TIMEOUT", "seconds to wait for any one HTTP exchange", "--http-timeout", "10"),
    Setting("OAUTH_CA_BUNDLE", "CA bundle for TLS verification", None, None),
    Setting("OAUTH_TLS_VERIFY", "verify TLS certificates (true/false)", None, "true"),
    Setting("OAUTH_REPORTS_DIR", "where reports are written", "--reports-dir", "reports"),
    Setting("OAUTH_RUN_PREFIX", "name prefix of everything the run creates", None, None),
    Setting("CREATIO_URL", "Creatio site root, e.g. https://mycompany.creatio.com", None, None),
    Setting("CREATIO_IDENTITY_URL", "Identity Service base URL, e.g. https://mycompany-is.creatio.com", None, None),
    Setting("CREATIO_PATH_STYLE", "service paths: auto, netframework (/0/...) or netcore (no /0)", None, "auto",
            PATH_STYLES),
    Setting("CREATIO_HOSTING", "auto (cloud for *.creatio.com), onsite or cloud: the Diagnostic tab gates on-site only",
            None, "auto", HOSTINGS),
    Setting("CREATIO_ADMIN_USER", "administrator login (enables the managed scenarios)", None, None),
    Setting("CREATIO_ADMIN_PASSWORD", "administrator password", None, None),
    Setting("CREATIO_TECH_USER", "name of an existing technical user with the rights below", None, None),
    Setting("CREATIO_ALLOWED_ENTITY", "an entity CREATIO_TECH_USER may read", None, None),
    Setting("CREATIO_DENIED_ENTITY", "an entity CREATIO_TECH_USER may not read", None, None),
    Setting("CREATIO_CLIENT_ID", "the integration to watch (oauth-conformance health): its Client Id", None, None),
    Setting("CREATIO_CLIENT_SECRET", "the integration to watch: its Client secret", None, None),
    Setting("OAUTH_ISSUER", "oauth target: the issuer identifier; its metadata is read from the OpenID discovery "
            "document, else the RFC 8414 metadata", None, None),
    Setting("OAUTH_TOKEN_URL", "oauth target: token endpoint URL (default: from the metadata)", None, None),
    Setting("OAUTH_CLIENT_ID", "oauth target: a client allowed the client_credentials grant", None, None),
    Setting("OAUTH_CLIENT_SECRET", "oauth target: its secret", None, None),
    Setting("OAUTH_CLIENT_AUTH_METHOD", "oauth target: how the client authenticates, client_secret_basic or "
            "client_secret_post (default: whichever obtains a token, Basic first)", None, None, AUTH_METHODS),
    Setting("OAUTH_SCOPE", "oauth target: scope sent with every client-credentials token request, e.g. "
            "api://<application id>/.default for Entra ID", None, None),
    Setting("OAUTH_AUDIENCE", "oauth target: audience sent with every token request (Auth0: the API identifier)",
            None, None),
    Setting("OAUTH_RESOURCE_INDICATOR", "oauth target: RFC 8707 resource sent with every token request, an "
            "absolute URI", None, None),
    Setting("OAUTH_CLIENT2_ID", "oauth target: a second client (for cross-client checks)", None, None),
    Setting("OAUTH_CLIENT2_SECRET", "oauth target: its secret", None, None),
    Setting("OAUTH_CLIENT2_AUTH_METHOD", "oauth target: how it authenticates (default: as the first client)", None,
            None, AUTH_METHODS),
    Setting("OAUTH_DISABLED_CLIENT_ID", "oauth target: a deactivated client", None, None),
    Setting("OAUTH_DISABLED_CLIENT_SECRET", "oauth target: its secret", None, None),
    Setting("OAUTH_DISABLED_CLIENT_AUTH_METHOD", "oauth target: how it authenticates (default: as the first "
            "client)", None, None, AUTH_METHODS),
    Setting("OAUTH_RESOURCE_URL", "oauth target: a protected resource answering 2xx to a valid token (GET)", None,
            None),
    Setting("OAUTH_DENIED_RESOURCE_URL", "oauth target: a resource the client's token is valid for but may not read",
            None, None),
    Setting("OAUTH_PUBLIC_CLIENT_ID", "oauth target: a client registered without a secret (a public client)",
            None, None),
    Setting("OAUTH_SPECIAL_CLIENT_ID", "oauth target: a client whose id or secret contains characters "
            "form-urlencoding changes (: + % & = / space; printable ASCII, RFC 6749 Appendix A)", None, None),
    Setting("OAUTH_SPECIAL_CLIENT_SECRET", "oauth target: its secret", None, None),
    Setting("OAUTH_SPECIAL_CLIENT_AUTH_METHOD", "oauth target: how it authenticates (default: as the first "
            "client)", None, None, AUTH_METHODS),
    Setting("OAUTH_INTROSPECTION_CLIENT_ID", "oauth target: a caller the introspection endpoint authorizes "
            "(RFC 7662 §2.1), e.g. a resource server (default: the client introspects its own tokens)", None, None),
    Setting("OAUTH_INTROSPECTION_CLIENT_SECRET", "oauth target: its secret", None, None),
    Setting("OAUTH_INTROSPECTION_CLIENT_AUTH_METHOD", "oauth target: how it authenticates (default: as the "
            "first client)", None, None, AUTH_METHODS),
    Setting("CREATIO_DEACTIVATION_WAIT", "seconds to keep probing an earlier token after deactivation (default "
            "10; 3 for the bundled mock, which applies a deactivation within 1.5 s)", None, None),
    Setting("OAUTH_SEARCH", "the search (the lifecycle state machine and the token endpoint and API properties): "
            "auto runs it against the bundled mock only; on a real target it creates and changes integrations and "
            "sends hundreds of requests, so it runs there only when on", "--search", "auto", SEARCH_MODES),
    Setting("OAUTH_SEARCH_SEQUENCES", "lifecycle sequences the state machine tries", None, "30"),
    Setting("OAUTH_SEARCH_STEPS", "steps per lifecycle sequence, at most", None, "10"),
    Setting("OAUTH_SEARCH_EXAMPLES", "variants each property tries (token requests, mutated access tokens)", None,
            "150"),
    Setting("OAUTH_SEARCH_REQUESTS", "at most this many HTTP requests per search (three searches a run), cleanup "
            "included (default: 4000 on a real target, unlimited against the bundled mock)", None, None),
    Setting("OAUTH_SEARCH_RATE", "at most this many requests a second during a search (default: 5 on a real "
            "target, unlimited against the bundled mock)", None, None),
    Setting("OAUTH_SEARCH_DERANDOMIZE", "the same examples every run (true/false; default: true when the CI "
            "variable is set, as CI services set it)", None, None, ("true", "false")),
    Setting("CREATIO_CREATE_TECH_USERS", "creatio target: let scenarios create technical users of their own "
            "(each is deleted through AdministrationService/DeleteUser, else listed)", None, "false",
            ("true", "false")),
    Setting("CREATIO_MAX_TECH_USERS", "creatio target: at most this many technical users created per run", None,
            "12"),
)
_BY_ENV = {s.env: s for s in SETTINGS}
# The oauth target's settings, kept together in ``Settings.oauth``.
_OAUTH_TARGET_SETTINGS = TARGETS["oauth"].settings


def setting_help(name: str) -> str:
    """What the setting ``name`` expects, as its help says."""
    return _BY_ENV[name].help


@dataclass(frozen=True)
class Settings:
    target: TargetName
    mock_profile: MockProfile
    mock_deactivation: MockDeactivation
    mock_path_style: MockPathStyle
    mock_creatio_version: MockCreatioVersion
    mock_hosting: MockHosting
    mock_defects: frozenset[str]
    fail_on: FailOn
    standards_profile: StandardsProfile
    waivers: tuple[Path, ...] | None
    timeout: float
    tls_verify: bool | str
    reports_dir: Path
    run_prefix: str
    creatio_url: str | None
    creatio_identity_url: str | None
    creatio_path_style: PathStyle
    creatio_hosting: Hosting
    admin_user: str | None
    admin_password: str | None = field(repr=False)
    tech_user: str | None
    allowed_entity: str | None
    denied_entity: str | None
    deactivation_wait: float
    create_tech_users: bool
    max_tech_users: int
    oauth: dict[str, str | None] = field(default_factory=dict, repr=False)
    sources: dict[str, str] = field(default_factory=dict, compare=False)
    mock_tls: bool = False
    # An earlier run's conformance.json to compare with, and whether a regression fails the gate.
    baseline: Path | None = None
    fail_on_regression: bool = False
    # The mock's certificate files once issued (the mock target's prepare step); the run trusts their CA.
    mock_tls_files: TlsFiles | None = None
    # The pytest-xdist worker this process is ("w0", "w1", ...), empty in a run of one process. Every
    # worker shares the run's prefix, so none takes another's objects for an earlier run's leftovers.
    worker: str = ""
    # Where the workers of one run count the technical users they create (CREATIO_MAX_TECH_USERS is the
    # run's), None in a run of one process.
    tech_user_ledger: Path | None = None
    # The integration ``oauth-conformance health`` watches on a Creatio, with its own credentials.
    creatio_client_id: str | None = None
    creatio_client_secret: str | None = field(default=None, repr=False)
    # The search (oauth_conformance.search): whether it runs, how far it explores, what it may send.
    search: SearchMode = "auto"
    search_sequences: int = 30
    search_steps: int = 10
    search_examples: int = 150
    search_requests: int = 4000
    # Requests a second; None: unlimited.
    search_rate: float | None = None
    search_derandomize: bool = False

    @property
    def search_runs(self) -> bool:
        """Whether the search runs: asked for, or by default against the bundled mock."""
        return self.search == "on" or (self.search == "auto" and self.target == "mock")

    @property
    def names_prefix(self) -> str:
        """What this process names what it creates with: the run's prefix, then its worker's, so that
        two workers' scenarios never save one name."""
        return f"{self.run_prefix}{self.worker}-" if self.worker else self.run_prefix


# Settings read exactly as given (see the module's docstring): credentials, where a space is a character.
_VERBATIM = frozenset(s.env for s in SETTINGS if s.env.endswith(("_ID", "_SECRET", "_PASSWORD")))
# Settings whose value is a secret: registered with the redactor as soon as they are read.
_SECRET_SETTINGS = frozenset(s.env for s in SETTINGS if s.env.endswith(("_SECRET", "_PASSWORD")))
# Upper bounds: beyond them a silent server would hold a run for longer than any CI job waits.
_MAX_TIMEOUT = 600.0
_MAX_DEACTIVATION_WAIT = 3600.0

_SCHEME_AND_USERINFO = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://(?P<userinfo>[^/?#]*)@")
_NETLOC = re.compile(r"^(?:\[(?P<ip6>[^\]]*)\]|(?P<host>[^:\[\]]+))(?::(?P<port>[^:]*))?$")
_HOST = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?")
_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")
_EXAMPLE_URL = "expected an http(s) URL such as https://host.example"


def _refuse_userinfo(name: str, value: str) -> None:
    """A URL with ``user:password@`` would print the password wherever the URL is shown: refused, and
    the message shows the URL without it."""
    match = _SCHEME_AND_USERINFO.match(value)
    if match:
        shown = value[: match.start("userinfo")] + "…" + value[match.end("userinfo"):]
        raise SettingsError(
            f"{name}={shown!r} carries user information (user:password@); expected the URL without it, "
            "with credentials in their own settings"
        )


def _host_problem(netloc: str) -> str | None:
    """What is wrong with a URL's host and port, or None."""
    match = _NETLOC.fullmatch(netloc)
    if match is None:
        return "its host is malformed (an IPv6 address goes in brackets, e.g. http://[::1]:8080)"
    if match["ip6"] is not None:
        try:
            ipaddress.IPv6Address(match["ip6"].replace("%25", "%"))
        except ValueError:
            return f"[{match['ip6']}] is not an IPv6 address"
    else:
        try:
            ascii_host = match["host"].encode("idna").decode("ascii")
        except UnicodeError:
            ascii_host = ""
        if not _HOST.fullmatch(ascii_host):
            return f"{match['host']!r} is not a host name"
    port = match["port"]
    if port and not (port.isascii() and port.isdigit() and 1 <= int(port) <= 65535):
        return f"its port {port!r} is not a number from 1 to 65535"
    return None


def _url(name: str, value: str | None, *, base: bool = False) -> str | None:
    """A validated http(s) URL, as given (``base``: without a terminating "/", for a base URL that paths
    are appended to). Refused: user information, a malformed host or port, a fragment, and plain http
    to anything but loopback."""
    if value is None or value == "":
        return None
    _refuse_userinfo(name, value)
    if any(ch.isspace() or not ch.isprintable() for ch in value):
        raise SettingsError(f"{name}={value!r} contains a space or a control character; {_EXAMPLE_URL}, "
                            "with spaces percent-encoded (%20)")
    try:
        parts = urlsplit(value)
    except ValueError:  # urllib refuses unbalanced IPv6 brackets
        raise SettingsError(f"{name}={value!r} is not a URL: its host is malformed (an IPv6 address goes in "
                            f"brackets, e.g. http://[::1]:8080); {_EXAMPLE_URL}") from None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SettingsError(f"{name}={value!r} is not a URL; {_EXAMPLE_URL}")
    problem = _host_problem(parts.netloc)
    if problem:
        raise SettingsError(f"{name}={value!r} is not a URL: {problem}; {_EXAMPLE_URL}")
    if parts.fragment or value.endswith("#"):
        raise SettingsError(f"{name}={value!r} carries a fragment (#...); expected the URL without it")
    if (base or name == "OAUTH_ISSUER") and (parts.query or "?" in value):
        # RFC 8414 §2: an issuer has no query; a base URL gets paths appended, which a query would follow.
        raise SettingsError(f"{name}={value!r} carries a query (?...); expected the URL without it")
    if parts.scheme == "http" and not is_loopback(parts.hostname or ""):
        # Credentials would cross the network in clear (DESIGN: rules for real targets).
        raise SettingsError(f"{name}={value!r} uses plain http to a non-loopback host; expected an https URL")
    return value.rstrip("/") if base else value


def _uri(name: str, value: str | None) -> str | None:
    """An absolute URI that is sent as a parameter (a resource indicator): it must parse; the target
    says what else it must be."""
    if value is None:
        return None
    _refuse_userinfo(name, value)
    try:
        urlsplit(value)
    except ValueError:
        raise SettingsError(f"{name}={value!r} is not an absolute URI: its host is malformed; expected e.g. "
                            "https://api.example.com (RFC 8707 §2)") from None
    return value


def _ca_bundle(value: str) -> str:
    """A readable PEM file holding at least one certificate that the TLS library can load."""
    path = Path(value)
    if not path.is_file():
        raise SettingsError(f"OAUTH_CA_BUNDLE={value!r}: no such file; expected a PEM CA bundle")
    try:
        content = path.read_bytes()
    except OSError as error:
        raise SettingsError(f"OAUTH_CA_BUNDLE={value!r}: {error.strerror}; expected a readable PEM CA bundle") from None
    if b"-----BEGIN CERTIFICATE-----" not in content and b"-----BEGIN TRUSTED CERTIFICATE-----" not in content:
        raise SettingsError(f"OAUTH_CA_BUNDLE={value!r} holds no PEM certificate (-----BEGIN CERTIFICATE-----); "
                            "expected a PEM CA bundle (a DER file converts with openssl x509 -inform der)")
    try:
        ssl.create_default_context(cafile=value)
    except ssl.SSLError as error:
        raise SettingsError(f"OAUTH_CA_BUNDLE={value!r} is not a valid PEM CA bundle ({error.reason or error}); "
                            "expected PEM certificates") from None
    return value


def _number(name: str, value: str, minimum: float, maximum: float) -> float:
    if not _DECIMAL.fullmatch(value):
        raise SettingsError(f"{name}={value!r} is not a number; expected seconds, e.g. 10")
    number = float(value)
    if not math.isfinite(number):
        raise SettingsError(f"{name}={value!r} is not a finite number; expected seconds, e.g. 10")
    if number < minimum:
        raise SettingsError(f"{name}={value!r} is too small; expected at least {minimum:g}")
    if number > maximum:
        raise SettingsError(f"{name}={value!r} is too large; expected at most {maximum:g} seconds")
    return number


def _count(name: str, value: str) -> int:
    if not (value.isascii() and value.isdigit()):
        raise SettingsError(f"{name}={value!r} is not a count; expected a whole number, e.g. 12")
    return int(value)


def _is_flag_true(value: str | None) -> bool:
    """Whether a variable such as CI is set to something true (CI services set CI=true; CI=false is no CI)."""
    return value is not None and value.strip().lower() not in ("", "0", "false", "no", "off")


def _positive(name: str, value: str) -> int:
    count = _count(name, value)
    if count < 1:
        raise SettingsError(f"{name}={value!r} is too small; expected at least 1")
    return count


def _deactivation_wait(value: str | None, target: TargetName) -> float:
    if value is None:
        return _MOCK_DEACTIVATION_WAIT if target == "mock" else 10.0
    return _number("CREATIO_DEACTIVATION_WAIT", value, 0, _MAX_DEACTIVATION_WAIT)


def _search_rate(value: str | None, target: TargetName) -> float | None:
    """Requests a second during a search: gentle on a real target unless told otherwise."""
    if value is None:
        return None if target == "mock" else _REAL_TARGET_SEARCH_RATE
    rate = _number("OAUTH_SEARCH_RATE", value, 0, 10_000)
    if rate == 0:
        raise SettingsError("OAUTH_SEARCH_RATE='0' is too small; expected requests a second, more than 0")
    return rate


def _flag(name: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name}={value!r} is not a boolean; expected true or false")


def env_file_in(folder: Path) -> Path | None:
    """The settings file a run reads when none is named: ``.env`` in ``folder``, if there is one."""
    candidate = folder / ".env"
    return candidate if candidate.is_file() else None


def _default_run_prefix() -> str:
    # Short enough to fit Creatio's name columns beside a label, unique per run, easy to spot and delete.
    return f"{RUN_PREFIX_FAMILY}{time.strftime('%m%d%H%M')}-{secrets.token_hex(2)}-"


def load_settings(
    options: Mapping[str, str | None],
    environ: Mapping[str, str] | None = None,
    env_file: Path | None = None,
    read_env_file: Callable[[Path], Mapping[str, str | None]] = dotenv_values,
) -> Settings:
    """Resolve every setting: option > environment > env file > default, then validate."""
    environ = os.environ if environ is None else environ
    file_values: Mapping[str, str | None] = {}
    if env_file is not None:
        if not env_file.is_file():
            raise SettingsError(f"--env-file {env_file}: no such file; expected a .env file (see .env.example)")
        try:
            file_values = read_env_file(env_file)
        except (OSError, UnicodeDecodeError) as error:
            reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
            raise SettingsError(f"--env-file {env_file}: {reason}; expected a readable .env file") from None

    raw: dict[str, str | None] = {}
    sources: dict[str, str] = {}
    for setting in SETTINGS:
        for source, value in (
            ("option", options.get(setting.env)),
            ("environment", environ.get(setting.env)),
            ("env file", file_values.get(setting.env)),
            ("default", setting.default),
        ):
            # An empty value means "not set here": .env.example leaves optional settings empty.
            if value is None or value == "":
                continue
            raw[setting.env], sources[setting.env] = _as_given(setting, source, value), source
            break
        else:
            raw[setting.env] = None
        value = raw[setting.env]
        if setting.env in _SECRET_SETTINGS:
            REDACTOR.register(value)
        if setting.choices and value is not None and value not in setting.choices:
            shown = setting.option or setting.env
            raise SettingsError(f"{shown}={value!r} is not valid; expected one of {', '.join(setting.choices)}")

    def get(name: str) -> str | None:
        return raw[name]

    def required(name: str) -> str:
        value = get(name)
        if value is None:
            raise SettingsError(f"{name} is not set; expected {_BY_ENV[name].help}")
        return value

    def chosen(name: str, choices: tuple[Choice, ...]) -> Choice:
        # The value as the type of its choices; the loop above refused any other.
        value = required(name)
        return next(choice for choice in choices if choice == value)

    verify: bool | str = _flag("OAUTH_TLS_VERIFY", required("OAUTH_TLS_VERIFY"))
    ca_bundle = get("OAUTH_CA_BUNDLE")
    if ca_bundle:
        if verify is False:
            raise SettingsError(
                "OAUTH_CA_BUNDLE is set but OAUTH_TLS_VERIFY=false turns verification off; expected one of the two"
            )
        verify = _ca_bundle(ca_bundle)
    waiver_setting = get("OAUTH_WAIVERS")
    waivers: tuple[Path, ...] | None = None  # None: the target's default waivers
    if waiver_setting == "none":
        waivers = ()
    elif waiver_setting:
        waivers = tuple(Path(p.strip()) for p in waiver_setting.split(",") if p.strip())
        missing = [str(p) for p in waivers if not p.is_file()]
        if missing:
            raise SettingsError(f"--waivers / OAUTH_WAIVERS: no such file {', '.join(missing)}; expected waiver files")
    defects = frozenset(d.strip() for d in (get("MOCK_DEFECTS") or "").split(",") if d.strip())
    mock_tls = _flag("MOCK_TLS", required("MOCK_TLS"))
    baseline = Path(value) if (value := get("OAUTH_BASELINE")) else None
    fail_on_regression = _flag("OAUTH_FAIL_ON_REGRESSION", required("OAUTH_FAIL_ON_REGRESSION"))
    if fail_on_regression and baseline is None:
        raise SettingsError(
            "--fail-on-regression / OAUTH_FAIL_ON_REGRESSION=true compares with a baseline; expected --baseline "
            "PATH (OAUTH_BASELINE) too"
        )
    check_switches(defects, mock_tls)
    reports_dir = Path(required("OAUTH_REPORTS_DIR"))
    try:
        reports_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise SettingsError(
            f"--reports-dir / OAUTH_REPORTS_DIR={str(reports_dir)!r}: {error.strerror}; expected a writable folder"
        ) from None
    if bool(get("CREATIO_ADMIN_USER")) != bool(get("CREATIO_ADMIN_PASSWORD")):
        raise SettingsError("CREATIO_ADMIN_USER and CREATIO_ADMIN_PASSWORD go together; expected both or neither")
    if bool(get("CREATIO_CLIENT_ID")) != bool(get("CREATIO_CLIENT_SECRET")):
        raise SettingsError("CREATIO_CLIENT_ID and CREATIO_CLIENT_SECRET go together; expected both or neither")
    target = chosen("OAUTH_TARGET", TARGET_NAMES)
    settings = Settings(
        target=target,
        mock_profile=chosen("MOCK_PROFILE", MOCK_PROFILES),
        mock_deactivation=chosen("MOCK_DEACTIVATION", MOCK_DEACTIVATIONS),
        mock_path_style=chosen("MOCK_PATH_STYLE", MOCK_PATH_STYLES),
        mock_creatio_version=chosen("MOCK_CREATIO_VERSION", MOCK_CREATIO_VERSIONS),
        mock_hosting=chosen("MOCK_HOSTING", MOCK_HOSTINGS),
        mock_defects=defects,
        mock_tls=mock_tls,
        baseline=baseline,
        fail_on_regression=fail_on_regression,
        fail_on=chosen("OAUTH_FAIL_ON", tuple(GATE)),
        standards_profile=chosen("OAUTH_STANDARDS_PROFILE", STANDARDS_PROFILES),
        waivers=waivers,
        timeout=_number("OAUTH_TIMEOUT", required("OAUTH_TIMEOUT"), 0.1, _MAX_TIMEOUT),
        tls_verify=verify,
        reports_dir=reports_dir,
        run_prefix=get("OAUTH_RUN_PREFIX") or _default_run_prefix(),
        creatio_url=_url("CREATIO_URL", get("CREATIO_URL"), base=True),
        creatio_identity_url=_url("CREATIO_IDENTITY_URL", get("CREATIO_IDENTITY_URL"), base=True),
        creatio_path_style=chosen("CREATIO_PATH_STYLE", PATH_STYLES),
        creatio_hosting=chosen("CREATIO_HOSTING", HOSTINGS),
        admin_user=get("CREATIO_ADMIN_USER"),
        admin_password=get("CREATIO_ADMIN_PASSWORD"),
        tech_user=get("CREATIO_TECH_USER"),
        allowed_entity=get("CREATIO_ALLOWED_ENTITY"),
        denied_entity=get("CREATIO_DENIED_ENTITY"),
        deactivation_wait=_deactivation_wait(get("CREATIO_DEACTIVATION_WAIT"), target),
        create_tech_users=_flag("CREATIO_CREATE_TECH_USERS", required("CREATIO_CREATE_TECH_USERS")),
        max_tech_users=_count("CREATIO_MAX_TECH_USERS", required("CREATIO_MAX_TECH_USERS")),
        creatio_client_id=get("CREATIO_CLIENT_ID"),
        creatio_client_secret=get("CREATIO_CLIENT_SECRET"),
        search=chosen("OAUTH_SEARCH", SEARCH_MODES),
        search_sequences=_positive("OAUTH_SEARCH_SEQUENCES", required("OAUTH_SEARCH_SEQUENCES")),
        search_steps=_positive("OAUTH_SEARCH_STEPS", required("OAUTH_SEARCH_STEPS")),
        search_examples=_positive("OAUTH_SEARCH_EXAMPLES", required("OAUTH_SEARCH_EXAMPLES")),
        search_requests=(_positive("OAUTH_SEARCH_REQUESTS", value) if (value := get("OAUTH_SEARCH_REQUESTS"))
                         else _UNLIMITED_REQUESTS if target == "mock" else _REAL_TARGET_SEARCH_REQUESTS),
        search_rate=_search_rate(get("OAUTH_SEARCH_RATE"), target),
        search_derandomize=_flag("OAUTH_SEARCH_DERANDOMIZE", get("OAUTH_SEARCH_DERANDOMIZE") or (
            "true" if _is_flag_true(environ.get("CI")) else "false")),
        oauth={name: _oauth_value(name, get(name)) for name in _OAUTH_TARGET_SETTINGS},
        sources=sources,
    )
    TARGETS[settings.target].validate(settings)
    for first, second in (
        ("OAUTH_CLIENT2_ID", "OAUTH_CLIENT2_SECRET"),
        ("OAUTH_DISABLED_CLIENT_ID", "OAUTH_DISABLED_CLIENT_SECRET"),
        ("OAUTH_SPECIAL_CLIENT_ID", "OAUTH_SPECIAL_CLIENT_SECRET"),
        ("OAUTH_INTROSPECTION_CLIENT_ID", "OAUTH_INTROSPECTION_CLIENT_SECRET"),
    ):
        if bool(settings.oauth[first]) != bool(settings.oauth[second]):
            raise SettingsError(f"{first} and {second} go together; expected both or neither")
    for prefix in CLIENT_PREFIXES:
        # A method for a client that is not there would silently do nothing.
        if settings.oauth[f"{prefix}_AUTH_METHOD"] and not settings.oauth[f"{prefix}_ID"]:
            raise SettingsError(f"{prefix}_AUTH_METHOD is set but {prefix}_ID is not; expected the client with it")
    return settings


def _as_given(setting: Setting, source: str, value: str) -> str:
    """The value exactly as given, or a SettingsError: a value of only spaces, or one with spaces around
    it for a setting that is no credential (see the module's docstring)."""
    shown = setting.option if source == "option" and setting.option else setting.env
    if not value.strip():
        raise SettingsError(f"{shown} is only whitespace; expected a value, or nothing to leave it unset")
    if value != value.strip() and setting.env not in _VERBATIM:
        raise SettingsError(f"{shown}={value!r} has leading or trailing whitespace; expected the value without it")
    return value


def _oauth_value(name: str, value: str | None) -> str | None:
    # Endpoint URLs and the issuer as given: a server may tell "/token/" from "/token", and RFC 8414 §3.3
    # compares an issuer character for character.
    if name.endswith("_URL") or name == "OAUTH_ISSUER":
        return _url(name, value)
    return _uri(name, value) if name == "OAUTH_RESOURCE_INDICATOR" else value


def option_value(config_value: Any) -> str | None:
    """pytest gives None for an option the user did not pass."""
    return None if config_value is None else str(config_value)
