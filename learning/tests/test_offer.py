"""The offer, contact points, the learning route, budgets and team sizes: pages and API."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from learning.models import Budget, ContactPoint, LearningSettings, OfferItem, RouteStep
from orgs.models import AuditEvent, Team

from .conftest import call

OFFER = {
    "title": "Elan+ taalcoaching",
    "kind": "non_formal",
    "format": "external",
    "description": "Nederlands op de werkvloer",
    "provider": "Elan+",
    "duration_hours": "12",
    "cost": "0",
    "budget_source": "sectorfonds",
    "conditions": "Na overleg met je leidinggevende",
    "language": "Nederlands",
    "target_group": "Anderstalige collega's",
    "link": "https://www.elanplus.be",
    "competences": "taal, communicatie",
    "themes": "route",
}


def test_admin_creates_an_offer_item_with_every_field(admin_client, org):
    response = admin_client.post("/o/korenbloem/learning/offer/new/", {**OFFER, "internal": ""})
    assert response.status_code == 302
    item = OfferItem.objects.get()
    assert (item.organisation, item.title, item.kind, item.format) == (
        org,
        "Elan+ taalcoaching",
        "non_formal",
        "external",
    )
    assert item.duration_hours == Decimal("12.00") and item.cost == Decimal("0.00")
    assert item.competence_list == ["taal", "communicatie"]
    assert item.internal is False
    assert item.link == "https://www.elanplus.be"
    assert "elan+" in item.search_text
    assert AuditEvent.objects.filter(action="learning.offer_created").count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"link": "javascript:alert(1)"}, "http"),
        ({"link": "ftp://example.org/x"}, "http"),
        ({"duration_hours": "-3"}, "negative"),
        ({"duration_hours": "9000"}, "too large"),
        ({"cost": "-1"}, "negative"),
        ({"title": "   "}, "required"),
        ({"title": "\u200b\u200b"}, "empty"),
        ({"title": "a\u202eb"}, "writing direction"),
        ({"active_from": "2026-05-01", "active_until": "2026-04-01"}, "before the start"),
    ],
)
def test_bad_offer_input_is_refused_and_stores_nothing(admin_client, change, message):
    response = admin_client.post("/o/korenbloem/learning/offer/new/", {**OFFER, **change})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert OfferItem.objects.count() == 0


def test_html_in_an_offer_item_is_escaped_on_the_public_page(admin_client, org):
    admin_client.post(
        "/o/korenbloem/learning/offer/new/", {**OFFER, "title": "<script>alert(1)</script>"}
    )
    page = Client().get("/leren/korenbloem/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_edit_and_delete_an_offer_item(admin_client, item):
    url = f"/o/korenbloem/learning/offer/{item.public_id}/"
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {**OFFER, "title": "HACCP 2026", "kind": "formal"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.title == "HACCP 2026"
    assert admin_client.post(url + "delete/").status_code == 302
    assert not OfferItem.objects.exists()


def test_another_organisations_item_is_404_and_unchanged(client, outsider_user, item):
    client.force_login(outsider_user)
    for url in (
        f"/o/korenbloem/learning/offer/{item.public_id}/",
        f"/o/peeters/learning/offer/{item.public_id}/",
    ):
        assert client.get(url).status_code == 404
        assert client.post(url + "delete/").status_code == 404
    assert (
        call(client, "get", f"/organisations/peeters/learning/offer/{item.public_id}").status_code
        == 404
    )
    assert (
        call(
            client, "delete", f"/organisations/peeters/learning/offer/{item.public_id}"
        ).status_code
        == 404
    )
    assert OfferItem.objects.filter(pk=item.pk).exists()


ADMIN_PAGES = [
    "offer/",
    "offer/new/",
    "route/",
    "contacts/",
    "budgets/",
    "settings/",
    "trainings/",
    "trainings/import/",
    "no-training/",
    "plans/",
]


@pytest.mark.parametrize(
    ("who", "home", "admin_pages", "figures"),
    [
        ("admin_user", 200, 200, 200),
        ("facilitator_user", 200, 403, 200),
        ("member_user", 200, 403, 403),
        ("outsider_user", 404, 404, 404),
    ],
)
def test_permission_matrix(request, client, org, who, home, admin_pages, figures):
    client.force_login(request.getfixturevalue(who))
    base = "/o/korenbloem/learning/"
    assert client.get(base).status_code == home
    for page in ADMIN_PAGES:
        assert client.get(base + page).status_code == admin_pages, page
    assert client.get(base + "figures/").status_code == figures
    # the public page needs no account at all
    assert Client().get("/leren/korenbloem/").status_code == 200


def test_anonymous_is_sent_to_log_in(client, org):
    response = client.get("/o/korenbloem/learning/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_public_page_searches_and_filters(org, admin_user):
    from learning import services

    for i in range(40):
        services.save_offer_item(
            org,
            {
                "title": f"Cursus {i:02d}",
                "kind": "formal" if i % 2 else "informal",
                "competences": "deeg" if i < 5 else "",
            },
            actor=admin_user,
        )
    client = Client()
    page = client.get("/leren/korenbloem/")
    assert page.status_code == 200
    assert (
        "40 items" in page.content.decode()
        or "40 aanbod" in page.content.decode()
        or page.context["page"].paginator.count == 40
    )
    assert len(page.context["page"].object_list) == 30
    found = client.get("/leren/korenbloem/", {"q": "DEEG"})
    assert found.context["page"].paginator.count == 5
    informal = client.get("/leren/korenbloem/", {"kind": "informal"})
    assert informal.context["page"].paginator.count == 20
    fragment = client.get("/leren/korenbloem/", {"q": "deeg"}, HTTP_HX_REQUEST="true")
    assert "<html" not in fragment.content.decode() and 'id="results"' in fragment.content.decode()
    odd = client.get("/leren/korenbloem/?q=%00%ED%A0%80" + "x" * 300 + "&kind=x&page=zz")
    assert odd.status_code == 200


def test_public_page_hides_inactive_items_and_honours_the_switch(org, admin_user):
    from learning import services

    services.save_offer_item(
        org, {"title": "Oud", "kind": "formal", "active_until": date(2020, 1, 1)}, actor=admin_user
    )
    assert Client().get("/leren/korenbloem/").context["page"].paginator.count == 0
    LearningSettings.objects.create(organisation=org, public_enabled=False)
    assert Client().get("/leren/korenbloem/").status_code == 404
    assert Client().get("/leren/onbekend/").status_code == 404


def test_public_qr_code_is_an_svg(org):
    response = Client().get("/leren/korenbloem/qr.svg")
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content


def test_route_is_ordered_and_moved(admin_client, org):
    for title in ("Vraag het je leidinggevende", "Vul het aanvraagformulier in", "HR beslist"):
        assert (
            admin_client.post("/o/korenbloem/learning/route/", {"title": title}).status_code == 302
        )
    steps = list(RouteStep.objects.all())
    assert [s.position for s in steps] == [1, 2, 3]
    admin_client.post(
        f"/o/korenbloem/learning/route/{steps[2].public_id}/move/", {"direction": "up"}
    )
    assert [s.title for s in RouteStep.objects.all()] == [
        "Vraag het je leidinggevende",
        "HR beslist",
        "Vul het aanvraagformulier in",
    ]
    public = Client().get("/leren/korenbloem/").content.decode()
    assert public.index("HR beslist") < public.index("Vul het aanvraagformulier in")
    assert admin_client.post("/o/korenbloem/learning/route/", {"title": ""}).status_code == 400
    assert RouteStep.objects.count() == 3


def test_contact_points_on_the_public_page(admin_client, org):
    response = admin_client.post(
        "/o/korenbloem/learning/contacts/",
        {"name": "Hilde", "role": "HR", "email": "HILDE@korenbloem.test"},
    )
    assert response.status_code == 302
    assert ContactPoint.objects.get().email == "hilde@korenbloem.test"
    assert "hilde@korenbloem.test" in Client().get("/leren/korenbloem/").content.decode()
    bad = admin_client.post(
        "/o/korenbloem/learning/contacts/", {"name": "X", "email": "geen-adres"}
    )
    assert bad.status_code == 400 and ContactPoint.objects.count() == 1


def test_budget_per_year_and_team(admin_client, org, teams):
    url = "/o/korenbloem/learning/budgets/"
    data = {
        "year": 2026,
        "team": teams["bakkerij"].public_id,
        "planned": "5000",
        "used": "1250",
        "unused": "carry_over",
    }
    assert admin_client.post(url, data).status_code == 302
    assert admin_client.post(url, {**data, "used": "2000"}).status_code == 302
    budget = Budget.objects.get()
    assert (budget.planned, budget.used, budget.remaining, budget.used_percent) == (
        Decimal("5000.00"),
        Decimal("2000.00"),
        Decimal("3000.00"),
        40,
    )
    assert admin_client.post(url, {**data, "team": "", "planned": "-5"}).status_code == 400
    assert admin_client.post(url, {"year": 2026, "team": "", "planned": "800"}).status_code == 302
    assert Budget.objects.filter(team__isnull=True).count() == 1
    page = admin_client.get(url)
    assert "Carried over to next year" in page.content.decode()
    [(year, rows, total)] = page.context["years"]
    assert (year, len(rows), total["planned"], total["used"]) == (
        2026,
        2,
        Decimal("5800.00"),
        Decimal("2000.00"),
    )


def test_fte_above_headcount_is_refused(admin_client, org, teams):
    url = "/o/korenbloem/learning/settings/"
    team = teams["winkel"]
    response = admin_client.post(
        url, {"form": "size", "team": team.public_id, "headcount": "4", "fte": "4.5"}
    )
    assert response.status_code == 400
    team.refresh_from_db()
    assert (team.headcount, team.fte) == (6, Decimal("4.00"))
    ok = admin_client.post(
        url, {"form": "size", "team": team.public_id, "headcount": "5", "fte": "4.5"}
    )
    assert ok.status_code == 302
    team.refresh_from_db()
    assert (team.headcount, team.fte) == (5, Decimal("4.50"))


def test_training_right_is_an_organisation_setting(admin_client, org):
    url = "/o/korenbloem/learning/settings/"
    response = admin_client.post(
        url,
        {
            "form": "settings",
            "training_right_days": "6",
            "hours_per_day": "7.6",
            "public_enabled": "on",
        },
    )
    assert response.status_code == 302
    assert LearningSettings.objects.get(organisation=org).training_right_days == Decimal("6.00")
    bad = admin_client.post(
        url, {"form": "settings", "training_right_days": "400", "hours_per_day": "7.6"}
    )
    assert bad.status_code == 400
    assert LearningSettings.objects.get(organisation=org).training_right_days == Decimal("6.00")


# --- API ------------------------------------------------------------------------------------


def test_api_offer_crud_and_bad_input(admin_client, org):
    base = "/organisations/korenbloem/learning/offer"
    data = {**OFFER, "competences": ["taal", "communicatie"], "themes": ["route"]}
    created = call(admin_client, "post", base, data)
    assert created.status_code == 201, created.content
    item_id = created.json()["id"]
    assert created.json()["competences"] == ["taal", "communicatie"]
    assert call(admin_client, "get", base).json()[0]["title"] == "Elan+ taalcoaching"
    bad = call(admin_client, "post", base, {**data, "link": "javascript:alert(1)"})
    assert bad.status_code == 400 and bad.json()["code"] == "link_invalid"
    assert call(admin_client, "post", base, {**data, "kind": "other"}).status_code == 422
    assert call(admin_client, "post", base, {**data, "title": "x\x00"}).status_code == 422
    assert (
        call(admin_client, "post", base, {**data, "duration_hours": "-1"}).json()["code"]
        == "negative"
    )
    assert OfferItem.objects.count() == 1
    updated = call(admin_client, "put", f"{base}/{item_id}", {**data, "title": "Nieuw"})
    assert updated.status_code == 200 and OfferItem.objects.get().title == "Nieuw"
    assert call(admin_client, "delete", f"{base}/{item_id}").status_code == 204
    assert not OfferItem.objects.exists()


def test_api_member_reads_but_cannot_write(client, member_user, item):
    client.force_login(member_user)
    base = "/organisations/korenbloem/learning/offer"
    assert call(client, "get", base).status_code == 200
    data = {**OFFER, "competences": ["taal"], "themes": []}
    assert call(client, "post", base, data).status_code == 403
    assert call(client, "get", "/organisations/korenbloem/learning/figures").status_code == 403
    assert OfferItem.objects.count() == 1


def test_api_public_offer_without_an_account(item):
    response = call(Client(), "get", "/public/learning/korenbloem?q=haccp")
    assert response.status_code == 200
    assert (
        response.json()["count"] == 1 and response.json()["items"][0]["title"] == "HACCP opfrissing"
    )
    assert call(Client(), "get", "/public/learning/onbekend").status_code == 404
    assert call(Client(), "get", "/public/learning/korenbloem?kind=zzz").status_code == 422


def test_api_route_contacts_budgets_settings_team_size(admin_client, org, teams):
    base = "/organisations/korenbloem/learning"
    first = call(admin_client, "post", f"{base}/route", {"title": "Vraag het"}).json()
    call(admin_client, "post", f"{base}/route", {"title": "Dien in"})
    moved = call(admin_client, "post", f"{base}/route/{first['id']}/move", {"direction": "down"})
    assert [s["title"] for s in moved.json()] == ["Dien in", "Vraag het"]
    assert call(admin_client, "post", f"{base}/contacts", {"name": "Hilde"}).status_code == 201
    budget = call(
        admin_client,
        "put",
        f"{base}/budgets",
        {"year": 2026, "team": str(teams["winkel"].public_id), "planned": "100"},
    )
    assert budget.status_code == 200 and budget.json()["remaining"] == "100.00"
    assert (
        call(
            admin_client,
            "put",
            f"{base}/budgets",
            {"year": 2026, "team": "00000000-0000-0000-0000-000000000000", "planned": "1"},
        ).status_code
        == 404
    )
    assert (
        call(admin_client, "patch", f"{base}/settings", {"training_right_days": "4"}).json()[
            "training_right_days"
        ]
        == "4.00"
    )
    size = call(
        admin_client,
        "put",
        f"{base}/teams/{teams['winkel'].public_id}/size",
        {"headcount": 3, "fte": "3.5"},
    )
    assert size.status_code == 400 and size.json()["code"] == "fte_above_headcount"
    assert Team.objects.get(pk=teams["winkel"].pk).fte == Decimal("4.00")


def test_every_learning_endpoint_is_in_the_openapi_schema_with_its_errors(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    paths = {p: ops for p, ops in schema["paths"].items() if "/learning" in p}
    assert len(paths) >= 20
    for path, operations in paths.items():
        for method, operation in operations.items():
            responses = set(operation["responses"])
            if path.startswith("/api/v1/public/"):
                assert {"200", "404"} <= responses
                continue
            assert {"401", "403", "404"} <= responses, (method, path)
            if method in ("post", "put", "patch"):
                assert {"400", "422"} <= responses or "409" in responses, (method, path)


def test_a_headcount_must_be_a_number_not_a_boolean(client, admin_user, org):
    from orgs.models import Team

    team = Team.objects.create(organisation=org, name="Winkel")
    client.force_login(admin_user)
    response = client.put(
        f"/api/v1/organisations/{org.slug}/learning/teams/{team.public_id}/size",
        {"headcount": False, "fte": None},
        content_type="application/json",
    )
    assert response.status_code == 422
    team.refresh_from_db()
    assert team.headcount is None


@pytest.mark.parametrize("value", [0, 1, "yes", "true"])
def test_a_setting_that_is_on_or_off_takes_true_or_false_only(client, admin_user, org, value):
    """Found by schemathesis: `public_enabled: 0` was read as off. A switch takes a JSON
    boolean; anything else is refused and changes nothing."""
    from learning.services import settings_for

    client.force_login(admin_user)
    before = settings_for(org).public_enabled
    response = client.patch(
        f"/api/v1/organisations/{org.slug}/learning/settings",
        {"public_enabled": value},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert settings_for(org).public_enabled == before
    ok = client.patch(
        f"/api/v1/organisations/{org.slug}/learning/settings",
        {"public_enabled": not before},
        content_type="application/json",
    )
    assert ok.status_code == 200 and settings_for(org).public_enabled is (not before)
