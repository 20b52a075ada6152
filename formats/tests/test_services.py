"""Loading the built-ins, copying, versions, reverting, importing and exporting."""

from __future__ import annotations

import pytest
import yaml
from django.utils import translation

from core.errors import DomainError
from formats import loader
from formats.models import Format, FormatVersion
from formats.services import (
    FormatInvalid,
    copy_format,
    create_format,
    export_yaml,
    import_yaml,
    load_builtins,
    revert_to,
    save_version,
)
from orgs.models import AuditEvent

MINI = "stimuleren-van-levenslang-leren"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def builtin(db) -> Format:
    return Format.objects.builtin().get(slug=MINI)


@pytest.fixture
def own(builtin, org, facilitator_user) -> Format:
    return copy_format(builtin, organisation=org, actor=facilitator_user)


def snapshot() -> list[tuple]:
    rows = FormatVersion.objects.values_list("format__slug", "format__organisation_id", "number")
    versions = sorted((slug, org or 0, number) for slug, org, number in rows)
    return [*versions, ("formats", Format.objects.count(), 0)]


# --- Built-ins ------------------------------------------------------------------------


def test_loading_twice_changes_nothing(db):
    before = snapshot()
    assert len(before) - 1 == len(loader.builtin_formats())  # loaded by the data migration
    for _ in range(2):
        report = load_builtins()
        assert report.created == report.updated == []
        assert len(report.unchanged) == len(loader.builtin_formats())
    assert snapshot() == before
    assert Format.objects.builtin().count() == len(loader.builtin_formats())


def test_loading_into_an_empty_database_creates_version_1(db):
    Format.objects.all().delete()
    report = load_builtins()
    assert sorted(report.created) == sorted(f.slug for _p, f in loader.builtin_formats())
    assert {v.number for v in FormatVersion.objects.all()} == {1}
    assert str(report) == "built-in formats: 10 created, 0 updated, 0 unchanged"


def test_a_changed_file_makes_a_new_version_once(db, monkeypatch):
    files = list(loader.builtin_formats())
    path, fmt = files[0]
    changed = fmt.model_copy(update={"summary": "Nieuwe samenvatting"})
    monkeypatch.setattr(loader, "builtin_formats", lambda: [(path, changed), *files[1:]])

    report = load_builtins()
    assert report.updated == [fmt.slug]
    row = Format.objects.get(slug=fmt.slug, organisation=None)
    assert row.current_version.number == 2
    assert row.content.summary == "Nieuwe samenvatting"
    assert row.versions.get(number=1).content == fmt

    assert load_builtins().updated == []
    assert row.versions.count() == 2


def test_builtins_are_read_only(builtin, admin_user):
    with pytest.raises(DomainError) as caught:
        save_version(builtin, data=builtin.current_version.data, actor=admin_user)
    assert caught.value.code == "builtin_read_only"
    with pytest.raises(DomainError):
        revert_to(builtin, version_number=1, actor=admin_user)
    assert builtin.versions.count() == 1


# --- Copy -----------------------------------------------------------------------------


def test_copy_of_a_builtin(builtin, org, facilitator_user):
    copy = copy_format(builtin, organisation=org, actor=facilitator_user)
    assert (copy.organisation, copy.slug, copy.is_builtin) == (org, MINI, False)
    assert copy.based_on == builtin
    assert copy.created_by == facilitator_user
    version = copy.current_version
    assert version.number == 1
    assert version.data == {**builtin.current_version.data, "title": f"{builtin.title} (kopie)"}
    assert version.created_by == facilitator_user
    assert version.note == "Copy of “Stimuleren van levenslang leren — mini-vorming”, version 1"
    assert AuditEvent.objects.filter(organisation=org, action="format.copied").count() == 1

    second = copy_format(builtin, organisation=org, actor=facilitator_user)
    assert second.slug == f"{MINI}-2"
    assert second.content.slug == f"{MINI}-2"


def test_copy_of_an_own_format(own, org, facilitator_user):
    copy = copy_format(own, organisation=org, actor=facilitator_user)
    assert (copy.based_on, copy.slug) == (own, f"{MINI}-2")


def test_members_and_outsiders_cannot_copy(builtin, org, member_user, outsider_user):
    for user in (member_user, outsider_user):
        with pytest.raises(DomainError) as caught:
            copy_format(builtin, organisation=org, actor=user)
        assert caught.value.status == 403
    assert not Format.objects.of(org).exists()


def test_another_organisations_format_cannot_be_copied(own, other_org, outsider_user):
    with pytest.raises(DomainError) as caught:
        copy_format(own, organisation=other_org, actor=outsider_user)
    assert caught.value.status == 404
    assert not Format.objects.of(other_org).exists()


# --- Versions -------------------------------------------------------------------------


def edited(fmt: Format, **changes) -> dict:
    assert fmt.current_version is not None
    data = dict(fmt.current_version.data)
    data.update(changes)
    return data


def test_save_a_new_version(own, facilitator_user):
    version = save_version(
        own, data=edited(own, title="Onze mini-vorming"), actor=facilitator_user, note="Titel"
    )
    assert version.number == 2
    own.refresh_from_db()
    assert own.current_version == version
    assert own.title == "Onze mini-vorming"
    assert (version.note, version.created_by) == ("Titel", facilitator_user)
    assert own.versions.get(number=1).content.title.startswith("Stimuleren")


def test_saving_the_same_content_makes_no_version(own, facilitator_user):
    version = save_version(own, data=own.current_version.data, actor=facilitator_user)
    assert version.number == 1
    assert own.versions.count() == 1


def test_invalid_content_gives_one_message_per_problem_and_changes_nothing(own, admin_user):
    data = edited(own, title="", duration="lang")
    data["phases"] = [dict(data["phases"][0], steps=[{"kind": "poll"}])]
    with pytest.raises(FormatInvalid) as caught:
        save_version(own, data=data, actor=admin_user)
    assert caught.value.messages == [
        "title: This must not be empty.",
        "duration: Expected minutes (15) or a range of minutes (30-35).",
        "phases[0].steps[0]: Unknown kind “poll”; known kinds: 'info', 'statement_poll', "
        "'board', 'groups', 'rotation', 'discussion', 'experiment', 'personal_action', "
        "'action_points', 'photo', 'questionnaire', 'checklist', 'card', 'action_review'.",
    ]
    assert caught.value.message == "\n".join(caught.value.messages)
    assert own.versions.count() == 1


def test_unknown_questionnaire_is_a_problem(own, admin_user):
    data = edited(own)
    step = {"kind": "questionnaire", "questionnaire": "bestaat-niet"}
    data["phases"] = [dict(data["phases"][0], steps=[step])]
    with pytest.raises(FormatInvalid) as caught:
        save_version(own, data=data, actor=admin_user)
    assert caught.value.messages == [
        "phases[0].steps[0].questionnaire: There is no questionnaire “bestaat-niet”."
    ]
    step["questionnaire"] = "leercultuur"
    assert save_version(own, data=data, actor=admin_user).number == 2


def test_rename_to_a_free_slug_only(own, builtin, org, facilitator_user):
    other = copy_format(builtin, organisation=org, actor=facilitator_user)
    with pytest.raises(FormatInvalid) as caught:
        save_version(own, data=edited(own, slug=other.slug), actor=facilitator_user)
    assert caught.value.problems[0].location == "slug"
    save_version(own, data=edited(own, slug="onze-vorming"), actor=facilitator_user)
    own.refresh_from_db()
    assert own.slug == "onze-vorming"


def test_members_cannot_save(own, member_user):
    with pytest.raises(DomainError) as caught:
        save_version(own, data=edited(own, title="Niet van mij"), actor=member_user)
    assert caught.value.status == 403
    assert own.versions.count() == 1


def test_revert_makes_a_new_version_with_the_old_content(own, facilitator_user):
    save_version(own, data=edited(own, title="Twee"), actor=facilitator_user)
    save_version(own, data=edited(own, title="Drie", slug="drie"), actor=facilitator_user)
    own.refresh_from_db()

    version = revert_to(own, version_number=1, actor=facilitator_user)
    assert version.number == 4
    assert version.note == "Reverted to version 1"
    own.refresh_from_db()
    assert own.title == own.versions.get(number=1).content.title
    assert own.slug == "drie"  # the name of the format stays
    assert version.content == own.versions.get(number=1).content.model_copy(update={"slug": "drie"})
    assert own.versions.count() == 4

    with pytest.raises(DomainError) as caught:
        revert_to(own, version_number=9, actor=facilitator_user)
    assert caught.value.status == 404


# --- Import and export ----------------------------------------------------------------


def test_export_import_round_trip(own, org, facilitator_user):
    text = export_yaml(own)
    assert text.startswith("schema_version: 1\nslug: stimuleren-van-levenslang-leren\n")
    assert "Ik leer op het werk enkel door verplichte technische opleidingen te volgen" in text

    imported = import_yaml(text, organisation=org, actor=facilitator_user)
    assert imported.slug == f"{MINI}-2"
    assert imported.content == own.content.model_copy(update={"slug": f"{MINI}-2"})
    assert imported.current_version.note == "Imported from a file"
    assert export_yaml(imported) == text.replace(f"slug: {MINI}\n", f"slug: {MINI}-2\n", 1)


def test_every_builtin_exports_and_imports_unchanged(db, org, facilitator_user):
    for fmt in Format.objects.builtin():
        text = export_yaml(fmt)
        copy = import_yaml(text, organisation=org, actor=facilitator_user)
        assert copy.content == fmt.content.model_copy(update={"slug": copy.slug})


def test_import_into_an_existing_format_makes_a_version(own, org, facilitator_user):
    data = yaml.safe_load(export_yaml(own))
    data["title"] = "Aangepast offline"
    import_yaml(
        yaml.safe_dump(data, allow_unicode=True), organisation=org, actor=facilitator_user, into=own
    )
    own.refresh_from_db()
    assert (own.current_version.number, own.title) == (2, "Aangepast offline")


def test_export_of_an_older_version(own, facilitator_user):
    save_version(own, data=edited(own, title="Twee"), actor=facilitator_user)
    assert "title: Twee" not in export_yaml(own, version_number=1)
    assert "title: Twee" in export_yaml(own)


BAD_FILES = [
    "title: [niet afgesloten\n",
    "schema_version: 1\nslug: x\ntitle: X\nphases:\n  - title: A\n    steps:\n      - kind: dans\n",
    # no title
    "schema_version: 1\nslug: x\nphases:\n  - title: A\n    steps:\n      - kind: info\n"
    "        text: T\n",
    "schema_version: 1\nslug: x\ntitle: X\nphases: geen lijst\n",
    "- gewoon\n- een lijst\n",
    "",
]


@pytest.mark.parametrize("text", BAD_FILES)
def test_bad_files_change_nothing(text, own, org, facilitator_user):
    before = snapshot()
    audit = AuditEvent.objects.count()
    with pytest.raises(FormatInvalid) as caught:
        import_yaml(text, organisation=org, actor=facilitator_user)
    assert caught.value.problems
    assert all(message for message in caught.value.messages)
    with pytest.raises(FormatInvalid):
        import_yaml(text, organisation=org, actor=facilitator_user, into=own)
    assert snapshot() == before
    assert AuditEvent.objects.count() == audit


def test_import_needs_an_editor(org, member_user, builtin):
    with pytest.raises(DomainError) as caught:
        import_yaml(export_yaml(builtin), organisation=org, actor=member_user)
    assert caught.value.status == 403


def test_create_format_from_data(org, admin_user):
    data = {
        "slug": "nieuw",
        "title": "Nieuw",
        "phases": [{"title": "Start", "steps": [{"kind": "info", "text": "Welkom"}]}],
    }
    fmt = create_format(organisation=org, data=data, actor=admin_user)
    assert (fmt.slug, fmt.current_version.number, fmt.is_builtin) == ("nieuw", 1, False)
    assert Format.objects.visible_to(org).filter(pk=fmt.pk).exists()
    assert fmt.timing_warnings() == []


def test_a_copy_is_titled_as_a_copy_and_never_twice_the_same(builtin, org, facilitator_user):
    first = copy_format(builtin, organisation=org, actor=facilitator_user)
    second = copy_format(builtin, organisation=org, actor=facilitator_user)
    assert first.title == f"{builtin.title} (kopie)"  # the format's own language (Dutch)
    assert second.title == f"{builtin.title} (kopie 2)"
    assert first.content.title == first.title
    assert second.current_version.content.title == second.title
    titles = list(Format.objects.visible_to(org).values_list("title", flat=True))
    assert len(titles) == len(set(titles))
