"""Which scan results may be shown: k-anonymity with complementary suppression.

Pure Python, no Django: every report view, API answer, export, filter, comparison and trend
asks this module what it may show, so the rule lives in one place.

Terms
-----
Teams form a tree (organisation > department > team > sub-team, any depth). A respondent
answers for exactly one node, a leaf or an inner one: ``direct(v)`` respondents answered for
``v`` itself, and ``total(v) = direct(v) + sum(total(c) for c in children(v))``. ``k`` is the
organisation's minimum number of respondents (at least ``MIN_K``, by default ``DEFAULT_K``).

A visible node shows its total, its distributions and its free text; a hidden node shows
"te weinig antwoorden" and nothing else. The *frontier* of a visible node ``V`` is the set of
visible descendants ``u`` with every node strictly between ``V`` and ``u`` hidden; its
*residual* is ``r(V) = total(V) - sum(total(u) for u in frontier(V))``: the respondents under
``V`` that no visible node below ``V`` accounts for (``V``'s direct group plus its hidden
parts). Equivalently ``r(v) = direct(v) + sum(r(c) for hidden children c)``.

Invariant (the attacker model, checked exactly by :func:`leaks`)
---------------------------------------------------------------
I1. Every visible node has ``total >= k``.
I2. For every visible ``V`` and every set ``S`` of visible, pairwise disjoint (no one an
    ancestor of another) descendants of ``V``: ``total(V) - sum(total(S))`` is 0 or ``>= k``.

So no group of 1 to k-1 respondents is ever revealed by subtracting visible groups from a
visible parent, grandparent or chain of them: a sum of ±1 figures that describes a set of
respondents is a disjoint union of such differences, each 0 or ``>= k``. Distributions and
free text add up over the same respondents as counts do, so I2 protects them as well.

Lemma: given I1, I2 holds iff every visible ``V`` has ``r(V) == 0`` or ``r(V) >= k``.
(Only if: take ``S = frontier(V)``. If: every visible node in ``S`` lies in or below exactly
one frontier node, so ``total(V) - sum(total(S)) = r(V) + sum over frontier nodes u not in S of
(total(u) - sum(total(S below u)))``; each term is ``total(u) >= k`` when nothing of ``S`` lies
below ``u``, else 0 or ``>= k`` by induction on depth, and a sum of terms that are each 0 or
``>= k`` is 0 or ``>= k``.) That makes :func:`leaks` exact and linear in the tree size.

A residual of 0 is allowed: it reveals only that the hidden groups are empty, nobody's answers.
Forbidding it would hide a team next to every department that has no direct respondents.

The rule (:func:`compute_visibility`)
-------------------------------------
1. Below minimum: hide every node with ``total < k``. Totals grow towards the root, so such a
   node's whole subtree is hidden too, and a root is visible iff its total is ``>= k``.
2. Complementary suppression, parents before children: for each visible ``V`` with
   ``0 < r(V) < k``, repeat until ``r(V)`` is 0 or ``>= k``: among the frontier nodes ``u``
   of ``V``, if hiding one would lift ``r(V)`` to ``>= k`` (``r(V) + r(u) >= k``), hide the
   smallest such one (by total, then input order) and stop; otherwise hide the smallest
   frontier node and let its visible children join the frontier. Hiding a node only raises
   the residual of its nearest visible ancestor, never one already settled, so one pass
   suffices; the loop ends because an empty frontier means ``r(V) = total(V) >= k``.
   This is "hide the next smallest sibling", with the direct group acting as a sibling that
   is never shown, and without the trap of hiding a sibling whose own sub-teams would still
   give its count away (hiding it adds only its residual, so the next smallest is taken).
3. Pruning: a complementary hide is undone (latest first, until nothing changes) when
   showing that node alone would leak nothing. So every complementary hide that remains is
   necessary: showing it alone would reveal a group below the minimum.

A node hidden by complementary suppression keeps its visible sub-teams: they are ``>= k``
on their own and the subtractions through them are covered by the frontier.

What callers must do
--------------------
* Show the same "te weinig antwoorden" for both reasons in :class:`Hidden`: the reason is for
  audits and tests; showing it would tell which sibling is the small one.
* Read figures through :class:`Suppression` (``total``, ``distribution``, ``free_text``),
  which answer ``None`` for a hidden node, even one with ``total >= k``.
* The minimum applies to groups of respondents, not to the cells of a distribution: a
  visible group's distribution is shown in full, also a question few of them answered.
* Filters: :func:`filter_visible`. A filtered breakdown over several teams is a new tree
  (filtered counts per node) for :func:`compute_visibility`; showing filtered and unfiltered
  figures of several teams side by side forms a two-dimensional table that this module does
  not protect yet.
* Trends and comparisons between campaigns: :func:`visible_campaigns`.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

__all__ = [
    "DEFAULT_K",
    "MIN_K",
    "Hidden",
    "Leak",
    "Node",
    "Suppression",
    "compute_visibility",
    "filter_visible",
    "leaks",
    "shown_free_text",
    "suppress_distribution",
    "visible_campaigns",
]

MIN_K = 3
DEFAULT_K = 5

K = TypeVar("K", bound=Hashable)
C = TypeVar("C", bound=Hashable)
Opt = TypeVar("Opt", bound=Hashable)


class Hidden(StrEnum):
    """Why a node is hidden. Internal: the page shows the same text for both."""

    BELOW_MINIMUM = "below_minimum"
    COMPLEMENTARY = "complementary"


@dataclass(frozen=True, slots=True)
class Node(Generic[K]):
    """One team: its id, its parent's id (``None`` for the organisation) and the number of
    respondents who answered for this team itself (not for one of its sub-teams)."""

    id: K
    parent: K | None
    direct: int


@dataclass(frozen=True, slots=True)
class Leak(Generic[K]):
    """A breach of the invariant: ``total(node) - sum(total(s) for s in subtracted)`` reveals
    a group of ``revealed`` respondents, fewer than the minimum. ``subtracted`` is empty when a
    visible node is itself below the minimum."""

    node: K
    subtracted: tuple[K, ...]
    revealed: int


def _check_k(k: int) -> None:
    if k < MIN_K:
        raise ValueError(f"The minimum number of respondents is at least {MIN_K}, not {k}.")


def _safe(residual: int, k: int) -> bool:
    return residual == 0 or residual >= k


class _Tree(Generic[K]):
    """The validated tree, indexed 0..n-1 in input order, with totals."""

    __slots__ = ("children", "direct", "ids", "index", "order", "parent", "total")

    def __init__(self, nodes: Iterable[Node[K]]) -> None:
        node_list = list(nodes)
        self.ids: list[K] = [node.id for node in node_list]
        self.index: dict[K, int] = {}
        for i, node_id in enumerate(self.ids):
            if node_id in self.index:
                raise ValueError(f"Duplicate node id {node_id!r}.")
            self.index[node_id] = i
        n = len(node_list)
        self.direct: list[int] = []
        self.parent: list[int] = [-1] * n
        self.children: list[list[int]] = [[] for _ in range(n)]
        roots: list[int] = []
        for i, node in enumerate(node_list):
            if node.direct < 0:
                raise ValueError(f"Node {node.id!r} has a negative number of respondents.")
            self.direct.append(node.direct)
            if node.parent is None:
                roots.append(i)
                continue
            p = self.index.get(node.parent)
            if p is None:
                raise ValueError(f"Node {node.id!r} has an unknown parent {node.parent!r}.")
            self.parent[i] = p
            self.children[p].append(i)
        # Pre-order: every parent before its children. Nodes not reached lie on a cycle.
        self.order: list[int] = []
        stack = roots[::-1]
        while stack:
            i = stack.pop()
            self.order.append(i)
            stack.extend(reversed(self.children[i]))
        if len(self.order) != n:
            raise ValueError("The parent links form a cycle.")
        self.total: list[int] = self.direct[:]
        for i in reversed(self.order):
            if self.parent[i] >= 0:
                self.total[self.parent[i]] += self.total[i]

    def residuals(self, visible: list[bool]) -> list[int]:
        """``r(v) = direct(v) + sum(r(c) for hidden children c)``, for every node."""
        r = self.direct[:]
        for i in reversed(self.order):
            p = self.parent[i]
            if p >= 0 and not visible[i]:
                r[p] += r[i]
        return r

    def frontier(self, i: int, visible: list[bool]) -> list[int]:
        """Visible descendants of ``i`` with only hidden nodes between ``i`` and them."""
        found: list[int] = []
        stack = self.children[i][::-1]
        while stack:
            j = stack.pop()
            if visible[j]:
                found.append(j)
            else:
                stack.extend(reversed(self.children[j]))
        return found


class Suppression(Generic[K]):
    """The outcome of :func:`compute_visibility`: what may be shown of each node."""

    __slots__ = ("_reasons", "_totals", "ids", "k", "visible")

    def __init__(self, k: int, ids: list[K], totals: list[int], reasons: list[Hidden | None]):
        self.k = k
        self.ids: tuple[K, ...] = tuple(ids)
        self._totals = dict(zip(ids, totals, strict=True))
        self._reasons = dict(zip(ids, reasons, strict=True))
        self.visible: frozenset[K] = frozenset(i for i, r in self._reasons.items() if r is None)

    def __repr__(self) -> str:
        return f"<Suppression k={self.k} visible={len(self.visible)}/{len(self.ids)}>"

    def is_visible(self, node_id: K) -> bool:
        """Whether the node may be shown; ``KeyError`` for an unknown id."""
        return self._reasons[node_id] is None

    def reason(self, node_id: K) -> Hidden | None:
        """Why the node is hidden (``None`` when visible). Never show it to users."""
        return self._reasons[node_id]

    def total(self, node_id: K) -> int | None:
        """The node's number of respondents, or ``None`` when it is hidden."""
        return self._totals[node_id] if self.is_visible(node_id) else None

    def distribution(
        self, node_id: K, counts_by_option: Mapping[Opt, int]
    ) -> dict[Opt, int] | None:
        """The node's answer counts for one question in full, or ``None`` when it is hidden."""
        return dict(counts_by_option) if self.is_visible(node_id) else None

    def free_text(
        self, node_id: K, items: Iterable[str], *, seed: int | str | None = None
    ) -> list[str] | None:
        """The node's free-text answers (see :func:`shown_free_text`), or ``None``."""
        if not self.is_visible(node_id):
            return None
        return shown_free_text(items, self._totals[node_id], self.k, seed=seed)


def compute_visibility(nodes: Iterable[Node[K]], k: int = DEFAULT_K) -> Suppression[K]:
    """Decide for every node whether it may be shown, following the rule in the module doc.

    ``nodes`` may come in any order and may form a forest (each root stands alone: never show
    a figure over several roots). Raises ``ValueError`` for ``k < MIN_K``, duplicate ids,
    unknown parents, cycles and negative counts; ``RuntimeError`` if the result would leak
    (a guard that should never fire).
    """
    _check_k(k)
    tree = _Tree(nodes)
    total, parent = tree.total, tree.parent
    reasons: list[Hidden | None] = [Hidden.BELOW_MINIMUM if t < k else None for t in total]
    visible = [reason is None for reason in reasons]
    r = tree.residuals(visible)

    def add_to_residuals(u: int, amount: int) -> None:
        # Hiding or showing u changes r of the hidden nodes above it up to, and including,
        # its nearest visible ancestor; nothing above that.
        w = parent[u]
        while w >= 0:
            r[w] += amount
            if visible[w]:
                return
            w = parent[w]

    def set_visible(u: int, shown: bool) -> None:
        visible[u] = shown
        reasons[u] = None if shown else Hidden.COMPLEMENTARY
        add_to_residuals(u, -r[u] if shown else r[u])

    hidden_by_complement: list[int] = []
    for v in tree.order:
        if not visible[v] or _safe(r[v], k):
            continue
        candidates = tree.frontier(v, visible)
        while not _safe(r[v], k):
            if not candidates:  # pragma: no cover - r[v] == total[v] >= k by then
                raise RuntimeError("complementary suppression ran out of candidates")
            enough = [u for u in candidates if r[v] + r[u] >= k]
            u = min(enough or candidates, key=lambda j: (total[j], j))
            candidates.remove(u)
            set_visible(u, False)
            hidden_by_complement.append(u)
            candidates.extend(tree.frontier(u, visible))

    changed = bool(hidden_by_complement)
    while changed:
        changed = False
        for u in reversed(hidden_by_complement):
            if visible[u]:
                continue
            a = parent[u]
            while not visible[a]:
                a = parent[a]
            if _safe(r[u], k) and _safe(r[a] - r[u], k):
                set_visible(u, True)
                changed = True

    found = _leaks(tree, visible, k)
    if found:  # pragma: no cover - the guard of last resort
        raise RuntimeError(f"anonymity guard: {found[0]}")
    return Suppression(k, tree.ids, total, reasons)


def leaks(nodes: Iterable[Node[K]], visible: Collection[K], k: int) -> list[Leak[K]]:
    """Every breach of the invariant (I1, I2 in the module doc) when ``visible`` is shown.

    Exact by the lemma in the module doc: an empty list means no visible node is below ``k``
    and no subtraction of visible, pairwise disjoint descendants from a visible node reveals a
    group of 1 to k-1 respondents; otherwise one :class:`Leak` per offending visible node, its
    frontier as the witness. Linear in the tree size, so usable as a guard at run time.
    """
    _check_k(k)
    tree = _Tree(nodes)
    unknown = [node_id for node_id in visible if node_id not in tree.index]
    if unknown:
        raise ValueError(f"Unknown node ids in visible: {unknown[:5]!r}.")
    shown = set(visible)
    return _leaks(tree, [node_id in shown for node_id in tree.ids], k)


def _leaks(tree: _Tree[K], visible: list[bool], k: int) -> list[Leak[K]]:
    r = tree.residuals(visible)
    found: list[Leak[K]] = []
    for i in tree.order:
        if not visible[i]:
            continue
        if tree.total[i] < k:
            found.append(Leak(tree.ids[i], (), tree.total[i]))
        elif not _safe(r[i], k):
            witness = tuple(tree.ids[j] for j in tree.frontier(i, visible))
            found.append(Leak(tree.ids[i], witness, r[i]))
    return found


def suppress_distribution(
    counts_by_option: Mapping[Opt, int], n: int, k: int
) -> dict[Opt, int] | None:
    """One question's answer counts for a stand-alone group of ``n`` respondents: in full when
    ``n >= k``, else ``None``. The minimum applies to the group, not to the cells.

    For a node of the team tree use :meth:`Suppression.distribution` instead: a node can be
    hidden by complementary suppression with ``n >= k``.
    """
    _check_k(k)
    return dict(counts_by_option) if n >= k else None


def shown_free_text(
    items: Iterable[str], n: int, k: int, *, seed: int | str | None = None
) -> list[str] | None:
    """The free-text answers of a stand-alone group of ``n`` respondents, or ``None`` when
    ``n < k`` (free text needs the minimum as well; for a tree node use
    :meth:`Suppression.free_text`).

    Blank answers are dropped. The rest are sorted and then shuffled with
    ``random.Random(seed)``: the order depends only on the texts and the seed, never on the
    order they were given in (submission order, team), so even a known seed reveals nothing;
    pass a fixed seed for a stable order across requests.
    """
    _check_k(k)
    if n < k:
        return None
    texts = sorted(text.strip() for text in items if text.strip())
    random.Random(seed).shuffle(texts)  # noqa: S311 - display order, not a secret
    return texts


def filter_visible(n_selected: int, k: int, *, n_base: int | None = None) -> bool:
    """Whether a filtered figure over ``n_selected`` respondents may be shown.

    It needs ``n_selected >= k``. When the unfiltered group of ``n_base`` respondents is shown
    too, the respondents the filter leaves out (``n_base - n_selected``) must be 0 or ``>= k``
    as well, or subtracting the two would reveal them.
    """
    _check_k(k)
    if n_selected < k:
        return False
    if n_base is None:
        return True
    if n_base < n_selected:
        raise ValueError("A filter cannot select more respondents than its group has.")
    return _safe(n_base - n_selected, k)


def visible_campaigns(per_campaign: Mapping[C, Suppression[K]]) -> dict[K, list[C]]:
    """For trends and comparisons over campaigns: per node id (in any campaign's tree), the
    campaigns in which it is visible, in the mapping's order. Each campaign has its own
    respondents and its own suppression; a node appears in a trend only for these campaigns.
    """
    shown: dict[K, list[C]] = {}
    for campaign, suppression in per_campaign.items():
        for node_id in suppression.ids:
            entry = shown.setdefault(node_id, [])
            if suppression.is_visible(node_id):
                entry.append(campaign)
    return shown


def _bench() -> None:  # pragma: no cover - run as `python -m scans.anonymity`
    import time

    rng = random.Random(2026)  # noqa: S311 - benchmark data
    nodes: list[Node[int]] = [Node(0, None, rng.randint(0, 3))]
    for _ in range(7):
        dept = len(nodes)
        nodes.append(Node(dept, 0, rng.randint(0, 4)))
        for _ in range(6):
            team = len(nodes)
            nodes.append(Node(team, dept, rng.randint(0, 12)))
            for _ in range(rng.randint(3, 5)):
                nodes.append(Node(len(nodes), team, rng.choice([0, 1, 2, 3, 4, 6, 9, 15, 30])))
    nodes = nodes[:200]
    runs = 500
    start = time.perf_counter()
    for _ in range(runs):
        result = compute_visibility(nodes, 5)
    per_run = (time.perf_counter() - start) / runs * 1000
    hidden = len(nodes) - len(result.visible)
    print(f"{len(nodes)} nodes in 4 levels, k=5: {per_run:.3f} ms per run, {hidden} hidden")


if __name__ == "__main__":  # pragma: no cover
    _bench()
