"""Training days per FTE and participation, per team and for the organisation.

The group of a team is its people: `Team.headcount` counts the people of the team itself
(not of its sub-teams), and a team's figures cover its sub-teams too. The scan's anonymity
rule (`scans.anonymity`, with the organisation's minimum) decides which groups are shown:
never a group of fewer people than the minimum, and with complementary suppression, so a
hidden team's figures cannot be worked out by subtracting visible teams from their parent.
Days and trained people add up over the same people as the headcount, so the rule that
protects the headcounts protects them too.

Records of a team without a headcount are left out of every figure (the team's size is
unknown, so showing a parent with them would reveal a group of unknown size); the page says
how many people that concerns.

Participation: the share of people with at least one followed formal or non-formal training
that ended in the last 12 months (365 days up to today), against the EU 2030 target of
60 %. A person recorded in two teams counts in both teams, and once above them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum
from django.utils import timezone

from orgs.models import Organisation, Team
from scans.anonymity import Node, compute_visibility

from .models import PARTICIPATION_TARGET, DayTally, PersonTally, settings_for

ROOT = "org"


@dataclass
class Row:
    key: int | str
    label: str
    depth: int
    visible: bool
    headcount: int | None = None
    fte: Decimal | None = None
    days: Decimal | None = None
    days_per_fte: Decimal | None = None
    right_percent: int | None = None
    trained: int | None = None
    share: int | None = None

    @property
    def meets_right(self) -> bool:
        return self.right_percent is not None and self.right_percent >= 100

    @property
    def meets_target(self) -> bool:
        return self.share is not None and self.share >= PARTICIPATION_TARGET


@dataclass
class Figures:
    year: int
    as_of: date
    minimum: int
    right_days: Decimal
    target: int
    rows: list[Row] = field(default_factory=list)
    left_out: int = 0
    """People with records in teams without a headcount, not counted."""

    @property
    def organisation(self) -> Row:
        return self.rows[0]

    @property
    def teams(self) -> list[Row]:
        return self.rows[1:]


def _quantize(value: Decimal, places: str = "0.01") -> Decimal:
    return value.quantize(Decimal(places))


def compute(
    organisation: Organisation, year: int | None = None, as_of: date | None = None
) -> Figures:
    """Every figure the page, the chart, the table, the API and the plan show."""
    as_of = as_of or timezone.localdate()
    year = year or as_of.year
    learning = settings_for(organisation)
    right = learning.training_right_days
    k = organisation.anonymity_minimum
    teams = list(
        Team.objects.filter(organisation=organisation).values(
            "id", "parent_id", "name", "headcount", "fte"
        )
    )
    counted = {t["id"] for t in teams if t["headcount"]}
    days_by_team = dict(
        DayTally.objects.filter(organisation=organisation, year=year)
        .values_list("team_id", "days")
        .iterator()
    )
    cutoff = as_of - timedelta(days=365)
    window = PersonTally.objects.filter(
        organisation=organisation, last_counted__gt=cutoff, last_counted__lte=as_of
    )
    trained_in_team: dict[Any, int] = {
        team_id: n
        for team_id, n in window.values("team_id")
        .annotate(n=Count("team_id"))
        .values_list("team_id", "n")
        if team_id in counted
    }
    # People recorded in more than one team count once above those teams: only they need
    # their teams fetched (few rows), the rest add up per team.
    several = window.values("person_key").annotate(n=Count("team_id")).filter(n__gt=1)
    teams_of: dict[str, list[Any]] = {}
    for key, team_id in window.filter(person_key__in=several.values("person_key")).values_list(
        "person_key", "team_id"
    ):
        if team_id in counted:
            teams_of.setdefault(key, []).append(team_id)

    children: dict[int | str, list[int]] = {ROOT: []}
    by_id: dict[Any, Any] = {t["id"]: t for t in teams}
    for t in teams:
        children.setdefault(t["id"], [])
    for t in teams:
        parent = t["parent_id"] if t["parent_id"] in by_id else ROOT
        children[parent].append(t["id"])
    nodes: list[Node[int | str]] = [Node(ROOT, None, 0)]
    for t in teams:
        parent = t["parent_id"] if t["parent_id"] in by_id else ROOT
        nodes.append(Node(t["id"], parent, t["headcount"] or 0))
    suppression = compute_visibility(nodes, k)

    # Pre-order walk, siblings by name; subtree sums bottom-up.
    order: list[tuple[int | str, int]] = []
    stack: list[tuple[int | str, int]] = [(ROOT, 0)]
    while stack:
        node, depth = stack.pop()
        order.append((node, depth))
        kids = sorted(children[node], key=lambda i: by_id[i]["name"].casefold(), reverse=True)
        stack.extend((kid, depth + 1) for kid in kids)
    parent_of = {n.id: n.parent for n in nodes}
    head: dict[int | str, int] = {}
    fte: dict[int | str, Decimal | None] = {}
    days: dict[int | str, Decimal] = {}
    trained: dict[int | str, int] = {}
    for node, _depth in reversed(order):
        trained[node] = trained_in_team.get(node, 0) + sum(trained[c] for c in children[node])
    for team_ids in teams_of.values():
        # The person was counted once per team; above a node that holds k of those teams,
        # once instead of k times.
        seen: dict[Any, int] = {}
        for team_id in team_ids:
            up: Any = team_id
            while up is not None:
                seen[up] = seen.get(up, 0) + 1
                up = parent_of[up]
        for node, times in seen.items():
            trained[node] -= times - 1
    for node, _depth in reversed(order):
        own = by_id.get(node)
        own_head = (own["headcount"] or 0) if own else 0
        own_fte: Decimal | None = Decimal(0)
        if own and own_head:
            own_fte = own["fte"]
        own_days = days_by_team.get(node, Decimal(0)) if node in counted else Decimal(0)
        head[node] = own_head + sum(head[c] for c in children[node])
        sub_fte = [fte[c] for c in children[node]]
        fte[node] = (
            None
            if own_fte is None or any(f is None for f in sub_fte)
            else own_fte + sum((f for f in sub_fte if f is not None), Decimal(0))
        )
        days[node] = own_days + sum((days[c] for c in children[node]), Decimal(0))

    left_out = 0
    uncounted = [t["id"] for t in teams if not t["headcount"]]
    if uncounted:
        left_out = PersonTally.objects.filter(
            organisation=organisation, team_id__in=uncounted
        ).count()

    rows = []
    for node, depth in order:
        label = organisation.name if node == ROOT else by_id[node]["name"]  # type: ignore[index]
        if not suppression.is_visible(node):
            rows.append(Row(node, label, depth, False))
            continue
        n = head[node]
        per_fte = None
        percent = None
        if fte[node]:
            per_fte = _quantize(days[node] / fte[node])  # type: ignore[operator]
            percent = round(per_fte / right * 100) if right else None
        rows.append(
            Row(
                node,
                label,
                depth,
                True,
                headcount=n,
                fte=fte[node],
                days=_quantize(days[node], "0.1"),
                days_per_fte=per_fte,
                right_percent=percent,
                trained=trained[node],
                share=round(trained[node] / n * 100) if n else None,
            )
        )
    return Figures(year, as_of, k, right, PARTICIPATION_TARGET, rows, left_out)


def organisation_days(organisation: Organisation, year: int) -> Decimal:
    total = DayTally.objects.filter(organisation=organisation, year=year).aggregate(s=Sum("days"))
    return total["s"] or Decimal(0)


# --- Chart ------------------------------------------------------------------------------------

CHART_WIDTH = 320
LABEL_WIDTH = 0
BAR_MAX = 260
ROW_HEIGHT = 34
COLOURS = {"bar": "#1f5f8b", "met": "#2e7d32", "line": "#b3261e", "text": "#1b1b1b"}


def chart(figures: Figures, measure: str) -> dict:
    """Geometry of a horizontal bar chart of the visible rows: `measure` is "right" (days per
    FTE as a share of the training right) or "share" (participation); the target line sits at
    100 % of the right or at the 60 % target."""
    rows = [r for r in figures.rows if r.visible]
    bars = []
    scale_max = 150 if measure == "right" else 100
    target = 100 if measure == "right" else figures.target
    for i, row in enumerate(rows):
        value = row.right_percent if measure == "right" else row.share
        width = 0.0 if value is None else min(value, scale_max) / scale_max * BAR_MAX
        met = row.meets_right if measure == "right" else row.meets_target
        if measure == "right":
            shown = "—" if row.days_per_fte is None else f"{row.days_per_fte}"
        else:
            shown = "—" if row.share is None else f"{row.share} %"
        bars.append(
            {
                "label": ("· " * row.depth) + row.label[:40],
                "y": i * ROW_HEIGHT,
                "text_y": i * ROW_HEIGHT + 12,
                "bar_y": i * ROW_HEIGHT + 16,
                "width": round(width, 1),
                "fill": COLOURS["met"] if met else COLOURS["bar"],
                "value": shown,
                "value_x": round(width, 1) + 4,
            }
        )
    height = max(len(bars) * ROW_HEIGHT, ROW_HEIGHT)
    return {
        "bars": bars,
        "width": CHART_WIDTH,
        "height": height,
        "target_x": round(target / scale_max * BAR_MAX, 1),
        "colours": COLOURS,
        "description": "; ".join(f"{b['label']}: {b['value']}" for b in bars),
    }


@dataclass
class SelfReported:
    """The scan's answers to lerend's added question, per team (scans.extras)."""

    campaign_name: str
    campaign_id: str
    share: dict[int | str, int] = field(default_factory=dict)
    """Team id (or ROOT) to the share that answered "yes", for groups the scan shows."""
    answered: dict[int | str, int] = field(default_factory=dict)


def self_reported(organisation: Organisation) -> SelfReported | None:
    """The latest opened scan campaign with the added question, its released figures only
    and under the scan's anonymity rule (`scans.reports.load_tree`): a group the scan's
    report hides is not here either."""
    from scans.extras import LEARNING_PARTICIPATION, YES
    from scans.models import TOTAL, Campaign, CampaignState
    from scans.reports import load_tree, rollup

    candidates = Campaign.objects.filter(
        organisation=organisation, state__in=[CampaignState.OPEN, CampaignState.CLOSED]
    ).order_by("-created_at", "-id")[:50]
    campaign = next(
        (c for c in candidates if LEARNING_PARTICIPATION in (c.extra_questions or [])), None
    )
    if campaign is None:
        return None
    tree = load_tree(campaign)
    visible = [n for n in tree.nodes if tree.suppression.is_visible(n.pk)]
    counts = rollup(campaign, [n.pk for n in visible])
    result = SelfReported(campaign.name, str(campaign.public_id))
    for node in visible:
        key: int | str | None = ROOT if node.parent_id is None else node.team_id
        answered = counts[node.pk].get((LEARNING_PARTICIPATION, TOTAL), 0)
        if key is None or not answered:
            continue
        yes = counts[node.pk].get((LEARNING_PARTICIPATION, YES), 0)
        result.answered[key] = answered
        result.share[key] = round(yes / answered * 100)
    return result
