"""Entries of every kind through the pages: prompts, quick add, bad input, certificates."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from portfolio.kinds import KINDS
from portfolio.models import Entry

from .conftest import add_entry, pdf_bytes, png_bytes, upload


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def test_quick_add_stores_what_was_learned_today(owner_client, owner):
    response = owner_client.post(
        "/mijn-leren/vandaag/",
        {"what": "Hoe ik een draaitabel maak\nin Excel", "idempotency_key": "k1"},
    )
    assert response.status_code == 302
    entry = Entry.objects.get(owner=owner)
    assert entry.kind == "today"
    assert entry.title == "Hoe ik een draaitabel maak"
    assert entry.answers == {"what": "Hoe ik een draaitabel maak\nin Excel"}
    assert entry.occurred_on == timezone.localdate()


def test_quick_add_sent_twice_stores_once(owner_client, owner):
    for _ in range(2):
        owner_client.post("/mijn-leren/vandaag/", {"what": "Eén keer", "idempotency_key": "same"})
    assert Entry.objects.filter(owner=owner).count() == 1


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_has_a_form_with_its_prompts(owner_client, kind):
    response = owner_client.get(f"/mijn-leren/nieuw/{kind}/")
    assert response.status_code == 200
    html = response.content.decode()
    for prompt in KINDS[kind].prompts:
        assert f'name="answer_{prompt.key}"' in html


def test_the_prompts_are_the_seed_questions_in_dutch(owner_client):
    html = owner_client.get(
        "/mijn-leren/nieuw/my_learning/", HTTP_ACCEPT_LANGUAGE="nl"
    ).content.decode()
    for question in [
        "Wat heb je het laatste jaar bijgeleerd?",
        "Hoe heb je dit geleerd?",
        "Wat zou je nog willen bijleren?",
        "Hoe zou je dit kunnen leren? Geef verschillende opties op korte en langere termijn.",
        "Wat zijn voor- en nadelen bij deze opties?",
        "Hoe kan je de nadelen of moeilijkheden overbruggen? "
        "Zijn er alternatieven of oplossingen op langere termijn?",
    ]:
        assert question in html
    html = owner_client.get(
        "/mijn-leren/nieuw/mistake/", HTTP_ACCEPT_LANGUAGE="nl"
    ).content.decode()
    assert "Welke fouten heb je het laatste jaar gemaakt op het werk?" in html
    assert "Welke reactie hielp je om te leren uit je fouten? Welke reactie niet?" in html
    html = owner_client.get(
        "/mijn-leren/nieuw/can_now/", HTTP_ACCEPT_LANGUAGE="nl"
    ).content.decode()
    assert "Wat kan je nu, wat je bv. een jaar geleden nog niet kon?" in html
    html = owner_client.get(
        "/mijn-leren/nieuw/competences/", HTTP_ACCEPT_LANGUAGE="nl"
    ).content.decode()
    assert "Welke competenties moet/wil ik hebben? Kan ik deze bijscholen?" in html


def test_a_reflection_on_a_mistake_is_stored_per_question(owner_client, owner):
    response = owner_client.post(
        "/mijn-leren/nieuw/mistake/",
        {
            "title": "Verkeerde bestelling",
            "answer_mistakes": "Ik bestelde 10 keer te veel bloem.",
            "answer_learned": "Twee keer nakijken.",
            "occurred_on": "2026-01-05",
        },
    )
    assert response.status_code == 302
    entry = Entry.objects.get(owner=owner)
    assert entry.answers == {
        "mistakes": "Ik bestelde 10 keer te veel bloem.",
        "learned": "Twee keer nakijken.",
    }
    assert str(entry.occurred_on) == "2026-01-05"


def test_a_future_date_is_refused_where_the_past_is_meant(owner_client, owner):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = owner_client.post(
        "/mijn-leren/nieuw/activity/", {"title": "Cursus", "occurred_on": tomorrow}
    )
    assert response.status_code == 400
    assert "in the future" in response.content.decode()
    assert not Entry.objects.exists()


def test_a_goal_may_have_a_date_in_the_future(owner_client, owner):
    later = (timezone.localdate() + timedelta(days=60)).isoformat()
    response = owner_client.post(
        "/mijn-leren/nieuw/goal/",
        {
            "title": "Leren presenteren",
            "first_step": "Inschrijven",
            "due_date": later,
            "status": "open",
        },
    )
    assert response.status_code == 302
    assert Entry.objects.get().due_date.isoformat() == later


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("x" * 10_001, "at most 10000 characters"),
        ("bel\x07", "control character"),
        ("\u202egnirts", "writing direction"),
    ],
)
def test_bad_texts_are_refused_and_nothing_is_stored(owner_client, value, message):
    response = owner_client.post(
        "/mijn-leren/nieuw/my_learning/", {"title": "Titel", "answer_learned": value}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Entry.objects.exists()


def test_an_empty_title_is_refused(owner_client):
    response = owner_client.post("/mijn-leren/nieuw/goal/", {"title": "   ", "status": "open"})
    assert response.status_code == 400
    assert not Entry.objects.exists()


def test_html_is_shown_as_text(owner_client, owner):
    entry = add_entry(owner, title="<script>alert(1)</script>", answers={"learned": "<b>vet</b>"})
    html = owner_client.get(f"/mijn-leren/item/{entry.public_id}/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;vet&lt;/b&gt;" in html


def test_search_finds_the_owners_entries_only(owner_client, owner, member_user):
    add_entry(owner, title="Excel draaitabellen")
    add_entry(owner, title="Presenteren")
    add_entry(member_user, title="Excel voor gevorderden")
    html = owner_client.get("/mijn-leren/?q=excel").content.decode()
    assert "Excel draaitabellen" in html
    assert "Presenteren" not in html
    assert "gevorderden" not in html


def test_an_entry_can_be_changed(owner_client, owner):
    entry = add_entry(owner)
    response = owner_client.post(
        f"/mijn-leren/item/{entry.public_id}/bewerken/",
        {"title": "Nieuwe titel", "answer_learned": "Anders"},
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.title, entry.answers) == ("Nieuwe titel", {"learned": "Anders"})


def test_deleting_an_entry_removes_it_and_its_certificate(
    owner_client, owner, private_root, django_capture_on_commit_callbacks
):
    response = owner_client.post(
        "/mijn-leren/nieuw/activity/",
        {
            "title": "EHBO",
            "activity_type": "formal",
            "hours": "7.5",
            "certificate": upload("attest.pdf", pdf_bytes()),
        },
    )
    assert response.status_code == 302
    entry = Entry.objects.get()
    path = private_root / entry.certificate.name
    assert path.exists()
    assert entry.certificate_type == "application/pdf"
    assert str(entry.hours) == "7.50"

    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(f"/mijn-leren/item/{entry.public_id}/verwijderen/")
    assert not Entry.objects.exists()
    assert not path.exists()


def test_an_image_certificate_is_accepted_and_served_to_the_owner(owner_client, owner):
    owner_client.post(
        "/mijn-leren/nieuw/activity/",
        {"title": "Boek", "certificate": upload("foto.png", png_bytes())},
    )
    entry = Entry.objects.get()
    response = owner_client.get(f"/mijn-leren/item/{entry.public_id}/certificaat/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == png_bytes()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("virus.pdf", b"MZ\x90\x00 not a pdf", "Upload a PDF or an image"),
        ("page.png", b"<html><script>alert(1)</script></html>", "Upload a PDF or an image"),
        ("broken.pdf", b"%PDF-1.4 no end", "damaged"),
        ("big.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024) + b"\n%%EOF", "too large"),
    ],
)
def test_a_wrong_certificate_is_refused_and_nothing_is_stored(
    owner_client, private_root, name, data, message
):
    response = owner_client.post(
        "/mijn-leren/nieuw/activity/", {"title": "Cursus", "certificate": upload(name, data)}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Entry.objects.exists()
    assert not private_root.exists() or not any(private_root.rglob("*.*"))


def test_quick_add_with_htmx_returns_the_fragment(owner_client, owner):
    response = owner_client.post(
        "/mijn-leren/vandaag/",
        {"what": "Via htmx", "idempotency_key": "h1"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="quick-add">')
    assert "<html" not in html
    assert "Via htmx" in html  # the note of what was saved; the textarea is empty again
    assert 'name="idempotency_key" value="h1"' not in html
    assert Entry.objects.get(owner=owner).title == "Via htmx"

    bad = owner_client.post("/mijn-leren/vandaag/", {"what": "   "}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 400
    assert 'class="errorlist' in bad.content.decode()
    assert Entry.objects.count() == 1
