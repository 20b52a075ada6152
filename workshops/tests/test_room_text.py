"""The built-in formats' texts for the room (issue 12): a step's `participant_text` is
shown on the presenter screen and the phones, its `text` (the facilitator's script) only
on the console; the console previews the next step."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from formats.models import Format, FormatVersion
from formats.schema import Format as FormatSchema
from formats.services import load_builtins
from workshops import services

from .conftest import mini

CONCLUSION = "Door verschillende gesprekken hebben we meer inzicht gekregen"
AGREEMENTS = "Spreek met de groep een paar regels af"


def _ref(live, title: str):
    return next(ref for ref in live.steps() if ref.step.title == title)


def _screens(live, facilitator_user, phone) -> tuple[str, str, str]:
    client = Client()
    client.force_login(facilitator_user)
    slug, pid = live.organisation.slug, live.public_id
    present = client.get(reverse("workshop_present", args=[slug, pid])).content.decode()
    console = client.get(reverse("workshop_console", args=[slug, pid])).content.decode()
    return present, phone.get(f"/j/{live.code}/").content.decode(), console


def _phone(live) -> Client:
    phone = Client()
    assert phone.post(f"/j/{live.code}/", {"name": "Ann"}).status_code == 302
    return phone


def test_the_room_sees_an_info_steps_participant_text_and_not_the_script(live, facilitator_user):
    phone = _phone(live)
    conclusion = _ref(live, "Conclusie")
    assert conclusion.step.participant_text.startswith(CONCLUSION)
    assert conclusion.step.text == ""
    services.go_to_step(live, step_id=conclusion.id, actor=facilitator_user)
    present, on_phone, console = _screens(live, facilitator_user, phone)
    assert CONCLUSION in present
    assert CONCLUSION in on_phone
    assert CONCLUSION in console  # the facilitator sees what the room sees

    agreements = _ref(live, "Afspraken")
    assert agreements.step.participant_text == ""
    services.go_to_step(live, step_id=agreements.id, actor=facilitator_user)
    present, on_phone, console = _screens(live, facilitator_user, phone)
    assert AGREEMENTS in console
    assert AGREEMENTS not in present
    assert AGREEMENTS not in on_phone


def test_the_board_tells_the_phones_what_to_do_and_keeps_the_notes_for_the_facilitator(
    live, facilitator_user
):
    phone = _phone(live)
    ref = next(ref for ref in live.steps() if ref.kind == "board")
    assert ref.step.participant_text.startswith("Iedereen schrijft per post-it")
    services.go_to_step(live, step_id=ref.id, actor=facilitator_user)
    _present, on_phone, console = _screens(live, facilitator_user, phone)
    assert "Iedereen schrijft per post-it" in on_phone
    assert "Schrijf 1 vraag per flipchart" in console
    assert "Schrijf 1 vraag per flipchart" not in on_phone


def test_the_questionnaire_step_speaks_to_the_participants(db):
    fmt = Format.objects.get(slug="leercultuur-vragenlijst", is_builtin=True)
    (step,) = [s for _p, _i, s in fmt.current_version.content.steps()]
    assert step.participant_text.startswith("Vul dan deze korte vragenlijst in.")
    assert step.text == ""


def test_an_existing_install_picks_the_room_texts_up(db):
    """The loader compares content hashes: an install holding the earlier content (the
    room's text still in `text`) gets a new version with the room's text."""
    row = Format.objects.get(slug=mini().slug, is_builtin=True)
    current = row.current_version
    old = current.data
    for phase in old["phases"]:
        for step in phase["steps"]:
            if step.get("participant_text"):
                step["text"] = step.pop("participant_text")
    FormatVersion.objects.filter(pk=current.pk).update(data=old, content_hash="earlier")
    report = load_builtins()
    assert row.slug in report.updated
    row.refresh_from_db()
    assert row.current_version.number == current.number + 1
    content = FormatSchema.model_validate(row.current_version.data)
    texts = [s.participant_text for _p, _i, s in content.steps() if s.participant_text]
    assert any(t.startswith(CONCLUSION) for t in texts)


def test_an_info_step_needs_a_text_for_someone():
    base = {"schema_version": 1, "slug": "x", "title": "X", "language": "nl"}
    only_room = {
        **base,
        "phases": [{"title": "A", "steps": [{"kind": "info", "participant_text": "Welkom"}]}],
    }
    assert FormatSchema.model_validate(only_room).phases[0].steps[0].text == ""
    empty = {**base, "phases": [{"title": "A", "steps": [{"kind": "info"}]}]}
    with translation.override("en"), pytest.raises(ValueError, match="step needs a text"):
        FormatSchema.model_validate(empty)
    with translation.override("nl"), pytest.raises(ValueError, match="heeft een tekst nodig"):
        FormatSchema.model_validate(empty)


# --- The console's preview of the next step -----------------------------------------------


def _console(live, facilitator_user) -> str:
    client = Client()
    client.force_login(facilitator_user)
    url = reverse("workshop_console", args=[live.organisation.slug, live.public_id])
    return client.get(url).content.decode()


def _preview(html: str) -> str:
    start = html.index("data-next-step")
    return html[start : html.index("</section>", start)]


def test_the_console_previews_the_next_step(live, facilitator_user):
    first = live.steps()[0]
    preview = _preview(_console(live, facilitator_user))
    assert first.step.title in preview  # in the lobby: the first step
    assert "2 min" in preview
    assert AGREEMENTS not in preview  # the script of the next step is not previewed

    poll = live.steps()[1]
    services.go_to_step(live, step_id=first.id, actor=facilitator_user)
    preview = _preview(_console(live, facilitator_user))
    assert poll.step.title in preview
    assert poll.step.statement in preview  # what the room will read
    assert "8 min" in preview

    conclusion = _ref(live, "Conclusie")
    before = live.steps()[conclusion.index - 1]
    services.go_to_step(live, step_id=before.id, actor=facilitator_user)
    preview = _preview(_console(live, facilitator_user))
    assert "Conclusie" in preview and CONCLUSION in preview
    assert "Groepsgesprek" in preview  # a new phase begins


def test_on_the_last_step_the_console_says_the_end_comes_next(live, facilitator_user):
    last = live.steps()[-1]
    services.go_to_step(live, step_id=last.id, actor=facilitator_user)
    html = _console(live, facilitator_user)
    preview = _preview(html)
    assert "Ending the session" in preview
    # The live fragment carries the preview too (the morph updates it).
    client = Client()
    client.force_login(facilitator_user)
    url = reverse("workshop_console", args=[live.organisation.slug, live.public_id])
    fragment = client.get(url + "?fragment=1").content.decode()
    assert "data-next-step" in fragment and "Ending the session" in fragment


def test_the_presenter_and_phones_never_show_the_preview(live, facilitator_user):
    phone = _phone(live)
    present, on_phone, _console_html = _screens(live, facilitator_user, phone)
    assert "data-next-step" not in present
    assert "data-next-step" not in on_phone
