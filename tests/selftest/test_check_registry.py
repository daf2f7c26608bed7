"""Every requirement a scenario can decide has exactly one registered check, in its document's module,
with unit tests that show it holding and violated; no step module decides a requirement itself."""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections import defaultdict
from functools import cache
from pathlib import Path

import pytest

import tests.unit
from oauth_conformance.catalogue import load_catalogue
from oauth_conformance.checks import CHECKS, Check, Status, check, held
from tests.selftest.test_traceability import _feature_tags
from tests.unit.cases import Case

ROOT = Path(__file__).resolve().parents[2]
REQUIREMENT_ID = re.compile(r'"(RFC|CRE|JWKS)[0-9A-Za-z.-]*-')


@cache
def _unit_cases() -> dict[str, set[Status]]:
    seen: dict[str, set[Status]] = defaultdict(set)
    for module in pkgutil.iter_modules(tests.unit.__path__):
        if module.name.startswith("test_"):
            cases: list[Case] = importlib.import_module(f"tests.unit.{module.name}").CASES
            for case in cases:
                seen[case.check.requirement].add(case.expect)
    return seen


def test_every_scenario_requirement_has_a_check_and_every_check_a_scenario() -> None:
    tagged = {tag for tag in _feature_tags() if tag in load_catalogue()}
    assert sorted(tagged - set(CHECKS)) == [], "requirements a scenario names but no check decides"
    assert sorted(set(CHECKS) - tagged) == [], "checks no scenario runs"


def test_a_requirement_takes_one_check_only() -> None:
    requirement_id = next(iter(CHECKS))

    def second(observation: object) -> object:
        """A second check for a requirement that has one."""
        return held("")

    with pytest.raises(ValueError, match="two checks"):
        check(requirement_id)(second)  # type: ignore[arg-type]
    assert CHECKS[requirement_id].function is not second


def test_each_check_lives_in_its_documents_module() -> None:
    catalogue = load_catalogue()
    misplaced = {rid: c.module for rid, c in CHECKS.items() if c.module != catalogue[rid].document}
    assert not misplaced


@pytest.mark.parametrize("registered", CHECKS.values(), ids=list(CHECKS))
def test_unit_tests_show_each_check_holding_and_violated(registered: Check[object]) -> None:
    expected = (
        {Status.MEASURED}
        if load_catalogue()[registered.requirement].check == "review"
        else {Status.HELD, Status.VIOLATED}
    )
    shown = _unit_cases().get(registered.requirement, set())
    assert expected <= shown, f"{registered.requirement}: unit cases show only {sorted(shown)}"


@pytest.mark.parametrize("registered", CHECKS.values(), ids=list(CHECKS))
def test_each_check_documents_what_it_accepts_and_observes(registered: Check[object]) -> None:
    assert registered.accepts
    assert registered.observes


def test_no_step_module_names_a_requirement() -> None:
    offending = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "steps").rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if REQUIREMENT_ID.search(line)
    ]
    assert not offending, "steps hand observations to checks; the checks and the tags name the requirements"
