"""Competences in the portfolio matched to real items of the learning offer (issue 13/14)."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from learning.models import LearningSettings, OfferItem
from portfolio import links

from .conftest import add_entry


def test_competences_match_active_offer_items_and_link_to_the_public_page(
    client, org, other_org, owner
):
    past = timezone.localdate() - timedelta(days=10)
    mine = OfferItem.objects.create(
        organisation=org, title="Presenteren met durf", competences="presenteren, spreken"
    )
    ended = OfferItem.objects.create(
        organisation=org, title="Presenteren (oud)", competences="presenteren", active_until=past
    )
    OfferItem.objects.create(organisation=other_org, title="Spreken elders", competences="spreken")
    entry = add_entry(
        owner,
        kind="competences",
        title="Wat ik wil",
        answers={"want": "Vlotter presenteren voor een groep"},
    )
    assert links.matching_offer(owner, entry.build_search_text()) == [mine]
    assert ended not in links.matching_offer(owner, "presenteren")
    client.force_login(owner)
    html = client.get(f"/mijn-leren/item/{entry.public_id}/").content.decode()
    assert "Presenteren met durf" in html and f'href="/leren/{org.slug}/"' in html
    assert "Presenteren (oud)" not in html and "Spreken elders" not in html
    # the offer page it links to exists and shows the item
    public = Client().get(f"/leren/{org.slug}/").content.decode()
    assert "Presenteren met durf" in public
    # with the public page switched off: the item without a link to a page that is gone
    LearningSettings.objects.update_or_create(organisation=org, defaults={"public_enabled": False})
    assert Client().get(f"/leren/{org.slug}/").status_code == 404
    html = client.get(f"/mijn-leren/item/{entry.public_id}/").content.decode()
    assert "Presenteren met durf" in html and f'href="/leren/{org.slug}/"' not in html


def test_the_public_offer_page_links_to_my_learning(org):
    OfferItem.objects.create(organisation=org, title="Excel voor iedereen")
    page = Client().get(f"/leren/{org.slug}/")
    assert page.status_code == 200
    assert 'href="/mijn-leren/start/"' in page.content.decode()
    # the link leads to the sign-in by code, which is open to anyone
    assert Client().get("/mijn-leren/start/").status_code == 200
