from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workshops.grouping import (
    feasible_rotation,
    rotation_schedule,
    smallest_group,
    split_equal,
)


@given(st.lists(st.integers(), unique=True, max_size=300), st.integers(1, 40), st.integers())
def test_split_is_equal_complete_and_reproducible(people, count, seed):
    groups = split_equal(people, count, seed)
    sizes = [len(g) for g in groups]
    assert len(groups) == count
    assert max(sizes) - min(sizes) <= 1
    assert sorted(p for g in groups for p in g) == sorted(people)
    assert split_equal(list(reversed(people)), count, seed) == groups


def test_split_shuffles():
    people = list(range(40))
    assert split_equal(people, 4, 1) != split_equal(people, 4, 2)
    assert split_equal(people, 4, 1)[0] != [0, 4, 8, 12, 16, 20, 24, 28, 32, 36]


@given(st.lists(st.integers(0, 50), min_size=1, max_size=30))
def test_late_joiner_goes_to_a_smallest_group(sizes):
    index = smallest_group(sizes)
    assert sizes[index] == min(sizes)
    sizes[index] += 1


@given(st.integers(1, 30), st.integers(1, 30), st.integers(0, 30))
def test_rotation_schedule_invariants(groups, questions, moves):
    if groups > questions or moves + 1 > questions:
        with pytest.raises(ValueError):
            rotation_schedule(groups, questions, moves)
        groups, moves = feasible_rotation(groups, questions, moves)
    schedule = rotation_schedule(groups, questions, moves)
    assert len(schedule) == moves + 1
    for rnd in schedule:
        assert len(rnd) == groups
        assert len(set(rnd)) == groups, "two groups at one question in a round"
        assert all(0 <= q < questions for q in rnd)
    for group in range(groups):
        visited = [rnd[group] for rnd in schedule]
        assert len(set(visited)) == len(visited), "a group visits a question twice"


def test_mini_vorming_rotation():
    assert rotation_schedule(4, 4, 3) == [[0, 1, 2, 3], [1, 2, 3, 0], [2, 3, 0, 1], [3, 0, 1, 2]]
