"""What the suite runs against: one ``Target`` protocol, and a registry of targets (``TARGETS``) that
supplies the ``--target`` choices, each target's settings, their validation and its default waivers.

    mock            the bundled mock, driven through the Creatio adapter (the default)
    creatio         a Creatio instance, driven through the Creatio adapter
    oauth           any OAuth 2.0 server, for the standards checks

Beside them: the Creatio adapter (``creatio``), the Identity Service client (``identity``), integrations
made for a run (``provisioning``) and what the standards checks need of any target (``standards``).
"""

from __future__ import annotations

from oauth_conformance.targets._registry import TARGET_NAMES, TARGETS, TargetName
from oauth_conformance.targets._target import Target, TargetSpec
from oauth_conformance.targets.creatio_target import CreatioEnvironment

__all__ = ["TARGETS", "TARGET_NAMES", "CreatioEnvironment", "Target", "TargetName", "TargetSpec"]
