"""The anonymity engine: hand-made cases, then properties over random team trees.

The property tests never trust the module's own reasoning: ``attacks`` below enumerates, from
the definition, every figure an attacker gets by subtracting visible, pairwise disjoint
descendants from a visible node, and ``brute_force_attacks`` checks that enumeration against
plain subsets on small trees.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Hashable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scans.anonymity import (
    DEFAULT_K,
    Hidden,
    Leak,
    Node,
    Suppression,
    compute_visibility,
    filter_visible,
    leaks,
    shown_free_text,
    suppress_distribution,
    visible_campaigns,
)

from .conftest import examples

BELOW = Hidden.BELOW_MINIMUM
COMPLEMENTARY = Hidden.COMPLEMENTARY


def tree(**spec: tuple[str | None, int]) -> list[Node[str]]:
    """``tree(org=(None, 0), a=("org", 10))``: node id = (parent id, direct respondents)."""
    return [Node(node_id, parent, direct) for node_id, (parent, direct) in spec.items()]


def totals(nodes: list[Node[Hashable]]) -> dict[Hashable, int]:
    result = {node.id: 0 for node in nodes}
    parents = {node.id: node.parent for node in nodes}
    for node in nodes:
        at: Hashable | None = node.id
        while at is not None:
            result[at] += node.direct
            at = parents[at]
    return result


def children_of(nodes: list[Node[Hashable]]) -> dict[Hashable, list[Hashable]]:
    result: dict[Hashable, list[Hashable]] = {node.id: [] for node in nodes}
    for node in nodes:
        if node.parent is not None:
            result[node.parent].append(node.id)
    return result


def reasons(result: Suppression[str]) -> dict[str, Hidden]:
    return {
        node_id: reason for node_id in result.ids if (reason := result.reason(node_id)) is not None
    }


def attacks(nodes: list[Node[Hashable]], visible: Collection[Hashable], k: int) -> list:
    """Every revealed group of 1..k-1 respondents, straight from the attacker model: a visible
    node below k, or a visible node minus any set of visible, pairwise disjoint descendants.
    Sets of achievable sums are int bitsets, so this is exact without listing the subsets."""
    total, children = totals(nodes), children_of(nodes)
    found: list[tuple[Hashable, int]] = []

    def sumset(a: int, b: int) -> int:
        out, shift = 0, 0
        while b:
            if b & 1:
                out |= a << shift
            b >>= 1
            shift += 1
        return out

    def below(v: Hashable) -> int:  # sums of antichains of visible nodes strictly below v
        acc = 1
        for c in children[v]:
            acc = sumset(acc, within(c))
        return acc

    def within(v: Hashable) -> int:  # ... in v's subtree, v included
        return below(v) | (1 << total[v]) if v in visible else below(v)

    for v in visible:
        if total[v] < k:
            found.append((v, total[v]))
        sums = below(v)
        found.extend(
            (v, total[v] - s) for s in range(total[v] + 1) if sums >> s & 1 and 0 < total[v] - s < k
        )
    return found


def brute_force_attacks(nodes: list[Node[Hashable]], visible: Collection[Hashable], k: int):
    """The same, by listing every subset: only for small trees."""
    total, children = totals(nodes), children_of(nodes)

    def descendants(v: Hashable) -> set[Hashable]:
        out: set[Hashable] = set()
        for c in children[v]:
            out |= {c} | descendants(c)
        return out

    found = set()
    for v in visible:
        if total[v] < k:
            found.add((v, total[v]))
        below = sorted(descendants(v) & set(visible), key=str)
        for size in range(len(below) + 1):
            for subset in itertools.combinations(below, size):
                if any(b in descendants(a) for a in subset for b in subset):
                    continue
                revealed = total[v] - sum(total[s] for s in subset)
                if 0 < revealed < k:
                    found.add((v, revealed))
    return found


# Hand-made cases ------------------------------------------------------------------------------


def test_one_small_team_hides_the_next_smallest_sibling():
    nodes = tree(org=(None, 0), a=("org", 10), b=("org", 8), c=("org", 2))
    result = compute_visibility(nodes, 5)
    assert reasons(result) == {"c": BELOW, "b": COMPLEMENTARY}
    assert result.total("org") == 20
    assert result.total("a") == 10
    assert result.total("b") is None
    assert leaks(nodes, result.visible, 5) == []


def test_two_small_teams_that_together_reach_the_minimum_need_nothing_more():
    nodes = tree(org=(None, 0), a=("org", 10), b=("org", 3), c=("org", 3))
    result = compute_visibility(nodes, 5)
    assert reasons(result) == {"b": BELOW, "c": BELOW}


def test_two_small_teams_below_the_minimum_together_hide_one_more():
    nodes = tree(org=(None, 0), a=("org", 10), d=("org", 12), b=("org", 2), c=("org", 2))
    result = compute_visibility(nodes, 5)
    # org - a - d would reveal 4 respondents of b and c together.
    assert reasons(result) == {"b": BELOW, "c": BELOW, "a": COMPLEMENTARY}


def test_the_direct_group_counts_as_a_hidden_sibling():
    nodes = tree(dept=(None, 6), a=("dept", 10), b=("dept", 3))
    assert reasons(compute_visibility(nodes, 5)) == {"b": BELOW}  # dept - a = 9


def test_a_small_direct_group_hides_the_smallest_team():
    nodes = tree(dept=(None, 2), a=("dept", 11), b=("dept", 10))
    result = compute_visibility(nodes, 5)
    assert reasons(result) == {"b": COMPLEMENTARY}  # dept - a - b would reveal 2


def test_a_small_direct_group_and_a_small_team_reach_the_minimum_together_or_not():
    assert reasons(compute_visibility(tree(d=(None, 2), a=("d", 10), b=("d", 3)), 5)) == {
        "b": BELOW
    }
    assert reasons(compute_visibility(tree(d=(None, 1), a=("d", 10), b=("d", 3)), 5)) == {
        "b": BELOW,
        "a": COMPLEMENTARY,
    }


def test_ties_go_to_the_first_node_given():
    nodes = tree(dept=(None, 2), a=("dept", 10), b=("dept", 10))
    assert reasons(compute_visibility(nodes, 5)) == {"a": COMPLEMENTARY}


def test_a_sibling_whose_own_teams_give_it_away_is_not_enough():
    # Hiding b (47) alone would not protect c: org - a - b1 - b2 = 3. Hiding a does.
    nodes = tree(
        org=(None, 0), a=("org", 50), b=("org", 0), b1=("b", 20), b2=("b", 27), c=("org", 3)
    )
    result = compute_visibility(nodes, 5)
    assert reasons(result) == {"c": BELOW, "a": COMPLEMENTARY}
    assert attacks(nodes, result.visible, 5) == []


def test_when_every_sibling_is_a_department_the_suppression_goes_down_a_level():
    nodes = tree(org=(None, 0), a=("org", 0), a1=("a", 5), a2=("a", 5), b=("org", 2))
    result = compute_visibility(nodes, 5)
    # Hiding a adds nothing (a = a1 + a2), so a1 goes too: org - a2 = 7.
    assert reasons(result) == {"b": BELOW, "a": COMPLEMENTARY, "a1": COMPLEMENTARY}
    assert result.visible == {"org", "a2"}
    assert attacks(nodes, result.visible, 5) == []


def test_a_hidden_team_cascades_into_its_departments_sibling():
    nodes = tree(
        org=(None, 0),
        d1=("org", 0),
        t1=("d1", 2),
        t2=("d1", 5),
        d2=("org", 20),
        d3=("org", 3),
    )
    result = compute_visibility(nodes, 5)
    # org - d1 - d2 would reveal d3 (3). Hiding d1 adds t1 (2): org - d2 - t2 = 3 + 2.
    assert reasons(result) == {"t1": BELOW, "d3": BELOW, "d1": COMPLEMENTARY}
    assert result.visible == {"org", "d2", "t2"}
    assert attacks(nodes, result.visible, 5) == []


def test_deep_tree_is_settled_level_by_level():
    nodes = tree(
        org=(None, 1),
        hr=("org", 0),
        hr1=("hr", 6),
        hr2=("hr", 7),
        hr3=("hr", 1),
        ops=("org", 2),
        north=("ops", 0),
        n1=("north", 9),
        n2=("north", 8),
        n3=("north", 4),
        south=("ops", 30),
    )
    result = compute_visibility(nodes, 5)
    assert reasons(result) == {
        "hr3": BELOW,
        "n3": BELOW,
        # org - hr - ops would reveal org's own 1. Hiding hr adds only hr3 (1), so the
        # smallest of the teams now under org goes too: org - ops - hr2 = 1 + 1 + 6.
        "hr": COMPLEMENTARY,
        "hr1": COMPLEMENTARY,
        # ops - north - south would reveal ops's own 2; hiding north adds n3: 2 + 4.
        "north": COMPLEMENTARY,
    }
    assert result.visible == {"org", "hr2", "ops", "n1", "n2", "south"}
    assert leaks(nodes, result.visible, 5) == []
    assert attacks(nodes, result.visible, 5) == []


@pytest.mark.parametrize(("k", "hidden"), [(3, {}), (5, {"c": BELOW, "b": COMPLEMENTARY})])
def test_the_minimum_is_the_organisations(k, hidden):
    nodes = tree(org=(None, 0), a=("org", 10), b=("org", 8), c=("org", 4))
    assert reasons(compute_visibility(nodes, k)) == hidden


def test_k_three_hides_groups_of_two():
    nodes = tree(org=(None, 0), a=("org", 3), b=("org", 3), c=("org", 2))
    assert reasons(compute_visibility(nodes, 3)) == {"c": BELOW, "a": COMPLEMENTARY}


def test_nobody_answered():
    nodes = tree(org=(None, 0), a=("org", 0), a1=("a", 0), b=("org", 0))
    result = compute_visibility(nodes)
    assert result.visible == frozenset()
    assert set(reasons(result).values()) == {BELOW}


def test_an_organisation_below_the_minimum_shows_nothing():
    nodes = tree(org=(None, 1), a=("org", 2), b=("org", 1))
    result = compute_visibility(nodes, 5)
    assert reasons(result) == {"org": BELOW, "a": BELOW, "b": BELOW}


def test_only_the_organisation_when_every_team_is_small():
    nodes = tree(org=(None, 0), a=("org", 2), b=("org", 2), c=("org", 2))
    result = compute_visibility(nodes, 5)
    assert result.visible == {"org"}
    assert result.total("org") == 6


def test_empty_teams_may_be_hidden_without_hiding_more():
    # org - a - b = 0 reveals only that c is empty: nobody's answers.
    nodes = tree(org=(None, 0), a=("org", 10), b=("org", 8), c=("org", 0))
    assert reasons(compute_visibility(nodes, 5)) == {"c": BELOW}


def test_each_root_of_a_forest_stands_alone():
    nodes = tree(x=(None, 9), y=(None, 2), y1=("y", 1))
    assert reasons(compute_visibility(nodes, 5)) == {"y": BELOW, "y1": BELOW}


def test_input_order_does_not_matter_for_parents():
    nodes = tree(c=("org", 2), b=("org", 8), org=(None, 0), a=("org", 10))
    assert reasons(compute_visibility(nodes, 5)) == {"c": BELOW, "b": COMPLEMENTARY}


def test_node_ids_can_be_anything_hashable():
    nodes = [Node(1, None, 0), Node(2, 1, 10), Node(3, 1, 8), Node(4, 1, 2)]
    assert compute_visibility(nodes, 5).visible == {1, 2}


@pytest.mark.parametrize(
    ("nodes", "k", "message"),
    [
        (tree(org=(None, 5)), 2, "at least 3"),
        ([Node("a", None, 1), Node("a", None, 1)], 5, "Duplicate"),
        (tree(a=("nowhere", 1)), 5, "unknown parent"),
        (tree(a=("b", 1), b=("a", 1)), 5, "cycle"),
        (tree(a=(None, 1), b=("b", 1)), 5, "cycle"),
        (tree(a=(None, -1)), 5, "negative"),
    ],
)
def test_bad_input_is_refused(nodes, k, message):
    with pytest.raises(ValueError, match=message):
        compute_visibility(nodes, k)


def test_the_default_minimum_is_five():
    assert DEFAULT_K == 5
    assert compute_visibility(tree(org=(None, 4))).visible == frozenset()
    assert compute_visibility(tree(org=(None, 5))).visible == {"org"}


# The checker can fail ---------------------------------------------------------------------


def test_leaks_finds_a_small_visible_team():
    nodes = tree(org=(None, 0), a=("org", 10), b=("org", 2))
    assert Leak("b", (), 2) in leaks(nodes, {"org", "a", "b"}, 5)


def test_leaks_finds_the_missing_complementary_suppression():
    nodes = tree(org=(None, 0), a=("org", 10), b=("org", 8), c=("org", 2))
    assert leaks(nodes, {"org", "a", "b"}, 5) == [Leak("org", ("a", "b"), 2)]


def test_leaks_finds_a_subtraction_through_a_hidden_department():
    nodes = tree(
        org=(None, 0), a=("org", 50), b=("org", 0), b1=("b", 20), b2=("b", 27), c=("org", 3)
    )
    assert leaks(nodes, {"org", "a", "b1", "b2"}, 5) == [Leak("org", ("a", "b1", "b2"), 3)]


def test_leaks_finds_a_small_direct_group():
    nodes = tree(dept=(None, 1), a=("dept", 10), b=("dept", 10))
    assert leaks(nodes, {"dept", "a", "b"}, 5) == [Leak("dept", ("a", "b"), 1)]


def test_leaks_refuses_unknown_ids():
    with pytest.raises(ValueError, match="Unknown"):
        leaks(tree(org=(None, 9)), {"nope"}, 5)


# Groups: distribution, free text, filters, trends -------------------------------------------


def test_a_visible_group_shows_its_whole_distribution_and_a_hidden_one_nothing():
    nodes = tree(org=(None, 0), a=("org", 10), b=("org", 8), c=("org", 2))
    result = compute_visibility(nodes, 5)
    counts = {"eens": 1, "oneens": 0, "twijfel": 9}
    assert result.distribution("a", counts) == counts
    assert result.distribution("b", counts) is None  # 8 respondents, yet hidden
    assert result.distribution("c", counts) is None
    assert suppress_distribution(counts, 10, 5) == counts
    assert suppress_distribution(counts, 4, 5) is None


def test_free_text_needs_a_visible_group():
    nodes = tree(org=(None, 0), a=("org", 10), b=("org", 8), c=("org", 2))
    result = compute_visibility(nodes, 5)
    assert result.free_text("b", ["meer tijd"]) is None
    assert result.free_text("c", ["meer tijd"]) is None
    assert result.free_text("a", ["meer tijd", "  ", "", "een mentor"], seed=1) in (
        ["meer tijd", "een mentor"],
        ["een mentor", "meer tijd"],
    )
    assert shown_free_text(["x"], 4, 5) is None


def test_free_text_order_hides_the_order_it_came_in():
    texts = [f"antwoord {i}" for i in range(20)]
    shown = shown_free_text(texts, 20, 5, seed="campaign-7/team-3")
    assert sorted(shown or []) == sorted(texts)
    assert shown != texts
    assert shown_free_text(reversed(texts), 20, 5, seed="campaign-7/team-3") == shown


@pytest.mark.parametrize(
    ("selected", "base", "shown"),
    [(4, None, False), (5, None, True), (5, 5, True), (5, 7, False), (5, 10, True), (9, 12, False)],
)
def test_a_filter_needs_the_minimum_on_both_sides(selected, base, shown):
    assert filter_visible(selected, 5, n_base=base) is shown


def test_a_filter_cannot_select_more_than_its_group():
    with pytest.raises(ValueError, match="more respondents"):
        filter_visible(8, 5, n_base=6)


def test_a_trend_shows_a_team_only_in_campaigns_where_it_is_visible():
    spring = compute_visibility(tree(org=(None, 0), a=("org", 10), b=("org", 8), c=("org", 2)))
    autumn = compute_visibility(tree(org=(None, 0), a=("org", 10), b=("org", 8), c=("org", 6)))
    winter = compute_visibility(tree(org=(None, 0), a=("org", 3), d=("org", 7)))
    trend = visible_campaigns({"2025-spring": spring, "2025-autumn": autumn, "2026": winter})
    assert trend == {
        "org": ["2025-spring", "2025-autumn", "2026"],
        "a": ["2025-spring", "2025-autumn"],
        "b": ["2025-autumn"],
        "c": ["2025-autumn"],
        "d": [],
    }


# Properties over random team trees ----------------------------------------------------------


@st.composite
def team_trees(draw, max_nodes: int = 25, max_depth: int = 4) -> list[Node[int]]:
    size = draw(st.integers(1, max_nodes))
    depth = [0]
    nodes = [Node(0, None, draw(st.integers(0, 5)))]
    for i in range(1, size):
        parent = draw(st.sampled_from([j for j in range(i) if depth[j] < max_depth]))
        depth.append(depth[parent] + 1)
        direct = draw(st.one_of(st.integers(0, 6), st.integers(0, 30)))
        nodes.append(Node(i, parent, direct))
    return draw(st.permutations(nodes))


minimums = st.integers(3, 8)


@settings(max_examples=examples(400), deadline=None, database=None)
@given(team_trees(), minimums)
def test_no_visible_figure_rests_on_fewer_than_the_minimum(nodes, k):
    result = compute_visibility(nodes, k)
    total = totals(nodes)
    assert all(total[v] >= k for v in result.visible)
    assert attacks(nodes, result.visible, k) == []
    assert leaks(nodes, result.visible, k) == []


@settings(max_examples=examples(300), deadline=None, database=None)
@given(team_trees(), minimums)
def test_every_hidden_team_has_its_reason_and_no_hide_is_spare(nodes, k):
    result = compute_visibility(nodes, k)
    total = totals(nodes)
    for node in nodes:
        reason = result.reason(node.id)
        assert (reason is BELOW) == (total[node.id] < k)
        assert (reason is None) == result.is_visible(node.id)
        assert (result.total(node.id) is None) == (reason is not None)
        if reason is COMPLEMENTARY:
            # Showing this one team as well would reveal a group below the minimum.
            assert attacks(nodes, result.visible | {node.id}, k) != []


@settings(max_examples=examples(300), deadline=None, database=None)
@given(team_trees(), minimums, st.data())
def test_leaks_agrees_with_the_attacker_on_any_visibility(nodes, k, data):
    visible = data.draw(st.sets(st.sampled_from([node.id for node in nodes])))
    found = leaks(nodes, visible, k)
    expected = attacks(nodes, visible, k)
    assert bool(found) == bool(expected)
    assert {leak.node for leak in found} <= {node_id for node_id, _ in expected}
    total = totals(nodes)
    for leak in found:  # each witness is a real subtraction that reveals a small group
        if leak.subtracted:
            assert 0 < leak.revealed < k
        else:  # a visible team below the minimum, maybe an empty one
            assert leak.revealed == total[leak.node] < k
        assert total[leak.node] - sum(total[s] for s in leak.subtracted) == leak.revealed


@settings(max_examples=examples(200), deadline=None, database=None)
@given(team_trees(max_nodes=9), minimums, st.data())
def test_the_attacker_model_matches_listing_every_subset(nodes, k, data):
    visible = data.draw(st.sets(st.sampled_from([node.id for node in nodes])))
    assert set(attacks(nodes, visible, k)) == brute_force_attacks(nodes, visible, k)


@settings(max_examples=examples(100), deadline=None, database=None)
@given(team_trees(), minimums)
def test_the_outcome_is_deterministic(nodes, k):
    first, second = compute_visibility(nodes, k), compute_visibility(list(nodes), k)
    assert [first.reason(n.id) for n in nodes] == [second.reason(n.id) for n in nodes]


@settings(max_examples=examples(200), deadline=None, database=None)
@given(team_trees(), minimums, st.data())
def test_a_filtered_tree_obeys_the_same_rule(nodes, k, data):
    # A filter keeps part of each team's respondents; its breakdown is a tree of its own.
    kept = [Node(n.id, n.parent, data.draw(st.integers(0, n.direct))) for n in nodes]
    result = compute_visibility(kept, k)
    assert attacks(kept, result.visible, k) == []
    total_all, total_kept = totals(nodes), totals(kept)
    root = next(n.id for n in nodes if n.parent is None)
    shown = filter_visible(total_kept[root], k, n_base=total_all[root])
    if shown:
        left_out = total_all[root] - total_kept[root]
        assert total_kept[root] >= k
        assert left_out == 0 or left_out >= k


@settings(max_examples=examples(100), deadline=None, database=None)
@given(st.lists(st.tuples(team_trees(max_nodes=12), minimums), min_size=1, max_size=4))
def test_a_trend_point_exists_only_where_the_campaign_shows_the_team(campaigns):
    results = {i: compute_visibility(nodes, k) for i, (nodes, k) in enumerate(campaigns)}
    for node_id, shown_in in visible_campaigns(results).items():
        for i, result in results.items():
            expected = node_id in result.ids and result.is_visible(node_id)
            assert (i in shown_in) == expected
