"""The summary as each reader gets it: the facilitator's own summary (recap), one language
per document, dates and numbers in that language, the time table for the facilitator only
and each participant's e-mail with their own action marked and others' only when shared."""

from __future__ import annotations

import datetime as dt
import json
import re
from html.parser import HTMLParser

import markdown
import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from core.testing import examples, pdf_text
from workshops import services
from workshops.events import participant_cookie_name
from workshops.models import RECAP_MAX_LENGTH, ActionPoint, LiveSession
from workshops.summary import (
    EVERYONE,
    FACILITATOR,
    address_reader,
    build_summary,
    md_escape,
    participant_reader,
    render_recap,
    to_markdown,
    to_pdf,
)

from .conftest import go, key

EVIL = (
    "Goed gedaan, **iedereen**!\n\n"
    "<script>alert('recap')</script>\n\n"
    "[klik](javascript:alert('x')) <img src=x onerror=alert(1)> "
    "[elan](https://www.elanplus.be)"
)


def base(session: LiveSession) -> str:
    return f"/o/{session.organisation.slug}/workshops/{session.public_id}/"


@pytest.fixture
def fac(facilitator_user) -> Client:
    client = Client()
    client.force_login(facilitator_user)
    return client


@pytest.fixture
def room(live, join, facilitator_user, tmp_path, settings):
    """Three participants: Ann (address, name not shown), Bob (address, name shown), Cas
    (no address, name not shown); a poll of 2 eens / 1 twijfel; one photo; an action point."""
    settings.MEDIA_ROOT = tmp_path
    live.planned_on = dt.date(2026, 12, 1)
    live.save(update_fields=["planned_on"])
    ann, ann_token, ann_client = join("Ann")
    bob, _t, _c = join("Bob")
    cas, _t, _c = join("Cas")
    poll = go(live, "statement_poll", actor=facilitator_user)
    for who, choice in ((ann, "eens"), (bob, "eens"), (cas, "twijfel")):
        services.cast_vote(live, participant=who, step_id=poll.id, choice=choice, key=key())
    go(live, "personal_action", actor=facilitator_user)
    actions = {
        "ann": ("Ann leest het aanbod", "ann@example.test", False),
        "bob": ("Bob vraagt een gesprek", "bob@example.test", True),
        "cas": ("Cas blijft anoniem", "", False),
    }
    for who, (text, email, show) in zip((ann, bob, cas), actions.values(), strict=True):
        services.submit_action(
            live, participant=who, text=text, email=email, show_name=show, key=key()
        )
    # The mini-vorming has no action-point step: the point is stored as the step would.
    ActionPoint.objects.create(
        session=live,
        step_id="-",
        key=key(),
        text="Budget bespreken",
        owner="HR",
        due_date=dt.date(2026, 12, 15),
    )
    from .test_summary import _image

    services.add_photo(
        live, upload=SimpleUploadedFile("flip.png", _image("PNG")), actor=facilitator_user
    )
    services.end_session(live, actor=facilitator_user)
    live.refresh_from_db()
    live.ann, live.bob, live.cas, live.ann_client = ann, bob, cas, ann_client
    live.ann_phone = Client()
    live.ann_phone.cookies[participant_cookie_name(live.code)] = ann_token
    return live


# --- 1. The facilitator's summary ------------------------------------------------------------


def test_recap_saved_from_the_page_opens_every_form_of_the_summary(
    room, fac, django_capture_on_commit_callbacks
):
    response = fac.post(base(room) + "summary/recap/", {"recap": "Goed **gedaan**, mini-vorming!"})
    assert response.status_code == 302
    assert response["Location"].endswith("summary/#recap")
    room.refresh_from_db()
    assert room.recap == "Goed **gedaan**, mini-vorming!"
    page = fac.get(base(room) + "summary/").content.decode()
    assert "Goed <strong>gedaan</strong>, mini-vorming!" in page
    assert page.index('id="recap"') < page.index("summary-step")
    assert "Goed **gedaan**, mini-vorming!</textarea>" in page  # the editor holds the source
    md = fac.get(base(room) + "summary.md").content.decode()
    assert "Goed **gedaan**, mini-vorming!" in md
    assert md.index("Goed **gedaan**") < md.index("## Personal actions")
    assert "mini-vorming!" in pdf_text(fac.get(base(room) + "summary.pdf").content)
    shared = Client().get(f"/s/{room.public_id}/").content.decode()
    assert "Goed <strong>gedaan</strong>, mini-vorming!" in shared
    assert "recap-editor" not in shared and "<textarea" not in shared
    phone = room.ann_client.get(f"/api/v1/sessions/{room.code}/summary").json()
    assert phone["recap"] == "Goed **gedaan**, mini-vorming!"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.email_summary(room, actor=None)
    assert all("Goed **gedaan**, mini-vorming!" in m.body for m in mail.outbox)
    assert all(
        "Goed <strong>gedaan</strong>, mini-vorming!" in m.alternatives[0][0] for m in mail.outbox
    )


def test_recap_never_brings_html_script_or_javascript_links(room, fac):
    assert fac.post(base(room) + "summary/recap/", {"recap": EVIL}).status_code == 302
    room.refresh_from_db()
    assert room.recap == EVIL  # stored as written; cleaned when shown
    for page in (
        fac.get(base(room) + "summary/").content.decode(),
        Client().get(f"/s/{room.public_id}/").content.decode(),
    ):
        recap = page[page.index('id="recap"') : page.index("</section>", page.index('id="recap"'))]
        assert "<script" not in recap and "alert('recap')" not in recap
        assert "javascript:" not in recap and "onerror" not in recap and "<img" not in recap
        assert '<a href="https://www.elanplus.be" rel="noopener noreferrer">elan</a>' in recap
        assert "<strong>iedereen</strong>" in recap
    html_out = str(render_recap(EVIL))
    assert "<script" not in html_out and "javascript:" not in html_out
    text = pdf_text(to_pdf(room, build_summary(room, reader=EVERYONE), base_url="http://t/"))
    assert "alert" not in text and "javascript" not in text
    md = fac.get(base(room) + "summary.md").content.decode()
    assert "<script" not in md and "<img" not in md and "&lt;script>" in md


def test_recap_headings_sit_below_the_summary_headings():
    out = str(render_recap("# Kop\n\n## Onder"))
    assert "<h3>Kop</h3>" in out and "<h4>Onder</h4>" in out
    assert "<h1" not in out and "<h2" not in out


def test_recap_preview_renders_without_saving(room, fac):
    url = base(room) + "summary/recap/preview/"
    response = fac.post(url, {"recap": "*Voorlopig*"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert body.strip().startswith('<div id="recap-preview"')
    assert "<em>Voorlopig</em>" in body and "<html" not in body
    room.refresh_from_db()
    assert room.recap == ""
    # Without JavaScript: the whole page, the text still in the box, nothing saved.
    page = fac.post(url, {"recap": "*Voorlopig*"}).content.decode()
    assert "<em>Voorlopig</em>" in page and "*Voorlopig*</textarea>" in page
    room.refresh_from_db()
    assert room.recap == ""
    bad = fac.post(url, {"recap": "a\x07b"}, headers={"HX-Request": "true"})
    assert bad.status_code == 200 and "control character" in bad.content.decode()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("bel\x07", "control character"),
        ("x" * (RECAP_MAX_LENGTH + 1), f"Use at most {RECAP_MAX_LENGTH} characters"),
        ("links\u202egevaarlijk", "writing direction"),
    ],
)
def test_recap_bad_input_is_refused_at_the_field(room, fac, text, message):
    room.recap = "ouder"
    room.save(update_fields=["recap"])
    response = fac.post(base(room) + "summary/recap/", {"recap": text})
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and 'aria-invalid="true"' in page and 'id="recap-error"' in page
    room.refresh_from_db()
    assert room.recap == "ouder"


def test_recap_through_the_api(room, fac):
    url = f"/api/v1/sessions/{room.code}/summary"
    response = fac.put(url, json.dumps({"recap": "  Via de **API**\r\n"}), "application/json")
    assert response.status_code == 200, response.content
    assert response.json()["recap"] == "Via de **API**"
    room.refresh_from_db()
    assert room.recap == "Via de **API**"
    response = fac.patch(url, json.dumps({"recap": ""}), "application/json")
    assert response.status_code == 200
    room.refresh_from_db()
    assert room.recap == ""
    lone = '{"recap": "half \\ud800 teken"}'
    response = fac.put(url, lone, "application/json")
    assert response.status_code == 400
    assert "cannot be stored" in response.json()["detail"]
    response = fac.put(url, json.dumps({"recap": 12}), "application/json")
    assert response.status_code == 400
    too_long = json.dumps({"recap": "x" * (RECAP_MAX_LENGTH + 1)})
    assert fac.put(url, too_long, "application/json").status_code == 400
    room.refresh_from_db()
    assert room.recap == ""


def test_only_the_facilitator_writes_the_recap(room, member_user, outsider_user):
    url = base(room) + "summary/recap/"
    assert Client().post(url, {"recap": "x"}).status_code == 404
    client = Client()
    client.force_login(outsider_user)
    assert client.post(url, {"recap": "x"}).status_code == 404
    assert client.post(url + "preview/", {"recap": "x"}).status_code == 404
    client.force_login(member_user)
    assert client.post(url, {"recap": "x"}).status_code == 403
    api = f"/api/v1/sessions/{room.code}/summary"
    # A participant's token is no facilitator's credential here.
    assert room.ann_client.put(api, '{"recap": "x"}', "application/json").status_code == 401
    room.refresh_from_db()
    assert room.recap == ""


# --- 2. One language per document, 4. dates and numbers in it --------------------------------

LABELS = {
    "en": [
        "## Personal actions",
        "## Action points",
        "## Time per phase",
        "| Phase | Planned | Real |",
        "## Photos",
        "3 participants",
        "owner:",
        "1 December 2026",
    ],
    "nl": [
        "## Persoonlijke acties",
        "## Actiepunten",
        "## Tijd per fase",
        "| Fase | Gepland | Werkelijk |",
        "## Foto's",
        "3 deelnemers",
        "verantwoordelijke:",
        "1 december 2026",
    ],
}


@pytest.mark.parametrize(("language", "other"), [("nl", "en"), ("en", "nl")])
def test_markdown_is_in_one_language(room, fac, language, other):
    room.recap = "Tekst"
    room.save(update_fields=["recap"])
    fac.cookies["lerend_language"] = language
    md = fac.get(base(room) + "summary.md").content.decode()
    for label in LABELS[language]:
        assert label in md, label
    for label in LABELS[other]:
        assert label not in md, label
    assert "## Summary" in md if language == "en" else "## Samenvatting" in md
    percent = {"nl": "66,7\u00a0%", "en": "66.7%"}
    assert f"Eens: 2 ({percent[language]})" in md
    assert percent[other] not in md
    assert "15 December 2026" in md if language == "en" else "15 december 2026" in md
    assert "2026-12" not in md and "2026\\-12" not in md


@pytest.mark.parametrize(("language", "other"), [("nl", "en"), ("en", "nl")])
def test_pdf_is_in_one_language(room, language, other):
    words = {
        "en": ["Personal actions", "Time per phase", "3 participants", "1 December 2026", "66.7%"],
        "nl": ["Persoonlijke acties", "Tijd per fase", "3 deelnemers", "1 december 2026", "66,7"],
    }
    with translation.override(language):
        text = pdf_text(to_pdf(room, build_summary(room), base_url="http://testserver/"))
    flat = " ".join(text.split())
    for word in words[language]:
        assert word in flat, word
    for word in words[other]:
        assert word not in flat, word


def test_the_session_date_is_the_planned_day_else_the_start(room):
    assert build_summary(room)["date"] == "2026-12-01"
    room.planned_on = None
    room.save(update_fields=["planned_on"])
    started = room.started_at.astimezone(dt.UTC).date()
    assert abs((dt.date.fromisoformat(build_summary(room)["date"]) - started).days) <= 1


def test_the_page_shows_dates_and_percentages_in_its_language(room, fac):
    fac.cookies["lerend_language"] = "nl"
    page = fac.get(base(room) + "summary/").content.decode()
    assert "1 december 2026" in page and "66,7\u00a0%" in page and "15 december 2026" in page
    assert "2026-12-01" not in page
    fac.cookies["lerend_language"] = "en"
    page = fac.get(base(room) + "summary/").content.decode()
    assert "1 December 2026" in page and "66.7%" in page


# --- 3. Markdown escaped only where Markdown needs it ----------------------------------------


@pytest.mark.parametrize(
    "text",
    ["mini-vorming", "2026-12-01", "Stap 1. begin", "a - b", "e-mail: x@y.be", "1+1", "81.8%"],
)
def test_plain_text_is_not_escaped(text):
    assert md_escape(text) == text


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("# kop", "\\# kop"),
        ("- lijst", "\\- lijst"),
        ("+ lijst", "\\+ lijst"),
        ("1. eerst", "1\\. eerst"),
        ("> citaat", "\\> citaat"),
        ("---", "\\---"),
        ("C#", "C\\#"),
        ("**vet** _schuin_ `code`", "\\*\\*vet\\*\\* \\_schuin\\_ \\`code\\`"),
        ("[a](b)", "\\[a\\](b)"),
        ("<b>x</b>", "&lt;b>x&lt;/b>"),
        ("a < b", "a < b"),
        ("&amp; & Co", "&amp;amp; & Co"),
        ("back\\slash", "back\\\\slash"),
    ],
)
def test_markup_is_escaped_where_it_would_start(text, escaped):
    assert md_escape(text) == escaped


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _rendered_text(source: str, **options) -> str:
    parser = _Text()
    parser.feed(markdown.markdown(source, **options))
    parser.close()
    return "".join(parser.parts).strip()


MARKUP = st.sampled_from(
    [*"#*_-+.>`[]()!<&;\\|=~:/@ 0123456789", "&amp;", "&#1;", "<b>", "http://x", "---", "1. "]
)
TEXTS = st.lists(
    st.one_of(MARKUP, st.characters(blacklist_categories=("Cc", "Cs"))), max_size=30
).map("".join)
CONTEXTS = ["{}", "- {}", "## {}", "> {}", "Label: {}"]


def _plain(text: str) -> str:
    return re.sub(r"[ \t\n\r\f\v]+", " ", text).strip()


@settings(max_examples=examples(600), suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXTS, context=st.sampled_from(CONTEXTS))
@example(text="--", context="- {}")  # a rule once in a list item
def test_escaped_text_renders_back_as_itself(text, context):
    """Wherever the summary puts a text (a paragraph, a list item, a heading, a quote, after
    a label), Markdown shows the text itself, nothing of it read as markup."""
    plain = _plain(text)
    source = context.format(md_escape(text))
    expected = context.replace("- ", "").replace("## ", "").replace("> ", "").format(plain)
    assert _rendered_text(source) == expected.strip()


@settings(max_examples=examples(300), suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXTS)
def test_escaped_text_in_a_table_cell_renders_back_as_itself(text):
    plain = _plain(text)
    source = f"| a | b |\n|---|---|\n| {md_escape(text, table=True)} | x |"
    rendered = markdown.markdown(source, extensions=["tables"])
    cell = re.search(r"<td>(.*?)</td>", rendered, re.S)
    assert cell is not None
    parser = _Text()
    parser.feed(cell.group(1))
    assert "".join(parser.parts).strip() == plain


# --- 5. Plurals ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "one", "two"),
    [
        ("en", "1 photo, see the summary page.", "2 photos, see the summary page."),
        ("nl", "1 foto, zie de samenvattingspagina.", "2 foto's, zie de samenvattingspagina."),
    ],
)
def test_photo_count_is_a_plural(room, facilitator_user, language, one, two):
    from .test_summary import _image

    with translation.override(language):
        assert one in to_markdown(build_summary(room))
        services.add_photo(
            room, upload=SimpleUploadedFile("b.png", _image("PNG")), actor=facilitator_user
        )
        assert two in to_markdown(build_summary(room))


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "The summary is being sent to 2 addresses."),
        ("nl", "De samenvatting wordt verstuurd naar 2 adressen."),
    ],
)
def test_mail_count_is_a_plural(room, fac, language, expected):
    fac.cookies["lerend_language"] = language
    response = fac.post(base(room) + "control/", {"action": "email"})
    assert [str(m) for m in get_messages(response.wsgi_request)] == [expected]


def test_one_address_is_singular(room, fac):
    from workshops.models import PersonalAction

    PersonalAction.objects.filter(session=room, email="bob@example.test").update(email="")
    fac.cookies["lerend_language"] = "nl"
    response = fac.post(base(room) + "control/", {"action": "email"})
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "De samenvatting wordt verstuurd naar 1 adres."
    ]


# --- 6. The time table is the facilitator's ----------------------------------------------------


def test_time_table_only_for_the_facilitator(room, fac, django_capture_on_commit_callbacks):
    assert "Time per phase" in fac.get(base(room) + "summary/").content.decode()
    assert "Time per phase" in fac.get(base(room) + "summary.md").content.decode()
    assert "Time per phase" in pdf_text(fac.get(base(room) + "summary.pdf").content)
    assert "phases" in build_summary(room, reader=FACILITATOR)
    for page in (
        room.ann_phone.get(f"/j/{room.code}/"),
        Client().get(f"/s/{room.public_id}/"),
    ):
        body = page.content.decode()
        assert page.status_code == 200 and "summary-step" in body
        assert "Time per phase" not in body and "summary-timing" not in body
    for pdf in (
        Client().get(f"/s/{room.public_id}/summary.pdf"),
        room.ann_client.get(f"/api/v1/sessions/{room.code}/summary.pdf"),
    ):
        assert pdf.status_code == 200 and "Time per phase" not in pdf_text(pdf.content)
    api = room.ann_client.get(f"/api/v1/sessions/{room.code}/summary").json()
    assert "phases" not in api
    md = room.ann_client.get(f"/api/v1/sessions/{room.code}/summary.md").content.decode()
    assert "Time per phase" not in md and "| Phase |" not in md
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.email_summary(room, actor=None)
    for message in mail.outbox:
        assert "Tijd per fase" not in message.body and "Voorbereiding" not in message.body


# --- 7. Personal actions per reader ------------------------------------------------------------


def _mails(room, capture) -> dict[str, str]:
    mail.outbox.clear()
    with capture(execute=True):
        assert services.email_summary(room, actor=None) == 2
    return {m.to[0]: str(m.body) for m in mail.outbox}


def test_each_mail_marks_its_own_action_and_shows_only_shared_ones(
    room, django_capture_on_commit_callbacks
):
    assert room.organisation.language == "nl"
    mails = _mails(room, django_capture_on_commit_callbacks)
    ann = mails["ann@example.test"]
    assert "Jouw actie: Ann leest het aanbod" in ann
    assert "Bob vraagt een gesprek (Bob)" in ann  # Bob showed his name: shared
    assert "Cas blijft anoniem" not in ann
    bob = mails["bob@example.test"]
    assert "Jouw actie: Bob vraagt een gesprek" in bob
    assert "Ann leest het aanbod" not in bob  # Ann did not share hers
    assert "Cas blijft anoniem" not in bob
    for body in mails.values():
        assert "1 december 2026" in body
        assert "Your action" not in body and "Personal actions" not in body
        assert "Budget bespreken (verantwoordelijke: HR; uiterste datum: 15 december 2026)" in body
    html_mail = next(m for m in mail.outbox if m.to == ["ann@example.test"]).alternatives[0][0]
    assert "<strong>Jouw actie:</strong> Ann leest het aanbod" in html_mail
    assert "Cas blijft anoniem" not in html_mail


def test_pages_show_others_actions_only_when_shared(room, fac):
    phone = room.ann_phone.get(f"/j/{room.code}/").content.decode()
    assert "Your action:</strong> Ann leest het aanbod" in phone
    assert "Bob vraagt een gesprek" in phone and "Cas blijft anoniem" not in phone
    shared = Client().get(f"/s/{room.public_id}/").content.decode()
    assert "Bob vraagt een gesprek" in shared
    assert "Ann leest het aanbod" not in shared and "Cas blijft anoniem" not in shared
    assert "Your action" not in shared
    facilitator = fac.get(base(room) + "summary/").content.decode()
    for text in ("Ann leest het aanbod", "Bob vraagt een gesprek", "Cas blijft anoniem"):
        assert text in facilitator
    assert "Your action" not in facilitator
    assert facilitator.count("not shared with the other participants") == 2


def test_reader_data_keeps_private_fields_out(room):
    ann = build_summary(room, reader=participant_reader(room.ann))
    assert [(a["text"], a["own"]) for a in ann["personal_actions"]] == [
        ("Ann leest het aanbod", True),
        ("Bob vraagt een gesprek", False),
    ]
    assert all(set(a) == {"text", "name", "own"} for a in ann["personal_actions"])
    by_address = build_summary(room, reader=address_reader(room, "BOB@example.test"))
    assert [a["text"] for a in by_address["personal_actions"] if a["own"]] == [
        "Bob vraagt een gesprek"
    ]
    assert "ann@example.test" not in json.dumps(build_summary(room, reader=EVERYONE))


def test_a_frozen_summary_keeps_the_rule(room):
    """After the retention period the frozen summary is shown with the same rule."""
    from datetime import timedelta

    services.purge_expired(room.ended_at + timedelta(days=room.retention_days + 1))
    room.refresh_from_db()
    public = build_summary(room, reader=EVERYONE)
    assert [a["text"] for a in public["personal_actions"]] == ["Bob vraagt een gesprek"]
    assert "phases" not in public
    assert len(build_summary(room)["personal_actions"]) == 3


def test_steps_with_nothing_to_show_are_left_out(room, fac):
    kinds = [step["kind"] for step in build_summary(room)["steps"]]
    assert kinds == ["statement_poll"]  # no notes, no group wrote a summary
    page = fac.get(base(room) + "summary/").content.decode()
    assert page.count('class="summary-step"') == 1


def test_no_address_no_mail_button(live, fac, facilitator_user):
    services.end_session(live, actor=facilitator_user)
    page = fac.get(base(live) + "summary/").content.decode()
    assert 'value="email"' not in page
    assert "No participant left an e-mail address" in page


def test_the_action_reminder_says_the_session_day_in_words(room):
    from workshops.models import PersonalAction
    from workshops.tasks import send_action_reminder

    action = PersonalAction.objects.get(session=room, email="ann@example.test")
    mail.outbox.clear()
    past = (room.ended_at - dt.timedelta(days=1)).isoformat()
    assert send_action_reminder.call(str(action.public_id), past) == "sent"
    assert "1 december 2026" in mail.outbox[0].body
    assert "2026-12-01" not in mail.outbox[0].body


def test_an_action_keeps_the_language_of_the_phone_that_wrote_it(live, join, facilitator_user):
    from django.conf import settings as django_settings

    from workshops.models import PersonalAction
    from workshops.views import participant_cookie_name

    go(live, "personal_action", actor=facilitator_user)
    ann, ann_token, _client = join("Ann")
    phone = Client()
    phone.cookies[participant_cookie_name(live.code)] = ann_token
    phone.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    saved = phone.post(
        f"/j/{live.code}/do/",
        {"what": "action", "key": key(), "text": "Ann leest", "email": "ann@example.test"},
    )
    assert saved.status_code == 302
    assert PersonalAction.objects.get(participant=ann).language == "en"
    _bob, _token, bob_api = join("Bob")
    answered = bob_api.post(
        f"/api/v1/sessions/{live.code}/actions",
        {"text": "Bob vraagt", "email": "bob@example.test", "key": key()},
        content_type="application/json",
        headers={"Accept-Language": "nl-BE"},
    )
    assert answered.status_code == 201, answered.content
    assert PersonalAction.objects.get(text="Bob vraagt").language == "nl"
    # Without a request (a script, the services directly) nothing is recorded.
    services.submit_action(live, participant=join("Cas")[0], text="Cas", key=key())
    assert PersonalAction.objects.get(text="Cas").language == ""


def test_each_mail_is_in_the_language_the_phone_was_in(room, django_capture_on_commit_callbacks):
    """Ann's phone was in English: her summary and her reminder come in English, Bob's
    (whose action has no language recorded) in the organisation's Dutch."""
    from workshops.models import PersonalAction
    from workshops.tasks import send_action_reminder

    PersonalAction.objects.filter(session=room, participant=room.ann).update(language="en")
    mails = _mails(room, django_capture_on_commit_callbacks)
    assert "Your action: Ann leest het aanbod" in mails["ann@example.test"]
    assert "1 December 2026" in mails["ann@example.test"]
    assert "Jouw actie: Bob vraagt een gesprek" in mails["bob@example.test"]

    ann = PersonalAction.objects.get(session=room, participant=room.ann, is_current=True)
    mail.outbox.clear()
    assert send_action_reminder.call(str(ann.public_id), "2000-01-01T00:00:00+00:00") == "sent"
    body = mail.outbox[0].body
    assert "Ann leest het aanbod" in body and "1 December 2026" in body
