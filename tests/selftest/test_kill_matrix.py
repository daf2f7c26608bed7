"""Every check can fail: each seeded defect trips exactly the requirements it declares, and the
clean profiles and the benign variants trip none. One matrix run serves every assertion and leaves
kill-matrix.json and .md in reports/, as `make kill-matrix` does."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from oauth_conformance.catalogue import Level, load_catalogue
from oauth_conformance.mock import BENIGN, DEFECTS
from tests.selftest.suite_runner import ROOT, run_suite
from tools.generations import GENERATIONS, README, generation_table, readme_table
from tools.killmatrix import (
    FAST,
    FULL_SEARCH,
    PROFILES,
    SCREEN_BUDGET,
    KillMatrix,
    matrix_jobs,
    row_env,
    run_kill_matrix,
    write_kill_matrix,
)


@pytest.fixture(scope="module")
def matrix() -> KillMatrix:
    result = run_kill_matrix(workers=2)
    write_kill_matrix(result, ROOT / "reports")
    return result


@pytest.mark.parametrize("name", sorted(DEFECTS))
def test_defect_trips_exactly_its_requirements(matrix: KillMatrix, name: str) -> None:
    row = next(r for r in matrix.of("defect") if r.name == name)
    assert row.tripped == DEFECTS[name].expected
    # The default gate fails on MUST violations only; a defect breaking only SHOULDs passes it.
    breaks_a_must = any(load_catalogue()[rid].level is Level.MUST for rid in row.expected)
    assert row.exit_code == (1 if breaks_a_must else 0)


SEARCH_ONLY = sorted(name for name, defect in DEFECTS.items() if defect.kind != "scenario")


@pytest.mark.parametrize("name", SEARCH_ONLY)
def test_search_only_defect_is_missed_by_the_fixed_scenarios(matrix: KillMatrix, name: str) -> None:
    """The search earns its place: the fixed scenarios alone trip none of the defect's requirements,
    and the search trips exactly them (test_defect_trips_exactly_its_requirements)."""
    row = next(r for r in matrix.of("defect") if r.name == name)
    assert row.scenarios is not None, "a search-only defect has a run of the fixed scenarios alone"
    assert not row.scenarios.tripped, f"the fixed scenarios alone trip {row.scenarios.tripped}"
    assert row.scenarios.exit_code == 0
    assert row.missed_by_scenarios is True and row.killed


def test_each_row_runs_the_search_it_needs() -> None:
    """A search-only defect's row runs the search alone with the default budget, the one that must kill it;
    every benign and clean row runs the search as well, the default clean profiles with the default budget
    and the others with the screen budget; the scenario rows run no search."""
    assert set(PROFILES) >= FULL_SEARCH
    for kind, name, _, _, args in matrix_jobs():
        env = row_env(kind, name)
        searched = kind in ("benign", "profile") or (kind == "defect" and DEFECTS[name].kind != "scenario")
        assert ("--search=on" in args) == searched and ("--search=off" in args) != searched, (kind, name)
        screened = kind == "benign" or (kind == "profile" and name not in FULL_SEARCH)
        assert (SCREEN_BUDGET.items() <= env.items()) == screened, (kind, name)
        assert not {"OAUTH_SEARCH_SEQUENCES", "OAUTH_SEARCH_EXAMPLES"} & set(env) or screened, (kind, name)


def test_the_search_has_defects_only_it_finds() -> None:
    kinds = Counter(defect.kind for defect in DEFECTS.values())
    assert kinds["sequence"] >= 8 and kinds["input"] >= 6, kinds


@pytest.mark.parametrize("name", [*sorted(BENIGN), *PROFILES])
def test_benign_variants_and_clean_profiles_trip_nothing(matrix: KillMatrix, name: str) -> None:
    row = next(r for r in matrix.rows if r.kind != "defect" and r.name == name)
    assert row.tripped == frozenset() and row.exit_code == 0


@pytest.mark.parametrize("name", list(GENERATIONS))
def test_each_generation_run_skips_only_with_a_reason_and_leaves_nothing(matrix: KillMatrix, name: str) -> None:
    row = next(r for r in matrix.of("profile") if r.name == name)
    assert row.conformance is not None
    skips = [f for r in row.conformance["requirements"] for f in r["findings"] if f["verdict"] == "SKIP"]
    assert skips and all(f["message"].strip() for f in skips)
    assert row.conformance["run"]["leftovers"] == []


def test_the_readme_generation_table_is_what_the_generation_runs_show(matrix: KillMatrix) -> None:
    runs = {r.name: r.conformance or {} for r in matrix.of("profile") if r.name in GENERATIONS}
    assert readme_table(README.read_text(encoding="utf-8")) == generation_table(runs), (
        "README.md's generation table is stale: run make generations"
    )


def test_kill_matrix_report_has_the_documented_shape(matrix: KillMatrix) -> None:
    data = json.loads((ROOT / "reports" / "kill-matrix.json").read_text())
    assert data["kill_rate"] == 1.0
    assert {"name", "expected", "tripped", "killed"} <= set(data["defects"][0])
    assert {"name", "tripped"} <= set(data["benign"][0])
    for defect in data["defects"]:
        assert defect["kind"] in ("scenario", "sequence", "input")
        assert ("missed_by_scenarios" in defect) == (defect["kind"] != "scenario")
        if defect["kind"] != "scenario":
            assert {"missed", "tripped", "exit_code"} <= set(defect["missed_by_scenarios"])
    assert (ROOT / "reports" / "kill-matrix.md").read_text().startswith("# Kill matrix")


def test_should_gate_fails_on_a_warn(tmp_path: Path) -> None:
    run = run_suite(tmp_path, *FAST, "--mock-defects=credential-format-lowercase", "--fail-on=should")
    assert run.verdicts()["CRE-credential-format"] == "WARN"
    assert run.returncode == 1
    assert "gate (--fail-on=should) fails on: WARN CRE-credential-format" in run.stdout
