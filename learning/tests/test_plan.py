"""The training plan: check list, legal timeline, reminders (exactly once), versions with
their differences, the PDF and DOCX read back, and its API."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from core.testing import pdf_text
from learning import documents, plan, reminders, services
from learning.models import PlanReminder, PlanVersion, TrainingPlan
from orgs.models import AuditEvent

from .conftest import call

COMPLETE = {
    "intro": "Ons plan voor 2027.",
    "training_right": "Elke medewerker krijgt vijf dagen.",
    "risk_groups": "Collega's van 50+ krijgen voorrang op digitale vaardigheden.",
    "gender": "We kijken of mannen en vrouwen evenveel opleiding krijgen.",
}


@pytest.fixture
def draft(org, admin_user):
    return services.create_plan(org, 2027, actor=admin_user)


def test_a_new_plan_lists_what_is_missing(draft, item):
    missing = plan.missing_parts(draft)
    assert len(missing) == 3  # the item has a target group; three texts are missing
    assert any("training right" in m for m in missing)
    assert any("50+" in m for m in missing)
    assert any("gender" in m for m in missing)
    assert plan.is_draft(draft)


def test_a_plan_without_items_or_target_groups_says_so(org, admin_user):
    p = services.create_plan(org, 2027, actor=admin_user)
    assert "No formal or informal trainings planned for the year." in plan.missing_parts(p)
    services.save_offer_item(org, {"title": "Meter/peter", "kind": "informal"}, actor=admin_user)
    assert any("without a target group: Meter/peter" in m for m in plan.missing_parts(p))


def test_one_plan_per_year(draft, org, admin_user):
    from core.errors import DomainError

    with pytest.raises(DomainError) as error:
        services.create_plan(org, 2027, actor=admin_user)
    assert error.value.status == 409
    assert TrainingPlan.objects.count() == 1


def test_legal_timeline_with_and_without_a_works_council(draft, admin_user):
    steps = {m.step: m for m in plan.timeline(draft)}
    assert steps["advice"].due == date(2027, 3, 15)
    assert steps["in_force"].due == date(2027, 3, 31)
    assert steps["submit"].due == date(2027, 2, 28)  # 15 days before the 15 March meeting
    updated = services.update_plan(draft, {"meeting_date": date(2027, 3, 10)}, actor=admin_user)
    assert {m.step: m for m in plan.timeline(updated)}["submit"].due == date(2027, 2, 23)
    employees = services.update_plan(updated, {"consultation": "employees"}, actor=admin_user)
    steps = {m.step: m for m in plan.timeline(employees)}
    assert "advice" not in steps and steps["submit"].due == date(2027, 3, 15)


def test_leap_year_submission_date(org, admin_user):
    p = services.create_plan(org, 2028, actor=admin_user)
    assert {m.step: m for m in plan.timeline(p)}["submit"].due == date(2028, 2, 29)


def test_versions_keep_the_differences(draft, admin_user):
    services.update_plan(draft, {"texts": {"intro": "Eerste zin."}}, actor=admin_user)
    same = services.update_plan(draft, {"texts": {"intro": "Eerste zin."}}, actor=admin_user)
    assert same.version == 2  # nothing changed: no new version
    services.update_plan(
        draft,
        {"texts": {"intro": "Eerste zin.\nTweede zin."}, "status": "submitted"},
        actor=admin_user,
    )
    versions = list(PlanVersion.objects.filter(plan=draft))
    assert [v.number for v in versions] == [3, 2, 1]
    changes = plan.differences(versions[1].snapshot, versions[0].snapshot)
    parts = {c.part: c.lines for c in changes}
    assert parts["Introduction and aims"] == ["+Tweede zin."]
    assert parts["status"] == ["- draft", "+ submitted"]
    assert AuditEvent.objects.filter(action="learning.plan_changed").count() == 2


def test_bad_plan_input(draft, admin_user):
    from core.errors import DomainError

    for data in (
        {"texts": {"onbekend": "x"}},
        {"texts": {"intro": "x\x00"}},
        {"period_start": date(2027, 5, 1), "period_end": date(2027, 1, 1)},
        {"status": "weg"},
    ):
        with pytest.raises(DomainError):
            services.update_plan(draft, data, actor=admin_user)
    draft.refresh_from_db()
    assert draft.version == 1 and draft.texts == {}


def test_agreements_are_empty_without_the_actions_app(draft):
    from django.apps import apps

    if apps.is_installed("actions"):
        pytest.skip("the actions app is installed")
    assert plan.agreements_by_theme(draft.organisation, 2027) == {}


# --- Reminders ---------------------------------------------------------------------------------


@pytest.fixture
def tick(django_capture_on_commit_callbacks):
    def run() -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return reminders.run_tick()

    return run


def test_reminders_go_once_to_the_admins(draft, admin_user, facilitator_user, tick):
    with time_machine.travel(datetime(2027, 1, 1, 9, tzinfo=UTC), tick=False):
        assert tick() == 0
    with time_machine.travel(datetime(2027, 2, 8, 9, tzinfo=UTC), tick=False):
        assert tick() == 1  # the draft (14 Feb) is due within a week
        assert [m.to for m in mail.outbox] == [[admin_user.email]]
        assert tick() == 0
    with time_machine.travel(datetime(2027, 2, 22, 9, tzinfo=UTC), tick=False):
        assert tick() == 1  # submission by 28 February
        services.update_plan(draft, {"submitted_on": date(2027, 2, 22)}, actor=admin_user)
    with time_machine.travel(datetime(2027, 3, 9, 9, tzinfo=UTC), tick=False):
        assert tick() == 1  # the advice by 15 March
    with time_machine.travel(datetime(2027, 3, 25, 9, tzinfo=UTC), tick=False):
        sent = tick()  # in force and informed by 31 March
        assert sent == 2
        assert tick() == 0
    steps = sorted(PlanReminder.objects.values_list("step", flat=True))
    assert steps == ["advice", "draft", "in_force", "inform", "submit"]
    assert len(mail.outbox) == 5
    assert "2027" in mail.outbox[0].subject


def test_a_reminder_is_recorded_before_it_is_queued(draft, admin_user, monkeypatch, tick):
    from learning import tasks

    seen = []

    def enqueue(plan_id, step):
        seen.append(PlanReminder.objects.filter(plan__public_id=plan_id, step=step).exists())

    class FakeTask:
        pass

    fake = FakeTask()
    fake.enqueue = enqueue  # type: ignore[attr-defined]
    monkeypatch.setattr(tasks, "send_plan_reminder", fake)
    with time_machine.travel(datetime(2027, 2, 8, 9, tzinfo=UTC), tick=False):
        assert tick() == 1
    assert seen == [True]


def test_no_reminder_for_a_done_step_or_a_plan_in_force(draft, admin_user, tick):
    services.update_plan(
        draft,
        {
            "texts": COMPLETE,
            "status": "in_force",
            "in_force_on": date(2027, 3, 1),
            "informed_on": date(2027, 3, 2),
        },
        actor=admin_user,
    )
    with time_machine.travel(datetime(2027, 3, 25, 9, tzinfo=UTC), tick=False):
        assert tick() == 0
    assert mail.outbox == []


def test_the_command(draft, capsys):
    with time_machine.travel(datetime(2027, 2, 8, 9, tzinfo=UTC), tick=False):
        call_command("learning_remind")
        call_command("learning_remind")
    assert capsys.readouterr().out.split() == ["1", "0"]


# --- Documents ---------------------------------------------------------------------------------


def test_pdf_in_dutch_with_sections_sources_and_draft_watermark(draft, item):
    text = pdf_text(documents.pdf_bytes(draft, "nl"))
    assert "HACCP opfrissing" in text
    for expected in ("CONCEPT", "Bronnen", "arbeidsdeal", "Risicogroepen", "Genderdimensie"):
        assert expected.casefold() in text.casefold(), expected


def test_complete_plan_has_no_watermark(draft, item, admin_user):
    services.update_plan(draft, {"texts": COMPLETE, "status": "submitted"}, actor=admin_user)
    draft.refresh_from_db()
    text = pdf_text(documents.pdf_bytes(draft, "en"))
    assert "DRAFT" not in text and "Missing parts" not in text
    assert "Annex: sources of the legal requirements" in text
    assert "Collega's van 50+" in text


def test_docx_reads_back_with_its_sections(draft, item, admin_user):
    from docx import Document

    services.update_plan(draft, {"texts": {"gender": "Gelijke kansen."}}, actor=admin_user)
    draft.refresh_from_db()
    doc = Document(io.BytesIO(documents.docx_bytes(draft, "en")))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    for title in plan.SECTION_TITLES.values():
        assert str(title) in headings
    assert "Annex: sources of the legal requirements" in headings
    assert "DRAFT" in doc.sections[0].header.paragraphs[0].text
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "Gelijke kansen." in body and "sociare.be" in body
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "HACCP opfrissing" in cells and "Bakkers" in cells


def test_plan_pages_and_downloads(admin_client, draft, item):
    base = f"/o/korenbloem/learning/plans/{draft.public_id}/"
    page = admin_client.get(base)
    assert page.status_code == 200 and "Check list" in page.content.decode()
    response = admin_client.post(base, {"form": "texts", **COMPLETE})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.texts["gender"] == COMPLETE["gender"] and draft.version == 2
    pdf = admin_client.get(base + "plan.pdf?lang=nl")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert "opleidingsplan-2027.pdf" in pdf["Content-Disposition"]
    docx = admin_client.get(base + "plan.docx?lang=en")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    assert admin_client.get(base + "versions/").status_code == 200
    bad = admin_client.post(
        base,
        {
            "form": "status",
            "status": "draft",
            "consultation": "works_council",
            "period_start": "2027-05-01",
            "period_end": "2027-01-01",
        },
    )
    assert bad.status_code == 400
    draft.refresh_from_db()
    assert draft.period_start == date(2027, 1, 1)


def test_plan_of_another_organisation_is_404(client, outsider_user, draft):
    client.force_login(outsider_user)
    for path in ("", "plan.pdf", "plan.docx", "versions/"):
        assert client.get(f"/o/peeters/learning/plans/{draft.public_id}/{path}").status_code == 404
        assert (
            client.get(f"/o/korenbloem/learning/plans/{draft.public_id}/{path}").status_code == 404
        )
    assert (
        call(client, "get", f"/organisations/peeters/learning/plans/{draft.public_id}").status_code
        == 404
    )


def test_plan_api(admin_client, org, item):
    base = "/organisations/korenbloem/learning/plans"
    created = call(admin_client, "post", base, {"year": 2027})
    assert created.status_code == 201
    body = created.json()
    assert body["draft"] is True and len(body["missing"]) == 3
    assert [m["step"] for m in body["timeline"]] == [
        "draft",
        "submit",
        "advice",
        "in_force",
        "inform",
    ]
    assert call(admin_client, "post", base, {"year": 2027}).status_code == 409
    assert call(admin_client, "post", base, {"year": 1999}).status_code == 422
    plan_id = body["id"]
    patched = call(
        admin_client,
        "patch",
        f"{base}/{plan_id}",
        {"texts": COMPLETE, "advice": "positive", "advice_on": "2027-03-10", "status": "advised"},
    )
    assert patched.status_code == 200 and patched.json()["missing"] == []
    assert (
        call(admin_client, "patch", f"{base}/{plan_id}", {"texts": {"x": "y"}}).status_code == 400
    )
    versions = call(admin_client, "get", f"{base}/{plan_id}/versions").json()
    assert versions[0]["number"] == 2 and versions[0]["changes"]
    pdf = call(admin_client, "get", f"{base}/{plan_id}/document?format=pdf&lang=en")
    assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"
    docx = call(admin_client, "get", f"{base}/{plan_id}/document?format=docx")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    assert call(admin_client, "get", f"{base}/{plan_id}/document?format=odt").status_code == 422


def test_agreements_by_theme_groups_the_actions_register_in_theme_order(draft, monkeypatch):
    """Against the actions contract, with a stand-in for the app being built in parallel."""
    import sys
    import types
    from enum import StrEnum

    from django.apps import apps

    class Theme(StrEnum):
        BUDGET = "budget"
        TIME = "time"
        SECURING = "securing"
        ROUTE = "route"
        OTHER = "other"

    Theme.values = [t.value for t in Theme]  # type: ignore[attr-defined]

    class Action:
        def __init__(self, text, theme):
            self.text, self.theme = text, theme

    found = [Action("Bloktijden plannen", "time"), Action("Restbudget overdragen", "budget")]
    found.append(Action("Leerroute op intranet", "route"))
    found.append(Action("Tweede budgetafspraak", "budget"))

    class Query(list):
        def filter(self, *args, **kwargs):
            return self

        def order_by(self, *args):
            return self

    class Manager:
        def agreements(self):
            return Query(found)

    Action.objects = Manager()  # type: ignore[attr-defined]
    module = types.ModuleType("actions.models")
    module.Action, module.Theme = Action, Theme  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "actions", types.ModuleType("actions"))
    monkeypatch.setitem(sys.modules, "actions.models", module)
    real = apps.is_installed
    monkeypatch.setattr(apps, "is_installed", lambda name: name == "actions" or real(name))
    grouped = plan.agreements_by_theme(draft.organisation, 2027)
    assert list(grouped) == ["budget", "time", "route"]
    assert [a.text for a in grouped["budget"]] == ["Restbudget overdragen", "Tweede budgetafspraak"]


def test_pages_are_dutch_by_default(client, org, item, admin_user, settings):
    settings.LANGUAGE_CODE = "nl"
    public = client.get("/leren/korenbloem/").content.decode()
    assert "Wat je kunt leren" in public and "Formeel" in public
    client.force_login(admin_user)
    page = client.get("/o/korenbloem/learning/offer/new/").content.decode()
    assert "Doelgroep" in page and "Aanspreekpunt" in page
