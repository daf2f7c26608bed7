"""What each Creatio generation offers, as the mock reproduces it (docs/creatio-generations.md).

One frozen row per generation, looked up from ``MockOptions.creatio_version``. The mock's modules
ask the row (``options.generation``) instead of comparing version strings, so that a behaviour and
its source sit together here.

Labels as in the reference: [SRC] shipped source or config (S81 = 8.1.0.6704, S82 = an 8.2-ish tree),
[DOC] Academy page, [CLI] an independent client, [INF] inferred, [NF] no source found. Where the
sources disagree or are silent, the row takes the reading LESS convenient for a client.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["GENERATIONS", "OPAQUE_ISSUER", "UNPROXIED_IDENTITY_ORIGIN", "Generation", "generation"]

# [DOC] 8.0 "Identity Service overview": the example discovery document names this issuer and
# advertises every endpoint on https://localhost:8090 while it is fetched from another host: an IS
# behind a proxy that does not know its public address.
OPAQUE_ISSUER = "creatio.com"
UNPROXIED_IDENTITY_ORIGIN = "https://localhost:8090"

_USER = 4  # SysAdminUnitTypeValue of an ordinary user (creatio-oauth.md §3.4)
_TECHNICAL = 7  # ... and of a technical user


@dataclass(frozen=True)
class Generation:
    """What one Creatio generation offers on the wire."""

    version: str
    # SysAdminUnitTypeValue 7 exists, and AdministrationService/UpdateOrCreateTechnicalUser with it.
    technical_users: bool
    # The SysAdminUnitTypeValue values AddClient (and the other saves) accept as the system user.
    bindable_user_types: frozenset[int]
    # An empty ApplicationUrl goes to the IS as http://defaulturl.com (the row keeps it empty).
    substitutes_default_url: bool
    # AddClient refuses an empty applicationUrl.
    application_url_required: bool
    # AddClient reads grantType / allowedGrantTypes and registers the IS client with those grants.
    grant_type_member: bool
    # The path styles on which GET {P}/api/OAuthHealthCheck is registered.
    health_path_styles: frozenset[str]
    # Discovery and tokens name OPAQUE_ISSUER and advertise UNPROXIED_IDENTITY_ORIGIN endpoints.
    opaque_identity: bool


GENERATIONS: dict[str, Generation] = {
    "8.0": Generation(
        version="8.0",
        # [INF from DOC] technical users are a beta from 8.1.5, so 8.0 has none.
        technical_users=False,
        # [INF] no 8.0 source; S81 accepts type 4 only, and 8.0 cannot be more permissive.
        bindable_user_types=frozenset({_USER}),
        # [INF] no 8.0 source; the S81 listener sends ApplicationUrl as given (:32-42).
        substitutes_default_url=False,
        application_url_required=False,
        grant_type_member=False,
        # [DOC] the health check exists from 8.1.2.
        health_path_styles=frozenset(),
        opaque_identity=True,
    ),
    "8.1": Generation(
        version="8.1",
        # [SRC] S81 8.1.0.6704 has no "TechnicalUser" anywhere; the 8.1.5 beta ([DOC]) is behind a
        # feature flag, so the mock models 8.1 without it (the less convenient reading).
        technical_users=False,
        # [SRC S81] OAuthConfigService.OAuth20.cs:65-79 IsSysAdminUnitValid filters SysAdminUnitTypeValue = 4.
        bindable_user_types=frozenset({_USER}),
        # [SRC S81] OAuthClientAppListener.OAuth20.cs:32-42 sends ClientAppUri as given.
        substitutes_default_url=False,
        application_url_required=False,
        grant_type_member=False,
        # [DOC] the 8.1 page lists .NET Core too, the 8.3 page says .NET 8 only from 8.3.2: the sources
        # disagree, so .NET Framework only (the less convenient reading).
        health_path_styles=frozenset({"netframework"}),
        opaque_identity=False,
    ),
    "8.2": Generation(
        version="8.2",
        # [SRC S82] AdministrationServiceUsers.CrtUIv2.cs:788-824 UpdateOrCreateTechnicalUser.
        technical_users=True,
        # [SRC S82] AS/OAuthConfigService.OAuth20.cs:69-85 accepts types 4 and 7.
        bindable_user_types=frozenset({_USER, _TECHNICAL}),
        # [SRC S82] AS/OAuthClientAppListener.OAuth20.cs:21,41.
        substitutes_default_url=True,
        application_url_required=False,
        grant_type_member=False,
        # As 8.1: the sources disagree on .NET Core before 8.3.2.
        health_path_styles=frozenset({"netframework"}),
        opaque_identity=False,
    ),
    "8.3": Generation(
        version="8.3",
        # [DOC] technical users; [INF] S82's UpdateOrCreateTechnicalUser kept (no 8.3 source).
        technical_users=True,
        # [INF] as S82 (no 8.3 source).
        bindable_user_types=frozenset({_USER, _TECHNICAL}),
        # [INF] as S82.
        substitutes_default_url=True,
        # [DOC] 8.3 "Manage OAuth integrations using API" marks applicationUrl required.
        application_url_required=True,
        # [DOC] the same page has a grantType member; [CLI] CLIO sends grantType and allowedGrantTypes.
        grant_type_member=True,
        # [DOC] 8.3 page: .NET 8 from 8.3.2. The mock models 8.3 as 8.3.2 and later.
        health_path_styles=frozenset({"netframework", "netcore"}),
        opaque_identity=False,
    ),
}


def generation(version: str) -> Generation:
    """The row of ``version`` ("8.0" … "8.3"); KeyError for any other."""
    return GENERATIONS[version]
