"""The actions register tied to the portfolio (issue 14) and the scan report (issue 9)."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth import get_user_model
from django.test import Client

from actions.models import Action, ActionEvent, Status

from .conftest import login


def test_the_private_link_offers_to_save_the_action_in_my_learning(personal):
    action, raw = personal
    claim_url = f"/mijn-leren/acties/claim/{raw}/"
    page = Client().get(f"/a/{raw}/").content.decode()
    assert f'href="/mijn-leren/start/?next={quote(claim_url, safe="")}"' in page
    # signing in by code goes back to the claim page, which claims on POST
    user = get_user_model().objects.create_user(email="eva@example.test")
    client = Client()
    client.force_login(user)
    start = client.get("/mijn-leren/start/", {"next": claim_url})
    assert start.status_code == 302 and start["Location"] == claim_url
    assert client.get(claim_url).status_code == 200
    action.refresh_from_db()
    assert action.claimed_by is None  # a GET changes nothing
    assert client.post(claim_url)["Location"] == "/mijn-leren/"
    action.refresh_from_db()
    assert action.claimed_by == user
    assert action.text in client.get("/mijn-leren/").content.decode()
    # once claimed, the link page no longer offers it
    assert "?next=" not in Client().get(f"/a/{raw}/").content.decode()
    # a wrong token claims nothing
    assert client.post("/mijn-leren/acties/claim/lma_wrong/").status_code == 404


def test_progress_is_one_path_between_portfolio_and_register(personal, facilitator_user):
    action, raw = personal
    user = get_user_model().objects.create_user(email="eva@example.test")
    action.claimed_by = user
    action.save()
    portfolio = Client()
    portfolio.force_login(user)
    response = portfolio.post(f"/mijn-leren/acties/{action.public_id}/", {"status": "in_progress"})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == Status.IN_PROGRESS
    event = ActionEvent.objects.filter(action=action, kind="status").get()
    assert event.actor == user
    # the register (the session's facilitator) and the private link show the same status
    org = action.organisation
    detail = login(facilitator_user).get(f"/o/{org.slug}/acties/{action.public_id}/")
    assert detail.status_code == 200
    assert str(Status.IN_PROGRESS.label) in detail.content.decode()
    # and progress through the private link shows in the portfolio
    Client().post(f"/a/{raw}/", {"status": "done", "note": "Gelukt"})
    action.refresh_from_db()
    assert action.status == Status.DONE
    assert ActionEvent.objects.filter(action=action, kind="status").count() == 2
    home = portfolio.get("/mijn-leren/").content.decode()
    assert action.text in home and str(Status.DONE.label) in home


def test_a_stranger_cannot_record_progress_on_a_claimed_action(personal, member_user):
    action, _raw = personal
    owner = get_user_model().objects.create_user(email="eva@example.test")
    action.claimed_by = owner
    action.save()
    response = login(member_user).post(
        f"/mijn-leren/acties/{action.public_id}/", {"status": "done"}
    )
    assert response.status_code == 404
    action.refresh_from_db()
    assert action.status == Status.OPEN
    assert not ActionEvent.objects.filter(action=action, kind="status").exists()
    assert Action.objects.filter(claimed_by=owner).count() == 1


def _plan(org, facilitator_user, **extra):
    from datetime import timedelta

    from django.utils import timezone

    from actions import services

    data = {
        "employee_email": "sara@example.test",
        "employee_name": "Sara",
        "starts_at": timezone.now() + timedelta(days=28),
        "duration_minutes": 30,
    } | extra
    return services.plan_conversation(org, data, actor=facilitator_user)[0]


def test_the_follow_up_invitation_and_page_link_to_my_learning(
    org, facilitator_user, run_on_commit, settings
):
    from django.core import mail

    conversation = _plan(org, facilitator_user)
    [message] = mail.outbox
    start = settings.SITE_URL + "/mijn-leren/start/"
    assert start in message.body
    assert f'href="{start}"' in message.alternatives[0][0]
    page = Client().get(f"/g/{conversation.link_token()}/").content.decode()
    assert 'href="/mijn-leren/start/"' in page


def test_the_offer_link_is_the_organisations_public_offer_when_it_has_items(
    org, facilitator_user, settings
):
    from datetime import timedelta

    from django.utils import timezone

    from actions.models import DEFAULT_OFFER_URL
    from learning.models import LearningSettings, OfferItem

    # no items yet: the default
    assert _plan(org, facilitator_user).offer_url == DEFAULT_OFFER_URL
    form = login(facilitator_user).get(f"/o/{org.slug}/gesprekken/nieuw/").content.decode()
    assert DEFAULT_OFFER_URL in form
    # an item that ended: still the default
    yesterday = timezone.localdate() - timedelta(days=1)
    OfferItem.objects.create(organisation=org, title="Oud", active_until=yesterday)
    assert _plan(org, facilitator_user).offer_url == DEFAULT_OFFER_URL
    OfferItem.objects.create(organisation=org, title="Excel voor iedereen")
    public = settings.SITE_URL + f"/leren/{org.slug}/"
    conversation = _plan(org, facilitator_user)
    assert conversation.offer_url == public
    conversation.refresh_from_db()
    assert conversation.offer_url == public
    form = login(facilitator_user).get(f"/o/{org.slug}/gesprekken/nieuw/").content.decode()
    assert public in form
    assert Client().get(f"/leren/{org.slug}/").status_code == 200
    # an address the planner chose stays
    chosen = _plan(org, facilitator_user, offer_url="https://example.test/aanbod")
    assert chosen.offer_url == "https://example.test/aanbod"
    # the public page switched off: the default again
    LearningSettings.objects.update_or_create(organisation=org, defaults={"public_enabled": False})
    assert _plan(org, facilitator_user).offer_url == DEFAULT_OFFER_URL
