"""``--baseline``: this run's verdicts against an earlier run's ``conformance.json``.

Each requirement ID falls in one of four kinds, decided from its verdict before and after on the
project's own severity scale (``verdicts.levels.SEVERITY``):

- **regression**: the verdict is now FAIL, ERROR or WARN and more serious than before (PASS → FAIL,
  WARN → FAIL, PASS → WARN, SKIP → FAIL, WAIVED → FAIL once a waiver lapsed, anything → ERROR). These are
  what ``--fail-on-regression`` gates on.
- **fix**: a deviation (FAIL, ERROR, WARN, or a WAIVED one) now PASSes. A deviation that becomes WAIVED is
  accepted, not fixed, so it is a change.
- **change**: any other verdict change (FAIL → WARN, PASS → SKIP, FAIL → WAIVED, ...), and an ID that is
  new in this run or gone from it. A new ID that fails is a change, not a regression: the catalogue grew,
  the target did not get worse.
- unchanged: counted only.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from oauth_conformance.errors import SettingsError
from oauth_conformance.verdicts.levels import SEVERITY, Verdict

__all__ = [
    "DEVIATIONS",
    "REGRESSIONS",
    "ChangeKind",
    "Comparison",
    "VerdictChange",
    "classify",
    "compare",
    "load_baseline",
]

# A verdict that moves up to one of these is a regression.
REGRESSIONS = frozenset({Verdict.FAIL, Verdict.ERROR, Verdict.WARN})
# What a fix starts from: a deviation, whether the gate counted it or a waiver accepted it.
DEVIATIONS = frozenset({Verdict.FAIL, Verdict.ERROR, Verdict.WARN, Verdict.WAIVED})
ChangeKind = Literal["regression", "fix", "change", "unchanged"]
# How many fixes and changes the terminal shows before folding the rest (regressions are all shown).
_SHOWN = 5
_SETTING = "--baseline / OAUTH_BASELINE"


@dataclass(frozen=True)
class VerdictChange:
    """One requirement whose verdict differs from the baseline's; ``before`` is None for an ID new in this
    run, ``after`` None for one gone from it. ``message`` is this run's message (for a gone ID, that
    it is gone)."""

    id: str
    before: Verdict | None
    after: Verdict | None
    message: str

    def transition(self) -> str:
        if self.before is None:
            return f"new, {self.after}"
        if self.after is None:
            return f"gone (was {self.before})"
        return f"{self.before} → {self.after}"

    def describe(self) -> str:
        return f"{self.id}: {self.transition()}" + (f": {self.message}" if self.message else "")

    def as_dict(self) -> dict[str, str | None]:
        return {
            "id": self.id,
            "before": self.before.value if self.before else None,
            "after": self.after.value if self.after else None,
            "message": self.message,
        }


def classify(before: Verdict | None, after: Verdict | None) -> ChangeKind:
    """Which kind of difference ``before`` → ``after`` is (see the module's docstring)."""
    if before is None or after is None:
        return "change"
    if before is after:
        return "unchanged"
    if after in REGRESSIONS and SEVERITY[after] > SEVERITY[before]:
        return "regression"
    if before in DEVIATIONS and after is Verdict.PASS:
        return "fix"
    return "change"


@dataclass(frozen=True)
class Comparison:
    """This run against a baseline: what regressed, what was fixed, what else changed."""

    baseline_started: str | None
    baseline_target: str | None
    regressions: tuple[VerdictChange, ...]
    fixes: tuple[VerdictChange, ...]
    changes: tuple[VerdictChange, ...]
    unchanged: int
    # Where the baseline was read from, when the caller says.
    baseline_source: str | None = None

    def headline(self) -> str:
        when = self.baseline_started or "start unknown"
        target = f", {self.baseline_target}" if self.baseline_target else ""
        return (
            f"Baseline ({when}{target}): {_count(len(self.regressions), 'regression')}, "
            f"{_count(len(self.fixes), 'fix', 'fixes')}, {_count(len(self.changes), 'other change')}, "
            f"{self.unchanged} unchanged"
        )

    def summary_lines(self, shown: int = _SHOWN) -> list[str]:
        """For the terminal: the counts, every regression, then the first ``shown`` fixes and changes."""
        lines = [self.headline()]
        lines += [f"  regression {change.describe()}" for change in self.regressions]
        for label, changes, plural in (("fixed", self.fixes, "fixes"), ("changed", self.changes, "changes")):
            lines += [f"  {label:<10} {change.describe()}" for change in changes[:shown]]
            if len(changes) > shown:
                lines.append(f"  … and {len(changes) - shown} more {plural} in conformance.json")
        return lines

    def gate_failures(self) -> list[str]:
        """What ``--fail-on-regression`` fails on, in the style of the run's ``gate_failures``."""
        return [f"REGRESSION {change.id} ({change.transition()})" for change in self.regressions]

    def as_dict(self) -> dict[str, Any]:
        """For ``conformance.json``, under ``run["baseline"]``; ``from_dict`` reads it back."""
        return {
            "source": self.baseline_source,
            "started": self.baseline_started,
            "target": self.baseline_target,
            "counts": {
                "regressions": len(self.regressions),
                "fixes": len(self.fixes),
                "changes": len(self.changes),
                "unchanged": self.unchanged,
            },
            "regressions": [change.as_dict() for change in self.regressions],
            "fixes": [change.as_dict() for change in self.fixes],
            "changes": [change.as_dict() for change in self.changes],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Comparison:
        """The comparison ``as_dict`` wrote; ValueError when ``data`` is not one."""

        def changes(key: str) -> tuple[VerdictChange, ...]:
            rows = data.get(key, [])
            if not isinstance(rows, list):
                raise ValueError(f"{key} is not a list")
            return tuple(
                VerdictChange(str(row["id"]), _verdict_or_none(row.get("before")), _verdict_or_none(row.get("after")),
                              str(row.get("message") or ""))
                for row in rows
            )

        try:
            counts = data.get("counts", {})
            return cls(
                baseline_started=_str_or_none(data.get("started")),
                baseline_target=_str_or_none(data.get("target")),
                regressions=changes("regressions"),
                fixes=changes("fixes"),
                changes=changes("changes"),
                unchanged=int(counts.get("unchanged", 0)),
                baseline_source=_str_or_none(data.get("source")),
            )
        except (KeyError, TypeError, AttributeError) as error:
            raise ValueError(f"not a baseline comparison: {error}") from None


def compare(
    baseline: Mapping[str, Any],
    current: Mapping[str, Any],
    *,
    only: Collection[str] | None = None,
    source: str | None = None,
) -> Comparison:
    """This run's ``conformance.json`` (``current``) against an earlier one (``baseline``).

    ``only``, when given, limits the comparison to those requirement IDs (a subset run: what it did not
    select is NOT_RUN, which is no news). ``source`` says where the baseline came from, for the reports.
    """
    before, _ = _verdicts(baseline)
    after, messages = _verdicts(current)
    found: dict[ChangeKind, list[VerdictChange]] = {"regression": [], "fix": [], "change": [], "unchanged": []}
    # This run's order first, then what is gone, in the baseline's order.
    for requirement_id in [*after, *(i for i in before if i not in after)]:
        if only is not None and requirement_id not in only:
            continue
        was, now = before.get(requirement_id), after.get(requirement_id)
        message = messages[requirement_id] if now is not None else "not in this run's conformance.json"
        found[classify(was, now)].append(VerdictChange(requirement_id, was, now, message))
    run = baseline.get("run")
    run = run if isinstance(run, Mapping) else {}
    return Comparison(
        baseline_started=_str_or_none(run.get("started")),
        baseline_target=_str_or_none(run.get("target_description") or run.get("target")),
        regressions=tuple(found["regression"]),
        fixes=tuple(found["fix"]),
        changes=tuple(found["change"]),
        unchanged=len(found["unchanged"]),
        baseline_source=source,
    )


def load_baseline(path: Path) -> dict[str, Any]:
    """An earlier run's ``conformance.json``; SettingsError (one line, naming the setting) when ``path`` is
    missing, not JSON, or not a conformance.json."""
    where = f"{_SETTING}={str(path)!r}"
    expected = "expected the conformance.json of an earlier run"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SettingsError(f"{where}: no such file; {expected}") from None
    except OSError as error:
        raise SettingsError(f"{where}: {error.strerror}; {expected}") from None
    except UnicodeDecodeError:
        raise SettingsError(f"{where}: not UTF-8 text; {expected}") from None
    try:
        document: dict[str, Any] = json.loads(text)
    except json.JSONDecodeError as error:
        raise SettingsError(f"{where}: not JSON ({error.msg} at line {error.lineno}); {expected}") from None
    requirements = document.get("requirements") if isinstance(document, dict) else None
    if not isinstance(requirements, list):
        raise SettingsError(f'{where}: no "requirements" list; {expected}')
    for index, requirement in enumerate(requirements, start=1):
        if not isinstance(requirement, dict) or not isinstance(requirement.get("id"), str):
            raise SettingsError(f"{where}: requirement {index} has no id; {expected}")
        if _verdict_or_none(requirement.get("verdict")) is None:
            raise SettingsError(
                f"{where}: {requirement['id']} has the verdict {requirement.get('verdict')!r}; expected one of "
                f"{', '.join(v.value for v in Verdict)}"
            )
    if not isinstance(document.get("run", {}), dict):
        raise SettingsError(f'{where}: "run" is not an object; {expected}')
    return document


def _verdicts(document: Mapping[str, Any]) -> tuple[dict[str, Verdict], dict[str, str]]:
    """Each requirement's verdict and message; ValueError for a verdict the project does not know."""
    verdicts: dict[str, Verdict] = {}
    messages: dict[str, str] = {}
    for requirement in document.get("requirements", []):
        verdict = _verdict_or_none(requirement.get("verdict"))
        if verdict is None:
            raise ValueError(f"{requirement.get('id')}: unknown verdict {requirement.get('verdict')!r}")
        verdicts[str(requirement["id"])] = verdict
        messages[str(requirement["id"])] = str(requirement.get("message") or "")
    return verdicts, messages


def _verdict_or_none(value: object) -> Verdict | None:
    return next((verdict for verdict in Verdict if verdict.value == value), None)


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _count(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n} {singular if n == 1 else plural or singular + 's'}"
