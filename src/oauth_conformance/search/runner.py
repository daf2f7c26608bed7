"""Running one search with Hypothesis and turning what it found into findings.

A search (the lifecycle state machine, the token endpoint or the API properties) judges every answer
with the registered checks, as a scenario does, through ``Search.judge``. A violated requirement stops
the example with ``PromiseBroken``; Hypothesis then shrinks the example to the smallest one that still
breaks a promise and replays it, and the replay's steps (``Search.step``, one line each, evidence IDs
included) become the finding's replayable steps. Each requirement gets one finding per search:

- the violation of the shrunk example (FAIL, WARN or INFO by its level), with its steps;
- else PASS "held in N judgements over M examples", citing the first exchanges that showed it;
- else SKIP where the positive control it rests on did not hold, and NOT_RUN, with why, where no example
  reached a step that decides it (the budget ran out, or the target offered no such step): NOT_RUN ranks
  below every verdict, so a search that did not get there never hides what the scenarios showed.

A requirement a waiver covers is known to break: its first violation is recorded (WAIVED in the
reports) and the search goes on, so that a known deviation never hides an unknown one.

The examples, the steps per example, derandomization and the example database (``reports/hypothesis``,
replayed first by the next run) come from the run's settings (``SearchSettings``). The search sends its
requests through the run's HTTP client; their exchanges are held back and only those a finding cites are
kept in the evidence log.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import hypothesis
from hypothesis import HealthCheck, Verbosity
from hypothesis.database import DirectoryBasedExampleDatabase
from hypothesis.errors import Flaky, FlakyFailure
from hypothesis.internal.conjecture import engine
from hypothesis.strategies import SearchStrategy

from oauth_conformance.checks import Check, Outcome, Status
from oauth_conformance.http import EvidenceLog
from oauth_conformance.search.budget import RequestBudget
from oauth_conformance.verdicts import Checker, Finding, Verdict

__all__ = ["PromiseBroken", "Search", "SearchSettings", "hypothesis_settings"]

Observed = TypeVar("Observed")
T = TypeVar("T")

_EVIDENCE_ID = re.compile(r"\bE\d+\b")
# Hypothesis shrinks for up to five minutes, and each lifecycle example costs dozens of requests: after
# this long, the smallest failing example found so far is the finding. (Hypothesis keeps the bound in a
# module constant "monkeypatchable, for the rare users who need" another, hypothesis/internal/conjecture/
# engine.py; it is set for the search's run only.)
SHRINKING_SECONDS = 10


@dataclass(frozen=True)
class SearchSettings:
    """How long one search explores (OAUTH_SEARCH_EXAMPLES, OAUTH_SEARCH_STEPS), whether it is
    reproducible (OAUTH_SEARCH_DERANDOMIZE) and where it remembers failing examples."""

    examples: int
    steps: int
    derandomize: bool
    database: Path | None


def hypothesis_settings(search: SearchSettings) -> hypothesis.settings:
    # A derandomized search explores the same examples every run, so it has no use for (and Hypothesis
    # refuses) a database; a random one replays the failing examples it saved there before anything else.
    database = (DirectoryBasedExampleDatabase(search.database)
                if search.database is not None and not search.derandomize else None)
    return hypothesis.settings(
        max_examples=search.examples,
        stateful_step_count=search.steps,
        derandomize=search.derandomize,
        database=database,
        deadline=None,  # a real server's latency is no bug of the example
        # One violation, shrunk: the shrinker may slip to another promise with a smaller example, so the
        # finding is the smallest thing that breaks any promise (the fixed scenarios report the rest).
        report_multiple_bugs=False,
        # The health checks guard against slow or filtered data generation; here the time goes to HTTP.
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
        print_blob=False,
    )


class PromiseBroken(Exception):
    """A requirement the search judged was violated (one subclass per requirement: Hypothesis tells
    failures apart by their type, and the shrinker must not trade one requirement for another unseen)."""

    requirement: str

    def __init__(self, outcome: Outcome, steps: tuple[str, ...]) -> None:
        super().__init__(f"[{self.requirement}] {outcome.message}")
        self.outcome = outcome
        self.steps = steps


_BROKEN: dict[str, type[PromiseBroken]] = {}


def _broken(requirement: str) -> type[PromiseBroken]:
    if requirement not in _BROKEN:
        name = "Broken_" + re.sub(r"\W", "_", requirement)
        _BROKEN[requirement] = type(name, (PromiseBroken,), {"requirement": requirement})
    return _BROKEN[requirement]


@dataclass
class _Tally:
    held: int = 0
    evidence: tuple[str, ...] = ()
    undecided: Outcome | None = None
    # A waived requirement's first violation, with the steps up to it.
    waived: tuple[Outcome, tuple[str, ...]] | None = None
    # The smallest violation seen: the shrinker may slip to another requirement's failure, and this one
    # must still be reported (unshrunk), never a PASS.
    violated: PromiseBroken | None = None


@dataclass
class Search:
    """One search: what it judges, what it has seen, and the findings it leaves in ``checker``."""

    # What it is, for messages: "the lifecycle search", "the token endpoint search".
    name: str
    # What one example is called in the messages ("sequence", "request variant").
    unit: str
    checker: Checker
    evidence: EvidenceLog
    budget: RequestBudget
    settings: SearchSettings
    # The requirements the search decides (the test's tags); each gets a finding.
    requirements: tuple[str, ...]
    # Requirements a waiver in force covers.
    waived: frozenset[str] = frozenset()
    trace: list[str] = field(default_factory=list)
    examples: int = 0
    _tallies: dict[str, _Tally] = field(default_factory=dict)
    _broken: PromiseBroken | None = None
    # The smallest violation seen: what stands when Hypothesis ends in a flaky replay instead.
    _smallest: PromiseBroken | None = None
    _also_kept: set[str] = field(default_factory=set)

    # -- inside an example --------------------------------------------------------------------------

    def new_example(self) -> None:
        self.trace = []
        self.examples += 1

    def step(self, line: str) -> None:
        """One replayable step of the current example, in words, its evidence IDs included."""
        self.trace.append(line)

    def judge(self, check: Check[Observed], observation: Observed) -> bool:
        """Judge an answer as the scenarios do; a violation ends the example (``PromiseBroken``) unless a
        waiver covers it. Returns whether the requirement held (False when undecided)."""
        requirement = check.requirement
        if requirement not in self.requirements:
            raise ValueError(f"{self.name} judges {requirement}, which its test is not tagged with")
        outcome = check(observation)
        tally = self._tallies.setdefault(requirement, _Tally())
        if outcome.status is Status.UNDECIDED:
            tally.undecided = tally.undecided or outcome
            return False
        if outcome.status is not Status.VIOLATED:
            tally.held += 1
            tally.evidence = tally.evidence or outcome.evidence
            return True
        if requirement in self.waived:
            tally.waived = tally.waived or (outcome, tuple(self.trace))
            return False
        broken = _broken(requirement)(outcome, tuple(self.trace))
        if self._smallest is None or len(broken.steps) < len(self._smallest.steps):
            self._smallest = broken
        if tally.violated is None or len(broken.steps) < len(tally.violated.steps):
            tally.violated = broken
        raise broken

    def keep(self, *evidence: str) -> None:
        """Exchanges a finding recorded outside ``judge`` rests on (a measurement): kept in the log."""
        self._also_kept.update(evidence)

    # -- running ------------------------------------------------------------------------------------

    def run_property(self, strategy: SearchStrategy[T], body: Callable[[T], None]) -> None:
        """Run ``body`` on examples drawn from ``strategy``."""

        @hypothesis.given(strategy)
        def property_(example: T) -> None:
            self.new_example()
            body(example)

        # The database keys examples by the digest of the inner test; every property shares this function,
        # so the search's name tells them apart (as Hypothesis does for state machines).
        inner = property_.hypothesis.inner_test  # type: ignore[attr-defined]
        inner._hypothesis_internal_add_digest = self.name.encode()
        self.run(hypothesis_settings(self.settings)(property_))

    def run(self, test: Callable[[], None]) -> None:
        """Run a Hypothesis test (a ``given`` function or a state machine runner), catching the promise
        it broke. Anything else that escaped it (the network, the suite) propagates: an ERROR."""
        self.evidence.hold()
        bound, engine.MAX_SHRINKING_SECONDS = engine.MAX_SHRINKING_SECONDS, SHRINKING_SECONDS
        try:
            test()
        except PromiseBroken as broken:
            self._broken = broken
        except FlakyFailure as flaky:
            # A violation that a replay did not show again (a server whose answers depend on time): still
            # one that happened, with the steps of the run that showed it. A flaky error stays an error.
            if self._smallest is None or not all(isinstance(e, PromiseBroken) for e in flaky.exceptions):
                raise
            self._broken = self._smallest
        except Flaky:
            # The examples themselves went otherwise on replay: the budget ran out meanwhile (a step then
            # sends nothing, and the model stays as it was). Whatever was seen stands; without a violation,
            # a search cut short by its budget ends with what it covered.
            if self._smallest is not None:
                self._broken = self._smallest
            elif not self.budget.exhausted:
                raise
        except Exception:
            # The search broke (the network, the suite): an ERROR, and the violations seen are kept too.
            self._broken = self._smallest
            raise
        finally:
            engine.MAX_SHRINKING_SECONDS = bound
            self.evidence.release(self._kept_evidence())

    def _kept_evidence(self) -> set[str]:
        kept: set[str] = set(self._also_kept)
        if self._broken is not None:
            kept |= set(self._broken.outcome.evidence)
            kept |= {m for line in self._broken.steps for m in _EVIDENCE_ID.findall(line)}
        for tally in self._tallies.values():
            kept |= set(tally.evidence)
            if tally.violated is not None:
                kept |= set(tally.violated.outcome.evidence)
                kept |= {m for line in tally.violated.steps for m in _EVIDENCE_ID.findall(line)}
            if tally.waived is not None:
                kept |= set(tally.waived[0].evidence)
                kept |= {m for line in tally.waived[1] for m in _EVIDENCE_ID.findall(line)}
        return kept

    # -- findings -----------------------------------------------------------------------------------

    def finish(self, unreached: Callable[[str], str] | None = None) -> None:
        """One finding per requirement of the search. ``unreached(requirement)`` says why no example
        reached a step deciding it (the default names the examples run and the budget)."""
        broken = self._broken
        ran = f"{self.examples} {self.unit}{'s' if self.examples != 1 else ''}"
        spent = (f"; the request budget (OAUTH_SEARCH_REQUESTS={self.budget.limit}) ran out after "
                 f"{self.budget.used} requests" if self.budget.exhausted else "")
        for requirement in self.requirements:
            tally = self._tallies.get(requirement, _Tally())
            if broken is not None and broken.requirement == requirement:
                message = (f"{broken.outcome.message} (found by {self.name} in {ran}, shrunk to "
                           f"{len(broken.steps)} step{'s' if len(broken.steps) != 1 else ''}{spent})")
                self.checker.record(requirement, _restated(broken.outcome, message), steps=broken.steps)
            elif tally.violated is not None:
                # Seen violated in an example the shrinker left for a smaller failure of another promise.
                seen = tally.violated
                message = f"{seen.outcome.message} (found by {self.name} in {ran}, not shrunk{spent})"
                self.checker.record(requirement, _restated(seen.outcome, message), steps=seen.steps)
            elif tally.waived is not None:
                outcome, steps = tally.waived
                self.checker.record(requirement, _restated(outcome, f"{outcome.message} (found by {self.name})"),
                                    steps=steps)
            elif tally.held:
                message = (f"held in {tally.held} judgement{'s' if tally.held != 1 else ''} by {self.name} "
                           f"over {ran} ({self.budget.used} requests{spent})")
                self.checker.record(requirement, Outcome(Status.HELD, message, tally.evidence))
            elif tally.undecided is not None:
                # The positive control it rests on did not hold: a SKIP with the reason, as in a scenario.
                self.checker.findings.append(
                    Finding(requirement, Verdict.SKIP, f"{tally.undecided.message}{spent}", self.checker.test))
            else:
                # No example reached a step that decides it: the search says nothing of it. NOT_RUN ranks
                # below every verdict, so that what the scenarios found stands (a SKIP would turn their PASS
                # into a SKIP whenever a random search happened not to get there).
                reason = (unreached(requirement) if unreached is not None
                          else f"no step of {self.name} decided it in {ran}")
                self.checker.findings.append(
                    Finding(requirement, Verdict.NOT_RUN, f"{reason}{spent}", self.checker.test))


def _restated(outcome: Outcome, message: str) -> Outcome:
    return Outcome(outcome.status, message, outcome.evidence)


