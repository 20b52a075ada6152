from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from actions import services
from actions.models import Action, Conversation
from core.errors import DomainError

from .conftest import key, login


@pytest.fixture(autouse=True)
def _commit(run_on_commit):
    pass


def plan(org, facilitator_user, **extra):
    data = {
        "employee_email": "sara@example.test",
        "employee_name": "Sara; Peeters, <b>bakker</b>",
        "starts_at": timezone.now() + timedelta(days=28),
        "duration_minutes": 30,
        "location": "Vergaderzaal 1, eerste verdiep; links",
    } | extra
    return services.plan_conversation(org, data, actor=facilitator_user)[0]


def calendar_of(message) -> Calendar:
    raw = message.message().as_bytes()
    parsed = message_from_bytes(raw)
    parts = [p for p in parsed.walk() if p.get_content_type() == "text/calendar"]
    assert parts, "a text/calendar part"
    assert parts[0].get_param("method") in ("REQUEST", "CANCEL")
    attachments = [a for a in message.attachments if getattr(a, "filename", a[0]) == "invite.ics"]
    assert attachments
    return Calendar.from_ical(parts[0].get_payload(decode=True))  # type: ignore[arg-type]


def test_invite_is_a_parseable_request_with_organizer_and_attendee(org, facilitator_user):
    conversation = plan(org, facilitator_user)
    [message] = mail.outbox
    assert message.to == ["sara@example.test"]
    cal = calendar_of(message)
    assert cal["METHOD"] == "REQUEST"
    [event] = cal.walk("VEVENT")
    assert str(event["UID"]) == conversation.uid
    assert int(event["SEQUENCE"]) == 0
    assert str(event["ORGANIZER"]) == f"mailto:{facilitator_user.email}"
    assert str(event["ATTENDEE"]) == "mailto:sara@example.test"
    assert str(event["LOCATION"]) == "Vergaderzaal 1, eerste verdiep; links"
    assert event["DTSTART"].dt == conversation.starts_at
    raw = message.message().as_string()
    assert "Vergaderzaal 1\\, eerste verdiep\\; links" in raw  # RFC 5545 escaping
    assert "<b>bakker</b>" not in message.alternatives[0][0]


def test_reschedule_raises_sequence_same_uid_and_cancel(org, facilitator_user):
    conversation = plan(org, facilitator_user)
    later = conversation.starts_at + timedelta(days=2)
    services.reschedule_conversation(conversation, {"starts_at": later}, actor=facilitator_user)
    services.cancel_conversation(conversation, actor=facilitator_user)
    cals = [calendar_of(m) for m in mail.outbox]
    assert [c["METHOD"] for c in cals] == ["REQUEST", "REQUEST", "CANCEL"]
    events = [c.walk("VEVENT")[0] for c in cals]
    assert len({str(e["UID"]) for e in events}) == 1
    assert [int(e["SEQUENCE"]) for e in events] == [0, 1, 2]
    assert events[1]["DTSTART"].dt == later
    assert str(events[2]["STATUS"]) == "CANCELLED"
    conversation.refresh_from_db()
    assert conversation.status == "cancelled" and conversation.sequence == 2


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        ({"starts_at": timezone.now() - timedelta(minutes=1)}, "in_past"),
        ({"employee_email": "geen-adres"}, "email"),
        ({"starts_at": timezone.now() + timedelta(days=6 * 366)}, "date_too_far"),
        ({"duration_minutes": 2}, "duration"),
        ({"offer_url": "javascript:alert(1)"}, "url"),
        ({"location": "a\x07b"}, "control"),
    ],
)
def test_bad_conversations_are_refused(org, facilitator_user, extra, code):
    with pytest.raises(DomainError) as error:
        plan(org, facilitator_user, **extra)
    assert error.value.code == code
    assert Conversation.objects.count() == 0 and mail.outbox == []


def test_default_start_is_four_weeks_after_the_session(live):
    live.ended_at = timezone.now()
    start = services.default_conversation_start(session=live)
    assert (start.date() - timezone.localdate()).days == 28


def test_conversation_page_for_holder_and_employee_link_only(
    org, facilitator_user, admin_user, member_user
):
    conversation = plan(org, facilitator_user)
    url = f"/o/{org.slug}/gesprekken/{conversation.public_id}/"
    holder = login(facilitator_user)
    page = holder.get(url)
    assert page.status_code == 200
    assert "www.elanplus.be" in page.content.decode()
    assert "Where do you need help?" in page.content.decode() or "hulp" in page.content.decode()
    assert login(admin_user).get(url).status_code == 404
    assert login(member_user).get(url).status_code == 404
    response = holder.post(url, {"apply": "Ik gebruik <script>x</script>", "held": "1"})
    assert response.status_code == 302
    conversation.refresh_from_db()
    assert conversation.status == "held"
    assert conversation.answers["apply"] == "Ik gebruik <script>x</script>"
    from django.test import Client

    employee = Client().get(f"/g/{conversation.link_token()}/")
    assert employee.status_code == 200
    body = employee.content.decode()
    assert "&lt;script&gt;x&lt;/script&gt;" in body and "<script>x" not in body
    assert Client().get("/g/lmg_wrong/").status_code == 404


def test_replayed_conversation_client_key(org, facilitator_user):
    k = key()
    data = {
        "employee_email": "sara@example.test",
        "starts_at": timezone.now() + timedelta(days=28),
    }
    a, created = services.plan_conversation(org, data, actor=facilitator_user, client_key=k)
    b, again = services.plan_conversation(org, data, actor=facilitator_user, client_key=k)
    assert created and not again and a.pk == b.pk
    assert Conversation.objects.count() == 1 and len(mail.outbox) == 1


def test_member_feed(org, facilitator_user, owner_user, agreement):
    from django.test import Client

    agreement.due_date = timezone.localdate() + timedelta(days=3)
    agreement.evaluation_date = timezone.localdate() + timedelta(days=30)
    agreement.text = "Budget, planning; en\nmeer"
    agreement.save()
    row = services.issue_feed(owner_user)
    token = row.feed_token()
    response = Client().get(f"/acties/agenda/{token}.ics")
    assert response.status_code == 200
    cal = Calendar.from_ical(response.content)
    summaries = sorted(str(e["SUMMARY"]) for e in cal.walk("VEVENT"))
    assert len(summaries) == 2
    assert any("Budget, planning; en" in s for s in summaries)
    assert "Budget\\, planning\\; en\\nmeer" in response.content.decode()
    services.issue_feed(owner_user)  # a new address: the old one stops
    assert Client().get(f"/acties/agenda/{token}.ics").status_code == 404
    services.revoke_feed(owner_user)
    assert Client().get(f"/acties/agenda/{row.feed_token()}.ics").status_code == 404
    # the person who holds a conversation sees it in their own feed
    plan(org, facilitator_user)
    feed = services.issue_feed(facilitator_user)
    cal = Calendar.from_ical(Client().get(f"/acties/agenda/{feed.feed_token()}.ics").content)
    assert len(cal.walk("VEVENT")) == 1


def test_plan_from_a_session_summary(org, live, facilitator_user, other_org, outsider_user):
    from workshops import services as ws
    from workshops.models import PersonalAction

    participant, _t = ws.join_session(code=live.code, name="Sara")
    PersonalAction.objects.create(
        session=live,
        participant=participant,
        key=key()[:32],
        step_id="s1",
        text="Cursus",
        email="sara@example.test",
    )
    live.ended_at = timezone.now()
    live.save()
    client = login(facilitator_user)
    url = f"/o/{org.slug}/gesprekken/nieuw/?session={live.public_id}"
    page = client.get(url + "&email=sara@example.test")
    body = page.content.decode()
    assert page.status_code == 200 and "Participants who left an address" in body
    assert 'value="sara@example.test"' in body
    start = (timezone.localdate() + timedelta(weeks=4)).isoformat()
    assert start in body  # four weeks after the session
    response = client.post(
        f"/o/{org.slug}/gesprekken/nieuw/",
        {
            "session": str(live.public_id),
            "employee_email": "sara@example.test",
            "starts_at": f"{start}T10:00",
            "duration_minutes": "30",
        },
    )
    assert response.status_code == 302
    conversation = Conversation.objects.get()
    assert conversation.session == live and conversation.held_by == facilitator_user
    other = login(outsider_user).get(
        f"/o/{other_org.slug}/gesprekken/nieuw/?session={live.public_id}"
    )
    assert other.status_code == 404
    assert client.get(f"/o/{org.slug}/gesprekken/nieuw/?session=nonsense").status_code == 404


def test_conversation_updates_and_creates_actions(
    org, facilitator_user, owner_user, agreement, admin_user
):
    conversation = plan(org, facilitator_user, employee_email=owner_user.email)
    conversation.action = agreement
    conversation.save()
    client = login(facilitator_user)
    url = f"/o/{org.slug}/gesprekken/{conversation.public_id}/"
    response = client.post(url, {"what": "progress", "status": "done", "note": "Gelukt"})
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == "done"
    response = client.post(url, {"what": "action", "text": "Tweede cursus zoeken"})
    assert response.status_code == 302
    made = Action.objects.get(text="Tweede cursus zoeken")
    assert made.source == "conversation" and made.owner == owner_user
    bad = client.post(url, {"what": "action", "text": ""})
    assert bad.status_code == 400
    assert Action.objects.count() == 2
    assert login(admin_user).post(url, {"what": "action", "text": "x"}).status_code == 404
    assert Action.objects.count() == 2
