"""Allure extras while a run goes on: each scenario linked to its requirements, each exchange attached to
the step that made it, and each step's parameters the values its Gherkin text gave, not its fixtures.

Allure has a test case from pytest-bdd's before-scenario hook until the test's teardown report. An
exchange the evidence log assigns to that test is attached to the step that made it; one made in the
test's setup (before the case exists) or at its teardown (the cleanup of what the scenario created) is
attached to the test case, its name saying so ("setup: E3 POST ...", "teardown: E9 POST ..."). So every
exchange evidence.jsonl names a test for is in that test's Allure result; those of no test (made after
the last test's report) stay in evidence.jsonl only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable
from typing import Any, Literal

import allure
import allure_commons

from oauth_conformance.catalogue import Level, Requirement
from oauth_conformance.http import Exchange

__all__ = ["REQUIREMENT_LABEL", "AllureEvidence", "Phase", "requirement_link_name"]

# Where a test is when an exchange is made: its setup (before its scenario starts), its steps, its
# teardown (after them).
Phase = Literal["setup", "steps", "teardown"]

_RFC = re.compile(r"rfc(\d+)")
# The label that names each requirement a scenario verifies (Allure's filters and its Behaviors tab).
REQUIREMENT_LABEL = "requirement"


def requirement_link_name(requirement: Requirement, level: Level) -> str:
    """What a requirement's link reads: its ID, its level in this run, and the sections it cites, e.g.
    "RFC6749-5.1-pragma (SHOULD): RFC 6749 §5.1"."""
    rfc = _RFC.fullmatch(requirement.document)
    if rfc:
        where = f"RFC {rfc.group(1)} §{requirement.section}"
    else:
        where = f"{requirement.document.capitalize()}, {requirement.section}"
    return f"{requirement.id} ({level.value}): {where}"


class AllureEvidence:
    """One process's part of Allure's results. Also a plugin of Allure's own (``report_result``), which
    sees each test case just before it is written."""

    def __init__(self) -> None:
        # The test whose Allure test case is open, where it is, and the names of its fixtures.
        self._case: str | None = None
        self._phase: Phase = "setup"
        self._fixtures: Callable[[], Collection[str]] = tuple
        # Exchanges of the current test made before its test case opened (its setup).
        self._early: list[Exchange] = []

    def scenario_started(
        self,
        test: str,
        requirements: Iterable[tuple[Requirement, Level]],
        fixtures: Callable[[], Collection[str]],
    ) -> None:
        """Allure has just opened the test case of ``test``. ``fixtures`` names the fixtures the test has
        requested so far; asked again when the case is written, since steps request theirs as they run."""
        self._case, self._fixtures = test, fixtures
        for requirement, level in requirements:
            allure.dynamic.link(requirement.url, name=requirement_link_name(requirement, level))
            allure.dynamic.label(REQUIREMENT_LABEL, requirement.id)
        early, self._early = [e for e in self._early if e.test == test], []
        for exchange in early:
            _attach(exchange, "setup")
        self._phase = "steps"

    def scenario_finished(self) -> None:
        """The scenario's steps are over. Its test case stays open until its teardown report, so that
        what its teardown sends is attached to it as well."""
        self._phase = "teardown"

    def attach(self, exchange: Exchange) -> None:
        """A listener of the evidence log: one exchange, as it lands."""
        if exchange.test is None:
            return
        if exchange.test == self._case:
            _attach(exchange, self._phase)
        else:
            # A new test, still in its setup: its test case opens when its scenario starts.
            self._early = [*(e for e in self._early if e.test == exchange.test), exchange]

    @allure_commons.hookimpl(tryfirst=True)  # before Allure's file writer
    def report_result(self, result: Any) -> None:
        """A test case, about to be written: its steps keep only the parameters the step text gave.

        allure-pytest-bdd records every argument of a step function, fixtures included, by their repr
        (the checker, the scenario's state, the target). The step text's own arguments are the ones that
        are not fixtures of the test; a data table or doc string is attached by allure-pytest-bdd instead."""
        fixtures = set(self._fixtures())
        for step in result.steps:
            step.parameters = [p for p in step.parameters if p.name not in fixtures]
        self._case, self._phase, self._fixtures = None, "setup", tuple


def _attach(exchange: Exchange, phase: Phase) -> None:
    # The text is already redacted. Allure attaches to the step running, else to the test case.
    name = exchange.summary if phase == "steps" else f"{phase}: {exchange.summary}"
    allure.attach(exchange.as_text(), name=name, attachment_type=allure.attachment_type.TEXT)
