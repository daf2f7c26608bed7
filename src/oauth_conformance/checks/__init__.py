"""The checks, one module per document, each check registered under the requirement ID it decides.

    from oauth_conformance.checks import CHECKS
    outcome = CHECKS["RFC6749-5.1-pragma"](response)

Importing this package imports every document module, so ``CHECKS`` is complete.
"""

from __future__ import annotations

from oauth_conformance.checks import (  # noqa: F401  (each module registers its checks on import)
    creatio,
    rfc6749,
    rfc6750,
    rfc6819,
    rfc7009,
    rfc7517,
    rfc7662,
    rfc8414,
    rfc9068,
    rfc9700,
)
from oauth_conformance.checks._observations import (
    BesideControl,
    IssuedJwt,
    JwtAndKeys,
    JwtOfClient,
    MetadataDocument,
    PlainHttpAnswer,
    PositiveControl,
    Refusal,
    TokenLifetime,
)
from oauth_conformance.checks._outcome import Outcome, Status, held, judged, measured, undecided, violated
from oauth_conformance.checks._registry import CHECKS, Check, Family, check, checks_in

__all__ = [
    "CHECKS",
    "BesideControl",
    "Check",
    "Family",
    "IssuedJwt",
    "JwtAndKeys",
    "JwtOfClient",
    "MetadataDocument",
    "Outcome",
    "PlainHttpAnswer",
    "PositiveControl",
    "Refusal",
    "Status",
    "TokenLifetime",
    "check",
    "checks_in",
    "held",
    "judged",
    "measured",
    "undecided",
    "violated",
]
