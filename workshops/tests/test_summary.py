from __future__ import annotations

import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from workshops import services
from workshops.models import PhaseTiming, Photo
from workshops.summary import build_summary, md_escape, to_markdown

from .conftest import go, key

NASTY = "<script>alert('x')</script> **vet** [link](http://evil.test) # kop"


@pytest.fixture
def ran(live, join, facilitator_user, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    ann, _t, _c = join("Ann")
    bob, _t, _c = join()
    poll = go(live, "statement_poll", actor=facilitator_user)
    services.cast_vote(live, participant=ann, step_id=poll.id, choice="eens", key=key())
    services.cast_vote(live, participant=bob, step_id=poll.id, choice="twijfel", key=key())
    board = go(live, "board", actor=facilitator_user)
    services.add_note(live, participant=ann, step_id=board.id, question=0, text=NASTY, key=key())
    hidden = services.add_note(
        live, participant=bob, step_id=board.id, question=0, text="verborgen", key=key()
    )
    services.hide_note(live, note_id=hidden.value.public_id, hidden=True, actor=facilitator_user)
    go(live, "personal_action", actor=facilitator_user)
    services.submit_action(
        live,
        participant=ann,
        text="Ann haar actie",
        email="ann@example.test",
        show_name=True,
        key=key(),
    )
    services.submit_action(live, participant=bob, text="Anonieme actie", key=key())
    services.end_session(live, actor=facilitator_user)
    return live


def test_summary_contents(ran):
    summary = build_summary(ran)
    assert summary["participants"] == 2
    poll = next(s for s in summary["steps"] if s["kind"] == "statement_poll")
    assert {r["label"]: r["count"] for r in poll["results"]} == {
        "Eens": 1,
        "Oneens": 0,
        "Twijfel": 1,
    }
    board = next(s for s in summary["steps"] if s["kind"] == "board")
    assert board["questions"][0]["notes"] == [NASTY]
    assert "verborgen" not in str(summary)
    assert {(a["text"], a["name"]) for a in summary["personal_actions"]} == {
        ("Ann haar actie", "Ann"),
        ("Anonieme actie", None),
    }
    assert "ann@example.test" not in str(summary)
    assert next(p["title"] for p in summary["phases"]) == "Voorbereiding"
    assert all(p["real_minutes"] >= 0 for p in summary["phases"])
    assert PhaseTiming.objects.filter(session=ran, entered_at__isnull=False).count() == 0


def test_markdown_escapes_markup(ran):
    text = to_markdown(build_summary(ran))
    assert "<script>" not in text
    assert "&lt;script>alert('x')&lt;/script>" in text
    assert "\\*\\*vet\\*\\*" in text
    assert "\\[link\\](http://evil.test)" in text
    assert "| Voorbereiding | 15 min |" in text
    assert md_escape("a\n# b") == "a # b"
    assert md_escape("# b") == "\\# b"


def test_summary_page_escapes_and_downloads(ran, facilitator_user):
    client = Client()
    client.force_login(facilitator_user)
    base = f"/o/{ran.organisation.slug}/workshops/{ran.public_id}/"
    page = client.get(base + "summary/").content.decode()
    assert "&lt;script&gt;" in page and "<script>alert" not in page
    assert "verborgen" not in page
    pdf = client.get(base + "summary.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    md = client.get(base + "summary.md")
    assert md["Content-Type"].startswith("text/markdown")
    assert "&lt;script>" in md.content.decode()


def test_pdf_holds_the_text_escaped(ran):
    from pypdf import PdfReader

    from workshops.summary import to_pdf

    reader = PdfReader(io.BytesIO(to_pdf(ran, build_summary(ran), base_url="http://testserver/")))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "<script>" in text  # shown literally, as text
    assert "Ann haar actie" in text


def test_participants_reach_the_summary_after_the_end(live, join, facilitator_user):
    _p, _token, client = join()
    assert client.get(f"/api/v1/sessions/{live.code}/summary").status_code == 409
    services.end_session(live, actor=facilitator_user)
    response = client.get(f"/api/v1/sessions/{live.code}/summary")
    assert response.status_code == 200
    assert response.json()["participants"] == 1
    stranger = Client()
    assert stranger.get(f"/api/v1/sessions/{live.code}/summary").status_code == 401


def test_summary_email_goes_to_those_who_left_an_address(
    ran, facilitator_user, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        count = services.email_summary(ran, actor=facilitator_user)
    assert count == 1
    assert [m.to for m in mail.outbox] == [["ann@example.test"]]
    body = mail.outbox[0].body
    assert f"/s/{ran.public_id}/" in body
    assert "Ann haar actie" in body


def test_email_before_the_end_is_refused(live, facilitator_user):
    with pytest.raises(services.DomainError):
        services.email_summary(live, actor=facilitator_user)


def _image(kind: str, size=(40, 30)) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, (10, 120, 200))
    if kind == "JPEG":
        exif = Image.Exif()
        exif[0x010F] = "Camera maker"  # Make
        exif[0x8825] = {2: (51.0, 2.0, 3.0)}  # GPS
        image.save(out, kind, exif=exif)
    else:
        image.save(out, kind)
    return out.getvalue()


@pytest.mark.parametrize("kind", ["JPEG", "PNG", "WEBP"])
def test_photo_is_reencoded_without_metadata(live, facilitator_user, tmp_path, settings, kind):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile(f"flip.{kind.lower()}", _image(kind))
    photo = services.add_photo(live, upload=upload, actor=facilitator_user)
    with Image.open(photo.image.path) as stored:
        assert stored.format == kind
        assert not stored.getexif()
        assert stored.size == (40, 30)


@pytest.mark.parametrize(
    ("content", "name"),
    [(b"GIF89a" + b"\0" * 50, "x.gif"), (b"not an image", "x.jpg"), (b"%PDF-1.4", "x.png")],
)
def test_bad_uploads_are_refused(live, facilitator_user, tmp_path, settings, content, name):
    settings.MEDIA_ROOT = tmp_path
    client = Client()
    client.force_login(facilitator_user)
    response = client.post(
        f"/api/v1/sessions/{live.code}/photos", {"photo": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 400, response.content
    assert Photo.objects.count() == 0


def test_too_large_upload_is_refused(live, facilitator_user, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    big = SimpleUploadedFile("big.png", b"\x89PNG" + b"0" * (services.PHOTO_MAX_BYTES + 1))
    with pytest.raises(services.DomainError) as error:
        services.add_photo(live, upload=big, actor=facilitator_user)
    assert error.value.status == 413
    assert Photo.objects.count() == 0


def test_photos_are_private(live, facilitator_user, outsider_user, tmp_path, settings, join):
    settings.MEDIA_ROOT = tmp_path
    photo = services.add_photo(
        live, upload=SimpleUploadedFile("a.png", _image("PNG")), actor=facilitator_user
    )
    url = f"/o/{live.organisation.slug}/workshops/{live.public_id}/photos/{photo.public_id}"
    client = Client()
    client.force_login(facilitator_user)
    assert client.get(url).status_code == 200
    client.force_login(outsider_user)
    assert client.get(url).status_code == 404
    assert Client().get(f"/s/{live.public_id}/photos/{photo.public_id}").status_code == 404


def test_real_minutes_per_phase(live, facilitator_user):
    import datetime as dt

    import time_machine

    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        services.next_step(live, actor=facilitator_user)  # Voorbereiding
        traveller.shift(dt.timedelta(minutes=4))
        services.next_step(live, actor=facilitator_user)  # still Voorbereiding
        traveller.shift(dt.timedelta(minutes=8))
        go(live, "board", actor=facilitator_user)  # Opwarmer
        traveller.shift(dt.timedelta(minutes=7))
        go(live, "statement_poll", actor=facilitator_user)  # back to Voorbereiding
        traveller.shift(dt.timedelta(minutes=3))
        services.end_session(live, actor=facilitator_user)
        phases = build_summary(live)["phases"]
    assert [(p["title"], p["planned"], p["real_minutes"]) for p in phases[:3]] == [
        ("Voorbereiding", "15 min", 15),
        ("Opwarmer", "10 min", 7),
        ("Reflectie", "20 min", 0),
    ]
