"""Allure extras: each exchange attached to the step that made it, each scenario linked to its requirements."""

from __future__ import annotations

from collections.abc import Iterable

import allure

from oauth_conformance.catalogue import Requirement
from oauth_conformance.http import Exchange

__all__ = ["attach_exchange", "link_requirements"]


def attach_exchange(exchange: Exchange) -> None:
    # A no-op when no Allure plugin is active; the text is already redacted.
    allure.attach(exchange.as_text(), name=exchange.summary, attachment_type=allure.attachment_type.TEXT)


def link_requirements(requirements: Iterable[Requirement]) -> None:
    for requirement in requirements:
        allure.dynamic.link(requirement.url, name=f"{requirement.id} ({requirement.level.value})")
        allure.dynamic.label("requirement", requirement.id)
