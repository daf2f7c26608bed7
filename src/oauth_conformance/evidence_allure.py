"""Allure extras: each exchange attached to the step that made it, each scenario linked to its requirements.

Allure only has a test case between pytest-bdd's before- and after-scenario hooks; exchanges made
outside one (starting the target, session fixtures) stay in the evidence log only.
"""

from __future__ import annotations

from collections.abc import Iterable

import allure

from oauth_conformance.catalogue import Requirement
from oauth_conformance.http import Exchange

__all__ = ["AllureEvidence"]


class AllureEvidence:
    def __init__(self) -> None:
        self.in_scenario = False

    def scenario_started(self, requirements: Iterable[Requirement]) -> None:
        self.in_scenario = True
        for requirement in requirements:
            allure.dynamic.link(requirement.url, name=f"{requirement.id} ({requirement.level.value})")
            allure.dynamic.label("requirement", requirement.id)

    def scenario_finished(self) -> None:
        self.in_scenario = False

    def attach(self, exchange: Exchange) -> None:
        # The text is already redacted; a no-op when no Allure plugin is active.
        if self.in_scenario:
            allure.attach(exchange.as_text(), name=exchange.summary, attachment_type=allure.attachment_type.TEXT)
