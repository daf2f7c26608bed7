"""``report/baseline.py`` on small conformance.json documents: each kind of difference, IDs new and gone,
the terminal lines, the round trip through conformance.json, and a baseline file that is no baseline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from oauth_conformance.errors import SettingsError
from oauth_conformance.report.baseline import ChangeKind, Comparison, classify, compare, load_baseline
from oauth_conformance.verdicts.levels import Verdict

V = Verdict


def document(verdicts: dict[str, str], started: str = "2026-11-30T08:00:00Z", **run: Any) -> dict[str, Any]:
    return {
        "run": {"started": started, "target_description": "bundled mock", **run},
        "summary": {},
        "requirements": [
            {"id": i, "level": "MUST", "verdict": v, "message": f"{i} is {v}"} for i, v in verdicts.items()
        ],
    }


@pytest.mark.parametrize(
    ("before", "after", "kind"),
    [
        (V.PASS, V.FAIL, "regression"),
        (V.WARN, V.FAIL, "regression"),
        (V.PASS, V.WARN, "regression"),
        (V.FAIL, V.ERROR, "regression"),
        (V.SKIP, V.ERROR, "regression"),
        (V.NOT_RUN, V.FAIL, "regression"),
        (V.WAIVED, V.FAIL, "regression"),  # the waiver lapsed: the deviation counts again
        (V.REVIEW, V.WARN, "regression"),
        (V.FAIL, V.PASS, "fix"),
        (V.WARN, V.PASS, "fix"),
        (V.ERROR, V.PASS, "fix"),
        (V.WAIVED, V.PASS, "fix"),
        (V.FAIL, V.WAIVED, "change"),  # accepted, not fixed
        (V.FAIL, V.WARN, "change"),
        (V.ERROR, V.FAIL, "change"),
        (V.PASS, V.SKIP, "change"),
        (V.SKIP, V.PASS, "change"),
        (V.PASS, V.REVIEW, "change"),
        (V.PASS, V.NOT_RUN, "change"),
        (None, V.FAIL, "change"),
        (V.PASS, None, "change"),
        (V.PASS, V.PASS, "unchanged"),
        (V.FAIL, V.FAIL, "unchanged"),
    ],
)
def test_each_transition_has_one_kind(before: Verdict | None, after: Verdict | None, kind: ChangeKind) -> None:
    assert classify(before, after) == kind


BASELINE = document({"A": "PASS", "B": "FAIL", "C": "PASS", "D": "SKIP", "GONE": "PASS", "E": "PASS"})
CURRENT = document({"A": "FAIL", "B": "PASS", "C": "PASS", "D": "PASS", "NEW": "FAIL", "E": "ERROR"},
                   started="2026-12-01T08:00:00Z")


def test_compare_sorts_each_requirement_into_its_kind() -> None:
    comparison = compare(BASELINE, CURRENT)
    assert [(c.id, c.before, c.after) for c in comparison.regressions] == [
        ("A", V.PASS, V.FAIL), ("E", V.PASS, V.ERROR)]
    assert [(c.id, c.before, c.after) for c in comparison.fixes] == [("B", V.FAIL, V.PASS)]
    # This run's order, then what is gone.
    assert [(c.id, c.before, c.after) for c in comparison.changes] == [
        ("D", V.SKIP, V.PASS), ("NEW", None, V.FAIL), ("GONE", V.PASS, None)]
    assert comparison.unchanged == 1
    assert comparison.baseline_started == "2026-11-30T08:00:00Z"
    assert comparison.baseline_target == "bundled mock"
    assert comparison.regressions[0].message == "A is FAIL"
    assert "not in this run" in comparison.changes[-1].message


def test_identical_runs_compare_clean() -> None:
    comparison = compare(BASELINE, BASELINE)
    assert (comparison.regressions, comparison.fixes, comparison.changes) == ((), (), ())
    assert comparison.unchanged == len(BASELINE["requirements"])
    assert comparison.gate_failures() == []


def test_a_subset_run_compares_only_what_it_selected() -> None:
    comparison = compare(BASELINE, CURRENT, only={"A", "C"})
    assert [c.id for c in comparison.regressions] == ["A"]
    assert (comparison.fixes, comparison.changes, comparison.unchanged) == ((), (), 1)


def test_summary_lines_show_every_regression_and_fold_the_rest() -> None:
    many = {f"R{i}": "PASS" for i in range(8)} | {f"F{i}": "FAIL" for i in range(8)}
    after = {f"R{i}": "FAIL" for i in range(8)} | {f"F{i}": "PASS" for i in range(8)}
    lines = compare(document(many), document(after)).summary_lines(shown=3)
    assert lines[0] == (
        "Baseline (2026-11-30T08:00:00Z, bundled mock): 8 regressions, 8 fixes, 0 other changes, 0 unchanged")
    assert sum(line.startswith("  regression R") for line in lines) == 8
    assert "  regression R0: PASS → FAIL: R0 is FAIL" in lines
    assert sum(line.startswith("  fixed") for line in lines) == 3
    assert lines[-1] == "  … and 5 more fixes in conformance.json"


def test_new_and_gone_read_as_such() -> None:
    lines = compare(BASELINE, CURRENT).summary_lines()
    assert "  changed    NEW: new, FAIL: NEW is FAIL" in lines
    assert any(line.startswith("  changed    GONE: gone (was PASS)") for line in lines)


def test_the_comparison_survives_conformance_json() -> None:
    comparison = compare(BASELINE, CURRENT, source="reports/last.json")
    stored = json.loads(json.dumps(comparison.as_dict()))
    assert stored["counts"] == {"regressions": 2, "fixes": 1, "changes": 3, "unchanged": 1}
    assert stored["regressions"][0] == {"id": "A", "before": "PASS", "after": "FAIL", "message": "A is FAIL"}
    assert Comparison.from_dict(stored) == comparison


def test_not_a_comparison_is_refused() -> None:
    with pytest.raises(ValueError, match="not a baseline comparison"):
        Comparison.from_dict({"regressions": [{"before": "PASS"}]})


def test_gate_failures_name_each_regression() -> None:
    assert compare(BASELINE, CURRENT).gate_failures() == ["REGRESSION A (PASS → FAIL)", "REGRESSION E (PASS → ERROR)"]


def test_load_baseline_reads_a_conformance_json(tmp_path: Path) -> None:
    path = tmp_path / "conformance.json"
    path.write_text(json.dumps(BASELINE), encoding="utf-8")
    assert load_baseline(path) == BASELINE


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (None, "no such file"),
        ("{not json", "not JSON"),
        (b"\xff\xfe{}", "not UTF-8"),
        ("[1, 2]", 'no "requirements" list'),
        ('{"run": {}, "summary": {}}', 'no "requirements" list'),
        ('{"requirements": {"A": "PASS"}}', 'no "requirements" list'),
        ('{"requirements": [{"verdict": "PASS"}]}', "requirement 1 has no id"),
        ('{"requirements": [{"id": "A", "verdict": "GREEN"}]}', "A has the verdict 'GREEN'"),
        ('{"run": [], "requirements": []}', '"run" is not an object'),
    ],
)
def test_load_baseline_refuses_what_is_no_baseline(tmp_path: Path, content: str | bytes | None, says: str) -> None:
    path = tmp_path / "baseline.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(SettingsError) as raised:
        load_baseline(path)
    message = str(raised.value)
    assert message.startswith(f"--baseline / OAUTH_BASELINE={str(path)!r}: ")
    assert says in message
    assert "\n" not in message


def test_load_baseline_refuses_a_folder(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as raised:
        load_baseline(tmp_path)
    assert str(raised.value).endswith("; expected the conformance.json of an earlier run")
