"""What one answer of a search must be judged by: a registered check and the observation to hand it.

The input properties (``token_requests``, ``token_mutations``) say, for each request they generated and
the answer it got, which checks apply; the runner hands each to the checker, so that a violation is a
finding under the requirement the check decides, like any fixed scenario's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from oauth_conformance.checks import Check, Outcome
from oauth_conformance.redaction import RedactedRepr

__all__ = ["Judgement"]


@dataclass(frozen=True, repr=False)
class Judgement(RedactedRepr):
    """One check and the observation it decides: ``checker.verify(judgement.check, judgement.observation)``.

    The observation may hold a secret (a refused client secret), so the repr is redacted.
    """

    check: Check[Any]
    observation: Any

    def outcome(self) -> Outcome:
        """The check's outcome on the observation (what ``checker.verify`` turns into a finding)."""
        return self.check(self.observation)
