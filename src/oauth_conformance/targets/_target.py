"""What every target is to the suite (``Target``), and what the registry knows of each (``TargetSpec``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # types only: the settings module imports the registry
    from oauth_conformance.cleanup import Cleanup
    from oauth_conformance.http import HttpClient
    from oauth_conformance.settings import Settings
    from oauth_conformance.targets.creatio_target import CreatioEnvironment
    from oauth_conformance.targets.standards import StandardsTarget

__all__ = ["Target", "TargetSpec"]


class Target(Protocol):
    """What the suite runs against: opened once a run, when a scenario first needs it; closed at its end.

    What a target cannot offer raises FeatureNotOfferedError with the reason, which the scenarios that
    needed it report as SKIP.
    """

    @property
    def description(self) -> str:
        """One line for the reports: what this is, and where."""
        ...

    def creatio(self) -> CreatioEnvironment:
        """The Creatio the Creatio scenarios drive."""
        ...

    def standards(self, cleanup: Cleanup) -> StandardsTarget:
        """What the standards checks need: the token endpoint, clients, a protected resource. Whatever the
        target creates for them is undone by ``cleanup``."""
        ...

    def close(self) -> None:
        """Stop what opening the target started."""
        ...


def _valid(settings: Settings) -> None:
    return None


def _no_waivers(settings: Settings) -> tuple[Path, ...]:
    return ()


def _unchanged(settings: Settings) -> Settings:
    return settings


def _unnamed(settings: Settings) -> str:
    return f"{settings.target} target"


@dataclass(frozen=True)
class TargetSpec:
    """One line of the registry: a target's settings, their validation, its default waivers, and how to
    open it."""

    # What ``--target=<name>`` runs against (the option's help).
    summary: str
    # The settings (environment names) the target reads beyond the common ones.
    settings: tuple[str, ...]
    open: Callable[[Settings, HttpClient], Target]
    # Raises SettingsError, naming the setting and what was expected, when the target cannot run.
    validate: Callable[[Settings], None] = _valid
    # Waiver files applied when the user names none (--waivers, OAUTH_WAIVERS); relative to the project.
    default_waivers: Callable[[Settings], tuple[Path, ...]] = _no_waivers
    # Done once the settings are read, before any connection opens (e.g. issuing the mock's certificates).
    prepare: Callable[[Settings], Settings] = _unchanged
    # What the settings point at, before the target opens (no I/O): the reports name it even in a run
    # where no scenario needed the target; opening it may say more.
    describe: Callable[[Settings], str] = _unnamed
