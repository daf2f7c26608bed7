"""A run of a subset of the scenarios (-m, -k) reports on what it selected: its not-run list and its
waivers are those of the selected requirements; the rest are NOT_RUN "not selected", said once."""

from __future__ import annotations

from pathlib import Path

from tests.selftest.suite_runner import run_suite

FAST = ("-p", "no:hypothesispytest", "-p", "no:allure_pytest_bdd", "tests/conformance")


def test_a_subset_run_reports_on_what_it_selected(tmp_path: Path) -> None:
    run = run_suite(tmp_path, *FAST, "-m", "RFC6749-5.2-invalid-client-401 or CRE-health-preflight")
    assert run.returncode == 0, run.stdout[-3000:]
    document = run.conformance
    selected = set(document["run"]["selected"])
    assert {"RFC6749-5.2-invalid-client-401", "CRE-health-preflight"} <= selected
    assert len(selected) < 20
    # Every requirement is still in the report; the unselected ones say why they did not run.
    results = {r["id"]: r for r in document["requirements"]}
    assert len(results) == document["summary"]["NOT_RUN"] + sum(
        count for verdict, count in document["summary"].items() if verdict != "NOT_RUN"
    )
    deselected = [r for rid, r in results.items() if rid not in selected and r["tests"]]
    assert deselected and all(r["verdict"] == "NOT_RUN" for r in deselected)
    assert all(r["message"].startswith("not selected in this run") for r in deselected)
    # The waiver of a selected requirement applies; the others are not selected, and not printed.
    statuses = {w["id"]: w["status"] for w in document["run"]["waivers"]}
    assert statuses.pop("RFC6749-5.2-invalid-client-401") == "applied"
    assert set(statuses.values()) == {"not selected"}
    assert "waiver unused" not in run.stdout
    assert f"subset run: the selected scenarios check {len(selected)} of the 131 requirements" in run.stdout
    not_run = next((line for line in run.stdout.splitlines() if line.startswith("not run: ")), "not run: ")
    assert set(not_run.removeprefix("not run: ").split(", ")) - {""} <= selected


def test_a_whole_run_is_not_a_subset(tmp_path: Path) -> None:
    run = run_suite(tmp_path, *FAST)
    assert run.returncode == 0, run.stdout[-3000:]
    assert run.conformance["run"]["selected"] is None
    assert "not selected" not in {w["status"] for w in run.conformance["run"]["waivers"]}
    assert "subset run:" not in run.stdout
