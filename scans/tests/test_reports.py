"""Reports: the figures are right, and no view shows a group below the minimum.

The property tests generate random team trees, group sizes, minimums and answers, submit
them through the real service, build every report view (every team as focus, with and
without every filter) and check, from the generated data and not from the code's own
reasoning, that every visible figure rests on at least the minimum and that no subtraction
of visible figures from their parent describes a group of 1 to k-1 respondents.
"""

from __future__ import annotations

import csv
import io
import itertools
import secrets
from collections import defaultdict
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import make_user
from core.errors import DomainError
from orgs.models import Membership, Organisation, Role, Team
from scans import reports, services
from scans.models import CampaignNode
from scans.reports import build_report, export_rows, raw_rows, safe_subset

from .conftest import examples, node, respond, seed_answers


def brute_force_unsafe(
    parents: dict[Any, Any],
    direct: dict[Any, int],
    shown: set[Any],
    k: int,
    *,
    zero_ok: bool,
) -> list[tuple[Any, tuple[Any, ...], int]]:
    """Every (node, subtracted set, revealed) with a revealed group of 1..k-1, by brute force
    over sets of shown, pairwise disjoint descendants (small trees only)."""
    total = dict.fromkeys(parents, 0)
    for v, n in direct.items():
        at = v
        while at is not None:
            total[at] += n
            at = parents[at]

    def ancestors(v: Any) -> list[Any]:
        chain = []
        while parents[v] is not None:
            v = parents[v]
            chain.append(v)
        return chain

    found = []
    for v in shown:
        if total[v] < k and not (zero_ok and total[v] == 0):
            found.append((v, (), total[v]))
        below = [u for u in shown if v in ancestors(u)]
        for size in range(1, min(len(below), 6) + 1):
            for subset in itertools.combinations(below, size):
                if any(a in ancestors(b) for a in subset for b in subset if a != b):
                    continue
                revealed = total[v] - sum(total[u] for u in subset)
                if 0 < revealed < k:
                    found.append((v, subset, revealed))
    return found


# --- hand-made cases ------------------------------------------------------------------------


def test_org_report_counts_and_percentages(campaign):
    respond(campaign, "Bakkerij", 3)
    respond(campaign, "Bakkerij", 3, **{"toegang-informatie": "nee"})
    report = build_report(campaign)
    q1 = report.questions[0]
    [org_column] = q1.columns
    assert org_column.visible and org_column.answered == 6
    assert [(o.label, o.count, o.percent) for o in org_column.options] == [
        ("Ja", 3, 50.0),
        ("Nee", 3, 50.0),
    ]
    assert report.focus.respondents == 6


def test_a_small_team_is_hidden_everywhere_and_its_sibling_too(campaign):
    respond(campaign, "Bakkerij", 6)
    respond(campaign, "Levering", 5)
    respond(campaign, "Winkel", 2, ontmoeten=["andere"])
    report = build_report(campaign)
    shown = {n.name: n.respondents for n in report.nodes}
    assert shown["Winkel"] is None  # 2 < 5
    assert shown["Levering"] is None  # 13 - 6 would give Winkel away: next smallest hidden
    assert shown["Bakkerij"] == 6 and shown["Productie"] == 13
    for name in ("Winkel", "Levering"):
        team = build_report(campaign, team=str(node(campaign, name).public_id))
        assert team.focus.respondents is None
        for q in team.questions:
            first = q.columns[0]
            assert (first.visible, first.answered, first.options, first.free_texts) == (
                False,
                None,
                None,
                None,
            )
            assert q.columns[1].visible and q.columns[1].name == "Productie"
            assert q.columns[2].visible


def test_groups_side_by_side_show_visible_groups_only(campaign):
    respond(campaign, "Bakkerij", 4)
    respond(campaign, "Bakkerij", 2, **{"toegang-informatie": "nee"})
    respond(campaign, "Levering", 5)
    respond(campaign, "Winkel", 2)
    report = build_report(campaign)
    rows = {r.name: r for r in report.comparison.rows}
    assert set(rows) == {"Bakkerij De Korenbloem", "Productie", "Bakkerij"}
    assert rows["Bakkerij"].respondents == 6
    assert rows["Bakkerij"].shares[0] == 66.7
    assert len(report.comparison.questions) == 5
    team = build_report(campaign, team=str(node(campaign, "Bakkerij").public_id))
    assert team.comparison is None
    assert build_report(campaign, filter="toegang-informatie:ja").comparison is None


def test_free_text_is_shown_shuffled_for_a_visible_group_only(campaign):
    for i in range(6):
        services.submit_response(
            code=node(campaign, "Bakkerij").code,
            client_key=secrets.token_urlsafe(16),
            answers=seed_answers(),
            other={"ontmoeten": f"plek {i}"},
        )
    report = build_report(campaign)
    texts = report.questions[5].columns[0].free_texts
    assert sorted(texts) == [f"plek {i}" for i in range(6)]
    assert build_report(campaign).questions[5].columns[0].free_texts == texts  # stable
    respond(campaign, "Winkel", 2)
    winkel = build_report(campaign, team=str(node(campaign, "Winkel").public_id))
    assert winkel.questions[5].columns[0].free_texts is None


def test_nobody_answered_shows_too_few_for_everything(campaign):
    report = build_report(campaign)
    assert all(not n.visible for n in report.nodes)
    assert all(not c.visible for q in report.questions for c in q.columns)
    assert all(r.count is None for r in export_rows(campaign))
    assert raw_rows(campaign)[1] == []


def test_a_filter_shows_only_groups_at_or_above_the_minimum(campaign):
    respond(campaign, "Bakkerij", 7)
    respond(campaign, "Bakkerij", 2, **{"toegang-informatie": "nee"})
    respond(campaign, "Levering", 5, **{"toegang-informatie": "nee"})
    ja = build_report(campaign, filter="toegang-informatie:ja")
    assert ja.filter is not None
    shown = {n.name: n.respondents for n in ja.nodes if n.visible}
    # 7 "ja" in Bakkerij, but its 2 "nee" would follow from 9 - 7: not shown per team.
    assert "Bakkerij" not in shown
    nee = build_report(campaign, filter="toegang-informatie:nee")
    assert "Bakkerij" not in {n.name for n in nee.nodes if n.visible}
    assert all(not c.free_texts for q in ja.questions for c in q.columns)


def test_a_filter_selecting_fewer_than_the_minimum_shows_nothing(campaign):
    respond(campaign, "Bakkerij", 8)
    respond(campaign, "Bakkerij", 2, **{"toegang-informatie": "nee"})
    report = build_report(campaign, filter="toegang-informatie:nee")
    assert all(not n.visible for n in report.nodes)
    assert all(not c.visible and c.options is None for q in report.questions for c in q.columns)


@pytest.mark.parametrize("bad", ["ontmoeten:koffie", "bestaat:niet", "toegang-informatie:x", "x"])
def test_bad_filters_are_refused(campaign, bad):
    with pytest.raises(DomainError):
        build_report(campaign, filter=bad)


def test_unknown_team_is_refused(campaign, other_org, builtin):
    with pytest.raises(DomainError):
        build_report(campaign, team="00000000-0000-0000-0000-000000000000")


def test_trend_compares_like_with_like(org, builtin, teams, admin_user, campaign):
    respond(campaign, "Bakkerij", 5)
    second = services.create_campaign(
        org, questionnaire=builtin, name="Meting 2027", actor=admin_user, teams=[teams["bakkerij"]]
    )
    services.open_campaign(second, actor=admin_user)
    respond(second, "Bakkerij", 5, **{"toegang-informatie": "nee"})
    report = build_report(second)
    trend = {t.key: t for t in report.trend}
    points = trend["toegang-informatie"].points
    assert [p.name for p in points] == ["Meting 2026", "Meting 2027"]
    assert [p.options for p in points] == [{"ja": 100.0, "nee": 0.0}, {"ja": 0.0, "nee": 100.0}]
    winkel_second = services.create_campaign(
        org, questionnaire=builtin, name="Meting 2028", actor=admin_user, teams=[teams["bakkerij"]]
    )
    services.open_campaign(winkel_second, actor=admin_user)
    respond(winkel_second, "Bakkerij", 2)
    third = build_report(winkel_second)
    last = {t.key: t for t in third.trend}["toegang-informatie"].points[-1]
    assert (last.visible, last.answered, last.options) == (False, None, None)


def test_response_rate_per_team_for_invitations(
    campaign, admin_user, django_capture_on_commit_callbacks
):
    import re as regex

    from django.core import mail

    winkel = node(campaign, "Winkel")
    emails = [f"p{i}@x.test" for i in range(8)]
    with django_capture_on_commit_callbacks(execute=True):
        services.invite_respondents(campaign, winkel, emails, actor=admin_user)
    for message in mail.outbox[:5]:
        token = regex.search(r"/s/i/([\w-]+)/", message.body).group(1)
        services.submit_response(
            token=token, client_key=secrets.token_urlsafe(16), answers=seed_answers()
        )
    report = build_report(campaign)
    row = next(n for n in report.nodes if n.name == "Winkel")
    assert (row.invited, row.respondents, row.response_rate) == (8, 5, 62.5)
    assert report.uses_invitations


def test_raw_rows_label_each_response_with_a_visible_group(campaign):
    respond(campaign, "Bakkerij", 6)
    respond(campaign, "Winkel", 2)
    respond(campaign, "Levering", 5)
    header, rows = raw_rows(campaign)
    assert header[0] == "Team" and len(header) == 12
    groups = defaultdict(int)
    for row in rows:
        groups[row[0]] += 1
    assert dict(groups) == {"Bakkerij": 6, "Productie": 7}
    assert all("2026" not in cell for row in rows for cell in row)


# --- properties -----------------------------------------------------------------------------


@st.composite
def scenarios(draw):
    n = draw(st.integers(1, 7))
    parents: list[int | None] = [None]
    for i in range(1, n):
        parents.append(draw(st.one_of(st.none(), st.integers(0, i - 1))))
    targets = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True))
    k = draw(st.sampled_from([3, 4, 5]))
    answers: dict[int, list[tuple[str, list[str], str]]] = {}
    for t in targets:
        answers[t] = draw(
            st.lists(
                st.tuples(
                    st.sampled_from(["ja", "nee"]),
                    st.lists(
                        st.sampled_from(["koffie", "teambuilding", "andere"]),
                        unique=True,
                        max_size=2,
                    ),
                    st.sampled_from(["", "", "tekst"]),
                ),
                max_size=9,
            )
        )
    return parents, targets, k, answers


counter = itertools.count()


def make_scenario(builtin, scenario):
    parents, targets, k, answers = scenario
    i = next(counter)
    org = Organisation.objects.create(name=f"Org {i}", slug=f"org-{i}", anonymity_minimum=k)
    teams: list[Team] = []
    for j, p in enumerate(parents):
        teams.append(
            Team.objects.create(
                organisation=org, name=f"T{j}", parent=teams[p] if p is not None else None
            )
        )
    c = services.create_campaign(
        org, questionnaire=builtin, name="M", actor=None, teams=[teams[t] for t in targets]
    )
    services.open_campaign(c, actor=None)
    truth: dict[str, list[tuple[str, list[str], str]]] = {}
    for t in targets:
        code = CampaignNode.objects.get(campaign=c, team=teams[t]).code
        truth[f"T{t}"] = answers[t]
        for yes_no, options, text in answers[t]:
            services.submit_response(
                code=code,
                client_key=secrets.token_urlsafe(16),
                answers=seed_answers(**{"toegang-informatie": yes_no, "ontmoeten": options}),
                other={"ontmoeten": text} if text else {},
            )
    return c, truth


def tree_of(campaign):
    nodes = list(CampaignNode.objects.filter(campaign=campaign).order_by("position"))
    ids = {n.pk: str(n.public_id) for n in nodes}
    parents = {ids[n.pk]: ids.get(n.parent_id) for n in nodes}
    names = {ids[n.pk]: n.name for n in nodes}
    return parents, names


def api_report(client, campaign, team=None, filter=None) -> dict:
    params = {k: v for k, v in {"team": team, "filter": filter}.items() if v}
    response = client.get(f"/api/v1/campaigns/{campaign.public_id}/report", params)
    assert response.status_code == 200, response.content
    return response.json()


def check_views(client, campaign, truth):
    """Every view through the API and the exports over HTTP, checked against the truth."""
    k = campaign.anonymity_minimum
    parents, names = tree_of(campaign)
    direct = {n: len(truth.get(names[n], [])) for n in parents}
    problems = []

    def chain(u: str) -> list[str]:
        out = []
        while parents[u] is not None:
            u = parents[u]
            out.append(u)
        return out

    def total(v: str, count) -> int:
        return sum(count(u) for u in parents if u == v or v in chain(u))

    def ja_count(u: str) -> int:
        return sum(1 for a in truth.get(names[u], []) if a[0] == "ja")

    unfiltered_shown: set[str] = set()
    for focus in [None, *parents]:
        report = api_report(client, campaign, team=focus)
        visible_ids = {f["id"] for f in report["nodes"] if f["visible"]}
        if report["comparison"] is not None:
            assert focus is None or parents[focus] is None
            for row in report["comparison"]["rows"]:
                assert row["node"] in visible_ids
                assert row["respondents"] == total(row["node"], lambda u: direct[u])
                expected = total(row["node"], ja_count) / row["respondents"] * 100
                assert row["shares"][0] == round(expected, 1)
        for figure in report["nodes"]:
            if figure["visible"]:
                unfiltered_shown.add(figure["id"])
                assert figure["respondents"] == total(figure["id"], lambda u: direct[u])
                assert figure["respondents"] >= k
            else:
                assert figure["respondents"] is None and figure["response_rate"] is None
        for q in report["questions"]:
            for group in q["groups"]:
                assert group["visible"] == (group["node"] in visible_ids)
                if not group["visible"]:
                    assert (group["answered"], group["options"], group["free_texts"]) == (
                        None,
                        None,
                        None,
                    )
                    assert group["note"] == "too few responses"
                elif q["key"] == "toegang-informatie":
                    assert group["options"][0]["count"] == total(group["node"], ja_count)
    problems += brute_force_unsafe(parents, direct, unfiltered_shown, k, zero_ok=False)

    # Exports over HTTP: the same visible groups and nothing for the others.
    slug = campaign.organisation.slug
    exported = client.get(f"/o/{slug}/scans/{campaign.public_id}/report.csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))[1:]
    assert {r[0] for r in rows if r[6] != ""} == {names[v] for v in unfiltered_shown}
    assert all(
        r[2] == r[6] == r[7] == "" for r in rows if r[0] not in {names[v] for v in unfiltered_shown}
    )
    raw = client.get(f"/o/{slug}/scans/{campaign.public_id}/responses.csv")
    sizes: dict[str, int] = defaultdict(int)
    for row in list(csv.reader(io.StringIO(raw.content.decode("utf-8-sig"))))[1:]:
        sizes[row[0]] += 1
    assert all(size >= k for size in sizes.values()), sizes
    assert set(sizes) <= {names[v] for v in unfiltered_shown}

    # Filters: each part of the partition by the answer to question 1 stays safe on the
    # union of the nodes any filter shows.
    parts = {
        option: {n: sum(1 for a in truth.get(names[n], []) if a[0] == option) for n in parents}
        for option in ("ja", "nee")
    }
    filtered_shown: set[str] = set()
    for option in ("ja", "nee"):
        for focus in [None, *parents]:
            report = api_report(client, campaign, team=focus, filter=f"toegang-informatie:{option}")
            visible_ids = {f["id"] for f in report["nodes"] if f["visible"]}
            for figure in report["nodes"]:
                if figure["visible"]:
                    filtered_shown.add(figure["id"])
                    assert figure["id"] in unfiltered_shown
                    assert figure["respondents"] == total(
                        figure["id"], lambda u, o=option: parts[o][u]
                    )
                    assert figure["respondents"] >= k
            for q in report["questions"]:
                for group in q["groups"]:
                    if group["visible"]:
                        assert group["answered"] is not None and group["free_texts"] is None
                        assert group["node"] in visible_ids
                    else:
                        assert group["options"] is None
    for option in ("ja", "nee"):
        problems += brute_force_unsafe(parents, parts[option], filtered_shown, k, zero_ok=True)
    return problems


@settings(max_examples=examples(25), deadline=None, suppress_health_check=list(HealthCheck))
@given(scenario=scenarios())
@pytest.mark.django_db
def test_no_view_reveals_a_small_group(builtin, scenario):
    campaign, truth = make_scenario(builtin, scenario)
    admin = make_user(f"admin-{campaign.organisation.slug}@x.test")
    Membership.objects.create(user=admin, organisation=campaign.organisation, role=Role.ADMIN)
    client = Client()
    client.force_login(admin)
    assert check_views(client, campaign, truth) == []


@settings(max_examples=examples(200), deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.integers(0, 30)), min_size=1, max_size=9),
    st.lists(st.lists(st.integers(0, 6), min_size=9, max_size=9), min_size=1, max_size=3),
    st.integers(3, 5),
)
def test_safe_subset_keeps_every_part_safe(parent_draws, part_draws, k):
    parents: dict[int, int | None] = {}
    for i, p in enumerate(parent_draws):
        parents[i] = None if p is None or i == 0 else p % i
    parts = [{i: part[i] for i in parents} for part in part_draws]
    shown = safe_subset(parents, parts, set(parents), k)
    for part in parts:
        assert brute_force_unsafe(parents, part, shown, k, zero_ok=True) == []


def test_too_few_is_translatable():
    from django.utils import translation

    with translation.override("en"):
        assert reports.too_few() == "too few responses"


def test_a_raised_organisation_minimum_applies_to_earlier_campaigns(campaign, org):
    respond(campaign, "Bakkerij", 6)
    respond(campaign, "Winkel", 6)
    org.anonymity_minimum = 7
    org.save()
    campaign.refresh_from_db()
    report = build_report(campaign)
    assert report.minimum == 7
    assert {n.name: n.respondents for n in report.nodes}["Bakkerij"] is None
    assert report.focus.respondents == 12


def test_a_deleted_team_has_no_trend_and_keeps_its_report(
    org, builtin, teams, admin_user, campaign
):
    respond(campaign, "Bakkerij", 5)
    second = services.create_campaign(
        org, questionnaire=builtin, name="Meting 2027", actor=admin_user, teams=[teams["bakkerij"]]
    )
    services.open_campaign(second, actor=admin_user)
    respond(second, "Bakkerij", 5)
    teams["bakkerij"].delete()
    bakkerij = node(second, "Bakkerij")
    assert bakkerij.team_id is None
    report = build_report(second, team=str(bakkerij.public_id))
    assert report.focus.respondents == 5
    points = {t.key: t for t in report.trend}
    assert all(
        not p.visible or p.campaign == str(second.public_id)
        for t in points.values()
        for p in t.points
    )
