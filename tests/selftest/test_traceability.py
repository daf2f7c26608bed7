"""The catalogue is the source of truth: every MUST and SHOULD has a scenario, every check a defect
that trips it, every tag is known; the gaps stand in backlog files with their reasons."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

from oauth_conformance._plugin.verdicts import TAGS
from oauth_conformance.catalogue import Level, load_catalogue

FEATURES = Path(__file__).resolve().parents[2] / "features"
TAG = re.compile(r"(?<!\S)@([^\s@]+)")


def _feature_tags() -> dict[str, set[str]]:
    tags: dict[str, set[str]] = {}
    for feature in FEATURES.rglob("*.feature"):
        for line in feature.read_text(encoding="utf-8").splitlines():
            if line.strip().startswith("@"):
                for tag in TAG.findall(line):
                    tags.setdefault(tag, set()).add(feature.name)
    return tags


def _backlog(name: str) -> dict[str, str]:
    return dict(tomllib.loads(Path(__file__).with_name(name).read_text(encoding="utf-8"))["pending"])


def _uncovered() -> list[str]:
    """MUST and SHOULD requirements that are black-box checkable but have no scenario."""
    tags = _feature_tags()
    return [
        r.id for r in load_catalogue()
        if r.level in (Level.MUST, Level.SHOULD) and r.black_box and r.id not in tags
    ]


def _unkilled() -> list[str]:
    """Checks that run (a scenario decides a verdict) but that no seeded defect trips."""
    from oauth_conformance.mock import DEFECTS

    tripped = {rid for defect in DEFECTS.values() for rid in defect.expected}
    tags = _feature_tags()
    return [r.id for r in load_catalogue() if r.check == "verdict" and r.id in tags and r.id not in tripped]


# Each gap stands in its backlog file with why; the ratchet: an entry whose gap closes must leave it.
BACKLOGS: dict[str, Callable[[], list[str]]] = {
    "coverage_backlog.toml": _uncovered,
    "kill_backlog.toml": _unkilled,
}


@pytest.mark.parametrize("name", BACKLOGS)
def test_every_gap_is_in_its_backlog_with_a_reason(name: str) -> None:
    backlog = _backlog(name)
    missing = [rid for rid in BACKLOGS[name]() if rid not in backlog]
    assert not missing, f"gaps {name} does not explain: {missing}"
    assert all(reason.strip() for reason in backlog.values())


@pytest.mark.parametrize("name", BACKLOGS)
def test_backlog_entries_are_still_gaps(name: str) -> None:
    gaps = set(BACKLOGS[name]())
    closed = [rid for rid in _backlog(name) if rid not in gaps]
    assert not closed, f"closed now, remove from {name}: {closed}"


def test_every_tag_is_a_requirement_or_a_known_group() -> None:
    catalogue = load_catalogue()
    unknown = sorted(tag for tag in _feature_tags() if tag not in catalogue and tag not in TAGS)
    assert not unknown, f"tags that are neither catalogue IDs nor groups: {unknown}"


def test_catalogue_entries_are_complete() -> None:
    for requirement in load_catalogue():
        assert requirement.summary and requirement.url.startswith("https://"), requirement.id


def test_every_creatio_check_and_most_standards_musts_are_killed() -> None:
    """The backlog stays an exception: every Creatio check and four in five standards MUSTs have a defect."""
    catalogue = load_catalogue()
    kill_backlog = _backlog("kill_backlog.toml")
    assert not [rid for rid in kill_backlog if catalogue[rid].document == "creatio"]
    tags = _feature_tags()
    musts = [r.id for r in catalogue if r.level is Level.MUST and r.check == "verdict" and r.id in tags]
    killed = [rid for rid in musts if rid not in kill_backlog]
    assert len(killed) / len(musts) >= 0.8, f"{len(killed)} of {len(musts)} checked MUSTs have a defect"


def test_nine_in_ten_must_and_should_requirements_have_a_scenario() -> None:
    tags = _feature_tags()
    graded = [r for r in load_catalogue() if r.level in (Level.MUST, Level.SHOULD)]
    covered = [r for r in graded if r.id in tags]
    assert len(covered) / len(graded) >= 0.9, f"{len(covered)} of {len(graded)} MUST/SHOULD IDs have a scenario"
