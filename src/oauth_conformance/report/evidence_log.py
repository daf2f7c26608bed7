"""``reports/evidence.jsonl``: every exchange of the run, redacted, one JSON object a line. Findings cite
exchanges by ID (E1, E2, ...); ``find_exchanges`` looks them up again after the run."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from oauth_conformance.errors import SettingsError
from oauth_conformance.http import Exchange

__all__ = ["EVIDENCE_FILE", "find_exchanges", "normalise_id", "read_evidence", "write_evidence"]

EVIDENCE_FILE = "evidence.jsonl"
_ID = re.compile(r"[Ee]?(?P<number>[0-9]+)")


def write_evidence(path: Path, exchanges: Iterable[Mapping[str, Any]]) -> None:
    """Each exchange as ``Exchange.as_dict`` gives it, a line each."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for exchange in exchanges:
            out.write(json.dumps(exchange, ensure_ascii=False) + "\n")


def normalise_id(text: str) -> str | None:
    """E44, e44 and 44 all name exchange E44; None for anything else."""
    match = _ID.fullmatch(text.strip())
    return f"E{int(match['number'])}" if match else None


def find_exchanges(reports_dir: Path, wanted: Iterable[str]) -> dict[str, Exchange]:
    """The exchanges of the run whose reports are in ``reports_dir``, by ID, of those ``wanted`` that it
    holds. A folder without an evidence log is a wrong setting."""
    path = reports_dir / EVIDENCE_FILE
    if not path.is_file():
        raise SettingsError(
            f"--reports-dir / OAUTH_REPORTS_DIR={str(reports_dir)!r}: no {EVIDENCE_FILE} there; expected the "
            "folder a run wrote its reports to"
        )
    wanted = set(wanted)
    found: dict[str, Exchange] = {}
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            try:
                data = json.loads(line)
                if data.get("id") in wanted:
                    found[data["id"]] = Exchange.from_dict(data)
            except (ValueError, KeyError, TypeError, AttributeError) as error:
                raise SettingsError(
                    f"{path}: line {number} is not an exchange ({type(error).__name__}); expected the evidence "
                    "log of a run"
                ) from None
    return found


def read_evidence(path: Path) -> list[dict[str, Any]]:
    """Every exchange of an evidence log as written, for rendering the reports again from files; a line
    that is not a JSON object is skipped (the reports then show its ID as missing from the log)."""
    exchanges = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            value = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            exchanges.append(value)
    return exchanges
