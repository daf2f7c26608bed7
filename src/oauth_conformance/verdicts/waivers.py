"""Waivers: known, dated deviations that do not fail the gate while they last.

A waiver file is TOML with ``[[waiver]]`` tables: ``id`` (a catalogue requirement), ``reason`` (why the
deviation is accepted, citing its evidence) and ``expires`` (a date). A waived FAIL or WARN is reported
WAIVED. An ERROR is never waived: the suite could not check, so there is nothing to accept. A waiver
past its date no longer applies; a waiver whose requirement now passes is reported as stale so that it
is removed (the ratchet).
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from oauth_conformance.catalogue import Catalogue
from oauth_conformance.errors import SettingsError
from oauth_conformance.verdicts.levels import Verdict

__all__ = [
    "WAIVABLE",
    "Waiver",
    "WaiverOutcome",
    "WaiverStatus",
    "apply_waivers",
    "describe",
    "in_force",
    "load_waivers",
    "waiver_for",
]

WAIVABLE = frozenset({Verdict.FAIL, Verdict.WARN})
# What became of a waiver: applied, "stale" (its requirement passes now), expired, not run, or not
# selected (a run of a subset of the scenarios chose none that checks its requirement).
WaiverStatus = Literal["applied", "stale", "expired", "not run", "not selected"]


@dataclass(frozen=True)
class Waiver:
    id: str
    reason: str
    expires: dt.date
    source: str


@dataclass(frozen=True)
class WaiverOutcome:
    """What became of one waiver in this run."""

    waiver: Waiver
    status: WaiverStatus
    verdict: Verdict


def in_force(waiver: Waiver, today: dt.date) -> bool:
    """The one expiry rule: a waiver applies up to and including its ``expires`` date."""
    return waiver.expires >= today


def waiver_for(waivers: Iterable[Waiver], requirement_id: str, today: dt.date) -> Waiver | None:
    """The waiver in force today for ``requirement_id``, if any."""
    return next((w for w in waivers if w.id == requirement_id and in_force(w, today)), None)


def load_waivers(paths: tuple[Path, ...], catalogue: Catalogue) -> list[Waiver]:
    waivers: list[Waiver] = []
    for path in paths:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as error:
            raise SettingsError(f"--waivers {path}: {error.strerror}; expected a waiver file (TOML)") from None
        except tomllib.TOMLDecodeError as error:
            raise SettingsError(f"--waivers {path}: not valid TOML ({error}); expected [[waiver]] tables") from None
        for index, raw in enumerate(data.get("waiver", []), start=1):
            where = f"--waivers {path}: waiver {index}"
            requirement_id = raw.get("id")
            if requirement_id not in catalogue:
                raise SettingsError(f"{where}: id {requirement_id!r} is not a catalogue requirement")
            if not str(raw.get("reason", "")).strip():
                raise SettingsError(f"{where} ({requirement_id}): reason is empty; expected why it is accepted")
            expires = raw.get("expires")
            if not isinstance(expires, dt.date):
                raise SettingsError(f"{where} ({requirement_id}): expires must be a date such as 2027-06-30")
            waivers.append(Waiver(requirement_id, str(raw["reason"]).strip(), expires, str(path)))
    return waivers


def apply_waivers(
    verdicts: dict[str, Verdict], waivers: list[Waiver], today: dt.date, selected: frozenset[str] | None = None
) -> tuple[dict[str, Verdict], list[WaiverOutcome]]:
    """The verdicts after waivers, and what became of each waiver. ``selected``: the requirements a run
    of a subset of the scenarios chose (None: every scenario was selected)."""
    result = dict(verdicts)
    outcomes: list[WaiverOutcome] = []
    for waiver in waivers:
        verdict = verdicts.get(waiver.id, Verdict.NOT_RUN)
        if not in_force(waiver, today):
            outcomes.append(WaiverOutcome(waiver, "expired", verdict))
        elif verdict in WAIVABLE:
            result[waiver.id] = Verdict.WAIVED
            outcomes.append(WaiverOutcome(waiver, "applied", verdict))
        elif verdict is Verdict.PASS:
            outcomes.append(WaiverOutcome(waiver, "stale", verdict))
        elif selected is not None and waiver.id not in selected:
            outcomes.append(WaiverOutcome(waiver, "not selected", verdict))
        else:
            outcomes.append(WaiverOutcome(waiver, "not run", verdict))
    return result, outcomes


def describe(outcome: WaiverOutcome) -> str:
    waiver = outcome.waiver
    if outcome.status == "applied":
        return f"{waiver.id}: waived until {waiver.expires} ({outcome.verdict.value} otherwise): {waiver.reason}"
    if outcome.status == "stale":
        return f"{waiver.id}: passes now; remove its waiver from {waiver.source}"
    if outcome.status == "expired":
        return f"{waiver.id}: waiver expired on {waiver.expires}; the deviation counts again"
    if outcome.status == "not selected":
        return f"{waiver.id}: no selected scenario checks it; waiver unused"
    return f"{waiver.id}: not evaluated in this run ({outcome.verdict.value}); waiver unused"
