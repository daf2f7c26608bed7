"""Levels and the gate: what a violation of each level is reported as, how serious each verdict is,
and which verdicts fail the run under ``--fail-on``."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Literal

from oauth_conformance.catalogue import Level

__all__ = ["GATE", "SEVERITY", "VIOLATION", "FailOn", "Verdict", "most_serious"]


class Verdict(enum.StrEnum):
    PASS = "PASS"
    FAIL = "FAIL"
    WARN = "WARN"
    INFO = "INFO"
    REVIEW = "REVIEW"
    SKIP = "SKIP"
    ERROR = "ERROR"
    WAIVED = "WAIVED"
    NOT_RUN = "NOT_RUN"


# When one requirement collects several findings, the most serious one is its verdict. SKIP ranks
# above PASS: a requirement one of whose scenarios could not run is not shown as verified.
SEVERITY: dict[Verdict, int] = {
    Verdict.ERROR: 8,
    Verdict.FAIL: 7,
    Verdict.WARN: 6,
    Verdict.REVIEW: 5,
    Verdict.INFO: 4,
    Verdict.WAIVED: 3,
    Verdict.SKIP: 2,
    Verdict.PASS: 1,
    Verdict.NOT_RUN: 0,
}

# The lowest level that fails the gate (--fail-on / OAUTH_FAIL_ON).
FailOn = Literal["must", "should"]

# What fails the gate, by --fail-on; its keys are the option's choices.
GATE: dict[FailOn, frozenset[Verdict]] = {
    "must": frozenset({Verdict.FAIL, Verdict.ERROR}),
    "should": frozenset({Verdict.FAIL, Verdict.ERROR, Verdict.WARN}),
}

# What a violated requirement is reported as, by its level.
VIOLATION: dict[Level, Verdict] = {Level.MUST: Verdict.FAIL, Level.SHOULD: Verdict.WARN, Level.MAY: Verdict.INFO}


def most_serious(verdicts: Iterable[Verdict]) -> Verdict:
    """The most serious of ``verdicts`` (SEVERITY); NOT_RUN when there are none."""
    worst = Verdict.NOT_RUN
    for verdict in verdicts:
        if SEVERITY[verdict] > SEVERITY[worst]:
            worst = verdict
    return worst
