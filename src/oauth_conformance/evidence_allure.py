"""Allure extras while a run goes on: each scenario linked to its requirements, each exchange attached to
the step that made it, and each step's parameters the values its Gherkin text gave, never its fixtures
(whose reprs are not even made).

Allure has a test case from pytest-bdd's before-scenario hook until the test's teardown report. An
exchange the evidence log assigns to that test is attached to the step that made it; one made in the
test's setup (before the case exists) or at its teardown (the cleanup of what the scenario created) is
attached to the test case, its name saying so ("setup: E3 POST ...", "teardown: E9 POST ..."). So every
exchange evidence.jsonl names a test for is in that test's Allure result; those of no test (made after
the last test's report) stay in evidence.jsonl only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, MutableMapping
from contextlib import contextmanager
from typing import Any, Literal

import allure
import allure_commons

from oauth_conformance.catalogue import Level, Requirement
from oauth_conformance.http import Exchange

__all__ = ["REQUIREMENT_LABEL", "AllureEvidence", "Phase", "gherkin_values_only", "requirement_link_name"]

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


@contextmanager
def gherkin_values_only(step_args: MutableMapping[str, object], fixtures: Iterable[str]) -> Iterator[None]:
    """While Allure records a step's arguments, they are the values its Gherkin text gave: the fixtures the
    step function takes are taken out of ``step_args``, and put back, in place, before the step runs with
    them.

    allure-pytest-bdd records every argument of a step function as a parameter, by its repr: the checker,
    the scenario's state, the target, rendered for each step and thrown away when the test case is written.
    The step text's own arguments are the ones that are not fixtures of the test; a data table or a doc
    string is attached by allure-pytest-bdd instead."""
    names = set(fixtures)
    held = {name: step_args.pop(name) for name in list(step_args) if name in names}
    try:
        yield
    finally:
        step_args.update(held)


class AllureEvidence:
    """One process's part of Allure's results. Also a plugin of Allure's own (``report_result``), which
    sees each test case just before it is written."""

    def __init__(self) -> None:
        # The test whose Allure test case is open, and where it is.
        self._case: str | None = None
        self._phase: Phase = "setup"
        # Exchanges of the current test made before its test case opened (its setup).
        self._early: list[Exchange] = []

    def scenario_started(self, test: str, requirements: Iterable[tuple[Requirement, Level]]) -> None:
        """Allure has just opened the test case of ``test``."""
        self._case = test
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

    @allure_commons.hookimpl
    def report_result(self, result: Any) -> None:
        """A test case is written: the next exchange belongs to the next test's setup."""
        self._case, self._phase = None, "setup"


def _attach(exchange: Exchange, phase: Phase) -> None:
    # The text is already redacted. Allure attaches to the step running, else to the test case.
    name = exchange.summary if phase == "steps" else f"{phase}: {exchange.summary}"
    allure.attach(exchange.as_text(), name=name, attachment_type=allure.attachment_type.TEXT)
