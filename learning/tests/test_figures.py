"""Days per FTE and participation: against an independent computation over random data, with
the anonymity rule checked by brute-force subtraction, as in the scan's tests."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from learning import figures, services
from learning.models import Kind, TrainingRecord
from orgs.models import Organisation, Team

from .conftest import add_training

counter = itertools.count()


def test_figures_of_a_small_organisation(org, teams):
    teams["admin"].headcount, teams["admin"].fte = 5, Decimal("4")
    teams["admin"].save()
    today = timezone.localdate()
    end = date(today.year, 1, 15) if today.month > 1 else today
    for i in range(8):
        add_training(org, teams["bakkerij"], f"Bakker {i}", end=end, days="2")
    for i in range(3):
        add_training(org, teams["winkel"], f"Verkoper {i}", end=end, days="1", kind="informal")
    add_training(org, teams["admin"], "Boekhouder", end=end, days="4")
    numbers = figures.compute(org, end.year)
    rows = {r.label: r for r in numbers.rows}
    assert numbers.minimum == 5 and numbers.right_days == Decimal("5")
    bakkerij, winkel, productie = rows["Bakkerij"], rows["Winkel"], rows["Productie"]
    assert (bakkerij.days, bakkerij.days_per_fte, bakkerij.right_percent) == (
        Decimal("16.0"),
        Decimal("2.13"),
        43,
    )
    assert (bakkerij.trained, bakkerij.share) == (8, 100)
    assert (winkel.days_per_fte, winkel.trained, winkel.share) == (Decimal("0.75"), 0, 0)
    assert (productie.headcount, productie.days) == (14, Decimal("19.0"))
    organisation = numbers.organisation
    assert (organisation.headcount, organisation.fte, organisation.days) == (
        19,
        Decimal("15.50"),
        Decimal("23.0"),
    )
    assert (organisation.trained, organisation.share) == (9, round(9 / 19 * 100))


def test_a_small_team_hides_itself_and_what_would_give_it_away(org, teams):
    # Administratie has 3 people, below the minimum of 5: hidden, and so is every figure
    # from which its 3 could be worked out (the organisation minus Productie).
    add_training(org, teams["admin"], "Boekhouder", end=timezone.localdate(), days="4")
    numbers = figures.compute(org)
    rows = {r.label: r for r in numbers.rows}
    assert not rows["Administratie"].visible and rows["Administratie"].days is None
    assert numbers.organisation.visible
    assert not rows["Productie"].visible and not rows["Winkel"].visible
    assert rows["Bakkerij"].visible
    assert all(r.headcount >= 5 for r in numbers.rows if r.visible)


def test_figures_page_and_api_show_the_same_and_hide_small_teams(
    client, facilitator_user, org, teams
):
    add_training(org, teams["admin"], "Boekhouder", end=timezone.localdate(), days="4")
    client.force_login(facilitator_user)
    page = client.get("/o/korenbloem/learning/figures/")
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html and 'fill="#' in html
    assert html.count("Too few people to show") >= 1
    api = client.get("/api/v1/organisations/korenbloem/learning/figures").json()
    hidden = [r for r in api["rows"] if not r["visible"]]
    assert {r["name"] for r in hidden} >= {"Administratie"}
    assert all(
        r["days"] is None and r["trained"] is None and r["headcount"] is None for r in hidden
    )


def test_records_of_a_team_without_headcount_are_left_out(org, teams):
    teams["admin"].delete()
    loose = Team.objects.create(organisation=org, name="Los", parent=teams["productie"])
    add_training(org, loose, "Iemand", end=timezone.localdate(), days="9")
    numbers = figures.compute(org)
    assert numbers.left_out == 1
    assert {r.label: r for r in numbers.rows}["Productie"].days == Decimal("0.0")
    assert numbers.organisation.days == Decimal("0.0")


def test_the_training_right_follows_the_organisation_setting(org, teams, admin_user):
    services.update_settings(org, {"training_right_days": "4"}, actor=admin_user)
    for i in range(8):
        add_training(org, teams["bakkerij"], f"B{i}", end=timezone.localdate(), days="3")
    rows = {r.label: r for r in figures.compute(org).rows}
    assert rows["Bakkerij"].right_percent == round(Decimal("3.2") / 4 * 100)


# --- Property: against an independent computation ---------------------------------------------


def _descendants(parent_of: dict, node) -> set:
    return {n for n in parent_of if _is_below(parent_of, n, node)}


def _is_below(parent_of: dict, n, ancestor) -> bool:
    p = parent_of[n]
    while p is not None:
        if p == ancestor:
            return True
        p = parent_of[p]
    return False


team_spec = st.tuples(
    st.integers(min_value=-1, max_value=6),  # parent: an earlier index, or none
    st.sampled_from([None, 0, 1, 2, 3, 4, 5, 6, 8, 12]),  # headcount
    st.integers(min_value=0, max_value=100),  # FTE as a percentage of the headcount
)
record_spec = st.tuples(
    st.integers(min_value=0, max_value=6),  # team index
    st.integers(min_value=0, max_value=5),  # person
    st.sampled_from(Kind.values),
    st.sampled_from(["0.5", "1", "2", "3.25"]),
    st.integers(min_value=0, max_value=500),  # days before today that it ended
    st.booleans(),  # followed
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    specs=st.lists(team_spec, min_size=1, max_size=7),
    records=st.lists(record_spec, max_size=25),
    k=st.integers(min_value=3, max_value=5),
    drop=st.integers(min_value=0, max_value=30),
)
def test_figures_match_an_independent_computation(db, specs, records, k, drop):
    today = timezone.localdate()
    org = Organisation.objects.create(name="Org", slug=f"org-{next(counter)}", anonymity_minimum=k)
    teams: list[Team] = []
    for i, (parent, headcount, fte_percent) in enumerate(specs):
        parent_team = teams[parent % i] if i and parent >= 0 else None
        fte = None if headcount is None else Decimal(headcount * fte_percent) / 100
        teams.append(
            Team.objects.create(
                organisation=org, name=f"T{i}", parent=parent_team, headcount=headcount, fte=fte
            )
        )
    built = [
        services.build_record(
            org,
            services.TrainingInput(
                person_name=f"P{person}",
                team=teams[team % len(teams)],
                title="X",
                kind=kind,
                duration=days,
                start_date=today - timedelta(days=ago),
                end_date=today - timedelta(days=ago),
                followed=followed,
            ),
        )
        for team, person, kind, days, ago, followed in records
    ]
    services.save_records(org, built, actor=None)
    if built and drop < len(built):
        services.delete_training(TrainingRecord.objects.filter(organisation=org)[drop], actor=None)

    numbers = figures.compute(org, today.year)

    # Independent computation, straight from the records.
    parent_of = {t.pk: (t.parent_id if t.parent_id else "org") for t in teams}
    parent_of["org"] = None
    head_of = {t.pk: t.headcount or 0 for t in teams}
    head_of["org"] = 0
    counted = {t.pk for t in teams if t.headcount}
    cutoff = today - timedelta(days=365)
    kept = list(TrainingRecord.objects.filter(organisation=org, team_id__in=counted))
    for row in numbers.rows:
        subtree = _descendants(parent_of, row.key) | {row.key}
        total = sum(head_of[n] for n in subtree)
        if not row.visible:
            assert row.headcount is None and row.days is None and row.trained is None
            continue
        assert total >= k
        assert row.headcount == total
        days = sum(
            (
                r.days
                for r in kept
                if r.team_id in subtree and r.followed and r.end_date.year == today.year
            ),
            Decimal(0),
        )
        assert row.days == days.quantize(Decimal("0.1"))
        trained = {
            r.person_key
            for r in kept
            if r.team_id in subtree
            and r.followed
            and r.kind in ("formal", "non_formal")
            and cutoff < r.end_date <= today
        }
        assert row.trained == len(trained)
        ftes = [t.fte for t in teams if t.pk in subtree and t.headcount]
        if ftes and all(f is not None for f in ftes) and sum(ftes):
            assert row.days_per_fte == (days / sum(ftes)).quantize(Decimal("0.01"))

    # Brute force: no subtraction of visible, pairwise disjoint descendants from a visible
    # node reveals a group of 1 to k-1 people.
    visible = [r.key for r in numbers.rows if r.visible]
    totals = {n: sum(head_of[m] for m in _descendants(parent_of, n) | {n}) for n in parent_of}
    for v in visible:
        below = [u for u in visible if _is_below(parent_of, u, v)]
        for size in range(1, len(below) + 1):
            for chosen in itertools.combinations(below, size):
                if any(_is_below(parent_of, a, b) for a in chosen for b in chosen if a != b):
                    continue
                rest = totals[v] - sum(totals[u] for u in chosen)
                assert rest == 0 or rest >= k, (v, chosen, rest)


@pytest.mark.parametrize("k", [3, 5])
def test_a_hidden_team_cannot_be_derived_from_its_parent(org, k):
    org.anonymity_minimum = k
    org.save()
    parent = Team.objects.create(organisation=org, name="Afdeling", headcount=0)
    big = Team.objects.create(organisation=org, name="Groot", parent=parent, headcount=10, fte=10)
    small = Team.objects.create(organisation=org, name="Klein", parent=parent, headcount=2, fte=2)
    Team.objects.create(organisation=org, name="Ander", headcount=10, fte=10)
    for i in range(2):
        add_training(org, small, f"K{i}", end=timezone.localdate(), days="5")
    rows = {r.label: r for r in figures.compute(org).rows}
    assert not rows["Klein"].visible
    shown_parent = rows["Afdeling"].visible
    shown_big = rows["Groot"].visible
    assert not (shown_parent and shown_big), "Afdeling - Groot would give Klein away"
    assert big.headcount >= k
