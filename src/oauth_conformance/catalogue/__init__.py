"""The requirement catalogue as data: every check names one of these IDs, and its level decides the verdict."""

from __future__ import annotations

import enum
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal, TypeVar, get_args

__all__ = [
    "CHECK_KINDS",
    "STANDARDS_PROFILES",
    "Catalogue",
    "CatalogueError",
    "CheckKind",
    "Level",
    "Requirement",
    "StandardsProfile",
    "load_catalogue",
]

# "verdict" checks pass or fail by level; "review" checks only measure and hand the evidence to a human.
CheckKind = Literal["verdict", "review"]
CHECK_KINDS: tuple[CheckKind, ...] = get_args(CheckKind)
# The standards profiles (--standards-profile) a requirement may be graded differently under.
StandardsProfile = Literal["rfc-strict", "oidf-compatible"]
STANDARDS_PROFILES: tuple[StandardsProfile, ...] = get_args(StandardsProfile)

_Choice = TypeVar("_Choice", bound=str)


def _one_of(value: object, choices: tuple[_Choice, ...]) -> _Choice | None:
    """``value`` as one of ``choices``, or None when it is none of them."""
    return next((choice for choice in choices if choice == value), None)


class CatalogueError(ValueError):
    """The catalogue data is malformed: a bad level, a duplicate ID, a missing field."""


class Level(enum.StrEnum):
    MUST = "MUST"
    SHOULD = "SHOULD"
    MAY = "MAY"


@dataclass(frozen=True)
class Requirement:
    id: str
    document: str
    section: str
    level: Level
    summary: str
    url: str
    check: CheckKind = "verdict"
    # A standards profile may grade a requirement differently (e.g. oidf-compatible: 400 or 401).
    level_by_profile: tuple[tuple[StandardsProfile, Level], ...] = ()
    # Not checkable from outside the server (needs its configuration, a second resource server...).
    black_box: bool = True
    why: str = ""

    def level_for(self, profile: StandardsProfile | None) -> Level:
        return dict(self.level_by_profile).get(profile, self.level) if profile else self.level


@dataclass(frozen=True)
class Catalogue:
    requirements: dict[str, Requirement]

    def __contains__(self, requirement_id: object) -> bool:
        return requirement_id in self.requirements

    def __getitem__(self, requirement_id: str) -> Requirement:
        try:
            return self.requirements[requirement_id]
        except KeyError:
            raise CatalogueError(f"unknown requirement ID {requirement_id!r}") from None

    def __iter__(self) -> Iterator[Requirement]:
        return iter(self.requirements.values())

    def __len__(self) -> int:
        return len(self.requirements)


def _parse_document(name: str, text: str) -> list[Requirement]:
    data = tomllib.loads(text)
    document = data.get("document", {})
    doc_id = document.get("id") or name
    doc_url = document.get("url", "")
    parsed: list[Requirement] = []
    for raw in data.get("requirement", []):
        try:
            level = Level(raw["level"])
        except (KeyError, ValueError):
            raise CatalogueError(f"{name}: {raw.get('id', '?')}: level must be MUST, SHOULD or MAY") from None
        check = _one_of(raw.get("check", "verdict"), CHECK_KINDS)
        if check is None:
            raise CatalogueError(f"{name}: {raw['id']}: check must be 'verdict' or 'review'")
        by_profile: list[tuple[StandardsProfile, Level]] = []
        for profile_name, profile_level in raw.get("level_by_profile", {}).items():
            profile = _one_of(profile_name, STANDARDS_PROFILES)
            if profile is None:
                raise CatalogueError(
                    f"{name}: {raw['id']}: level_by_profile names the unknown profile {profile_name!r}; "
                    f"expected one of {', '.join(STANDARDS_PROFILES)}"
                )
            try:
                by_profile.append((profile, Level(profile_level)))
            except ValueError:
                raise CatalogueError(
                    f"{name}: {raw['id']}: level_by_profile levels must be MUST, SHOULD or MAY"
                ) from None
        black_box = bool(raw.get("black_box", True))
        if not black_box and not raw.get("why"):
            raise CatalogueError(f"{name}: {raw['id']}: black_box = false needs a why")
        parsed.append(
            Requirement(
                id=raw["id"],
                document=doc_id,
                section=raw.get("section", ""),
                level=level,
                summary=raw["summary"],
                url=raw.get("url", doc_url),
                check=check,
                level_by_profile=tuple(by_profile),
                black_box=black_box,
                why=raw.get("why", ""),
            )
        )
    return parsed


@cache
def load_catalogue() -> Catalogue:
    """Load every ``*.toml`` document shipped in this package, refusing duplicate IDs."""
    requirements: dict[str, Requirement] = {}
    for entry in sorted(resources.files(__package__).iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        for requirement in _parse_document(entry.name, entry.read_text(encoding="utf-8")):
            if requirement.id in requirements:
                raise CatalogueError(f"{entry.name}: duplicate requirement ID {requirement.id}")
            requirements[requirement.id] = requirement
    return Catalogue(requirements)
