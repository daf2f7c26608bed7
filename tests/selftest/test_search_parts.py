"""A search split into parts (oauth_conformance.search.parts): the parts' shares add up to the whole
search's, none differs from another by more than one, only a part of several says so, and each part of
a derandomized search draws sequences of its own."""

from __future__ import annotations

from typing import cast

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, rule, run_state_machine_as_test

from oauth_conformance.search.parts import WHOLE, SearchPart


@pytest.mark.parametrize("count", [1, 2, 3, 4, 8])
def test_the_shares_add_up_to_the_whole_and_differ_by_one_at_most(count: int) -> None:
    parts = [SearchPart(index, count) for index in range(count)]
    for total in range(50):
        shares = [part.share(total) for part in parts]
        assert sum(shares) == total
        assert max(shares) - min(shares) <= 1


@pytest.mark.parametrize(("count", "at_once"), [(1, 1), (4, 2), (8, 4), (3, 4)])
def test_the_parts_running_at_once_send_no_faster_than_the_whole_search(count: int, at_once: int) -> None:
    parts = [SearchPart(index, count, at_once) for index in range(count)]
    running = min(count, at_once)
    assert sum(part.rate(5.0) or 0 for part in parts[:running]) == pytest.approx(5.0)
    assert all(part.rate(None) is None for part in parts)


def test_only_a_part_of_several_is_named_and_seeded_apart() -> None:
    assert (WHOLE.label, WHOLE.digest) == ("", None)
    digests = {SearchPart(index, 4).digest for index in range(4)}
    assert len(digests) == 4 and None not in digests
    assert SearchPart(1, 4).label == " (part 2 of 4)" and SearchPart(1, 4).id == "part2of4"


def _drawn(part: SearchPart) -> list[int]:
    """What a derandomized state machine seeded as ``part`` draws."""
    seen: list[int] = []

    class Machine(RuleBasedStateMachine):
        @rule(value=st.integers(0, 10**9))
        def draw(self, value: int) -> None:
            seen.append(value)

    def factory() -> Machine:
        return Machine()

    part.seed(factory)
    # Hypothesis takes any callable returning a state machine, though it is typed as the class.
    run_state_machine_as_test(cast(type[Machine], factory), settings=settings(
        max_examples=3, stateful_step_count=5, derandomize=True, database=None))
    return seen


def test_each_part_of_a_derandomized_search_draws_sequences_of_its_own() -> None:
    parts = [SearchPart(index, 3) for index in range(3)]
    draws = [_drawn(part) for part in parts]
    assert _drawn(parts[0]) == draws[0], "one part drew otherwise twice: the comparison below says nothing"
    assert len({tuple(d) for d in draws}) == 3, draws
    assert _drawn(WHOLE) not in draws
