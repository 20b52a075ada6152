"""Starting, previewing and deleting a session on the console (issue 12), as a facilitator
clicks and types through it: the start form asks for the title and date, the console shows
the next step and follows the session live, a waiting session is deleted with the keyboard
after a confirmation. At 1280 x 720 and 360 x 740, with axe-core.

With LEREND_SCREENSHOTS set to a folder each screen is written there.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings

from browser_tests.conftest import check_accessible
from browser_tests.test_workshops_live import login_cookies, open_context
from conftest import make_user
from orgs.models import Membership, Organisation, Role
from workshops import services
from workshops.models import LiveSession, Participant
from workshops.tests.conftest import mini

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api").expect

LAPTOP = {"width": 1280, "height": 720}
PHONE = {"width": 360, "height": 740}


def _shot(page, name: str) -> None:
    shots = os.environ.get("LEREND_SCREENSHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(shots) / f"{name}.png"), full_page=False)


def _wait_for(check, what: str) -> None:
    for _ in range(150):
        if check():
            return
        time.sleep(0.1)
    pytest.fail(f"never happened: {what}")


def _setup(live_server, language: str = "nl"):
    organisation = Organisation.objects.create(name="Bakkerij De Korenbloem", slug="korenbloem")
    fien = make_user("fien@korenbloem.test")
    Membership.objects.create(user=fien, organisation=organisation, role=Role.FACILITATOR)
    cookies = login_cookies(fien, live_server)
    cookie = django_settings.LANGUAGE_COOKIE_NAME
    cookies.append({"name": cookie, "value": language, "url": live_server.url})
    return organisation, fien, cookies


@pytest.mark.parametrize("language", ["nl", "en"])
def test_start_with_a_title_and_date_then_follow_the_next_step(
    browser, live_server, transactional_db, language
):
    _organisation, fien, cookies = _setup(live_server, language)
    fmt = mini()
    context, page = open_context(browser, live_server, LAPTOP, cookies)
    try:
        page.goto("/o/korenbloem/workshops/")
        page.locator("#start-format").select_option(str(fmt.public_id))
        with page.expect_navigation():
            page.locator("form.start-form button[type=submit]").click()
        # The form asks for the title (the format's) and the date (today, in Brussels).
        title = page.locator("input[name=title]")
        expect(title).to_have_value(fmt.title)
        today = dt.datetime.now(ZoneInfo("Europe/Brussels")).date()
        expect(page.locator("input[name=planned_on][type=date]")).to_have_value(today.isoformat())
        assert LiveSession.objects.count() == 0
        check_accessible(page)
        _shot(page, f"console-start-{language}-1280")
        title.fill("Ochtendploeg")
        page.locator("input[name=planned_on]").fill("2026-12-24")
        with page.expect_navigation():
            page.locator("input[name=planned_on]").press("Enter")
        session = LiveSession.objects.get()
        assert (session.title, session.planned_on) == ("Ochtendploeg", dt.date(2026, 12, 24))
        expect(page.locator(".console-head h1")).to_have_text("Ochtendploeg")
        expect(page.locator(".console-head time")).to_have_attribute("datetime", "2026-12-24")

        # The preview names the first step; it follows the session live (the morph).
        steps = session.steps()
        preview = page.locator("[data-next-step]")
        expect(preview).to_contain_text(steps[0].step.title)
        check_accessible(page)
        _shot(page, f"console-lobby-{language}-1280")
        services.next_step(session, actor=fien)  # the clicker, from another window
        expect(preview).to_contain_text(steps[1].step.title, timeout=15_000)
        expect(preview).to_contain_text(steps[1].step.statement)
        # Typing is kept while the preview changes again.
        page.locator("#timer-minutes").fill("7")
        page.locator("#timer-minutes").focus()
        session.refresh_from_db()
        services.next_step(session, actor=fien)
        expect(preview).to_contain_text(steps[2].step.title, timeout=15_000)
        expect(page.locator("#timer-minutes")).to_have_value("7")
        assert page.evaluate("document.activeElement.id") == "timer-minutes"
        _shot(page, f"console-step-{language}-1280")

        # On the last step the preview says that the end comes next.
        session.refresh_from_db()
        services.go_to_step(session, step_id=steps[-1].id, actor=fien)
        expect(preview).to_contain_text(
            "sessie beëindigen" if language == "nl" else "Ending the session", timeout=15_000
        )
        check_accessible(page)
        assert page.errors == []
    finally:
        context.close()

    context, phone = open_context(browser, live_server, PHONE, cookies)
    try:
        phone.goto(f"/o/korenbloem/workshops/{session.public_id}/")
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        expect(phone.locator("[data-next-step]")).to_be_visible()
        check_accessible(phone)
        _shot(phone, f"console-last-step-{language}-360")
        assert phone.errors == []
    finally:
        context.close()


def test_a_waiting_session_is_deleted_with_the_keyboard(browser, live_server, transactional_db):
    organisation, fien, cookies = _setup(live_server)
    first = services.start_session(organisation=organisation, fmt=mini(), actor=fien)
    second = services.start_session(organisation=organisation, fmt=mini(), actor=fien)
    running = services.start_session(organisation=organisation, fmt=mini(), actor=fien)
    services.next_step(running, actor=fien)
    for session in (first, second):
        services.join_session(code=session.code, name="Ann")

    context, page = open_context(browser, live_server, PHONE, cookies)
    try:
        # From the list: Delete, then the page that asks, then yes.
        page.goto("/o/korenbloem/workshops/")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        check_accessible(page)
        _shot(page, "console-list-360")
        buttons = page.locator("form[action$='/delete/'] button")
        assert buttons.count() == 2  # the running session offers no delete
        page.locator(f"form[action$='{first.public_id}/delete/'] button").focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert LiveSession.objects.filter(pk=first.pk).exists()  # asked, not yet deleted
        check_accessible(page)
        _shot(page, "console-delete-confirm-360")
        page.locator("button.danger").focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        _wait_for(lambda: not LiveSession.objects.filter(pk=first.pk).exists(), "deleted")
        assert Participant.objects.filter(session_id=first.pk).count() == 0
        expect(page.locator("h1")).to_contain_text("Livesessies")

        # From the console: the disclosure opens with the keyboard, then yes.
        page.goto(f"/o/korenbloem/workshops/{second.public_id}/")
        summary = page.locator("#delete-session summary")
        summary.focus()
        page.keyboard.press("Enter")
        expect(page.locator("#delete-session button.danger")).to_be_visible()
        check_accessible(page)
        _shot(page, "console-delete-360")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.classList.contains('danger')")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        _wait_for(lambda: not LiveSession.objects.filter(pk=second.pk).exists(), "deleted")
        assert LiveSession.objects.filter(pk=running.pk).exists()

        # A running session's console offers no delete.
        page.goto(f"/o/korenbloem/workshops/{running.public_id}/")
        assert page.locator("#delete-session").count() == 0
        assert page.errors == []
    finally:
        context.close()
