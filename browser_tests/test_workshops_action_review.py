"""Issue 11, live: a facilitator runs the quickscan (seed 004) with two phones and records
three agreements with owners and dates; in a new session, with a copy of the quickscan that
starts with an `action_review` step, the open agreements are shown and marking one done
updates the register of actions."""

from __future__ import annotations

import re

import pytest

from actions.models import Action, ActionEvent, Kind, Source
from browser_tests.test_workshops_live import (
    PHONE,
    PROJECTOR,
    check_accessible,
    control,
    expect,
    fits,
    login_cookies,
    open_context,
)
from conftest import make_user
from formats.models import Format
from orgs.models import Membership, Organisation, Role
from workshops.models import LiveSession
from workshops.tests.test_action_review import quickscan_with_review

pytestmark = pytest.mark.browser

AGREEMENTS = [
    ("Opleidingsbudget per team afspreken", "olivia@korenbloem.test", "2027-03-01", "2027-06-01"),
    ("Leertijd inplannen in de roosters", "Directie", "2027-04-01", "2027-07-01"),
    ("Een meter kiezen voor nieuwe collega's", "HR", "2027-05-01", "2027-08-01"),
]


def start(console, fmt) -> LiveSession:
    console.goto("/o/korenbloem/workshops/")
    console.locator("select[name=format]").select_option(str(fmt.public_id))
    console.locator("form.start-form button[type=submit]").click()
    # The start form asks for the title and date (prefilled); start as they are.
    console.wait_for_url(re.compile(r"/workshops/start/"))
    console.locator("form.start-form button[type=submit]").click()
    console.wait_for_url(re.compile(r"/o/korenbloem/workshops/[0-9a-f-]{36}/$"))
    return LiveSession.objects.order_by("-created_at")[0]


def join(browser, live_server, code):
    ctx, phone = open_context(browser, live_server, PHONE)
    phone.goto("/j/")
    phone.locator("#join-code").fill(code.lower())
    phone.locator("form.join-form button[type=submit]").click()
    phone.locator("form.join-form button[type=submit]").click()
    expect(phone.locator("h1")).to_be_visible()
    return ctx, phone


def test_quickscan_agreements_reviewed_in_the_next_session(browser, live_server, transactional_db):
    org = Organisation.objects.create(name="Bakkerij De Korenbloem", slug="korenbloem")
    fien = make_user("fien@korenbloem.test")
    olivia = make_user("olivia@korenbloem.test")
    Membership.objects.create(user=fien, organisation=org, role=Role.FACILITATOR)
    Membership.objects.create(user=olivia, organisation=org, role=Role.MEMBER)
    from formats.services import load_builtins

    load_builtins()
    quickscan = Format.objects.get(slug="quickscan-leervoorwaarden", is_builtin=True)
    contexts = []
    try:
        ctx, console = open_context(
            browser, live_server, PROJECTOR, login_cookies(fien, live_server)
        )
        contexts.append(ctx)
        first = start(console, quickscan)
        phones = []
        for _n in range(2):
            ctx, phone = join(browser, live_server, first.code)
            contexts.append(ctx)
            phones.append(phone)
        steps = [ref.kind for ref in first.steps()]
        for _n in range(steps.index("action_points") + 1):
            control(console, "next")
        expect(phones[0].locator("h1")).to_be_visible()
        for text, owner, due, evaluation in AGREEMENTS:
            console.locator("#ap-text").fill(text)
            console.locator("#ap-owner").fill(owner)
            console.locator("#ap-due").fill(due)
            console.locator("#ap-eval").fill(evaluation)
            console.locator("form:has(#ap-text) button[type=submit]").click()
            console.wait_for_load_state()
            expect(console.get_by_text(text)).to_be_visible()
        # Ending asks for confirmation first (issue 12).
        console.locator("[data-end-confirm] > summary").click()
        control(console, "end")
        registered = Action.objects.filter(session=first, kind=Kind.AGREEMENT)
        assert registered.count() == 3
        assert {a.source for a in registered} == {Source.SESSION}
        assert registered.get(text=AGREEMENTS[0][0]).owner == olivia
        assert str(registered.get(text=AGREEMENTS[1][0]).due_date) == "2027-04-01"

        copy = quickscan_with_review(org, fien)
        second = start(console, copy)
        ctx, phone = join(browser, live_server, second.code)
        contexts.append(ctx)
        control(console, "next")
        console.locator("#rv-session").select_option(str(first.public_id))
        console.locator("form:has(#rv-session) button[type=submit]").click()
        console.wait_for_load_state()
        for text, *_rest in AGREEMENTS:
            expect(console.locator(".action-review").get_by_text(text)).to_be_visible()
        target = registered.get(text=AGREEMENTS[1][0])
        item = console.locator(f"#review-{target.public_id}")
        item.locator("select[name=status]").select_option("done")
        item.locator("textarea[name=note]").fill("Staat in alle roosters")
        item.locator("button[type=submit]").click()
        console.wait_for_load_state()
        expect(console.locator(f"#review-{target.public_id}")).to_contain_text(
            "Staat in alle roosters"
        )
        target.refresh_from_db()
        assert target.status == "done"
        event = ActionEvent.objects.get(action=target, session=second)
        assert event.new_status == "done" and event.note == "Staat in alle roosters"
        assert Action.objects.filter(session=first).exclude(status="done").count() == 2
        check_accessible(phone)
        assert fits(phone, 360)
        check_accessible(console)
    finally:
        for ctx in contexts:
            ctx.close()
