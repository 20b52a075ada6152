"""Released figures: while a campaign is open, reports move only in steps of the minimum.

A report read twice, before and after one response, must not differ by that one person's
answers. So no report reads the live counters (`Counter`): every report, export, trend and
presenter screen reads `ReleasedCounter`, a stored snapshot of each node's own counters as of
its last release, and the visibility rule (`scans.anonymity`) runs on those snapshots.

A release copies the live counters of a set of nodes and marks their pending responses as
released (deleting those superseded by a newer answer from the same device). Which nodes:
:func:`plan_release`, a pure function, chooses them so that for every node ``v`` of the tree
the number of changed responses in its subtree (``delta(v)``, new or replaced answers) is 0
or at least the minimum ``k``, or ``v`` has fewer than ``k`` respondents at all (then it is
hidden before and after, so it shows nothing that could be compared). Every figure a user
can see is a sum over the released responses of a subtree, so any two states of the same
group differ by 0 or at least ``k`` responses; and each state is one consistent snapshot
(every node's released responses are the union of its own and its sub-teams'), so the
subtraction guarantees of `scans.anonymity` hold within it.

When the campaign no longer takes answers, everything is released (the final figures).
Releases run when figures are read and when a campaign closes, under a lock on the campaign
row that submissions share (PostgreSQL) or the process-wide writer lock (SQLite).

Free texts wait in `FreeTextPool` (no response, no time) until their node is released, and
are then written to `FreeText` in one shuffled batch once at least ``k`` are ready (or at the
close), so neither key nor row order links a text to a response.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Hashable, Mapping
from datetime import date
from typing import TypeVar

from django.db.models import Count
from django.utils import timezone

from core import db

from .models import (
    TOTAL,
    Campaign,
    CampaignNode,
    Counter,
    FreeText,
    FreeTextPool,
    NodeRelease,
    ReleasedCounter,
    Response,
    random_pick,
)

K = TypeVar("K", bound=Hashable)


def plan_release(
    parents: Mapping[K, K | None],
    pending: Mapping[K, int],
    released_total: Mapping[K, int],
    k: int,
) -> set[K]:
    """The nodes whose pending responses may be released now.

    `parents` maps every node to its parent (None for the root), parents before children;
    `pending` counts each node's own changed responses since its last release;
    `released_total` is each node's subtree total as last released. The result keeps, for
    every node v, ``delta(v)`` (the released pending responses in v's subtree) at 0, at least
    ``k``, or v's released total below ``k`` (then v was hidden in every earlier state, so
    there is nothing to compare its new figures with). Greedy, children first: a node's own
    pending responses join when they keep its delta allowed; if even its sub-teams' releases
    would give a forbidden delta, nothing in its subtree is released this time.
    """
    order = list(parents)
    children: dict[K, list[K]] = {v: [] for v in order}
    for v in order:
        p = parents[v]
        if p is not None:
            children[p].append(v)
    delta: dict[K, int] = {}
    chosen: dict[K, set[K]] = {}

    def allowed(v: K, d: int) -> bool:
        return d == 0 or d >= k or released_total.get(v, 0) < k

    for v in reversed(order):
        below = sum(delta[c] for c in children[v])
        mine: set[K] = set().union(*(chosen[c] for c in children[v])) if children[v] else set()
        own = pending.get(v, 0)
        if own and allowed(v, below + own):
            delta[v], chosen[v] = below + own, mine | {v}
        elif allowed(v, below):
            delta[v], chosen[v] = below, mine
        else:
            delta[v], chosen[v] = 0, set()
        for c in children[v]:
            del chosen[c]
    result: set[K] = set()
    for released in chosen.values():
        result |= released
    return result


def _subtree_totals(parents: Mapping[int, int | None], direct: Mapping[int, int]) -> dict[int, int]:
    totals = {v: direct.get(v, 0) for v in parents}
    for v in reversed(list(parents)):
        p = parents[v]
        if p is not None:
            totals[p] += totals[v]
    return totals


def _minimum(campaign: Campaign) -> int:
    return max(campaign.anonymity_minimum, campaign.organisation.anonymity_minimum)


def release(campaign: Campaign, *, final: bool | None = None) -> set[int]:
    """Release what may be released now (everything when `final`, by default when the
    campaign no longer takes answers). Answers the node ids released."""
    if final is None:
        final = not campaign.accepts_responses()
    # Reads are frequent (a presenter screen): take the lock only when there is work.
    waiting = Response.objects.filter(campaign=campaign, released=False).exists()
    if not waiting and (
        not final
        or not (
            FreeTextPool.objects.filter(campaign=campaign).exists()
            or Response.objects.filter(campaign=campaign, device_hash__isnull=False).exists()
        )
    ):
        return set()
    with db.atomic():
        # Waits for submissions in flight (they hold a share lock on the row, PostgreSQL).
        list(Campaign.objects.select_for_update().filter(pk=campaign.pk).values_list("pk"))
        pending = dict(
            Response.objects.filter(campaign=campaign, released=False)
            .values("node_id")
            .annotate(n=Count("id"))
            .values_list("node_id", "n")
        )
        chosen: set[int] = set()
        k = _minimum(campaign)
        if pending:
            if final:
                chosen = set(pending)
            else:
                parents = dict(
                    CampaignNode.objects.filter(campaign=campaign)
                    .order_by("position")
                    .values_list("id", "parent_id")
                )
                before = dict(
                    ReleasedCounter.objects.filter(
                        campaign=campaign, question=TOTAL, option=TOTAL
                    ).values_list("node_id", "n")
                )
                chosen = plan_release(parents, pending, _subtree_totals(parents, before), k)
            if chosen:
                _apply(campaign, chosen, timezone.localdate())
        _flush_pool(campaign, k, final)
        if final:
            Response.objects.filter(campaign=campaign, device_hash__isnull=False).update(
                device_hash=None
            )
    return chosen


def _apply(campaign: Campaign, nodes: set[int], today: date) -> None:
    ids = sorted(nodes)
    ReleasedCounter.objects.filter(campaign=campaign, node_id__in=ids).delete()
    rows = list(
        Counter.objects.filter(campaign=campaign, node_id__in=ids, n__gt=0).values_list(
            "node_id", "question", "option", "n"
        )
    )
    random.SystemRandom().shuffle(rows)
    ReleasedCounter.objects.bulk_create(
        ReleasedCounter(
            id=uuid.uuid4(), campaign=campaign, node_id=n, question=q, option=o, n=value
        )
        for n, q, o, value in rows
    )
    Response.objects.filter(campaign=campaign, node_id__in=ids, superseded=True).delete()
    Response.objects.filter(campaign=campaign, node_id__in=ids, released=False).update(
        released=True
    )
    NodeRelease.objects.filter(node_id__in=ids).delete()
    NodeRelease.objects.bulk_create(
        NodeRelease(campaign=campaign, node_id=n, released_on=today) for n in ids
    )
    FreeTextPool.objects.filter(campaign=campaign, node_id__in=ids).update(ready=True)


def _flush_pool(campaign: Campaign, k: int, final: bool) -> int:
    ready = FreeTextPool.objects.filter(campaign=campaign, ready=True)
    if final:
        ready = FreeTextPool.objects.filter(campaign=campaign)
    rows = list(ready.values_list("id", "node_id", "question", "text"))
    if not rows or (len(rows) < k and not final):
        return 0
    random.SystemRandom().shuffle(rows)
    FreeText.objects.bulk_create(
        FreeText(
            id=uuid.uuid4(),
            campaign=campaign,
            node_id=node_id,
            question=question,
            text=text,
            pick=random_pick(),
        )
        for _id, node_id, question, text in rows
    )
    FreeTextPool.objects.filter(pk__in=[row[0] for row in rows]).delete()
    return len(rows)


def released_on(campaign: Campaign) -> dict[int, date]:
    """The day of each node's last release."""
    return dict(NodeRelease.objects.filter(campaign=campaign).values_list("node_id", "released_on"))


def pending_count(campaign: Campaign) -> int:
    return Response.objects.filter(campaign=campaign, released=False).count()
