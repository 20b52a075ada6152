"""Reports move only in released steps: no two states a user can see differ by fewer than
the minimum number of responses in any group (issue 9, attack 2)."""

from __future__ import annotations

import itertools
import secrets
from collections import defaultdict

import pytest
from django.test import Client
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from core.testing import examples
from orgs.models import Membership, Organisation, Role, Team
from scans import services
from scans.anonymity import Node, compute_visibility, leaks
from scans.models import (
    CampaignNode,
    FreeText,
    FreeTextPool,
    NodeAncestor,
    ReleasedCounter,
    Response,
)
from scans.releases import plan_release

from .conftest import node, respond, seed_answers

# --- The pure rule, with replacements --------------------------------------------------


@st.composite
def histories(draw):
    """A random tree, a minimum, and a sequence of events: a new response for a node, a
    replaced one (the same person answering again), or a report read."""
    n = draw(st.integers(1, 8))
    parents: dict[int, int | None] = {0: None}
    for i in range(1, n):
        parents[i] = draw(st.integers(0, i - 1))
    k = draw(st.sampled_from([3, 4, 5]))
    events = draw(
        st.lists(
            st.one_of(
                st.tuples(st.just("new"), st.integers(0, n - 1)),
                st.tuples(st.just("replace"), st.integers(0, 10_000)),
                st.tuples(st.just("read"), st.just(0)),
            ),
            max_size=60,
        )
    )
    return parents, k, events


def subtree(parents: dict[int, int | None], v: int) -> set[int]:
    found = {v}
    changed = True
    while changed:
        changed = False
        for u, p in parents.items():
            if p in found and u not in found:
                found.add(u)
                changed = True
    return found


@settings(max_examples=examples(300), deadline=None, database=None)
@given(histories())
def test_no_two_visible_states_differ_by_fewer_than_the_minimum(history):
    parents, k, events = history
    # Each person's answers have a version; the released state holds (person, version).
    node_of: dict[int, int] = {}
    live: dict[int, int] = {}  # person -> version
    released: dict[int, int] = {}  # person -> version in the released figures
    pending: dict[int, int] = defaultdict(int)  # node -> changed responses since release
    seen: dict[int, list[frozenset[tuple[int, int]]]] = defaultdict(list)
    below = {v: subtree(parents, v) for v in parents}
    people = itertools.count()

    def read() -> None:
        totals: dict[int, int] = defaultdict(int)
        for person in released:
            totals[node_of[person]] += 1
        before = dict(totals)
        sums = {v: sum(before.get(u, 0) for u in below[v]) for v in parents}
        chosen = plan_release(parents, dict(pending), sums, k)
        for person, version in live.items():
            if node_of[person] in chosen:
                released[person] = version
        for v in chosen:
            pending[v] = 0
        direct: dict[int, int] = defaultdict(int)
        for person in released:
            direct[node_of[person]] += 1
        nodes = [Node(v, parents[v], direct.get(v, 0)) for v in parents]
        suppression = compute_visibility(nodes, k)
        assert leaks(nodes, suppression.visible, k) == []
        for v in suppression.visible:
            state = frozenset((p, ver) for p, ver in released.items() if node_of[p] in below[v])
            for earlier in seen[v]:
                changed = {p for p, _ver in state ^ earlier}
                assert len(changed) == 0 or len(changed) >= k, (v, len(changed))
            seen[v].append(state)

    for kind, value in events:
        if kind == "new":
            person = next(people)
            node_of[person], live[person] = value, 0
            pending[value] += 1
        elif kind == "replace" and live:
            person = sorted(live)[value % len(live)]
            if released.get(person) == live[person]:
                pending[node_of[person]] += 1  # else it was pending and still counts once
            live[person] += 1
        else:
            read()
    read()


def test_a_release_waits_for_the_minimum_and_each_step_is_at_least_the_minimum():
    parents = {"org": None, "dept": "org", "a": "dept", "b": "dept"}
    # Nothing shown yet: everything may go (every group was hidden).
    assert plan_release(parents, {"a": 2, "b": 1}, {}, 5) == {"a", "b"}
    # "a" was shown with 5: one more response waits, five more go.
    shown = {"org": 5, "dept": 5, "a": 5, "b": 0}
    assert plan_release(parents, {"a": 1}, shown, 5) == set()
    assert plan_release(parents, {"a": 5}, shown, 5) == {"a"}
    # "b" (hidden, 0 before) may take 2 only with enough elsewhere to move dept by 5.
    assert plan_release(parents, {"b": 2}, shown, 5) == set()
    assert plan_release(parents, {"b": 2, "a": 3}, shown, 5) == set()  # a would move by 3
    assert plan_release(parents, {"b": 2, "a": 5}, shown, 5) == {"a", "b"}


# --- Through the database and the API ----------------------------------------------------

counter = itertools.count()


@st.composite
def db_histories(draw):
    n = draw(st.integers(1, 6))
    parents: list[int | None] = [None]
    for i in range(1, n):
        parents.append(draw(st.one_of(st.none(), st.integers(0, i - 1))))
    targets = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True))
    k = draw(st.sampled_from([3, 4, 5]))
    events = draw(
        st.lists(
            st.one_of(
                # Mostly new responses, so that groups cross the minimum between reads.
                st.tuples(st.just("new"), st.sampled_from(targets), st.booleans()),
                st.tuples(st.just("new"), st.sampled_from(targets), st.booleans()),
                st.tuples(st.just("new"), st.sampled_from(targets), st.booleans()),
                st.tuples(st.just("replace"), st.integers(0, 1000), st.booleans()),
                st.tuples(st.just("read"), st.just(0), st.just(False)),
            ),
            max_size=40,
        )
    )
    return parents, targets, k, events


def report_state(client, campaign) -> dict[str, tuple]:
    """Per visible group in the organisation's report: respondents and every figure."""
    state = {}
    response = client.get(f"/api/v1/campaigns/{campaign.public_id}/report")
    assert response.status_code == 200
    data = response.json()
    for figure in data["nodes"]:
        if figure["visible"]:
            state[figure["id"]] = (figure["respondents"],)
    for q in data["questions"]:
        for group in q["groups"]:
            if group["visible"]:
                counts = tuple((o["key"], o["count"]) for o in group["options"])
                state[group["node"]] = (*state.get(group["node"], ()), q["key"], counts)
    return state


@settings(
    max_examples=examples(15),
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(history=db_histories())
@example(
    history=(
        [None, 0],
        [1],
        3,
        [("new", 1, True)] * 3
        + [("read", 0, False), ("new", 1, False), ("read", 0, False)]
        + [("replace", 0, False), ("read", 0, False)],
    )
)
@pytest.mark.django_db
def test_reports_through_the_api_move_only_in_steps_of_the_minimum(builtin, history, settings):
    settings.SCAN_LINK_LIMIT = 10_000
    parents, targets, k, events = history
    i = next(counter)
    org = Organisation.objects.create(name=f"Rel {i}", slug=f"rel-{i}", anonymity_minimum=k)
    teams: list[Team] = []
    for j, p in enumerate(parents):
        teams.append(
            Team.objects.create(
                organisation=org, name=f"T{j}", parent=teams[p] if p is not None else None
            )
        )
    campaign = services.create_campaign(
        org, questionnaire=builtin, name="M", actor=None, teams=[teams[t] for t in targets]
    )
    services.open_campaign(campaign, actor=None)
    admin = _admin(org, i)
    client = Client()
    client.force_login(admin)
    codes = {t: CampaignNode.objects.get(campaign=campaign, team=teams[t]).code for t in targets}
    public = dict(CampaignNode.objects.filter(campaign=campaign).values_list("pk", "public_id"))
    closure = list(
        NodeAncestor.objects.filter(campaign=campaign).values_list("ancestor_id", "descendant_id")
    )
    below = {str(public[a]): {d for a2, d in closure if a2 == a} for a in public}
    person_of: dict[object, int] = {}  # response id -> person (device)
    devices: list[tuple[str, int]] = []  # (device key, target) per person
    seen: dict[str, list[frozenset]] = defaultdict(list)
    for kind, target, yes in events:
        if kind == "read":
            report = report_state(client, campaign)
            released = list(
                Response.objects.filter(campaign=campaign, released=True).values_list(
                    "id", "node_id"
                )
            )
            for group in report:
                state = frozenset(
                    (person_of[rid], rid) for rid, node_id in released if node_id in below[group]
                )
                for earlier in seen[group]:
                    changed = {person for person, _rid in state ^ earlier}
                    assert len(changed) == 0 or len(changed) >= k, (group, len(changed))
                seen[group].append(state)
            continue
        if kind == "replace":
            if not devices:
                continue
            person = target % len(devices)
            key, target = devices[person]
        else:
            person, key = len(devices), secrets.token_urlsafe(16)
            devices.append((key, target))
        services.submit_response(
            code=codes[target],
            client_key=secrets.token_urlsafe(16),
            answers=seed_answers(**{"toegang-informatie": "ja" if yes else "nee"}),
            device_key=key,
            replace=kind == "replace",
        )
        newest = Response.objects.get(
            campaign=campaign, device_hash=services.device_hash(campaign, key)
        )
        person_of[newest.pk] = person
    # The released figures are exactly the released responses, node by node.
    released = defaultdict(int)
    for node_id in Response.objects.filter(campaign=campaign, released=True).values_list(
        "node_id", flat=True
    ):
        released[node_id] += 1
    stored = dict(
        ReleasedCounter.objects.filter(campaign=campaign, question="", option="").values_list(
            "node_id", "n"
        )
    )
    assert {n: v for n, v in stored.items() if v} == dict(released)


def _admin(org, i):
    from conftest import make_user

    user = make_user(f"rel-admin-{i}@x.test")
    Membership.objects.create(user=user, organisation=org, role=Role.ADMIN)
    return user


# --- The attack from the issue ------------------------------------------------------------


def test_one_more_response_changes_nothing_a_manager_can_see(campaign, admin_user, client):
    client.force_login(admin_user)
    respond(campaign, "Bakkerij", 7)
    first = report_state(client, campaign)
    bakkerij = str(node(campaign, "Bakkerij").public_id)
    assert first[bakkerij][0] == 7
    respond(campaign, "Bakkerij", 1, **{"toegang-informatie": "nee"})
    assert report_state(client, campaign) == first  # Team Seven stays at 7
    assert Response.objects.filter(campaign=campaign, released=False).count() == 1
    respond(campaign, "Bakkerij", 4, **{"toegang-informatie": "nee"})
    after = report_state(client, campaign)
    assert after[bakkerij][0] == 12  # the next step: five new responses at once
    assert not Response.objects.filter(campaign=campaign, released=False).exists()


def test_the_close_releases_everything_and_the_date_is_shown(campaign, admin_user, client):
    client.force_login(admin_user)
    respond(campaign, "Bakkerij", 5)
    report_state(client, campaign)
    respond(campaign, "Bakkerij", 2)
    data = client.get(f"/api/v1/campaigns/{campaign.public_id}/report").json()
    bakkerij = next(f for f in data["nodes"] if f["name"] == "Bakkerij")
    assert bakkerij["respondents"] == 5 and bakkerij["released_on"]
    services.close_campaign(campaign, actor=admin_user)
    data = client.get(f"/api/v1/campaigns/{campaign.public_id}/report").json()
    bakkerij = next(f for f in data["nodes"] if f["name"] == "Bakkerij")
    assert bakkerij["respondents"] == 7
    # The device link goes at the close.
    assert not Response.objects.filter(campaign=campaign, device_hash__isnull=False).exists()


# --- No order in storage ---------------------------------------------------------------


def test_free_texts_cannot_be_joined_to_responses_by_key_or_order(campaign, admin_user):
    bakkerij = node(campaign, "Bakkerij")
    for i in range(6):
        chosen = ["andere"] if i % 2 == 0 else ["koffie"]
        services.submit_response(
            code=bakkerij.code,
            client_key=secrets.token_urlsafe(16),
            answers=seed_answers(ontmoeten=chosen),
            other={"ontmoeten": f"tekst {i}"} if i % 2 == 0 else {},
        )
    # Pooled: no response, no time, nothing visible yet.
    pool_fields = {f.name for f in FreeTextPool._meta.concrete_fields}
    assert pool_fields == {"id", "campaign", "node", "question", "text", "ready"}
    assert not FreeText.objects.exists()
    assert FreeTextPool.objects.count() == 3
    services.close_campaign(campaign, actor=admin_user)
    assert not FreeTextPool.objects.exists()
    texts = list(FreeText.objects.all())
    assert len(texts) == 3
    text_fields = {f.name for f in FreeText._meta.concrete_fields}
    assert text_fields == {"id", "campaign", "node", "question", "text", "pick"}
    # Random keys everywhere: neither a response's nor a text's key carries an order.
    for model in (Response, FreeText, FreeTextPool):
        assert model._meta.pk.get_internal_type() == "UUIDField"
    from scans.models import Answer, Counter, SubmissionReceipt

    for model in (Answer, Counter, ReleasedCounter, SubmissionReceipt):
        assert model._meta.pk.get_internal_type() == "UUIDField"
    # Neither the keys' nor the rows' order follows the submission order, and no date finer
    # than the day links a text to anything.
    assert not any(
        f.get_internal_type() in ("DateTimeField", "AutoField", "BigAutoField")
        for m in (Response, Answer, FreeText, FreeTextPool, SubmissionReceipt)
        for f in m._meta.concrete_fields
    )


def test_free_texts_are_written_in_a_shuffled_batch_not_in_submission_order(
    campaign, admin_user, monkeypatch
):
    from django.db import connection

    import scans.releases

    shuffled: list[list] = []

    class Reverse:
        """A stand-in for the system's random source that reverses and records: the written
        order must be the shuffle's, whatever the order of submission."""

        def shuffle(self, items):
            items.reverse()
            shuffled.append(list(items))

    monkeypatch.setattr(scans.releases.random, "SystemRandom", Reverse)
    bakkerij = node(campaign, "Bakkerij")
    written = [f"tekst {i}" for i in range(8)]
    for text in written:
        services.submit_response(
            code=bakkerij.code,
            client_key=secrets.token_urlsafe(16),
            answers=seed_answers(ontmoeten=["andere"]),
            other={"ontmoeten": text},
        )
    pooled = set(FreeTextPool.objects.values_list("text", flat=True))
    assert pooled == set(written) and not FreeText.objects.exists()
    services.close_campaign(campaign, actor=admin_user)
    with connection.cursor() as cursor:
        # The rows as stored, without any ORDER BY.
        cursor.execute("SELECT text FROM scans_freetext")
        stored = [row[0] for row in cursor.fetchall()]
    assert sorted(stored) == sorted(written)
    batch = next(items for items in shuffled if items and items[0][-1] in written)
    if connection.vendor == "sqlite":  # there, rows come back in the order they were written
        assert stored == [row[-1] for row in batch]


def test_the_presenter_screen_shows_the_released_figures(campaign):
    from scans.presenter import presenter_results

    respond(campaign, "Bakkerij", 7)
    first = presenter_results(campaign)
    assert first.organisation.respondents == 7
    respond(campaign, "Bakkerij", 1, **{"toegang-informatie": "nee"})
    again = presenter_results(campaign)
    assert again.organisation.respondents == 7
    assert [c.options for q in again.questions for c in q.columns[:1]] == [
        c.options for q in first.questions for c in q.columns[:1]
    ]
