"""The registry of targets: ``--target`` chooses one of these. Adding a target is one module that
defines its ``SPEC`` (a ``TargetSpec``) and one line here, its name included in ``TargetName``."""

from __future__ import annotations

from typing import Literal

from oauth_conformance.targets import creatio_target, mock, oauth
from oauth_conformance.targets._target import TargetSpec

__all__ = ["TARGETS", "TARGET_NAMES", "TargetName"]

TargetName = Literal["mock", "creatio", "oauth"]

TARGETS: dict[TargetName, TargetSpec] = {
    "mock": mock.SPEC,
    "creatio": creatio_target.SPEC,
    "oauth": oauth.SPEC,
}
# The --target choices (OAUTH_TARGET), in the registry's order: the default first.
TARGET_NAMES: tuple[TargetName, ...] = tuple(TARGETS)
