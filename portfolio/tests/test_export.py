"""Export (PDF, JSON, zip) and re-import: the JSON round-trips, HTML stays text."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from conftest import make_user
from core.testing import pdf_text
from portfolio import exports, services
from portfolio.models import Conversation, Entry

from .conftest import add_entry, pdf_bytes, upload


@pytest.fixture
def full(owner):
    add_entry(
        owner, title="<b>Excel</b> & co", answers={"learned": "Draaitabellen\n<script>x</script>"}
    )
    add_entry(
        owner,
        kind="mistake",
        title="Fout",
        answers={"mistakes": "Verkeerd geteld"},
        occurred_on=None,
    )
    activity = add_entry(owner, kind="activity", title="EHBO", activity_type="formal", hours="7.5")
    services.attach_certificate(activity, upload=upload("a.pdf", pdf_bytes()), actor=owner)
    goal = add_entry(
        owner, kind="goal", title="Presenteren", first_step="Inschrijven", status="open"
    )
    conversation = services.create_conversation(
        owner=owner, title="Gesprek", questions="Wat?\nHoe?", actor=owner
    )
    services.answer_conversation(conversation, answers=["Dit", "Zo"], entries=[goal], actor=owner)
    return owner


def comparable(data: dict) -> dict:
    data = json.loads(json.dumps(data))
    for key in ("exported_at", "owner", "organisations", "shares"):
        data.pop(key)
    return data


def test_the_json_export_lists_every_field(full):
    data = exports.build(full)
    assert data["format"] == "lerend-portfolio" and data["version"] == 1
    assert len(data["entries"]) == 4
    activity = next(e for e in data["entries"] if e["kind"] == "activity")
    assert activity["hours"] == "7.50"
    assert activity["certificate"]["content_type"] == "application/pdf"
    assert data["conversations"][0]["answers"] == ["Dit", "Zo"]
    assert data["organisations"] == [
        {"name": "Bakkerij De Korenbloem", "slug": "korenbloem", "role": "member"}
    ]


def test_the_zip_round_trips_into_a_new_account(full, client):
    archive = exports.to_zip(full)
    before = comparable(exports.build(full))
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        names = set(z.namelist())
    assert "portfolio.json" in names and any(n.startswith("attachments/") for n in names)

    services.erase_account(User.objects.get(pk=full.pk), actor=full)
    newcomer = make_user("eva@nieuwe-werkgever.test")
    client.force_login(newcomer)
    response = client.post(
        "/mijn-leren/account/",
        {"import": "1", "file": SimpleUploadedFile("mijn-leren.zip", archive)},
    )
    assert response.status_code == 302, response.content
    after = comparable(exports.build(newcomer))
    assert after == before
    entry = Entry.objects.get(owner=newcomer, kind="activity")
    assert entry.certificate.read() == pdf_bytes()


def test_importing_twice_adds_nothing(full):
    archive = exports.to_zip(full)
    counts = exports.import_portfolio(full, SimpleUploadedFile("x.zip", archive), actor=full)
    assert counts == {"entries": 0, "conversations": 0, "skipped": 5}
    assert Entry.objects.filter(owner=full).count() == 4
    assert Conversation.objects.filter(owner=full).count() == 1


def test_an_import_into_another_account_gets_new_ids_when_taken(full):
    other = make_user("ander@x.test")
    counts = exports.import_portfolio(
        other, SimpleUploadedFile("x.json", exports.to_json(full)), actor=other
    )
    assert counts["entries"] == 4
    assert Entry.objects.filter(owner=full).count() == 4  # the original stays the owner's
    ids = set(Entry.objects.filter(owner=other).values_list("public_id", flat=True))
    assert not ids & set(Entry.objects.filter(owner=full).values_list("public_id", flat=True))


@pytest.mark.parametrize(
    "content",
    [
        b"not json",
        b'{"format": "other"}',
        b'{"format": "lerend-portfolio", "version": 99}',
        b"PK\x03\x04broken",
        json.dumps(
            {
                "format": "lerend-portfolio",
                "version": 1,
                "entries": [{"kind": "today", "title": "x" * 300}],
            }
        ).encode(),
        json.dumps(
            {
                "format": "lerend-portfolio",
                "version": 1,
                "entries": [{"kind": "activity", "title": "x", "occurred_on": "2999-01-01"}],
            }
        ).encode(),
        json.dumps({"format": "lerend-portfolio", "version": 1, "entries": "nope"}).encode(),
    ],
)
def test_a_bad_import_is_refused_with_a_message_and_stores_nothing(owner, client, content):
    client.force_login(owner)
    response = client.post(
        "/mijn-leren/account/", {"import": "1", "file": SimpleUploadedFile("x.json", content)}
    )
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert not Entry.objects.filter(owner=owner).exists()


def test_the_pdf_shows_html_as_text(full, client):
    client.force_login(full)
    response = client.get("/mijn-leren/export.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "<b>Excel</b> & co" in text
    assert "<script>x</script>" in text
    assert "EHBO" in text and "Gesprek" in text


def test_the_json_download(full, client):
    client.force_login(full)
    response = client.get("/mijn-leren/export.json")
    assert response["Content-Disposition"].startswith("attachment")
    assert json.loads(response.content)["entries"][0]["title"] == "<b>Excel</b> & co"
