"""Scenario state shared by the steps of one scenario: what it made and what it saw."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx2
import pytest

from oauth_conformance.errors import SuiteError
from oauth_conformance.redaction import RedactedRepr
from oauth_conformance.targets.identity import TokenResult
from oauth_conformance.targets.provisioning import CreationOutcome, Integration

__all__ = ["Probe", "TechnicalUser", "World"]


@dataclass(frozen=True)
class TechnicalUser:
    """An existing technical user (CREATIO_TECH_USER) and the entities it may and may not read."""

    id: str
    name: str
    allowed_entity: str
    denied_entity: str


@dataclass(repr=False)
class World(RedactedRepr):
    """What one scenario has made and seen so far."""

    integrations: dict[str, Integration] = field(default_factory=dict)
    tokens: dict[str, TokenResult] = field(default_factory=dict)
    earlier_tokens: dict[str, str] = field(default_factory=dict)
    outcome: CreationOutcome | None = None
    response: httpx2.Response | None = None
    before: dict[str, set[str]] = field(default_factory=dict)
    edits: dict[str, str] = field(default_factory=dict)
    # Ids of what the unnamed-save attempt made (found by its marker), to report and remove.
    created: dict[str, set[str]] = field(default_factory=dict)
    deactivated_at: dict[str, float] = field(default_factory=dict)
    technical_user: TechnicalUser | None = None
    discovery: dict[str, Any] | None = None
    response_exchange: str | None = None
    discovery_problem: str | None = None

    def integration(self, label: str) -> Integration:
        try:
            return self.integrations[label]
        except KeyError:
            raise SuiteError(f"the scenario has no integration {label!r}") from None

    def saved(self) -> CreationOutcome:
        """What the scenario's last save did."""
        if self.outcome is None:
            raise SuiteError("the scenario saved no integration")
        return self.outcome

    def api_answer(self) -> httpx2.Response:
        """The API's answer to the scenario's last read."""
        if self.response is None:
            raise SuiteError("the scenario sent no request")
        return self.response

    def chosen_user(self) -> TechnicalUser:
        """The existing technical user the scenario chose."""
        if self.technical_user is None:
            raise SuiteError("the scenario names no technical user")
        return self.technical_user


@pytest.fixture
def world() -> World:
    return World()


@dataclass
class Probe:
    """The responses of one standards scenario's requests, newest last."""

    responses: list[httpx2.Response] = field(default_factory=list)
    # Access tokens the scenario obtained for itself, newest last.
    tokens: list[str] = field(default_factory=list)
    # The token response a later check compares with (the introspection of that token).
    issued: TokenResult | None = None

    @property
    def last(self) -> httpx2.Response:
        if not self.responses:
            raise SuiteError("the scenario sent no request")
        return self.responses[-1]


@pytest.fixture
def probe() -> Probe:
    return Probe()
