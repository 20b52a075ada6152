"""What the phones show (issue 12): rounds out of their total, the agreed action points
read-only, and never the facilitator's instructions."""

from __future__ import annotations

from django.test import Client

from formats.models import Format
from formats.schema import FACILITATOR_ONLY_FIELDS
from workshops import services

from .conftest import go, key, mini


def _phone(live) -> Client:
    phone = Client()
    assert phone.post(f"/j/{live.code}/", {"name": "Ann"}).status_code == 302
    return phone


def test_a_round_shows_its_total(live, facilitator_user):
    phones = [_phone(live) for _ in range(4)]
    go(live, "rotation", actor=facilitator_user)
    services.make_groups(live, actor=facilitator_user)
    services.set_item(live, index=1, actor=facilitator_user)
    page = phones[0].get(f"/j/{live.code}/").content.decode()
    assert "Round 2 of 4" in page


def test_the_agreed_action_points_are_shown_read_only(org, facilitator_user):
    mini()
    fmt = Format.objects.get(slug="leven-lang-leren-11-tips", is_builtin=True)
    live = services.start_session(organisation=org, fmt=fmt, actor=facilitator_user)
    phone = _phone(live)
    go(live, "action_points", actor=facilitator_user)
    before = phone.get(f"/j/{live.code}/").content.decode()
    assert "Agreed action points" in before
    services.add_action_point(
        live,
        text="Elk kwartaal een leermoment",
        owner="Fien",
        first_step="",
        due_date=None,
        evaluation_date=None,
        key=key(),
        actor=facilitator_user,
    )
    page = phone.get(f"/j/{live.code}/").content.decode()
    assert "Elk kwartaal een leermoment" in page
    assert 'name="owner"' not in page and 'value="action_point"' not in page


def test_phones_and_presenter_never_show_facilitator_only_fields(
    client, org, live, facilitator_user
):
    phone = _phone(live)
    client.force_login(facilitator_user)
    for ref in live.steps():
        services.go_to_step(live, step_id=ref.id, actor=facilitator_user)
        if ref.kind in ("groups", "rotation"):
            services.make_groups(live, actor=facilitator_user)
        hidden = [ref.step.facilitator_notes] + [
            value
            for name in FACILITATOR_ONLY_FIELDS.get(ref.kind, ())
            for value in (getattr(ref.step, name) or [])
            if isinstance(getattr(ref.step, name), list)
        ]
        for name in FACILITATOR_ONLY_FIELDS.get(ref.kind, ()):
            value = getattr(ref.step, name)
            if isinstance(value, str):
                hidden.append(value)
        hidden = [text.splitlines()[0][:40] for text in hidden if text]
        screens = {
            "phone": phone.get(f"/j/{live.code}/").content.decode(),
            "presenter": client.get(
                f"/o/{org.slug}/workshops/{live.public_id}/present/"
            ).content.decode(),
        }
        for screen, page in screens.items():
            for text in hidden:
                assert text not in page, (ref.kind, screen, text)
    console = client.get(f"/o/{org.slug}/workshops/{live.public_id}/").content.decode()
    assert console  # the console itself is checked in test_hands_up and the browser tests


def test_after_the_end_a_phone_links_to_the_summary_without_an_account(live, facilitator_user):
    phone = _phone(live)
    go(live, "board", actor=facilitator_user)
    services.end_session(live, actor=facilitator_user)
    page = phone.get(f"/j/{live.code}/").content.decode()
    shared = f"/s/{live.public_id}/"
    assert f'href="{shared}"' in page
    assert f'href="{shared}summary.pdf"' in page
    anonymous = Client()
    assert anonymous.get(shared).status_code == 200
    pdf = anonymous.get(shared + "summary.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_no_summary_pdf_before_the_end(live):
    response = Client().get(f"/s/{live.public_id}/summary.pdf")
    assert response.status_code == 404


def test_the_close_points_to_the_learning_offer_when_there_is_one(live, facilitator_user):
    from decimal import Decimal

    from learning import services as learning

    phone = _phone(live)
    services.end_session(live, actor=facilitator_user)
    assert "/leren/" not in phone.get(f"/j/{live.code}/").content.decode()

    learning.save_offer_item(
        live.organisation,
        {"title": "HACCP", "kind": "formal", "format": "course", "duration_hours": Decimal(7)},
        actor=facilitator_user,
    )
    page = phone.get(f"/j/{live.code}/").content.decode()
    assert f"/leren/{live.organisation.slug}/" in page
    assert "Keep learning" in page
