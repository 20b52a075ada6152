"""Share links: read-only, expiring, revocable, each view listed; audit without content."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from orgs.models import AuditEvent
from portfolio import services
from portfolio.models import Conversation, Share, ShareEvent

from .conftest import add_entry

SECRET_TEXT = "Mijn geheime reflectie over de kassa"


@pytest.fixture
def entry(owner):
    return add_entry(owner, title="Kassa-fout", kind="mistake", answers={"mistakes": SECRET_TEXT})


def make_link(client, owner, entry, **extra):
    client.force_login(owner)
    data = {"target": "entry", "entry": str(entry.public_id), "recipient": "Mijn coach", "days": 30}
    data.update(extra)
    response = client.post("/mijn-leren/delen/nieuw/", data)
    assert response.status_code == 302, response.content
    share = Share.objects.get(owner=owner, entry=entry)
    return share, services.share_url(share).removeprefix("http://127.0.0.1:8000")


def test_a_share_link_shows_the_entry_read_only_and_each_view_is_listed(client, owner, entry):
    share, url = make_link(client, owner, entry)
    assert share.expires_at - share.created_at == timedelta(days=30)
    client.logout()

    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert SECRET_TEXT in html
    assert "bewerken" not in html and "verwijderen" not in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    client.get(url)
    assert share.events.filter(action=ShareEvent.Action.VIEWED).count() == 2

    client.force_login(owner)
    page = client.get(f"/mijn-leren/delen/{share.public_id}/").content.decode()
    assert len(re.findall(r"<li><time", page)) == 2


def test_a_revoked_link_is_a_404(client, owner, entry):
    share, url = make_link(client, owner, entry)
    client.post(f"/mijn-leren/delen/{share.public_id}/intrekken/")
    share.refresh_from_db()
    assert share.revoked_at is not None
    client.logout()
    assert client.get(url).status_code == 404
    assert not share.events.filter(action=ShareEvent.Action.VIEWED).exists()


def test_an_expired_link_is_a_404(client, owner, entry):
    _share, url = make_link(client, owner, entry, days=1)
    client.logout()
    with time_machine.travel(timezone.now() + timedelta(days=1, minutes=1)):
        assert client.get(url).status_code == 404


def test_a_wrong_token_is_a_404(client, db):
    for token in ["x", "a" * 32, "%00", "é" * 20]:
        assert client.get(f"/mijn-leren/gedeeld/{token}/").status_code == 404


def test_a_link_for_another_persons_entry_cannot_be_made(client, owner, member_user):
    theirs = add_entry(member_user, title="Niet van jou")
    client.force_login(owner)
    response = client.post(
        "/mijn-leren/delen/nieuw/",
        {"target": "entry", "entry": str(theirs.public_id), "recipient": "x", "days": 30},
    )
    assert response.status_code == 404
    assert not Share.objects.exists()


@pytest.mark.parametrize("days", ["0", "366", "abc", ""])
def test_bad_durations_are_refused(client, owner, entry, days):
    client.force_login(owner)
    client.post(
        "/mijn-leren/delen/nieuw/",
        {"target": "entry", "entry": str(entry.public_id), "recipient": "x", "days": days},
    )
    assert not Share.objects.exists()


def test_a_summary_leaves_out_answers_and_mistakes(client, owner, entry):
    add_entry(owner, title="Excel", answers={"learned": "Formules <b>leren</b>"})
    client.force_login(owner)
    client.post("/mijn-leren/delen/nieuw/", {"target": "summary", "recipient": "Coach", "days": 7})
    share = Share.objects.get(target="summary")
    client.logout()
    html = client.get(
        services.share_url(share).removeprefix("http://127.0.0.1:8000")
    ).content.decode()
    assert "Excel" in html
    assert "Formules" not in html
    assert "Kassa-fout" not in html and SECRET_TEXT not in html


def test_the_audit_log_and_the_log_hold_no_content(client, owner, entry, caplog):
    with caplog.at_level(logging.DEBUG):
        share, url = make_link(client, owner, entry)
        client.logout()
        client.get(url)
        client.force_login(owner)
        client.post(f"/mijn-leren/delen/{share.public_id}/intrekken/")
    actions = list(ShareEvent.objects.order_by("at", "id").values_list("action", flat=True))
    assert actions == ["created", "viewed", "revoked"]
    assert AuditEvent.objects.count() == 0  # nothing in any organisation's audit log
    assert SECRET_TEXT not in caplog.text
    assert "Kassa-fout" not in caplog.text and "Mijn coach" not in caplog.text
    portfolio_lines = [r.getMessage() for r in caplog.records if r.name == "lerend.portfolio"]
    assert portfolio_lines == [
        "portfolio share created",
        "portfolio share viewed",
        "portfolio share revoked",
    ]


def test_a_replayed_share_create_gives_the_first_link(owner, entry):
    first, created = services.create_share(
        owner=owner, target="entry", entry=entry, recipient="A", idempotency_key="k", actor=owner
    )
    again, created_again = services.create_share(
        owner=owner, target="entry", entry=entry, recipient="B", idempotency_key="k", actor=owner
    )
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert services.share_url(again) == services.share_url(first)
    assert Share.objects.count() == 1


def test_the_database_alone_does_not_hold_the_link(owner, entry):
    share, _created = services.create_share(
        owner=owner, target="entry", entry=entry, recipient="A", actor=owner
    )
    token = services.share_url(share).rstrip("/").rsplit("/", 1)[-1]
    row = Share.objects.filter(pk=share.pk).values().get()
    assert token not in {str(v) for v in row.values()}


# --- Conversations ----------------------------------------------------------------------


def test_a_manager_sends_a_questionnaire_and_sees_the_answers_only_when_shared(
    client, org, owner, manager, admin_user, django_capture_on_commit_callbacks
):
    employee = owner.memberships.get(organisation=org)
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/mijn-leren/vragenlijst/{org.slug}/",
            {
                "member": str(employee.public_id),
                "title": "Loopbaangesprek",
                "questions": "Wat is je ambitie?\nWaar heb je hulp bij nodig?",
            },
        )
    assert response.status_code == 302
    conversation = Conversation.objects.get()
    assert conversation.owner == owner
    assert conversation.requested_by == manager
    assert conversation.questions == ["Wat is je ambitie?", "Waar heb je hulp bij nodig?"]
    assert mail.outbox[-1].to == [owner.email]
    # The manager cannot open it.
    assert client.get(f"/mijn-leren/gesprekken/{conversation.public_id}/").status_code == 404

    entry = add_entry(owner, title="Leren plannen")
    client.force_login(owner)
    page = client.get(f"/mijn-leren/gesprekken/{conversation.public_id}/").content.decode()
    assert "Leren plannen" in page  # own entries beside the questions
    client.post(
        f"/mijn-leren/gesprekken/{conversation.public_id}/",
        {"answer_0": "Teamleider worden", "answer_1": "Tijd", "entries": [str(entry.public_id)]},
    )
    conversation.refresh_from_db()
    assert conversation.answers == ["Teamleider worden", "Tijd"]
    assert list(conversation.entries.all()) == [entry]

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/mijn-leren/gesprekken/{conversation.public_id}/delen/")
    share = Share.objects.get(conversation=conversation)
    assert share.recipient_user == manager
    assert mail.outbox[-1].to == [manager.email]
    url = services.share_url(share).removeprefix("http://127.0.0.1:8000")
    assert url in mail.outbox[-1].body

    client.logout()
    response = client.get(url)  # not signed in: sign in first, and come back
    assert response.status_code == 302
    assert response.url.startswith("/mijn-leren/start/?next=/mijn-leren/gedeeld/")
    assert not share.events.filter(action="viewed").exists()
    client.force_login(admin_user)
    assert client.get(url).status_code == 404  # another manager of the same organisation
    client.force_login(manager)
    html = client.get(url).content.decode()
    assert "Teamleider worden" in html and "Leren plannen" in html
    assert share.events.filter(action="viewed").count() == 1


def test_a_member_cannot_send_questionnaires_and_outsiders_get_404(
    client, org, owner, member_user, outsider_user
):
    employee = owner.memberships.get(organisation=org)
    data = {"member": str(employee.public_id), "title": "x", "questions": "y"}
    client.force_login(member_user)
    assert client.post(f"/mijn-leren/vragenlijst/{org.slug}/", data).status_code == 403
    client.force_login(outsider_user)
    assert client.post(f"/mijn-leren/vragenlijst/{org.slug}/", data).status_code == 404
    assert not Conversation.objects.exists()


def test_a_manager_cannot_send_to_someone_outside_the_organisation(
    client, org, other_org, manager, outsider_user
):
    their = outsider_user.memberships.get(organisation=other_org)
    client.force_login(manager)
    response = client.post(
        f"/mijn-leren/vragenlijst/{org.slug}/",
        {"member": str(their.public_id), "title": "x", "questions": "y"},
    )
    assert response.status_code == 400  # not one of the choices
    assert not Conversation.objects.exists()
