"""Pure algorithms for groups: equal splits and the world-café rotation schedule.

Nothing here touches the database; the services store the results and the seed, so a
split can be reproduced from the stored seed and the same list of participants.
"""

from __future__ import annotations

import random
from collections.abc import Hashable, Sequence
from typing import TypeVar

T = TypeVar("T", bound=Hashable)


def split_equal(people: Sequence[T], count: int, seed: int) -> list[list[T]]:
    """Shuffle `people` with `seed` and deal them into `count` groups.

    Group sizes differ by at most one. The result depends only on the set of people (they
    are sorted first), the count and the seed.
    """
    if count < 1:
        raise ValueError("count must be at least 1")
    ordered = sorted(people, key=str)
    random.Random(seed).shuffle(ordered)  # noqa: S311 - not for security
    groups: list[list[T]] = [[] for _i in range(count)]
    for position, person in enumerate(ordered):
        groups[position % count].append(person)
    return groups


def smallest_group(sizes: Sequence[int]) -> int:
    """The index of the group a late joiner goes to: the smallest, the first of equals."""
    if not sizes:
        raise ValueError("there are no groups")
    return min(range(len(sizes)), key=lambda index: (sizes[index], index))


def rotation_schedule(groups: int, questions: int, moves: int) -> list[list[int]]:
    """schedule[round][group] = the question the group stands at in that round.

    There are `moves + 1` rounds. No group visits a question twice and no question has two
    groups in the same round, which needs groups <= questions and moves + 1 <= questions.
    Group g starts at question g and moves one question on each round.
    """
    if groups < 1 or questions < 1 or moves < 0:
        raise ValueError("groups and questions must be at least 1, moves at least 0")
    if groups > questions:
        raise ValueError(f"{groups} groups cannot stand at {questions} questions at once")
    if moves + 1 > questions:
        raise ValueError(f"{moves} moves would bring a group back to a question of {questions}")
    return [[(group + rnd) % questions for group in range(groups)] for rnd in range(moves + 1)]


def feasible_rotation(groups: int, questions: int, moves: int) -> tuple[int, int]:
    """The (groups, moves) closest to what was asked that a schedule can keep."""
    return max(1, min(groups, questions)), max(0, min(moves, questions - 1))
