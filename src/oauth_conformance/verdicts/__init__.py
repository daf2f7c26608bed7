"""Verdicts: levels and the gate, the checker, outcomes of tests, waivers, and per-requirement results.

    levels    Verdict, SEVERITY, the gate (GATE, by --fail-on), what a violation of each level is
    checker   the Checker a step hands its observations to; Finding, ConformanceFailure
    settle    what a test's outcome (skip, error, failure) means for the requirements it names
    waivers   known, dated deviations: loading, the one expiry rule, applying them
    results   one verdict per catalogue requirement, from every finding of the run
"""

from __future__ import annotations

from oauth_conformance.verdicts.checker import Checker, ConformanceFailure, Finding
from oauth_conformance.verdicts.levels import GATE, Verdict
from oauth_conformance.verdicts.results import aggregate

__all__ = ["GATE", "Checker", "ConformanceFailure", "Finding", "Verdict", "aggregate"]
