"""The library's pages: who sees what, copy, edit, history, import and export."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from formats.loader import canonical_data
from formats.models import Format, FormatVersion
from formats.services import copy_format, export_yaml
from orgs.models import AuditEvent

MINI = "stimuleren-van-levenslang-leren"
QUICKSCAN = "quickscan-leervoorwaarden"


@pytest.fixture
def builtin(db) -> Format:
    return Format.objects.builtin().get(slug=MINI)


@pytest.fixture
def own(builtin, org, facilitator_user) -> Format:
    return copy_format(builtin, organisation=org, actor=facilitator_user)


@pytest.fixture
def foreign(builtin, other_org, outsider_user) -> Format:
    return copy_format(builtin, organisation=other_org, actor=outsider_user)


def url(name: str, fmt: Format | None = None, *extra, slug: str = "korenbloem") -> str:
    args = [slug] if fmt is None else [slug, str(fmt.public_id)]
    return reverse(name, args=[*args, *extra])


def login(client, user):
    client.force_login(user)
    return client


def versions(fmt: Format) -> list[int]:
    return list(fmt.versions.order_by("number").values_list("number", flat=True))


# --- Access matrix --------------------------------------------------------------------

READ_PAGES = ["format_detail", "format_history", "format_export", "format_worksheet_pdf"]


@pytest.mark.parametrize("role", ["admin_user", "facilitator_user", "member_user"])
def test_members_read_the_library_and_a_format(request, client, role, builtin):
    login(client, request.getfixturevalue(role))
    response = client.get(url("format_library"))
    assert response.status_code == 200
    body = response.content.decode()
    for title in (
        "Stimuleren van levenslang leren — mini-vorming",
        "Quickscan leervoorwaarden",
        "Al doende leren",
        "Een leven lang leren stimuleren: 11 tips",
        "Benieuwd naar de leercultuur in je organisatie?",
    ):
        assert title in body
    for name in READ_PAGES:
        assert client.get(url(name, builtin)).status_code == 200, name


def test_outsiders_get_404_and_logged_out_people_go_to_log_in(client, builtin, outsider_user):
    login(client, outsider_user)
    assert client.get(url("format_library")).status_code == 404
    for name in READ_PAGES:
        assert client.get(url(name, builtin)).status_code == 404
    client.logout()
    for name in ["format_library", *READ_PAGES]:
        target = url(name) if name == "format_library" else url(name, builtin)
        response = client.get(target)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


EDIT_PAGES = ["format_edit", "format_yaml"]
POSTS = ["format_copy", "format_edit", "format_edit_check", "format_yaml"]


def test_outsiders_and_logged_out_people_change_nothing(client, own, outsider_user):
    before = versions(own), Format.objects.count()
    login(client, outsider_user)
    for name in EDIT_PAGES:
        assert client.get(url(name, own)).status_code == 404, name
    for name in POSTS:
        assert client.post(url(name, own), {"op": "save"}).status_code == 404, name
    assert client.post(url("format_revert", own, 1)).status_code == 404
    assert client.get(url("format_import")).status_code == 404
    client.logout()
    for name in POSTS:
        response = client.post(url(name, own), {"op": "save"})
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("account_login"))
    assert client.post(url("format_import")).status_code == 302
    assert (versions(own), Format.objects.count()) == before


def test_another_organisations_format_is_404_even_for_a_member(client, foreign, admin_user):
    login(client, admin_user)
    for name in [*READ_PAGES, "format_edit", "format_yaml"]:
        assert client.get(url(name, foreign)).status_code == 404, name
    before = versions(foreign)
    assert client.post(url("format_copy", foreign)).status_code == 404
    assert client.post(url("format_revert", foreign, 1)).status_code == 404
    assert versions(foreign) == before
    assert Format.objects.filter(organisation__slug="korenbloem").count() == 0


def test_unknown_format_is_404(client, member_user, db):
    login(client, member_user)
    assert client.get(url("format_library") + "geen-werkvorm/").status_code == 404
    nobody = "00000000-0000-0000-0000-000000000000"
    assert client.get(url("format_library") + f"{nobody}/").status_code == 404


def test_a_format_is_found_by_slug_own_before_builtin(client, own, builtin, member_user):
    login(client, member_user)
    response = client.get(url("format_library") + f"{MINI}/")
    assert response.status_code == 200
    assert response.context["format"] == own
    response = client.get(url("format_library") + f"{QUICKSCAN}/")
    assert response.context["format"].is_builtin


# --- Library list ---------------------------------------------------------------------


def titles(response) -> list[str]:
    return [e.format.title for e in response.context["entries"]]


def test_filters_and_search(client, member_user, builtin):
    login(client, member_user)
    every = titles(client.get(url("format_library")))
    assert len(every) == Format.objects.builtin().count()

    managers = titles(client.get(url("format_library"), {"audience": "managers_hr"}))
    assert "Quickscan leervoorwaarden" in managers
    assert builtin.title not in managers

    world_cafe = titles(client.get(url("format_library"), {"kind": "rotation"}))
    assert world_cafe == [builtin.title]

    hour = titles(client.get(url("format_library"), {"duration": "hour"}))
    assert builtin.title in hour
    assert "Quickscan leervoorwaarden" in hour  # 30-35 overlaps 31-60
    short = titles(client.get(url("format_library"), {"duration": "short"}))
    assert "Quickscan leervoorwaarden" in short
    assert builtin.title not in short

    assert titles(client.get(url("format_library"), {"language": "en"})) == []
    assert len(titles(client.get(url("format_library"), {"language": "nl"}))) == len(every)

    # Search looks into the questions too, word by word, case-insensitively.
    found = titles(client.get(url("format_library"), {"q": "WORLDCAFÉ oefening"}))
    assert found == [builtin.title]
    found = titles(client.get(url("format_library"), {"q": "overgebleven budget"}))
    assert found == ["Quickscan leervoorwaarden"]
    assert titles(client.get(url("format_library"), {"q": "zzzz"})) == []


def test_unknown_filter_values_are_ignored(client, member_user, builtin):
    login(client, member_user)
    response = client.get(url("format_library"), {"audience": "robots", "kind": "<script>"})
    assert response.status_code == 200
    assert len(titles(response)) == Format.objects.builtin().count()


def test_own_filter_and_htmx_fragment(client, member_user, own):
    login(client, member_user)
    response = client.get(
        url("format_library"),
        {"origin": "own"},
        headers={"HX-Request": "true", "HX-Target": "format-results"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="format-results"')
    assert "<html" not in body
    assert body.count('class="format-item"') == 1
    assert own.title in body


# --- Detail page ----------------------------------------------------------------------


def test_detail_reads_like_the_script(client, member_user, builtin):
    login(client, member_user)
    body = client.get(url("format_detail", builtin)).content.decode()
    assert "Ik leer op het werk enkel door verplichte technische opleidingen te volgen" in body
    assert "Wat zijn de redenen waarom ik vandaag wel/niet leer?" in body
    assert "Verduidelijken" in body
    assert "The phases add up to 75 min, more than the declared maximum of 60 min." in body
    assert "the steps add up to 15 min, more than the phase&#x27;s 10 min." in body
    assert "minute 15 to 25" in body  # the warm-up on the timeline
    assert "Copy to my organisation" not in body  # a member does not copy
    assert url("format_cards_pdf", builtin) in body
    assert url("format_worksheet_pdf", builtin) in body


def test_a_facilitator_starts_a_live_session_from_the_detail_page(
    client, facilitator_user, builtin
):
    from workshops.models import LiveSession

    login(client, facilitator_user)
    body = client.get(url("format_detail", builtin)).content.decode()
    start = reverse("workshop_start", args=["korenbloem"])
    assert f'action="{start}"' in body
    assert f'value="{builtin.public_id}"' in body

    # The button asks for the title and date first (prefilled), then starts.
    form = client.get(start, {"format": str(builtin.public_id)}).content.decode()
    assert f'value="{builtin.title}"' in form
    assert LiveSession.objects.count() == 0
    response = client.post(
        start,
        {"format": str(builtin.public_id), "title": builtin.title, "planned_on": "2026-12-03"},
    )
    session = LiveSession.objects.get()
    assert session.organisation.slug == "korenbloem"
    assert response.status_code == 302
    assert str(session.public_id) in response.url


def test_a_member_is_not_offered_a_live_session(client, member_user, builtin):
    login(client, member_user)
    body = client.get(url("format_detail", builtin)).content.decode()
    assert reverse("workshop_start", args=["korenbloem"]) not in body


def test_markdown_is_rendered_and_html_in_it_is_not(client, own, facilitator_user):
    data = canonical_data(own.content)
    data["goal"] = "**Belangrijk** <script>alert(1)</script> [link](javascript:alert(2))"
    from formats.services import save_version

    save_version(own, data=data, actor=facilitator_user)
    login(client, facilitator_user)
    body = client.get(url("format_detail", own)).content.decode()
    assert "<strong>Belangrijk</strong>" in body
    assert "<script>alert(1)" not in body
    assert "javascript:" not in body


# --- Copy -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin_user", "facilitator_user"])
def test_editors_copy_a_builtin(request, client, role, builtin, org):
    user = request.getfixturevalue(role)
    login(client, user)
    response = client.post(url("format_copy", builtin))
    copy = Format.objects.get(organisation=org)
    assert response.status_code == 302
    assert response["Location"] == url("format_edit", copy)
    assert copy.based_on == builtin
    assert copy.content.phases == builtin.content.phases
    assert versions(copy) == [1]
    assert AuditEvent.objects.filter(organisation=org, action="format.copied").count() == 1


def test_members_cannot_copy_and_get_is_refused(
    client, builtin, org, member_user, facilitator_user
):
    login(client, member_user)
    assert client.post(url("format_copy", builtin)).status_code == 403
    login(client, facilitator_user)
    assert client.get(url("format_copy", builtin)).status_code == 405
    assert Format.objects.filter(organisation=org).count() == 0


# --- Editor ---------------------------------------------------------------------------


def editor_post(client, fmt: Format, **changes) -> dict:
    """The editor's form as the page renders it, with `changes` applied."""
    page = client.get(url("format_edit", fmt))
    assert page.status_code == 200
    data = {"draft": page.context["draft"], "base_version": page.context["base_version"]}
    from formats.editor import all_fields

    for f in all_fields(page.context["general"], page.context["phases"]):
        if f.widget == "checkbox":
            data[f"present:{f.name}"] = "1"
            if f.value:
                data[f.name] = "1"
        elif f.widget == "audiences":
            data[f"present:{f.name}"] = "1"
            data[f.name] = list(f.value)
        else:
            data[f.name] = f.display
    data.update(changes)
    return data


def test_edit_matrix(client, own, builtin, admin_user, facilitator_user, member_user):
    for user, status in ((admin_user, 200), (facilitator_user, 200), (member_user, 403)):
        login(client, user)
        assert client.get(url("format_edit", own)).status_code == status
        assert client.get(url("format_yaml", own)).status_code == status
    login(client, facilitator_user)
    assert client.get(url("format_edit", builtin)).status_code == 403
    assert client.post(url("format_yaml", builtin), {"text": "x", "op": "save"}).status_code == 403
    assert client.post(url("format_revert", builtin, 1)).status_code == 403
    login(client, member_user)
    before = versions(own)
    response = client.post(url("format_edit", own), {"op": "save", "title": "Van een lid"})
    assert response.status_code == 403
    assert versions(own) == before
    assert own.versions.filter(data__title="Van een lid").count() == 0


def test_shorten_the_mini_vorming_to_one_hour(client, own, facilitator_user):
    """The "done when": the warnings guide a facilitator to fit the hour."""
    login(client, facilitator_user)
    # The live check (htmx) while typing: the warm-up made 15 minutes says what is left.
    data = editor_post(client, own, **{"phases[1].duration": "15"})
    response = client.post(url("format_edit_check", own), data, headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="check-panel"')
    assert "The phases add up to 80 min, more than the declared maximum of 60 min." in body
    assert "the steps add up to 15 min, more than the phase" not in body
    # Each phase's own remarks are swapped in beside its fields.
    assert body.count('class="phase-timing" hx-swap-oob="true"') == 5
    first, second = body.split('id="phase-0-timing"')[1].split('id="phase-1-timing"')
    assert "the steps add up to 10 min, less than the phase" in first
    assert "<li" not in second.split('id="phase-2-timing"')[0]
    assert versions(own) == [1]  # checking stores nothing

    changes = {
        "phases[0].duration": "10",
        "phases[1].duration": "15",
        "phases[2].duration": "15",
        "phases[3].duration": "15",
        "phases[4].duration": "5",
        "phases[2].steps[0].duration": "3",
        "phases[3].steps[2].duration": "3",
        "phases[3].steps[1].duration": "5",
        "op": "save",
        "note": "Past in een uur",
    }
    response = client.post(url("format_edit", own), editor_post(client, own, **changes))
    assert response.status_code == 302
    own.refresh_from_db()
    assert versions(own) == [1, 2]
    assert own.current_version.note == "Past in een uur"
    content = own.content
    assert [p.duration.low for p in content.phases] == [10, 15, 15, 15, 5]
    messages = [w.message for w in own.timing_warnings() if w.severity == "warning"]
    assert not any("declared maximum" in m for m in messages)
    # What the form does not show is kept: the 5 V's card and the world café.
    assert content.phases[2].steps[1].entries[0].label == "Verduidelijken"
    assert content.phases[2].steps[2].moves == 3


def test_a_bad_value_saves_nothing_and_says_where(client, own, facilitator_user):
    login(client, facilitator_user)
    data = editor_post(
        client, own, **{"phases[0].duration": "een kwartier", "title": "", "op": "save"}
    )
    response = client.post(url("format_edit", own), data)
    assert response.status_code == 400
    assert versions(own) == [1]
    fields = {
        f.name: f
        for f in __import__("formats.editor", fromlist=["all_fields"]).all_fields(
            response.context["general"], response.context["phases"]
        )
    }
    assert fields["phases[0].duration"].problems == [
        "Expected minutes (15) or a range of minutes (30-35)."
    ]
    assert fields["title"].problems == ["This must not be empty."]
    body = response.content.decode()
    assert 'value="een kwartier"' in body  # what was typed stays
    # The summary at the top links to each field, in words, never by internal path.
    summary = body[body.index('id="problem-summary"') : body.index('class="phase-jump"')]
    assert '<a href="#f-phases-0-duration">Phase 1, Duration' in summary
    assert '<a href="#f-title">Title</a>: This must not be empty.' in summary
    assert "phases[" not in summary
    assert 'id="f-phases-0-duration-problems"' in body
    # The live check says the same while typing: the summary and the field's own message.
    response = client.post(url("format_edit_check", own), data, headers={"HX-Request": "true"})
    assert response.status_code == 200
    panel = response.content.decode()
    assert "2 problems to fix before saving" in panel
    assert "phases[0]" not in panel.replace('name="phases[0]', "")
    assert (
        '<div class="field-problems" id="f-phases-0-duration-problems" hx-swap-oob="true">'
        '<ul class="errorlist"><li>Expected minutes (15) or a range of minutes (30-35).</li>'
    ) in panel
    assert versions(own) == [1]


def test_a_duration_out_of_range_is_one_message_in_words(client, own, facilitator_user):
    login(client, facilitator_user)
    data = editor_post(client, own, **{"phases[1].steps[0].duration": "2000", "op": "check"})
    response = client.post(url("format_edit", own), data)
    fields = {
        f.name: f
        for f in __import__("formats.editor", fromlist=["all_fields"]).all_fields(
            response.context["general"], response.context["phases"]
        )
    }
    # The model reports duration.low and duration.high; the field shows one sentence.
    assert fields["phases[1].steps[0].duration"].problems == [
        "The duration must be between 0 and 1440 minutes."
    ]
    links = [str(p) for p in response.context["problem_links"]]
    assert links == [
        "Phase 2, step 1, Duration (minutes, or a range such as 30-35): "
        "The duration must be between 0 and 1440 minutes."
    ]
    response = client.post(url("format_edit", own), data, HTTP_ACCEPT_LANGUAGE="nl")
    body = response.content.decode()
    assert "De duur moet tussen 0 en 1440 minuten liggen." in body
    assert versions(own) == [1]


def test_structure_add_move_remove(client, own, facilitator_user):
    login(client, facilitator_user)
    draft = editor_post(client, own, op="add-phase")
    page = client.post(url("format_edit", own), draft)
    assert page.status_code == 200
    assert len(page.context["phases"]) == 6
    assert versions(own) == [1]

    def again(response, **changes):
        context = response.context
        data = {"draft": context["draft"], "base_version": context["base_version"]}
        data.update(changes)
        return client.post(url("format_edit", own), data)

    page = again(page, **{"op": "add-step:5", "new-kind-5": "board"})
    assert [s.kind for s in page.context["phases"][5].steps] == ["info", "board"]
    page = again(page, **{"op": "remove-step:5:0"})
    page = again(page, op="up-phase:5")
    assert [s.kind for s in page.context["phases"][4].steps] == ["board"]
    # The new phase is not finished: saving says what is missing and stores nothing.
    page = again(page, op="save")
    assert page.status_code == 400
    locations = {p.location for p in page.context["result"].problems}
    assert {"phases[4].title", "phases[4].steps[0].questions"} <= locations
    assert versions(own) == [1]
    page = again(
        page,
        **{
            "phases[4].title": "Extra",
            "phases[4].steps[0].questions": "Wat neem je mee?\nWat laat je liggen?",
            "op": "save",
        },
    )
    assert page.status_code == 302
    content = Format.objects.get(pk=own.pk).content
    assert [p.title for p in content.phases][3:] == ["Groepsgesprek", "Extra", "Afsluiter"]
    assert content.phases[4].steps[0].questions == ["Wat neem je mee?", "Wat laat je liggen?"]
    # Move a step down and remove a phase.
    page = client.post(url("format_edit", own), editor_post(client, own, op="down-step:0:0"))
    page = again(page, op="remove-phase:4")
    page = again(page, op="save")
    assert page.status_code == 302
    content = Format.objects.get(pk=own.pk).content
    assert [s.title for s in content.phases[0].steps] == ["Start het gesprek", "Afspraken"]
    assert "Extra" not in [p.title for p in content.phases]
    assert versions(own) == [1, 2, 3]


def test_discussion_items_are_edited_in_the_form(client, builtin, org, facilitator_user):
    quickscan = copy_format(
        Format.objects.builtin().get(slug=QUICKSCAN), organisation=org, actor=facilitator_user
    )
    login(client, facilitator_user)
    changes = {f"phases[1].steps[0].items[{i}].minutes": "5" for i in range(4)}
    data = editor_post(client, quickscan, **changes)
    response = client.post(url("format_edit_check", quickscan), data)
    assert "4 items of 6-7 min" not in response.content.decode()
    assert "items add up" not in response.content.decode()
    page = client.post(url("format_edit", quickscan), {**data, "op": "add-item:1:0"})
    assert len(page.context["phases"][1].steps[0].items) == 5
    page = client.post(
        url("format_edit", quickscan),
        {"draft": page.context["draft"], "base_version": 1, "op": "remove-item:1:0:4"},
    )
    assert len(page.context["phases"][1].steps[0].items) == 4


def test_a_tampered_draft_is_refused_and_changes_nothing(client, own, facilitator_user):
    login(client, facilitator_user)
    for draft in ("not json", "[]", '{"phases": "x"}', '{"phases": [{"steps": [{"kind": "x"}]}]}'):
        response = client.post(url("format_edit", own), {"draft": draft, "op": "save"})
        assert response.status_code == 302
        assert response["Location"] == url("format_edit", own)
    response = client.post(url("format_edit", own), editor_post(client, own, op="remove-step:9:9"))
    assert response.status_code == 302
    assert versions(own) == [1]


def test_saving_over_a_newer_version_is_refused(client, own, facilitator_user, admin_user):
    login(client, facilitator_user)
    data = editor_post(client, own, title="Mijn versie", op="save")
    login(client, admin_user)
    client.post(url("format_edit", own), editor_post(client, own, title="Andere", op="save"))
    login(client, facilitator_user)
    response = client.post(url("format_edit", own), data)
    assert response.status_code == 409
    assert Format.objects.get(pk=own.pk).title == "Andere"
    assert 'value="Mijn versie"' in response.content.decode()


# --- YAML editor, history, revert -----------------------------------------------------


def test_yaml_editor_saves_and_reports_lines(client, own, facilitator_user):
    login(client, facilitator_user)
    text = export_yaml(own).replace("duration: 15", "duration: kwartier", 1)
    response = client.post(url("format_yaml", own), {"text": text, "op": "save"})
    assert response.status_code == 400
    problems = [str(p) for p in response.context["result"].problems]
    assert len(problems) == 1
    assert problems[0].startswith("phases[0].duration (line ")
    assert versions(own) == [1]
    # htmx check: the panel only.
    response = client.post(url("format_yaml", own), {"text": text}, headers={"HX-Request": "true"})
    assert response.content.decode().lstrip().startswith('<div id="check-panel"')
    text = export_yaml(own).replace("title: Afsluiter", "title: Tot slot")
    response = client.post(url("format_yaml", own), {"text": text, "op": "save"})
    assert response.status_code == 302
    assert Format.objects.get(pk=own.pk).content.phases[4].title == "Tot slot"
    assert versions(own) == [1, 2]


def test_history_and_revert(client, own, facilitator_user, member_user):
    login(client, facilitator_user)
    client.post(url("format_edit", own), editor_post(client, own, title="Korter", op="save"))
    assert versions(own) == [1, 2]
    page = client.get(url("format_history", own))
    assert "Bring back version 1" in page.content.decode()
    login(client, member_user)
    assert "Bring back version 1" not in client.get(url("format_history", own)).content.decode()
    assert client.post(url("format_revert", own, 1)).status_code == 403
    login(client, facilitator_user)
    assert client.get(url("format_revert", own, 1)).status_code == 405
    response = client.post(url("format_revert", own, 99))
    assert response.status_code == 302
    assert versions(own) == [1, 2]
    response = client.post(url("format_revert", own, 1))
    assert response.status_code == 302
    own.refresh_from_db()
    assert versions(own) == [1, 2, 3]
    assert own.title == "Stimuleren van levenslang leren — mini-vorming (kopie)"
    assert own.current_version.data == FormatVersion.objects.get(format=own, number=1).data


# --- Import and export ----------------------------------------------------------------


def upload(text: str | bytes, name: str = "werkvorm.yaml") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode() if isinstance(text, str) else text)


def test_export_and_import_a_file(client, own, org, facilitator_user):
    login(client, facilitator_user)
    response = client.get(url("format_export", own))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/yaml")
    assert f'filename="{own.slug}.yaml"' in response["Content-Disposition"]
    text = response.content.decode()
    response = client.post(url("format_import"), {"file": upload(text)})
    assert response.status_code == 302
    imported = Format.objects.filter(organisation=org).exclude(pk=own.pk).get()
    assert imported.slug == f"{own.slug}-2"
    assert imported.content.phases == own.content.phases
    assert client.get(url("format_export", own) + "?version=7").status_code == 404
    assert client.get(url("format_export", own) + "?version=¹").status_code == 200  # ignored


BAD_FILES = [
    ("", "The file is empty."),
    ("title: [unclosed", "This is not valid YAML"),
    ("- just\n- a list\n", "Expected fields (name: value) at the top level"),
    (b"\xff\xfe\x00bad", "The file is not text in UTF-8."),
    (
        "slug: x\ntitle: X\nphases:\n  - title: A\n    duration: lang\n    steps:\n"
        "      - kind: dans\n",
        "phases[0].duration (line 5): Expected minutes",
    ),
]


@pytest.mark.parametrize(("text", "message"), BAD_FILES)
def test_bad_import_files_change_nothing(client, org, facilitator_user, text, message):
    login(client, facilitator_user)
    before = Format.objects.count(), FormatVersion.objects.count()
    response = client.post(url("format_import"), {"file": upload(text)})
    assert response.status_code == 400
    assert any(message in str(p) for p in response.context["problems"]), response.context[
        "problems"
    ]
    assert (Format.objects.count(), FormatVersion.objects.count()) == before


def test_a_bad_file_lists_every_problem(client, org, facilitator_user):
    login(client, facilitator_user)
    text = (
        "slug: x\ntitle: X\nphases:\n  - title: A\n    duration: lang\n    steps:\n"
        "      - kind: dans\n  - steps: []\n"
    )
    response = client.post(url("format_import"), {"file": upload(text)})
    problems = [str(p) for p in response.context["problems"]]
    assert len(problems) == 4
    assert any(p.startswith("phases[0].steps[0] (line 7): Unknown kind “dans”") for p in problems)
    assert any(p.startswith("phases[1].title") for p in problems)
    assert any(p.startswith("phases[1].steps") for p in problems)
    assert "problems" in response.content.decode()


def test_import_needs_an_editor(client, org, member_user):
    login(client, member_user)
    assert client.get(url("format_import")).status_code == 403
    assert client.post(url("format_import"), {"file": upload("slug: x")}).status_code == 403
    assert Format.objects.filter(organisation=org).count() == 0


def test_the_editor_inserts_an_action_review_step_first(client, builtin, org, facilitator_user):
    """Issue 11: a copy of the quickscan starts with the review of open agreements; the
    built-in format stays as it is."""
    quickscan = copy_format(
        Format.objects.builtin().get(slug=QUICKSCAN), organisation=org, actor=facilitator_user
    )
    login(client, facilitator_user)
    page = client.get(url("format_edit", quickscan))
    assert 'value="action_review"' in page.content.decode()
    data = {**editor_post(client, quickscan), "new-kind-0": "action_review", "op": "add-step:0"}
    page = client.post(url("format_edit", quickscan), data)
    last = len(page.context["phases"][0].steps) - 1
    for index in range(last, 0, -1):
        page = client.post(
            url("format_edit", quickscan),
            {"draft": page.context["draft"], "base_version": 1, "op": f"up-step:0:{index}"},
        )
    data = editor_post_from(page, **{"phases[0].steps[0].prompt": "Hoe ver staan we?"})
    response = client.post(url("format_edit", quickscan), {**data, "op": "save"})
    assert response.status_code == 302
    quickscan.refresh_from_db()
    assert quickscan.current_version is not None
    first = quickscan.current_version.content.phases[0].steps[0]
    assert first.kind == "action_review" and first.prompt == "Hoe ver staan we?"
    builtin_steps = Format.objects.builtin().get(slug=QUICKSCAN).current_version.content.phases
    assert all(s.kind != "action_review" for p in builtin_steps for s in p.steps)


def editor_post_from(page, **changes) -> dict:
    """The form of an editor page already rendered (a draft not saved yet)."""
    from formats.editor import all_fields

    data = {"draft": page.context["draft"], "base_version": page.context["base_version"]}
    for f in all_fields(page.context["general"], page.context["phases"]):
        if f.widget == "checkbox":
            data[f"present:{f.name}"] = "1"
            if f.value:
                data[f.name] = "1"
        elif f.widget == "audiences":
            data[f"present:{f.name}"] = "1"
            data[f.name] = list(f.value)
        else:
            data[f.name] = f.display
    data.update(changes)
    return data
