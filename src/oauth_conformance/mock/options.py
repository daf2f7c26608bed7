"""Options of the bundled mock (what ``start_mock`` and the CLI accept)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, get_args

from .defects import PLAIN_HTTP_SWITCHES, needing_tls, validate_switch_names
from .generations import Generation, generation
from .tls import TlsFiles

__all__ = [
    "CREATIO_VERSIONS",
    "DEACTIVATIONS",
    "HOSTINGS",
    "PATH_STYLES",
    "PROFILES",
    "CreatioVersion",
    "Deactivation",
    "Hosting",
    "MockOptions",
    "PathStyle",
    "Profile",
]

Profile = Literal["compliant", "creatio"]
Deactivation = Literal["per-request", "until-expiry"]
PathStyle = Literal["netframework", "netcore"]
# The Creatio generations the mock reproduces (docs/creatio-generations.md); the newest is the default.
CreatioVersion = Literal["8.0", "8.1", "8.2", "8.3"]
Hosting = Literal["onsite", "cloud"]

PROFILES: tuple[str, ...] = get_args(Profile)
DEACTIVATIONS: tuple[str, ...] = get_args(Deactivation)
PATH_STYLES: tuple[str, ...] = get_args(PathStyle)
CREATIO_VERSIONS: tuple[str, ...] = get_args(CreatioVersion)
HOSTINGS: tuple[str, ...] = get_args(Hosting)


def _check_choice(name: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}, not {value!r}")


CREATIO_TOKEN_LIFETIME = 3600
COMPLIANT_TOKEN_LIFETIME = 600

@dataclass(frozen=True)
class MockOptions:
    """How the mock behaves.

    ``profile``: ``creatio`` reproduces Creatio's documented and inferred behaviour
    (creatio-oauth.md); ``compliant`` follows every MUST and SHOULD of the requirements catalogue.
    ``deactivation``: ``per-request`` is the newer builds' check of the OAuthClientApp row on every
    Bearer call, ``until-expiry`` the 8.1 behaviour where issued tokens live until ``exp``
    (creatio-oauth.md §2.2, §7). ``path_style``: ``netframework`` serves the application under
    ``/0/``, ``netcore`` at the site root (§2.1). ``creatio_version``: the generation whose
    OAuthConfigService, AdministrationService, health check and Identity Service the mock reproduces
    (``generations.py``). ``hosting``: ``cloud`` is a Creatio-managed instance, ``onsite`` one the
    customer runs.
    """

    profile: Profile = "creatio"
    deactivation: Deactivation = "per-request"
    path_style: PathStyle = "netframework"
    creatio_version: CreatioVersion = "8.3"
    hosting: Hosting = "onsite"
    defects: frozenset[str] = field(default_factory=frozenset)
    host: str = "127.0.0.1"
    creatio_port: int = 0
    identity_port: int = 0
    issuer: str | None = None
    public_identity_url: str | None = None
    public_creatio_url: str | None = None
    # None: the profile's own. Creatio's documented default is 3600 s (creatio-oauth.md §1.3 [DOC]);
    # the compliant profile issues short-lived tokens (10 minutes, RFC 6819 §5.1.5.3).
    token_lifetime: int | None = None
    admin_user: str = "Supervisor"
    admin_password: str = "Supervisor"
    # Serve https with these files (``issue_loopback_tls``); None: plain http.
    tls: TlsFiles | None = None

    def __post_init__(self) -> None:
        _check_choice("profile", self.profile, PROFILES)
        _check_choice("deactivation", self.deactivation, DEACTIVATIONS)
        _check_choice("path_style", self.path_style, PATH_STYLES)
        _check_choice("creatio_version", self.creatio_version, CREATIO_VERSIONS)
        _check_choice("hosting", self.hosting, HOSTINGS)
        # Accept any iterable of names (a list from the CLI, a set from a test) but store a frozenset.
        object.__setattr__(self, "defects", validate_switch_names(self.defects))
        if self.tls is None and (tls_only := needing_tls(self.defects)):
            # Silently doing nothing would make a clean run look like a kill that failed.
            raise ValueError(f"{', '.join(tls_only)} need(s) the mock to serve https (--tls, or --mock-tls=true)")
        for name in ("creatio_port", "identity_port"):
            port = getattr(self, name)
            if not 0 <= port <= 65535:
                raise ValueError(f"{name} must be between 0 and 65535, not {port}")
        if self.token_lifetime is not None and self.token_lifetime <= 0:
            raise ValueError(f"token_lifetime must be positive, not {self.token_lifetime}")
        if not self.admin_user:
            raise ValueError("admin_user must not be empty")
        for name in ("public_identity_url", "public_creatio_url"):
            url = getattr(self, name)
            if url is not None and not url.startswith(("http://", "https://")):
                raise ValueError(f"{name} must be an http:// or https:// URL, not {url!r}")

    def has(self, switch: str) -> bool:
        """Whether the named defect or benign variant is on."""
        return switch in self.defects

    @property
    def lifetime(self) -> int:
        """Seconds an access token lives."""
        if self.token_lifetime is not None:
            return self.token_lifetime
        return COMPLIANT_TOKEN_LIFETIME if self.compliant else CREATIO_TOKEN_LIFETIME

    @property
    def scheme(self) -> str:
        return "https" if self.tls is not None else "http"

    @property
    def plain_http_too(self) -> bool:
        """Whether the https ports answer plain http as well (the defects that need it)."""
        return self.tls is not None and bool(self.defects & PLAIN_HTTP_SWITCHES)

    @property
    def generation(self) -> Generation:
        """What the chosen Creatio generation offers (``generations.py``)."""
        return generation(self.creatio_version)

    @property
    def cloud(self) -> bool:
        return self.hosting == "cloud"

    @property
    def compliant(self) -> bool:
        return self.profile == "compliant"

    @property
    def app_prefix(self) -> str:
        """Path prefix of the Creatio application: ``/0`` on .NET Framework, none on .NET (§2.1)."""
        return "/0" if self.path_style == "netframework" else ""
