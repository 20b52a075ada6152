"""The scan's figures for a live session's presenter screen ("Bespreek deze resultaten").

A projector shows one question at a time, large enough to read from the back of a room:
the organisation and each group one level below it, side by side. The groups are the ones
the report's own anonymity rule shows (`reports.load_tree`, the same suppression as the
report and its comparison table), so the screen never shows a group the report hides, nor
one that could be derived from the others by subtraction. No free text: an answer in
someone's own words can be recognised in a room.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import Campaign
from .reports import NodeFigure, QuestionReport, _column, load_tree, node_figures, rollup

MAX_GROUPS = 5
"""Groups side by side at most; with more, the screen shows the organisation alone (the
comparison of all groups is the report's)."""


@dataclass
class PresenterScan:
    name: str
    organisation: NodeFigure
    groups: list[NodeFigure]
    """The visible groups one level below the organisation shown beside it (none when
    there are more than MAX_GROUPS)."""
    more_groups: int
    """Visible groups left out because there are too many to show side by side."""
    questions: list[QuestionReport]
    """The questions with answer options; each one's columns are the organisation's, then
    the groups' in the same order."""


def presenter_results(campaign: Campaign) -> PresenterScan:
    tree = load_tree(campaign)
    visible = set(tree.suppression.visible)
    root = tree.root
    groups = [n for n in tree.nodes if n.parent_id == root.pk and n.pk in visible]
    more = 0
    if len(groups) > MAX_GROUPS:
        groups, more = [], len(groups)
    shown = [root, *groups]
    counts = rollup(campaign, [n.pk for n in shown if n.pk in visible])
    questions = [
        QuestionReport(
            q.key,
            q.number,
            q.text,
            q.kind,
            None,
            [_column(q, n, n.pk in visible, counts.get(n.pk), None) for n in shown],
        )
        for q in campaign.questionnaire.questions
        if q.labels()
    ]
    figures = {f.id: f for f in node_figures(tree, visible)}
    return PresenterScan(
        name=campaign.name,
        organisation=figures[str(root.public_id)],
        groups=[figures[str(n.public_id)] for n in groups],
        more_groups=more,
        questions=questions,
    )
