from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from actions import services
from actions.models import Action, ActionEvent, Status

from .conftest import login, membership_id

ROLES = ["owner", "member", "facilitator", "admin", "outsider", "anonymous"]


@pytest.fixture
def people(owner_user, member_user, facilitator_user, admin_user, outsider_user):
    return {
        "owner": owner_user,
        "member": member_user,
        "facilitator": facilitator_user,
        "admin": admin_user,
        "outsider": outsider_user,
        "anonymous": None,
    }


def client_for(people, role) -> Client:
    user = people[role]
    return login(user) if user else Client()


def expect(response, status):
    if status == "login":
        assert response.status_code == 302 and "/accounts/login" in response["Location"]
    else:
        assert response.status_code == status


@pytest.mark.parametrize(
    ("role", "list_", "mine", "detail"),
    [
        ("owner", 403, 200, 200),
        ("member", 403, 200, 404),
        ("facilitator", 200, 200, 200),
        ("admin", 200, 200, 200),
        ("outsider", 404, 404, 404),
        ("anonymous", "login", "login", "login"),
    ],
)
def test_permission_matrix_of_agreement_pages(org, agreement, people, role, list_, mine, detail):
    client = client_for(people, role)
    base = f"/o/{org.slug}/acties/"
    expect(client.get(base), list_)
    expect(client.get(base + "mijn/"), mine)
    expect(client.get(base + f"{agreement.public_id}/"), detail)


@pytest.mark.parametrize(
    ("role", "status"),
    [("owner", 302), ("member", 404), ("facilitator", 302), ("admin", 302), ("outsider", 404)],
)
def test_who_records_progress(org, agreement, people, role, status):
    response = client_for(people, role).post(
        f"/o/{org.slug}/acties/{agreement.public_id}/", {"status": "in_progress", "note": "x"}
    )
    assert response.status_code == status
    agreement.refresh_from_db()
    assert (agreement.status == Status.IN_PROGRESS) == (status == 302)


@pytest.mark.parametrize(
    ("role", "seen"),
    [("facilitator", True), ("admin", False), ("member", False), ("owner", False)],
)
def test_personal_action_seen_only_by_the_sessions_facilitator(org, personal, people, role, seen):
    action, _raw = personal
    response = client_for(people, role).get(f"/o/{org.slug}/acties/{action.public_id}/")
    assert response.status_code == (200 if seen else 404)
    if seen:
        assert b"Save progress" not in response.content  # seeing is not changing


def test_unshared_personal_action_is_seen_by_nobody(org, personal, people):
    action, _raw = personal
    Action.objects.filter(pk=action.pk).update(shared=False)
    for role in ("facilitator", "admin"):
        client = client_for(people, role)
        assert client.get(f"/o/{org.slug}/acties/{action.public_id}/").status_code == 404
        assert action.text.encode() not in client.get(f"/o/{org.slug}/acties/").content


def test_another_organisations_action_is_404_and_unchanged(other_org, outsider_user, agreement):
    client = login(outsider_user)
    url = f"/o/{other_org.slug}/acties/{agreement.public_id}/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"status": "done"}).status_code == 404
    agreement.refresh_from_db()
    assert agreement.status == Status.OPEN


def test_list_filters_counts_and_htmx_fragment(org, facilitator_user, owner_user, team):
    today = timezone.localdate()

    def make(text, **f):
        return services.create_action(org, {"text": text, **f}, actor=facilitator_user).action

    make("Te laat", due_date=today - timedelta(days=2), owner=owner_user)
    make("Geld vragen", theme="budget", team=team)
    done = make("Gedaan")
    services.record_progress(done, actor=facilitator_user, status=Status.DONE)
    client = login(facilitator_user)
    page = client.get(f"/o/{org.slug}/acties/").content.decode()
    assert "Te laat" in page and "Geld vragen" in page and "Gedaan" in page
    fragment = client.get(f"/o/{org.slug}/acties/?when=overdue", headers={"HX-Request": "true"})
    body = fragment.content.decode()
    assert "<html" not in body and "Te laat" in body and "Geld vragen" not in body
    assert "1 action:" in " ".join(body.split()) and "overdue 1" in body
    body = client.get(f"/o/{org.slug}/acties/?theme=budget&team={team.public_id}").content.decode()
    assert "Geld vragen" in body and "Te laat" not in body
    owner = membership_id(owner_user, org)
    body = client.get(f"/o/{org.slug}/acties/?owner={owner}").content.decode()
    assert "Te laat" in body and "Gedaan" not in body
    body = client.get(f"/o/{org.slug}/acties/?status=done&owner=nonsense").content.decode()
    assert "Gedaan" in body and "Geld vragen" not in body
    mine = login(owner_user).get(f"/o/{org.slug}/acties/mijn/").content.decode()
    assert "Te laat" in mine and "Geld vragen" not in mine


def test_create_page_refuses_bad_input_and_stores_nothing(org, facilitator_user):
    client = login(facilitator_user)
    url = f"/o/{org.slug}/acties/nieuw/"
    assert client.post(url, {"text": "", "theme": "other"}).status_code == 400
    assert client.post(url, {"text": "x" * 501, "theme": "other"}).status_code == 400
    far = (timezone.localdate() + timedelta(days=6 * 366)).isoformat()
    assert client.post(url, {"text": "ok", "theme": "other", "due_date": far}).status_code == 400
    assert Action.objects.count() == 0
    response = client.post(url, {"text": "<script>alert(1)</script>", "theme": "other"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page


def test_reopening_a_done_action_without_note_shows_the_error(org, agreement, owner_user):
    services.record_progress(agreement, actor=owner_user, status=Status.DONE)
    client = login(owner_user)
    url = f"/o/{org.slug}/acties/{agreement.public_id}/"
    response = client.post(url, {"status": "open", "note": ""})
    assert response.status_code == 400
    agreement.refresh_from_db()
    assert agreement.status == Status.DONE


def test_exports_neutralise_formulas(org, facilitator_user):
    services.create_action(org, {"text": '=HYPERLINK("x")'}, actor=facilitator_user)
    services.create_action(org, {"text": "Gewoon"}, actor=facilitator_user)
    client = login(facilitator_user)
    csv = client.get(f"/o/{org.slug}/acties/export.csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in csv and "Gewoon" in csv
    csv = client.get(f"/o/{org.slug}/acties/export.csv?status=done").content.decode("utf-8-sig")
    assert "Gewoon" not in csv
    from openpyxl import load_workbook

    data = client.get(f"/o/{org.slug}/acties/export.xlsx").content
    sheet = load_workbook(io.BytesIO(data)).active
    values = [row[0] for row in sheet.iter_rows(values_only=True)]
    assert '\'=HYPERLINK("x")' in values
    assert login(facilitator_user).get(f"/o/{org.slug}/acties/export.csv").status_code == 200


def test_members_cannot_export(org, member_user, agreement):
    assert login(member_user).get(f"/o/{org.slug}/acties/export.csv").status_code == 403


def test_share_done_per_team_and_theme(org, facilitator_user, team, agreement, owner_user):
    services.record_progress(agreement, actor=owner_user, status=Status.DONE)
    services.create_action(org, {"text": "Nog", "team": team}, actor=facilitator_user)
    page = login(facilitator_user).get(f"/o/{org.slug}/acties/voortgang/").content.decode()
    assert "Bakkers" in page and "1 (50%)" in page


def test_private_link_page(personal, facilitator_user):
    action, raw = personal
    client = Client()
    page = client.get(f"/a/{raw}/")
    assert page.status_code == 200 and action.text in page.content.decode()
    assert page["Referrer-Policy"] == "no-referrer"
    response = client.post(f"/a/{raw}/", {"status": "done", "note": "Gelukt!"})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == Status.DONE
    event = ActionEvent.objects.filter(action=action, kind="status").get()
    assert event.via == "link" and event.note == "Gelukt!" and event.actor is None
    assert client.get("/a/lma_wrong/").status_code == 404
    action.issue_link()
    action.save()
    assert client.get(f"/a/{raw}/").status_code == 404  # replaced


def test_claim_from_the_link_page(personal, member_user):
    action, raw = personal
    response = login(member_user).post(f"/a/{raw}/portfolio/")
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.claimed_by == member_user
    assert Client().post(f"/a/{raw}/portfolio/").status_code == 302  # to the login page
    assert login(member_user).post("/a/lma_wrong/portfolio/").status_code == 404


def test_settings_digest_and_feed(org, member_user):
    client = login(member_user)
    url = f"/o/{org.slug}/acties/instellingen/"
    assert client.get(url).status_code == 200
    client.post(url, {"what": "digest"})  # unchecked box: off
    assert member_user.action_settings.digest is False
    client.post(url, {"what": "feed"})
    member_user.action_settings.refresh_from_db()
    assert member_user.action_settings.feed_hash
    assert "/acties/agenda/lmf_" in client.get(url).content.decode()
    client.post(url, {"what": "revoke"})
    member_user.action_settings.refresh_from_db()
    assert member_user.action_settings.feed_hash == ""


def test_history_restore_gets_the_whole_page(org, facilitator_user, agreement):
    client = login(facilitator_user)
    restore = client.get(
        f"/o/{org.slug}/acties/",
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in restore.content.decode()


@pytest.mark.parametrize(
    ("role", "conversations", "plan", "prefs", "share", "export"),
    [
        ("owner", 403, 403, 200, 403, 403),
        ("facilitator", 200, 200, 200, 200, 200),
        ("admin", 200, 200, 200, 200, 200),
        ("outsider", 404, 404, 404, 404, 404),
        ("anonymous", "login", "login", "login", "login", "login"),
    ],
)
def test_permission_matrix_of_other_pages(
    org, agreement, people, role, conversations, plan, prefs, share, export
):
    client = client_for(people, role)
    base = f"/o/{org.slug}/"
    expect(client.get(base + "gesprekken/"), conversations)
    expect(client.get(base + "gesprekken/nieuw/"), plan)
    expect(client.get(base + "acties/instellingen/"), prefs)
    expect(client.get(base + "acties/voortgang/"), share)
    expect(client.get(base + "acties/export.xlsx"), export)


def test_malformed_ids_and_tokens_are_404(org, facilitator_user):
    from actions.emails import unsubscribe_token

    client = login(facilitator_user)
    assert client.get(f"/o/{org.slug}/gesprekken/nieuw/?action=nonsense").status_code == 404
    gone = unsubscribe_token(user_id=987654)
    assert Client().post(f"/acties/uitschrijven/{gone}/").status_code == 200
    assert Client().get("/acties/agenda/lmf_nothing.ics").status_code == 404
    assert Client().get("/a/" + "x" * 300 + "/").status_code == 404
