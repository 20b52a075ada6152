"""A campaign's report: what the page, the API, the exports and the PDF show.

Every output is built from :func:`build_report` (or :func:`all_node_figures` for the
exports), so the anonymity rule is applied in one place: the counters are read, rolled up
through the campaign's closure table, and `scans.anonymity.compute_visibility` decides which
nodes may be shown. A hidden node carries no figures at all (`None`), so no template, schema
or export can show what it does not have.

A filter (respondents who gave one answer to a yes/no or single-choice question) splits
every node's respondents into parts (one per option, plus "no answer"). A node is shown in
the filtered view only if it is visible without the filter and, for every part, its count
and its residual are 0 or at least the minimum (:func:`safe_subset`); so neither the
filtered figures, nor the unfiltered ones minus the filtered, nor their differences between
parent and children, describe a group below the minimum. Free text has no link to a
response, so a filtered view shows none.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import Count
from django.utils.translation import gettext as _

from core.errors import DomainError

from .anonymity import Node, Suppression, compute_visibility
from .charts import bar_chart
from .models import (
    TOTAL,
    Answer,
    Campaign,
    CampaignNode,
    NodeAncestor,
    ReleasedCounter,
    Response,
    ScanInvitation,
)
from .questionnaire import FILTER_KINDS, ScanQuestionnaire
from .releases import release, released_on

TOO_FEW = "too few responses"
"""The msgid shown for every hidden figure (Dutch: "te weinig antwoorden")."""
MAX_TREND = 10


def too_few() -> str:
    return _("too few responses")


# --- Pure helpers -----------------------------------------------------------------------


def _safe(value: int, k: int) -> bool:
    return value == 0 or value >= k


def safe_subset(
    parents: Mapping[Any, Any],
    parts: Sequence[Mapping[Any, int]],
    shown: Iterable[Any],
    k: int,
) -> set[Any]:
    """The largest set this greedy finds, within `shown`, in which every part's tree is safe:
    each shown node's part total and part residual are 0 or >= k.

    `parents` maps node -> parent (None for a root), in pre-order (parents first); each part
    maps node -> direct count. A node that breaks the rule is dropped, which moves its
    residual to its nearest shown ancestor; repeated until nothing breaks. Dropping a node
    from a safe set keeps it safe, so the unfiltered tree stays safe too.
    """
    order = list(parents)
    result = set(shown)
    children_order = list(reversed(order))
    totals = []
    for part in parts:
        total = {v: part.get(v, 0) for v in order}
        for v in children_order:
            p = parents[v]
            if p is not None:
                total[p] += total[v]
        totals.append(total)
    changed = True
    while changed:
        changed = False
        for part, total in zip(parts, totals, strict=True):
            residual = {v: part.get(v, 0) for v in order}
            for v in children_order:
                p = parents[v]
                if p is not None and v not in result:
                    residual[p] += residual[v]
            for v in order:
                if v in result and not (_safe(total[v], k) and _safe(residual[v], k)):
                    result.discard(v)
                    changed = True
            if changed:
                break
    return result


def percent(count: int, base: int) -> float:
    return round(100.0 * count / base, 1) if base else 0.0


# --- Reading the database ---------------------------------------------------------------


def _direct_totals(campaign: Campaign) -> dict[int, int]:
    return dict(
        ReleasedCounter.objects.filter(campaign=campaign, question=TOTAL, option=TOTAL).values_list(
            "node_id", "n"
        )
    )


def rollup(campaign: Campaign, node_ids: Iterable[int]) -> dict[int, dict[tuple[str, str], int]]:
    """Released counters summed over each node's subtree, through the closure table."""
    ids = sorted(set(node_ids))
    result: dict[int, dict[tuple[str, str], int]] = {i: {} for i in ids}
    if not ids:
        return result
    q = connection.ops.quote_name
    closure = q(NodeAncestor._meta.db_table)
    counter = q(ReleasedCounter._meta.db_table)
    marks = ", ".join(["%s"] * len(ids))
    sql = (
        # Names are quoted by the backend, values passed as parameters.
        f"SELECT a.{q('ancestor_id')}, c.{q('question')}, "  # noqa: S608
        f"c.{q('option')}, SUM(c.{q('n')}) "
        f"FROM {closure} a JOIN {counter} c ON c.{q('node_id')} = a.{q('descendant_id')} "
        f"WHERE a.{q('campaign_id')} = %s AND c.{q('campaign_id')} = %s "
        f"AND a.{q('ancestor_id')} IN ({marks}) GROUP BY 1, 2, 3"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [campaign.pk, campaign.pk, *ids])
        for ancestor, question, option, n in cursor.fetchall():
            result[ancestor][(question, option)] = int(n)
    return result


def _descendants(campaign: Campaign, node_id: int) -> list[int]:
    return list(
        NodeAncestor.objects.filter(campaign=campaign, ancestor_id=node_id).values_list(
            "descendant_id", flat=True
        )
    )


@dataclass
class Tree:
    campaign: Campaign
    nodes: list[CampaignNode]
    direct: dict[int, int]
    suppression: Suppression[int]

    @property
    def by_pk(self) -> dict[int, CampaignNode]:
        return {n.pk: n for n in self.nodes}

    @property
    def root(self) -> CampaignNode:
        return self.nodes[0]

    def parents(self) -> dict[int, int | None]:
        return {n.pk: n.parent_id for n in self.nodes}


def minimum_of(campaign: Campaign) -> int:
    """The campaign's minimum, or the organisation's if it was raised since."""
    return max(campaign.anonymity_minimum, campaign.organisation.anonymity_minimum)


def load_tree(campaign: Campaign) -> Tree:
    """The campaign's tree with its released figures (releasing what may be released now:
    see `scans.releases`) and the anonymity rule applied to them."""
    release(campaign)
    nodes = list(
        CampaignNode.objects.filter(campaign=campaign)
        .only(
            "id",
            "public_id",
            "parent_id",
            "name",
            "depth",
            "is_target",
            "team_id",
            "link_used",
            "team__headcount",
        )
        .select_related("team")
        .order_by("position")
    )
    direct = _direct_totals(campaign)
    suppression = compute_visibility(
        [Node(n.pk, n.parent_id, direct.get(n.pk, 0)) for n in nodes], minimum_of(campaign)
    )
    return Tree(campaign, nodes, direct, suppression)


# --- The report -------------------------------------------------------------------------


@dataclass
class OptionFigure:
    key: str
    label: str
    count: int
    percent: float


@dataclass
class Column:
    """One group's figures for one question; everything None when the group is hidden."""

    node: str
    name: str
    visible: bool
    answered: int | None = None
    options: list[OptionFigure] | None = None
    free_texts: list[str] | None = None

    @property
    def chart(self) -> dict | None:
        return bar_chart(self)


@dataclass
class QuestionReport:
    key: str
    number: int | None
    text: str
    kind: str
    section: str | None
    columns: list[Column]


@dataclass
class NodeFigure:
    id: str
    name: str
    depth: int
    parent: str | None
    is_target: bool
    visible: bool
    respondents: int | None
    invited: int | None = None
    response_rate: float | None = None
    headcount: int | None = None
    released_on: date | None = None
    """The day these figures were released (while the campaign is open they move only in
    steps of the minimum)."""
    open_link: bool = False
    """Answered through the team's open link: its headcount and device limit bound how many
    responses one person can add, but cannot prove who sent them."""


@dataclass
class TrendPoint:
    campaign: str
    name: str
    date: str
    visible: bool
    answered: int | None
    options: dict[str, float] | None


@dataclass
class TrendQuestion:
    key: str
    number: int | None
    text: str
    option_labels: dict[str, str]
    points: list[TrendPoint]


@dataclass
class ComparisonRow:
    """One visible group: the share that answered the first option ("Ja") of each yes/no
    question, in questionnaire order."""

    node: str
    name: str
    depth: int
    respondents: int
    shares: list[float | None]


@dataclass
class Comparison:
    questions: list[tuple[str, int | None, str, str]]
    """(key, number, text, option label) per yes/no question."""
    rows: list[ComparisonRow]


@dataclass
class FilterInfo:
    question: str
    option: str
    label: str


@dataclass
class Report:
    campaign: Campaign
    minimum: int
    focus: NodeFigure
    nodes: list[NodeFigure]
    questions: list[QuestionReport]
    filter: FilterInfo | None = None
    trend: list[TrendQuestion] = field(default_factory=list)
    uses_invitations: bool = False
    comparison: Comparison | None = None

    @property
    def uses_headcount(self) -> bool:
        return any(f.headcount for f in self.nodes)

    @property
    def is_open(self) -> bool:
        return self.campaign.accepts_responses()

    @property
    def column_heads(self) -> list[Column]:
        return self.questions[0].columns if self.questions else []


def parse_filter(questionnaire: ScanQuestionnaire, raw: str | None) -> FilterInfo | None:
    if not raw:
        return None
    question_key, _sep, option = str(raw).partition(":")
    question = questionnaire.question(question_key)
    if question is None or question.kind not in FILTER_KINDS:
        raise DomainError(_("This filter is not available."), code="filter_invalid")
    labels = question.labels()
    if option not in labels:
        raise DomainError(_("This filter is not available."), code="filter_invalid")
    return FilterInfo(question.key, option, f"{question.text} {labels[option]}")


def filter_options(questionnaire: ScanQuestionnaire) -> list[tuple[str, str]]:
    """(value, label) for every filter the report offers."""
    found = []
    for question in questionnaire.questions:
        if question.kind in FILTER_KINDS:
            prefix = f"{question.number}. " if question.number else ""
            for key, label in question.labels().items():
                found.append((f"{question.key}:{key}", f"{prefix}{question.text}: {label}"))
    return found


def _invited(campaign: Campaign) -> dict[int, int]:
    counts: dict[int, int] = defaultdict(int)
    for node_id in ScanInvitation.objects.filter(campaign=campaign).values_list(
        "node_id", flat=True
    ):
        counts[node_id] += 1
    return counts


def _subtree_sum(tree: Tree, direct: Mapping[int, int]) -> dict[int, int]:
    totals = {n.pk: direct.get(n.pk, 0) for n in tree.nodes}
    for n in reversed(tree.nodes):
        if n.parent_id is not None:
            totals[n.parent_id] += totals[n.pk]
    return totals


def _headcounts(tree: Tree) -> dict[int, int | None]:
    """Each node's headcount: its team's for a target team, the sum over the target teams
    below for a department (unknown when one of them is unknown)."""
    found: dict[int, int | None] = {}
    children: dict[int, list[int]] = defaultdict(list)
    for n in tree.nodes:
        if n.parent_id is not None:
            children[n.parent_id].append(n.pk)
    for n in reversed(tree.nodes):
        own: int | None = 0
        if n.is_target:
            own = n.team.headcount if n.team is not None else None
        below = [found[c] for c in children[n.pk]]
        if own is None or any(b is None for b in below):
            found[n.pk] = None
        else:
            found[n.pk] = own + sum(b or 0 for b in below)
    return {k: (v or None) for k, v in found.items()}


def node_figures(
    tree: Tree, shown: set[int] | None = None, respondents: Mapping[int, int] | None = None
) -> list[NodeFigure]:
    s = tree.suppression
    shown = set(s.visible) if shown is None else shown
    by_pk = tree.by_pk
    invited_direct = _invited(tree.campaign)
    invited = _subtree_sum(tree, invited_direct) if invited_direct else {}
    headcounts = _headcounts(tree)
    days = released_on(tree.campaign)
    link_used: dict[int, bool] = {}
    for n in reversed(tree.nodes):
        link_used[n.pk] = link_used.get(n.pk, False) or n.link_used
        if n.parent_id is not None:
            link_used[n.parent_id] = link_used.get(n.parent_id, False) or link_used[n.pk]
    latest: dict[int, date] = {}
    for n in reversed(tree.nodes):
        day = days.get(n.pk)
        if day is not None and (n.pk not in latest or latest[n.pk] < day):
            latest[n.pk] = day
        if n.parent_id is not None and n.pk in latest:
            up = latest.get(n.parent_id)
            if up is None or up < latest[n.pk]:
                latest[n.parent_id] = latest[n.pk]
    figures = []
    for n in tree.nodes:
        visible = n.pk in shown
        count = None
        if visible:
            count = respondents[n.pk] if respondents is not None else s.total(n.pk)
        rate = None
        base = headcounts.get(n.pk) or invited.get(n.pk)
        if visible and base and respondents is None and count is not None:
            rate = percent(count, base)
        figures.append(
            NodeFigure(
                id=str(n.public_id),
                name=n.name,
                depth=n.depth,
                parent=str(by_pk[n.parent_id].public_id) if n.parent_id else None,
                is_target=n.is_target,
                visible=visible,
                respondents=count,
                invited=invited.get(n.pk) if invited_direct else None,
                response_rate=rate,
                headcount=headcounts.get(n.pk),
                released_on=latest.get(n.pk) if visible else None,
                open_link=link_used[n.pk],
            )
        )
    return figures


def _column(
    questionnaire_question: Any,
    node: CampaignNode,
    visible: bool,
    counts: Mapping[tuple[str, str], int] | None,
    texts: list[str] | None,
) -> Column:
    if not visible or counts is None:
        return Column(str(node.public_id), node.name, False)
    q = questionnaire_question
    answered = counts.get((q.key, TOTAL), 0)
    options = [
        OptionFigure(
            key, label, counts.get((q.key, key), 0), percent(counts.get((q.key, key), 0), answered)
        )
        for key, label in q.labels().items()
    ]
    return Column(str(node.public_id), node.name, True, answered, options, texts)


def _filtered_parts(
    tree: Tree, question_key: str, option_keys: list[str]
) -> dict[str, dict[int, int]]:
    """Direct counts per node of each part of the partition by one question's answer."""

    parts: dict[str, dict[int, int]] = {key: defaultdict(int) for key in option_keys}
    rows = (
        Answer.objects.filter(
            response__campaign=tree.campaign, response__released=True, question=question_key
        )
        .values("response__node_id", "option")
        .annotate(n=Count("id"))
        .values_list("response__node_id", "option", "n")
    )
    for node_id, option, n in rows:
        parts.setdefault(option, defaultdict(int))[node_id] += n
    none: dict[int, int] = {}
    for node_id, total in tree.direct.items():
        none[node_id] = total - sum(part.get(node_id, 0) for part in parts.values())
    parts[""] = none
    return parts


def _filtered_counts(
    tree: Tree, node_ids: Iterable[int], question_key: str, option: str
) -> dict[int, dict[tuple[str, str], int]]:
    """For each node: counts over its subtree's respondents who chose `option`."""

    result: dict[int, dict[tuple[str, str], int]] = {}
    selected = Answer.objects.filter(
        response__campaign=tree.campaign,
        response__released=True,
        question=question_key,
        option=option,
    ).values("response_id")
    for node_id in node_ids:
        below = _descendants(tree.campaign, node_id)
        base = Answer.objects.filter(
            response__node_id__in=below, response__released=True, response_id__in=selected
        )
        counts: dict[tuple[str, str], int] = {}
        for question, opt, n in base.values_list("question", "option").annotate(n=Count("id")):
            counts[(question, opt)] = n
        for question, n in base.values_list("question").annotate(
            n=Count("response_id", distinct=True)
        ):
            counts[(question, TOTAL)] = n
        result[node_id] = counts
    return result


def build_report(
    campaign: Campaign,
    *,
    team: str | None = None,
    filter: str | None = None,
    with_trend: bool = True,
) -> Report:
    """The report of the organisation (or of `team`, a node's public id) beside its
    department and the organisation, with the anonymity rule applied."""
    questionnaire = campaign.questionnaire
    tree = load_tree(campaign)
    s = tree.suppression
    by_pk = tree.by_pk
    focus = tree.root
    if team:
        match = next((n for n in tree.nodes if str(n.public_id) == str(team)), None)
        if match is None:
            raise DomainError(
                _("This team is not part of the campaign."), code="team_unknown", status=404
            )
        focus = match
    chain = [focus]
    if focus.parent_id is not None:
        chain.append(by_pk[focus.parent_id])
        if chain[-1].pk != tree.root.pk:
            chain.append(tree.root)
    chosen = parse_filter(questionnaire, filter)

    if chosen is None:
        shown = set(s.visible)
        visible_cols = [n.pk for n in chain if n.pk in shown]
        counts = rollup(campaign, visible_cols)
        texts = _free_texts(tree, visible_cols)
        respondents = None
    else:
        question = questionnaire.question(chosen.question)
        assert question is not None  # parse_filter checked it
        parts = _filtered_parts(tree, chosen.question, question.option_keys())
        shown = safe_subset(tree.parents(), list(parts.values()), s.visible, s.k)
        selected_totals = _subtree_sum(tree, parts[chosen.option])
        shown = {v for v in shown if selected_totals[v] >= s.k}
        visible_cols = [n.pk for n in chain if n.pk in shown]
        counts = _filtered_counts(tree, visible_cols, chosen.question, chosen.option)
        texts = {}
        respondents = selected_totals

    questions = []
    section_of = {q.key: sec.title for sec in questionnaire.sections for q in sec.questions}
    for q in questionnaire.questions:
        columns = [
            _column(
                q,
                n,
                n.pk in shown,
                counts.get(n.pk),
                texts.get((n.pk, q.key)) if n.pk in shown and chosen is None else None,
            )
            for n in chain
        ]
        questions.append(
            QuestionReport(q.key, q.number, q.text, q.kind, section_of[q.key], columns)
        )
    nodes = node_figures(tree, shown, respondents)
    focus_figure = next(f for f in nodes if f.id == str(focus.public_id))
    report = Report(
        campaign=campaign,
        minimum=s.k,
        focus=focus_figure,
        nodes=nodes,
        questions=questions,
        filter=chosen,
        uses_invitations=any(f.invited for f in nodes),
    )
    if with_trend and chosen is None:
        report.trend = build_trend(campaign, focus)
    if chosen is None and focus.pk == tree.root.pk:
        report.comparison = build_comparison(tree)
    return report


def build_comparison(tree: Tree) -> Comparison | None:
    """Every visible group side by side on the yes/no questions (one suppression for all,
    so the table is as safe as the list of groups)."""
    questions = [q for q in tree.campaign.questionnaire.questions if q.kind == "yes_no"]
    if not questions:
        return None
    s = tree.suppression
    visible = [n for n in tree.nodes if s.is_visible(n.pk)]
    # Only two counters per question and node are needed: rolled up here, in tree order.
    wanted = {(q.key, TOTAL) for q in questions} | {(q.key, q.options[0].key) for q in questions}
    counts: dict[int, dict[tuple[str, str], int]] = {n.pk: defaultdict(int) for n in tree.nodes}
    for node_id, question, option, value in ReleasedCounter.objects.filter(
        campaign=tree.campaign, question__in=[q.key for q in questions]
    ).values_list("node_id", "question", "option", "n"):
        if (question, option) in wanted:
            counts[node_id][(question, option)] += value
    for child in reversed(tree.nodes):
        if child.parent_id is not None:
            for key, value in counts[child.pk].items():
                counts[child.parent_id][key] += value
    rows = []
    for n in visible:
        mine = counts[n.pk]
        shares: list[float | None] = []
        for q in questions:
            answered = mine.get((q.key, TOTAL), 0)
            first = q.options[0].key
            shares.append(percent(mine.get((q.key, first), 0), answered) if answered else None)
        rows.append(ComparisonRow(str(n.public_id), n.name, n.depth, s.total(n.pk) or 0, shares))
    heads = [(q.key, q.number, q.text, q.options[0].label) for q in questions]
    return Comparison(heads, rows)


FREE_TEXT_SAMPLE = 100
"""At most this many written answers per question and group, drawn at random."""


def _free_texts(tree: Tree, node_ids: list[int]) -> dict[tuple[int, str], list[str]]:
    """Per visible group and question, its written answers: the FREE_TEXT_SAMPLE with the
    lowest random `pick` (a random sample read through an index), in a shuffled order."""
    result: dict[tuple[int, str], list[str]] = {}
    s = tree.suppression
    questionnaire = tree.campaign.questionnaire
    keys = [
        q.key
        for q in questionnaire.questions
        if q.kind == "open_text" or getattr(q, "other_option", None) is not None
    ]
    for node_id in node_ids:
        if node_id == tree.root.pk:
            where, params = "campaign_id = %s", [tree.campaign.pk]
        else:
            below = _descendants(tree.campaign, node_id)
            where = f"node_id IN ({', '.join(['%s'] * len(below))})"
            params = below
        sql = (
            f"SELECT text FROM scans_freetext WHERE {where} AND question = %s "  # noqa: S608
            "ORDER BY pick LIMIT %s"
        )
        for key in keys:
            with connection.cursor() as cursor:
                cursor.execute(sql, [*params, key, FREE_TEXT_SAMPLE])
                items = [row[0] for row in cursor.fetchall()]
            if not items:
                continue
            shown = s.free_text(node_id, items, seed=f"{tree.campaign.public_id}:{key}")
            if shown:
                result[(node_id, key)] = shown
    return result


def build_trend(campaign: Campaign, focus: CampaignNode) -> list[TrendQuestion]:
    """The focus group in every campaign of the same questionnaire (any version), for the
    questions whose key and kind are the same, each point only where the group is visible
    in that campaign."""
    questionnaire = campaign.questionnaire
    others = list(
        Campaign.objects.filter(
            organisation=campaign.organisation,
            questionnaire_version__questionnaire_id=campaign.questionnaire_version.questionnaire_id,
        )
        .select_related("questionnaire_version")
        .order_by("created_at", "id")
    )
    if len(others) < 2:
        return []
    others = others[-MAX_TREND:]
    points: dict[str, list[TrendPoint]] = {q.key: [] for q in questionnaire.questions}
    for other in others:
        tree = load_tree(other)
        node: CampaignNode | None
        if focus.parent_id is None:
            node = tree.root
        elif focus.team_id is None:  # the team was deleted since
            node = None
        else:
            node = next((n for n in tree.nodes if n.team_id == focus.team_id), None)
        visible = node is not None and tree.suppression.is_visible(node.pk)
        counts = rollup(other, [node.pk])[node.pk] if visible and node is not None else {}
        theirs = other.questionnaire
        for q in questionnaire.questions:
            mine = theirs.question(q.key)
            if mine is None or mine.kind != q.kind or q.kind == "open_text":
                continue
            answered = counts.get((q.key, TOTAL), 0) if visible else None
            options = (
                {key: percent(counts.get((q.key, key), 0), answered or 0) for key in q.labels()}
                if visible
                else None
            )
            points[q.key].append(
                TrendPoint(
                    str(other.public_id),
                    other.name,
                    other.created_at.date().isoformat(),
                    visible,
                    answered,
                    options,
                )
            )
    trend = []
    for q in questionnaire.questions:
        if len(points[q.key]) >= 2:
            trend.append(TrendQuestion(q.key, q.number, q.text, q.labels(), points[q.key]))
    return trend


# --- All visible nodes, for the exports -------------------------------------------------


@dataclass
class ExportRow:
    team: str
    path: str
    respondents: int | None
    question_number: int | None
    question: str
    option: str
    count: int | None
    percent: float | None


def export_rows(campaign: Campaign) -> list[ExportRow]:
    """Every node x question x option; hidden nodes get one row saying too few responses."""
    tree = load_tree(campaign)
    s = tree.suppression
    by_pk = tree.by_pk
    visible = [n.pk for n in tree.nodes if s.is_visible(n.pk)]
    counts = rollup(campaign, visible)
    rows = []
    for n in tree.nodes:
        path_parts = []
        at: CampaignNode | None = n
        while at is not None:
            path_parts.append(at.name)
            at = by_pk.get(at.parent_id) if at.parent_id else None
        path = " / ".join(reversed(path_parts))
        if not s.is_visible(n.pk):
            rows.append(ExportRow(n.name, path, None, None, too_few(), "", None, None))
            continue
        mine = counts[n.pk]
        for q in campaign.questionnaire.questions:
            answered = mine.get((q.key, TOTAL), 0)
            for key, label in q.labels().items():
                c = mine.get((q.key, key), 0)
                rows.append(
                    ExportRow(
                        n.name,
                        path,
                        s.total(n.pk),
                        q.number,
                        q.text,
                        label,
                        c,
                        percent(c, answered),
                    )
                )
    return rows


def raw_rows(campaign: Campaign) -> tuple[list[str], list[list[str]]]:
    """Anonymous responses for organisation admins: each labelled with its nearest visible
    group (so every label's row count is a residual: 0 or >= the minimum), in random order,
    without dates, ids or free text. Respondents with no visible group are left out."""
    import random

    tree = load_tree(campaign)
    s = tree.suppression
    by_pk = tree.by_pk
    label: dict[int, str | None] = {}
    for n in tree.nodes:
        if s.is_visible(n.pk):
            label[n.pk] = n.name
        else:
            label[n.pk] = label.get(n.parent_id) if n.parent_id else None
    questions = [q for q in campaign.questionnaire.questions if q.kind != "open_text"]
    header = [_("Team"), *[f"{q.number}. {q.text}" if q.number else q.text for q in questions]]
    answers: dict[Any, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for response_id, question, option in Answer.objects.filter(
        response__campaign=campaign, response__released=True
    ).values_list("response_id", "question", "option"):
        answers[response_id][question].append(option)
    rows = []
    for response_id, node_id in Response.objects.filter(
        campaign=campaign, released=True
    ).values_list("id", "node_id"):
        group = label.get(node_id)
        if group is None:
            continue
        mine = answers.get(response_id, {})
        row = [group]
        for q in questions:
            labels = q.labels()
            row.append("; ".join(labels.get(o, o) for o in sorted(mine.get(q.key, []))))
        rows.append(row)
    random.SystemRandom().shuffle(rows)
    del by_pk
    return header, rows
