"""Claimed personal actions (app `actions`) and the learning offer (app `learning`).

Both apps are installed; the portfolio still hides what comes from them when one is not
(simulated here by answering "not installed"). The contract: Action.claimed_by,
actions.services.record_progress, learning.models.OfferItem.
"""

from __future__ import annotations

from django.apps import apps

from portfolio import links

from .conftest import add_entry


def _without(monkeypatch, app: str) -> None:
    real = apps.is_installed
    monkeypatch.setattr(apps, "is_installed", lambda name: name != app and real(name))


def test_the_apps_are_installed():
    assert links.actions_installed() and links.learning_installed()


def test_without_actions_the_section_and_the_claim_page_are_hidden(client, org, owner, monkeypatch):
    from actions.models import Action

    Action.objects.create(organisation=org, kind="personal", text="Verborgen", claimed_by=owner)
    _without(monkeypatch, "actions")
    client.force_login(owner)
    html = client.get("/mijn-leren/").content.decode()
    assert 'id="actions-heading"' not in html and "Verborgen" not in html
    assert links.claimed_actions(owner) == []
    assert client.get("/mijn-leren/acties/claim/sometoken/").status_code == 404


def test_without_learning_no_offer_is_matched(client, org, owner, monkeypatch):
    from learning.models import OfferItem

    OfferItem.objects.create(organisation=org, title="Excel voor iedereen", competences="excel")
    _without(monkeypatch, "learning")
    entry = add_entry(owner, kind="competences", title="Excel", answers={"want": "Excel"})
    assert links.matching_offer(owner, "excel") == []
    client.force_login(owner)
    assert (
        "offer-heading" not in client.get(f"/mijn-leren/item/{entry.public_id}/").content.decode()
    )


def test_a_claimed_personal_action_shows_and_its_progress_stays_in_sync(client, org, owner):
    from actions.models import Action

    action = Action.objects.create(
        organisation=org, kind="personal", text="Ik bekijk het opleidingsaanbod", claimed_by=owner
    )
    other = Action.objects.create(organisation=org, kind="personal", text="Niet van Eva")
    client.force_login(owner)
    html = client.get("/mijn-leren/").content.decode()
    assert "Ik bekijk het opleidingsaanbod" in html and "Niet van Eva" not in html
    response = client.post(f"/mijn-leren/acties/{action.public_id}/", {"status": "done"})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == "done"
    assert (
        client.post(f"/mijn-leren/acties/{other.public_id}/", {"status": "done"}).status_code == 404
    )
    other.refresh_from_db()
    assert other.status != "done"


def test_a_competence_links_to_matching_items_of_the_own_organisations_offer(
    client, org, other_org, owner
):
    from learning.models import OfferItem

    mine = OfferItem.objects.create(
        organisation=org, title="Excel voor iedereen", competences="excel, rekenen"
    )
    OfferItem.objects.create(organisation=org, title="Lassen", competences="lassen")
    OfferItem.objects.create(organisation=other_org, title="Excel elders", competences="excel")
    entry = add_entry(
        owner, kind="competences", title="Wat ik wil", answers={"want": "Beter worden in Excel"}
    )
    assert links.matching_offer(owner, entry.build_search_text()) == [mine]
    client.force_login(owner)
    html = client.get(f"/mijn-leren/item/{entry.public_id}/").content.decode()
    assert "Excel voor iedereen" in html and "Lassen" not in html and "Excel elders" not in html
