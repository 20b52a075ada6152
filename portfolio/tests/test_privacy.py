"""The privacy matrix: only the owner reads a portfolio; a share holder reads what was
shared; a manager, an admin, a facilitator, another employee and an outsider read nothing,
on pages, the API, exports, search and reports; logs hold no content."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from orgs import services as org_services
from portfolio import services
from portfolio.models import Conversation, Entry, Share

from .conftest import add_entry, pdf_bytes, upload

SECRET = "Zeer persoonlijk: ik wil weg bij deze werkgever"


@pytest.fixture
def world(
    db, org, owner, manager, admin_user, facilitator_user, member_user, outsider_user, stranger
):
    entry = add_entry(owner, title="Mijn plan", answers={"learned": SECRET})
    activity = add_entry(owner, kind="activity", title="Opleiding")
    services.attach_certificate(activity, upload=upload("c.pdf", pdf_bytes()), actor=owner)
    conversation = services.create_conversation(
        owner=owner, title="Gesprek", questions="Wat?", actor=owner
    )
    share, _ = services.create_share(
        owner=owner, target="entry", entry=entry, recipient="Coach", actor=owner
    )
    return {
        "entry": entry,
        "activity": activity,
        "conversation": conversation,
        "share": share,
        "others": {
            "admin": admin_user,
            "facilitator": facilitator_user,
            "member": member_user,
            "outsider": outsider_user,
            "stranger": stranger,
        },
    }


def owner_urls(world) -> list[str]:
    e, a, c, s = world["entry"], world["activity"], world["conversation"], world["share"]
    return [
        f"/mijn-leren/item/{e.public_id}/",
        f"/mijn-leren/item/{e.public_id}/bewerken/",
        f"/mijn-leren/item/{a.public_id}/certificaat/",
        f"/mijn-leren/gesprekken/{c.public_id}/",
        f"/mijn-leren/delen/{s.public_id}/",
    ]


def test_the_owner_reads_everything(client, owner, world):
    client.force_login(owner)
    for url in owner_urls(world):
        assert client.get(url).status_code == 200, url
    assert "Mijn plan" in client.get("/mijn-leren/?q=plan").content.decode()
    assert SECRET in client.get(f"/mijn-leren/item/{world['entry'].public_id}/").content.decode()
    assert SECRET.encode() in client.get("/mijn-leren/export.json").content


@pytest.mark.parametrize("who", ["admin", "facilitator", "member", "outsider", "stranger"])
def test_nobody_else_reads_or_changes_anything(client, owner, world, who, settings):
    other = world["others"][who]
    client.force_login(other)
    for url in owner_urls(world):
        assert client.get(url).status_code == 404, url
    e, s, c = world["entry"], world["share"], world["conversation"]
    assert client.post(f"/mijn-leren/item/{e.public_id}/verwijderen/").status_code == 404
    assert (
        client.post(f"/mijn-leren/item/{e.public_id}/bewerken/", {"title": "x"}).status_code == 404
    )
    assert client.post(f"/mijn-leren/delen/{s.public_id}/intrekken/").status_code == 404
    assert client.post(f"/mijn-leren/gesprekken/{c.public_id}/delen/").status_code == 404
    assert client.post(f"/mijn-leren/gesprekken/{c.public_id}/verwijderen/").status_code == 404
    # Their own timeline, search and exports hold nothing of the owner's.
    for url in [
        "/mijn-leren/",
        "/mijn-leren/?q=plan",
        "/mijn-leren/export.json",
        "/mijn-leren/delen/",
        "/mijn-leren/gesprekken/",
    ]:
        body = client.get(url).content.decode()
        assert SECRET not in body and "Mijn plan" not in body, url
    assert "Mijn plan" not in client.get("/mijn-leren/export.pdf").content.decode("latin-1")
    # Stored state unchanged.
    e.refresh_from_db()
    s.refresh_from_db()
    assert e.title == "Mijn plan" and s.revoked_at is None
    assert Conversation.objects.filter(pk=c.pk).exists()


@pytest.mark.parametrize("who", ["admin", "facilitator", "member"])
def test_no_organisation_page_or_report_shows_the_portfolio(client, org, world, who):
    client.force_login(world["others"][who])
    for url in [
        f"/o/{org.slug}/",
        f"/o/{org.slug}/members/",
        f"/o/{org.slug}/audit/",
        "/api/v1/me",
    ]:
        response = client.get(url)
        body = response.content.decode()
        assert SECRET not in body and "Mijn plan" not in body, url


def test_the_share_holder_reads_the_shared_entry_only(world):
    holder = Client()
    url = services.share_url(world["share"]).removeprefix("http://127.0.0.1:8000")
    assert SECRET in holder.get(url).content.decode()
    for other in owner_urls(world):
        assert holder.get(other).status_code in (302, 404), other  # login page or 404
    assert holder.get("/api/v1/me/portfolio/entries").status_code == 401


def test_leaving_the_organisation_changes_nothing_in_the_portfolio(owner, org, admin_user, world):
    before = list(
        Entry.objects.filter(owner=owner).values("public_id", "title", "answers").order_by("id")
    )
    shares = Share.objects.filter(owner=owner).count()
    membership = owner.memberships.get(organisation=org)
    org_services.remove_member(membership, actor=admin_user)
    assert not owner.memberships.exists()
    after = list(
        Entry.objects.filter(owner=owner).values("public_id", "title", "answers").order_by("id")
    )
    assert after == before
    assert Share.objects.filter(owner=owner).count() == shares


def test_nothing_of_a_portfolio_is_logged(client, owner, caplog):
    with caplog.at_level(logging.DEBUG):
        client.force_login(owner)
        client.post("/mijn-leren/vandaag/", {"what": SECRET})
        entry = Entry.objects.get(owner=owner)
        client.get(f"/mijn-leren/item/{entry.public_id}/")
        client.get("/mijn-leren/?q=persoonlijk")
        client.get("/mijn-leren/export.json")
        client.post("/mijn-leren/nieuw/today/", {"answer_what": "x" * 10_001})
    assert Entry.objects.filter(owner=owner).count() == 1
    assert "persoonlijk" not in caplog.text
