"""Writes ``docs/checks.md`` from the catalogue, the check registry, the features and the seeded defects.

    python tools/checks_doc.py           # rewrite docs/checks.md
    python tools/checks_doc.py --check   # exit 1 when docs/checks.md is out of date

The page is generated, never edited: ``tests/selftest/test_checks_doc.py`` fails when it differs from
what this script writes.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from oauth_conformance.catalogue import Requirement, load_catalogue
from oauth_conformance.checks import CHECKS, Check
from oauth_conformance.mock import DEFECTS

ROOT = Path(__file__).resolve().parents[1]
FEATURES = ROOT / "features"
DOC = ROOT / "docs" / "checks.md"
BACKLOGS = (ROOT / "tests" / "selftest" / "coverage_backlog.toml",)

_TAG = re.compile(r"(?<!\S)@([^\s@]+)")
_SCENARIO = re.compile(r"^\s*Scenario(?: Outline)?:\s*(.+?)\s*$")

__all__ = ["DOC", "render", "scenarios_by_requirement"]


@dataclass(frozen=True, order=True)
class ScenarioRef:
    feature: str
    name: str


def scenarios_by_requirement(features: Path = FEATURES) -> dict[str, list[ScenarioRef]]:
    """Each tag's scenarios, as ``features/<dir>/<file>`` and the scenario's name."""
    found: dict[str, set[ScenarioRef]] = defaultdict(set)
    for path in sorted(features.rglob("*.feature")):
        pending: list[str] = []
        for line in path.read_text(encoding="utf-8").splitlines():
            stripped = line.strip()
            if stripped.startswith("@"):
                pending += _TAG.findall(stripped)
                continue
            match = _SCENARIO.match(line)
            if match:
                ref = ScenarioRef(path.relative_to(features.parent).as_posix(), match.group(1))
                for tag in pending:
                    found[tag].add(ref)
            if stripped and not stripped.startswith("#"):
                pending = []
    return {tag: sorted(refs) for tag, refs in found.items()}


def _killers() -> dict[str, list[str]]:
    killers: dict[str, list[str]] = defaultdict(list)
    for defect in sorted(DEFECTS.values(), key=lambda d: d.name):
        # A defect only the search finds says so: only a lifecycle sequence or an input variant shows it.
        shown = f"`{defect.name}`" + ("" if defect.kind == "scenario" else f" ({defect.kind}, found by the search)")
        for requirement_id in defect.expected:
            killers[requirement_id].append(shown)
    return killers


def _backlog_reasons() -> dict[str, str]:
    import tomllib

    reasons: dict[str, str] = {}
    for path in BACKLOGS:
        reasons |= {str(k): str(v) for k, v in tomllib.loads(path.read_text(encoding="utf-8"))["pending"].items()}
    return reasons


_CONTROL = (
    "- **Positive control:** the judgement counts only beside the valid form of the request in the same run "
    "(a token for the standards client; its valid token served by the protected resource; the client's own "
    "introspection or revocation working); without it the check is undecided, a SKIP with the reason."
)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _entry(requirement: Requirement, check: Check[object] | None, scenarios: list[ScenarioRef],
           killers: list[str], backlog: dict[str, str]) -> list[str]:
    level = requirement.level.value + (" (review)" if requirement.check == "review" else "")
    where = f"[{requirement.document} §{requirement.section}]({requirement.url})"
    lines = [f"### {requirement.id}", "", f"{level} · {where} · {_cell(requirement.summary)}", ""]
    if check is None:
        why = requirement.why if not requirement.black_box else backlog.get(requirement.id, "no scenario yet")
        lines += [f"Not checked: {_cell(why)}", ""]
        return lines
    lines += [
        f"- **Check:** `checks/{check.module}.py` `{check.name}`"
        + (f" (shared step: {', '.join(sorted(f'“{f.value}”' for f in check.families))})" if check.families else ""),
        f"- **Observes:** {_cell(check.observes)}",
        f"- **Accepts:** {_cell(check.accepts)}",
        *([_CONTROL] if check.needs_control else []),
        "- **Scenarios:** " + ("; ".join(f"{s.name} (`{s.feature}`)" for s in scenarios) or "none"),
        "- **Killed by:** " + (", ".join(killers) or _cell(
            "no seeded defect: " + backlog.get(requirement.id, "see tests/selftest/kill_backlog.toml"))),
        "",
    ]
    return lines


def render() -> str:
    catalogue = load_catalogue()
    scenarios = scenarios_by_requirement()
    killers = _killers()
    backlog = _backlog_reasons()
    import tomllib

    backlog |= {str(k): str(v) for k, v in tomllib.loads(
        (ROOT / "tests" / "selftest" / "kill_backlog.toml").read_text(encoding="utf-8"))["pending"].items()}
    checked = sum(1 for r in catalogue if r.id in CHECKS)
    lines = [
        "# Checks",
        "",
        "<!-- Generated by tools/checks_doc.py from the catalogue, the check registry, the features and the",
        "     seeded defects. Do not edit: run `make docs`. -->",
        "",
        f"{len(catalogue)} requirements, {checked} with a registered check. Each check is a function in",
        "`src/oauth_conformance/checks/<document>.py`, registered under the requirement ID it decides; the",
        "requirement's level decides what a violation means (MUST: FAIL, SHOULD: WARN, MAY: INFO; review",
        "requirements record a measurement for a person). *Observes* is what the check is handed, *Accepts*",
        "which answers hold and the sentence of the RFC (or of the Creatio procedure) that allows each,",
        "*Positive control* whether a refusal counts only beside the valid request working in the same run,",
        "*Scenarios* where it runs, *Killed by* the seeded defects of the bundled mock that must make it fail.",
        "",
    ]
    document = None
    for requirement in catalogue:
        if requirement.document != document:
            document = requirement.document
            lines += [f"## {document}", ""]
        lines += _entry(requirement, CHECKS.get(requirement.id), scenarios.get(requirement.id, []),
                        killers.get(requirement.id, []), backlog)
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/checks.md is out of date")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
        if current != text:
            print(f"{DOC.relative_to(ROOT)} is out of date: run `make docs`", file=sys.stderr)  # noqa: T201
            return 1
        return 0
    DOC.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
