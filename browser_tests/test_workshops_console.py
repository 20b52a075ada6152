"""The facilitator's console during the mini-vorming (issue 12): a live update never touches
what the facilitator is typing, the keyboard (and a clicker) moves through the steps, and
ending asks for confirmation and can be undone; axe-core in Dutch and English."""

from __future__ import annotations

import re
import time
import uuid

import pytest
from django.conf import settings as django_settings

from browser_tests.conftest import check_accessible
from browser_tests.test_workshops_live import login_cookies, open_context
from conftest import make_user
from orgs.models import Membership, Organisation, Role
from workshops import services
from workshops.models import LiveSession, Status
from workshops.tests.conftest import mini

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api").expect

LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}


def _wait_for(check, what: str) -> None:
    """Poll the database until the browser's action has arrived (no timing asserted)."""
    for _ in range(150):
        if check():
            return
        time.sleep(0.1)
    pytest.fail(f"never happened: {what}")


def _setup(live_server, language: str):
    organisation = Organisation.objects.create(name="Bakkerij De Korenbloem", slug="korenbloem")
    fien = make_user("fien@korenbloem.test")
    Membership.objects.create(user=fien, organisation=organisation, role=Role.FACILITATOR)
    session = services.start_session(organisation=organisation, fmt=mini(), actor=fien)
    cookies = login_cookies(fien, live_server)
    cookie = django_settings.LANGUAGE_COOKIE_NAME
    cookies.append({"name": cookie, "value": language, "url": live_server.url})
    return fien, session, cookies


@pytest.mark.parametrize("language", ["nl", "en"])
def test_console_keeps_typing_moves_by_keyboard_and_ends_with_an_undo(
    browser, live_server, transactional_db, language
):
    fien, session, cookies = _setup(live_server, language)
    people = [services.join_session(code=session.code, name=n)[0] for n in ("Ann", "Bram")]
    context, console = open_context(browser, live_server, LAPTOP, cookies)
    try:
        console.goto(f"/o/korenbloem/workshops/{session.public_id}/")
        check_accessible(console)
        # The keys are listed on the page.
        expect(console.locator(".shortcuts")).to_contain_text("PageDown")

        # The keyboard (and a clicker's PageDown) starts and advances the session.
        console.locator("body").press("PageDown")
        _wait_for(
            lambda: LiveSession.objects.get(pk=session.pk).current_step == 0, "PageDown: start"
        )
        console.wait_for_load_state()
        console.locator("h2#current-heading").wait_for()
        console.keyboard.press("ArrowRight")
        _wait_for(
            lambda: LiveSession.objects.get(pk=session.pk).current_step == 1, "ArrowRight: next"
        )
        console.wait_for_load_state()
        console.locator("h2#current-heading").wait_for()
        console.keyboard.press("ArrowLeft")
        _wait_for(
            lambda: LiveSession.objects.get(pk=session.pk).current_step == 0, "ArrowLeft: back"
        )
        console.wait_for_load_state()
        # "Back" on the first step is disabled and looks it.
        back = console.locator("button[data-key-back]")
        expect(back).to_be_disabled()
        assert float(back.evaluate("b => getComputedStyle(b).opacity")) < 0.6

        # A live update while the facilitator types the timer's minutes keeps both.
        board = next(ref for ref in session.steps() if ref.kind == "board")
        services.go_to_step(session, step_id=board.id, actor=fien)
        console.reload()

        # A phone: axe-clean, and an update keeps what its participant is typing.
        phone_ctx, phone = open_context(browser, live_server, PHONE, [cookies[-1]])
        phone.goto(f"/j/{session.code}/")
        phone.locator("#join-name").fill("Chloé")
        phone.locator("form.join-form button[type=submit]").click()
        draft = phone.locator("textarea#note-0")
        draft.click()
        draft.type("Mijn eerste gedachte")
        check_accessible(phone)
        services.start_timer(session, seconds=300, actor=fien)
        expect(phone.locator("[data-timer-text]").first).to_have_text(re.compile(r"^[45]:\d\d$"))
        assert draft.input_value() == "Mijn eerste gedachte"
        assert phone.evaluate("document.activeElement.tagName") == "TEXTAREA"
        assert phone.errors == []
        phone_ctx.close()
        field = console.locator("#timer-minutes")
        field.click()
        field.type("7")
        services.add_note(
            session,
            participant=people[0],
            step_id=board.id,
            question=0,
            text="Tijd om bij te leren",
            key=str(uuid.uuid4()),
        )
        expect(console.locator("[data-live-body]")).to_contain_text("Tijd om bij te leren")
        assert field.input_value() == "7"
        assert console.evaluate("document.activeElement.id") == "timer-minutes"
        # Typing in a field never moves the session.
        field.press("ArrowRight")
        assert LiveSession.objects.get(pk=session.pk).current_step == board.index

        # Ending asks first: the button opens a confirmation, nothing ends yet.
        console.locator("body").click(position={"x": 5, "y": 5})
        console.locator("[data-end-confirm] > summary").click()
        assert LiveSession.objects.get(pk=session.pk).status == Status.RUNNING
        check_accessible(console)
        console.locator("[data-end-confirm] button[value=end]").click()
        console.wait_for_url(re.compile(r"/summary/$"))
        assert LiveSession.objects.get(pk=session.pk).status == Status.ENDED
        check_accessible(console)
        # ... and can be undone within a minute: the session runs again where it was.
        console.locator("button[value=reopen]").click()
        console.wait_for_url(re.compile(r"/workshops/[0-9a-f-]{36}/$"))
        again = LiveSession.objects.get(pk=session.pk)
        assert again.status == Status.RUNNING
        assert again.current_step == board.index
        assert console.errors == []
    finally:
        context.close()
