"""Every check can fail: each seeded defect trips exactly the requirements it declares, and the
compliant profile and the benign variants trip none."""

from __future__ import annotations

from pathlib import Path

import pytest

from oauth_conformance.catalogue import Level, load_catalogue
from oauth_conformance.mock import BENIGN, DEFECTS
from tests.selftest.suite_runner import SuiteRun, run_suite

# Verdicts that mean a requirement tripped. ERROR is listed so that a defect which breaks the suite
# instead of failing a check shows up as a mismatch.
TRIPPED = {"FAIL", "WARN", "INFO", "ERROR"}
# The kill runs need neither Hypothesis nor Allure; leaving them out halves each child's start-up.
FAST = ("-p", "no:hypothesispytest", "-p", "no:allure_pytest_bdd", "tests/conformance")


def _tripped(run: SuiteRun) -> set[str]:
    return {rid for rid, verdict in run.verdicts().items() if verdict in TRIPPED}


@pytest.mark.parametrize("name", sorted(DEFECTS))
def test_defect_trips_exactly_its_requirements(name: str, tmp_path: Path) -> None:
    run = run_suite(tmp_path, *FAST, f"--mock-defects={name}")
    assert _tripped(run) == set(DEFECTS[name].expected), run.stdout[-2000:]
    # The default gate fails on MUST violations only; a defect breaking only SHOULDs passes it.
    breaks_a_must = any(load_catalogue()[rid].level is Level.MUST for rid in DEFECTS[name].expected)
    assert run.returncode == (1 if breaks_a_must else 0)


@pytest.mark.parametrize("profile", ["compliant", "creatio"])
def test_clean_profiles_trip_nothing(profile: str, tmp_path: Path) -> None:
    run = run_suite(tmp_path, *FAST, f"--mock-profile={profile}")
    assert _tripped(run) == set(), run.stdout[-2000:]
    assert run.returncode == 0


@pytest.mark.parametrize("name", sorted(BENIGN))
def test_benign_variant_trips_nothing(name: str, tmp_path: Path) -> None:
    run = run_suite(tmp_path, *FAST, f"--mock-defects={name}")
    assert _tripped(run) == set(), run.stdout[-2000:]
    assert run.returncode == 0


def test_should_gate_fails_on_a_warn(tmp_path: Path) -> None:
    run = run_suite(tmp_path, *FAST, "--mock-defects=credential-format-lowercase", "--fail-on=should")
    assert run.verdicts()["CRE-credential-format"] == "WARN"
    assert run.returncode == 1
    assert "gate (--fail-on=should) fails on: WARN CRE-credential-format" in run.stdout
