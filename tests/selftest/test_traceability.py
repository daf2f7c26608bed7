"""The catalogue is the source of truth: every MUST and SHOULD has a scenario, every tag is known."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from oauth_conformance.catalogue import Level, load_catalogue
from oauth_conformance.plugin import TAGS

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


# MUST and SHOULD requirements that are black-box checkable but have no scenario yet, each with why.
# The ratchet: an entry that gains a scenario must leave this list.
BACKLOG = tomllib.loads((Path(__file__).with_name("coverage_backlog.toml")).read_text(encoding="utf-8"))["pending"]


def _uncovered() -> list[str]:
    tags = _feature_tags()
    return [
        r.id for r in load_catalogue()
        if r.level in (Level.MUST, Level.SHOULD) and r.black_box and r.id not in tags
    ]


def test_every_black_box_must_and_should_has_a_scenario_or_a_backlog_reason() -> None:
    missing = [rid for rid in _uncovered() if rid not in BACKLOG]
    assert not missing, f"requirements with no scenario and no backlog reason: {missing}"


def test_backlog_entries_are_still_uncovered_and_explained() -> None:
    uncovered = set(_uncovered())
    covered_now = [rid for rid in BACKLOG if rid not in uncovered]
    assert not covered_now, f"covered now, remove from coverage_backlog.toml: {covered_now}"
    assert all(str(reason).strip() for reason in BACKLOG.values())


def test_every_tag_is_a_requirement_or_a_known_group() -> None:
    catalogue = load_catalogue()
    unknown = sorted(tag for tag in _feature_tags() if tag not in catalogue and tag not in TAGS)
    assert not unknown, f"tags that are neither catalogue IDs nor groups: {unknown}"


def test_catalogue_entries_are_complete() -> None:
    for requirement in load_catalogue():
        assert requirement.summary and requirement.url.startswith("https://"), requirement.id


# Checks no seeded defect trips yet, each with why; the ratchet as for the coverage backlog.
KILL_BACKLOG = tomllib.loads((Path(__file__).with_name("kill_backlog.toml")).read_text(encoding="utf-8"))["pending"]


def _unkilled() -> list[str]:
    from oauth_conformance.mock import DEFECTS

    tripped = {rid for defect in DEFECTS.values() for rid in defect.expected}
    tags = _feature_tags()
    return [r.id for r in load_catalogue() if r.check == "verdict" and r.id in tags and r.id not in tripped]


def test_every_verdict_check_has_a_defect_that_trips_it_or_a_backlog_reason() -> None:
    """A check no seeded defect can trip is not shown to be able to fail."""
    untested = [rid for rid in _unkilled() if rid not in KILL_BACKLOG]
    assert not untested, f"checks no seeded defect trips and kill_backlog.toml does not explain: {untested}"


def test_kill_backlog_entries_are_still_unkilled_and_explained() -> None:
    unkilled = set(_unkilled())
    killed_now = [rid for rid in KILL_BACKLOG if rid not in unkilled]
    assert not killed_now, f"killed now, remove from kill_backlog.toml: {killed_now}"
    assert all(str(reason).strip() for reason in KILL_BACKLOG.values())


def test_every_creatio_check_and_most_standards_musts_are_killed() -> None:
    """The backlog stays an exception: every Creatio check and four in five standards MUSTs have a defect."""
    catalogue = load_catalogue()
    assert not [rid for rid in KILL_BACKLOG if catalogue[rid].document == "creatio"]
    tags = _feature_tags()
    musts = [r.id for r in catalogue if r.level is Level.MUST and r.check == "verdict" and r.id in tags]
    killed = [rid for rid in musts if rid not in KILL_BACKLOG]
    assert len(killed) / len(musts) >= 0.8, f"{len(killed)} of {len(musts)} checked MUSTs have a defect"


def test_nine_in_ten_must_and_should_requirements_have_a_scenario() -> None:
    tags = _feature_tags()
    graded = [r for r in load_catalogue() if r.level in (Level.MUST, Level.SHOULD)]
    covered = [r for r in graded if r.id in tags]
    assert len(covered) / len(graded) >= 0.9, f"{len(covered)} of {len(graded)} MUST/SHOULD IDs have a scenario"
