"""The files Allure reads beside the results: ``environment.properties`` (what was tested, and how) and
``categories.json`` (each non-passing test filed under the verdict it stands for).

Written once a run, by the process that reports it (the controller under pytest-xdist), into the
results folder the workers fill.
"""

from __future__ import annotations

import json
import platform
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Literal

import pytest

from oauth_conformance.redaction import REDACTOR
from oauth_conformance.settings import Settings
from oauth_conformance.targets.creatio_target import resolve_hosting

__all__ = [
    "CATEGORIES",
    "CATEGORIES_FILE",
    "DISTRIBUTION",
    "ENVIRONMENT_FILE",
    "AllureStatus",
    "Category",
    "environment",
    "write_categories",
    "write_environment",
]

ENVIRONMENT_FILE = "environment.properties"
CATEGORIES_FILE = "categories.json"
# The suite's distribution, whose version the environment names.
DISTRIBUTION = "oauth-conformance"

AllureStatus = Literal["failed", "broken", "skipped"]


@dataclass(frozen=True)
class Category:
    """One of Allure's categories: the results of these statuses whose message matches ``pattern``
    (the whole message; ``[\\s\\S]`` rather than ``.``, since a message spans lines)."""

    name: str
    statuses: tuple[AllureStatus, ...]
    pattern: str

    def as_dict(self) -> dict[str, object]:
        return {"name": self.name, "matchedStatuses": list(self.statuses), "messageRegex": self.pattern}


# What allure-pytest-bdd writes for each verdict of a scenario (its status, and how its message starts):
#   FAIL    failed   "oauth_conformance.verdicts.checker.ConformanceFailure: [<ID>] ..."
#   ERROR   broken   "<module>.<Error>: ..." (any other exception; "failed" for a stray assert)
#   WAIVED  skipped  "XFAIL <ID> waived until <date>: <reason> ..." (reported as an expected failure)
#   blocked skipped  "Skipped: blocked by <ID or host>: ..." (or "<module>.BlockedError: blocked by ...")
#   SKIP    skipped  "Skipped: <reason>"
# The patterns exclude one another, so each result is in one category.
_CONFORMANCE_FAILURE = "ConformanceFailure: "
_WAIVED = "XFAIL [\\s\\S]* waived until "
_BLOCKED = "(?:Skipped: |[\\w.]+: )?blocked by "
CATEGORIES: tuple[Category, ...] = (
    Category("Requirement failed (FAIL)", ("failed",), f"^[\\s\\S]*{_CONFORMANCE_FAILURE}[\\s\\S]*$"),
    Category("Suite or network error (ERROR)", ("broken", "failed"),
             f"^(?![\\s\\S]*{_CONFORMANCE_FAILURE})[\\s\\S]*$"),
    Category("Waived deviation", ("skipped",), f"^{_WAIVED}[\\s\\S]*$"),
    Category("Blocked by an earlier finding", ("skipped",), f"^{_BLOCKED}[\\s\\S]*$"),
    Category("Precondition not met", ("skipped",), f"^(?!{_WAIVED}|{_BLOCKED})[\\s\\S]*$"),
)


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


def environment(settings: Settings, description: str, waiver_files: Iterable[str], workers: int) -> dict[str, str]:
    """What Allure's Environment panel shows: the target as the run found it, the settings that decide
    the verdicts, and the versions of the suite and its runner. Nothing secret: no login, no client."""
    properties = {
        "target": settings.target,
        "target_description": description,
    }
    if settings.target == "mock":
        properties |= {
            "creatio_generation": settings.mock_creatio_version,
            "creatio_hosting": settings.mock_hosting,
            "creatio_path_style": settings.mock_path_style,
            "mock_profile": settings.mock_profile,
            "mock_deactivation": settings.mock_deactivation,
            "mock_defects": ", ".join(sorted(settings.mock_defects)) or "none",
            "mock_tls": str(settings.mock_tls).lower(),
        }
    elif settings.target == "creatio" and settings.creatio_url:
        properties |= {
            "creatio_url": settings.creatio_url,
            "creatio_hosting": resolve_hosting(settings.creatio_hosting, settings.creatio_url),
            # "auto": the adapter tells it from the instance (the target's description may say which).
            "creatio_path_style": settings.creatio_path_style,
        }
    files = sorted(set(waiver_files))
    properties |= {
        "standards_profile": settings.standards_profile,
        "fail_on": settings.fail_on,
        "waivers": ", ".join(files) or "none",
        # The pytest-xdist workers the tests ran in (none: in one process).
        "xdist_workers": str(workers) if workers else "none",
        "suite_version": _version(DISTRIBUTION),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "pytest": pytest.__version__,
        "pytest_bdd": _version("pytest-bdd"),
    }
    # Settings are read as given: a URL is shown the way every report shows it.
    return {key: REDACTOR.text(value) for key, value in properties.items()}


def _escaped(text: str) -> str:
    """A value as java.util.Properties reads it back (ISO-8859-1, backslash escapes)."""
    out = []
    for char in text:
        if char in "\\=:#!":
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\r":
            out.append("\\r")
        elif char == "\t":
            out.append("\\t")
        elif not " " <= char <= "~":
            out.append(f"\\u{ord(char):04x}" if ord(char) <= 0xFFFF else "".join(
                f"\\u{unit:04x}" for unit in _utf16(char)))
        else:
            out.append(char)
    return "".join(out)


def _utf16(char: str) -> tuple[int, int]:
    code = ord(char) - 0x10000
    return 0xD800 + (code >> 10), 0xDC00 + (code & 0x3FF)


def write_environment(folder: Path, properties: Mapping[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ENVIRONMENT_FILE
    path.write_text("".join(f"{_escaped(k)}={_escaped(v)}\n" for k, v in properties.items()), encoding="ascii")
    return path


def write_categories(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / CATEGORIES_FILE
    path.write_text(json.dumps([c.as_dict() for c in CATEGORIES], indent=2) + "\n", encoding="utf-8")
    return path
