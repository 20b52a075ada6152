"""Claimed personal actions (app `actions`) and the learning offer (app `learning`).

Both apps are built in parallel; until they are installed, the portfolio hides what
comes from them. The tests marked `needs_actions` / `needs_learning` run once the app
is installed and follow the contract in the project's contracts (Action.claimed_by,
actions.services.record_progress, learning.models.OfferItem).
"""

from __future__ import annotations

import pytest
from django.apps import apps

from portfolio import links

from .conftest import add_entry

needs_actions = pytest.mark.skipif(not apps.is_installed("actions"), reason="actions not installed")
needs_learning = pytest.mark.skipif(
    not apps.is_installed("learning"), reason="learning not installed"
)


@pytest.mark.skipif(apps.is_installed("actions"), reason="actions installed")
def test_without_actions_the_section_and_the_claim_page_are_hidden(client, owner):
    client.force_login(owner)
    html = client.get("/mijn-leren/").content.decode()
    assert 'id="actions-heading"' not in html
    assert links.claimed_actions(owner) == []
    assert client.get("/mijn-leren/acties/claim/sometoken/").status_code == 404


@pytest.mark.skipif(apps.is_installed("learning"), reason="learning installed")
def test_without_learning_no_offer_is_matched(client, owner):
    entry = add_entry(owner, kind="competences", title="Excel", answers={"want": "Excel"})
    assert links.matching_offer(owner, "excel") == []
    client.force_login(owner)
    assert (
        "offer-heading" not in client.get(f"/mijn-leren/item/{entry.public_id}/").content.decode()
    )


@needs_actions
def test_a_claimed_personal_action_shows_and_its_progress_stays_in_sync(client, org, owner):
    from actions.models import Action  # type: ignore[import-not-found]

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


@needs_learning
def test_a_competence_links_to_matching_items_of_the_own_organisations_offer(
    client, org, other_org, owner
):
    from learning.models import OfferItem  # type: ignore[import-not-found]

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
