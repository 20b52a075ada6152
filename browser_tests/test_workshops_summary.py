"""The summary of an ended session on a phone (360 x 740): the facilitator writes their own
summary, previews it (htmx, the page stays where it is), saves it and reads it at the top;
a participant's phone shows it, marks their own action and never the time table."""

from __future__ import annotations

import pytest

from browser_tests.conftest import PHONE, check_accessible
from browser_tests.test_workshops_live import login_cookies, open_context
from conftest import make_user
from orgs.models import Membership, Organisation, Role
from workshops import services
from workshops.events import participant_cookie_name
from workshops.models import LiveSession
from workshops.tests.conftest import go, key, mini

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api").expect


def ended_session(facilitator) -> tuple[LiveSession, str]:
    organisation = Organisation.objects.create(name="Bakkerij De Korenbloem", slug="korenbloem")
    Membership.objects.create(user=facilitator, organisation=organisation, role=Role.FACILITATOR)
    session = services.start_session(organisation=organisation, fmt=mini(), actor=facilitator)
    ann, token = services.join_session(code=session.code, name="Ann")
    bob, _token = services.join_session(code=session.code, name="Bob")
    go(session, "personal_action", actor=facilitator)
    services.submit_action(session, participant=ann, text="Ik kies een opleiding", key=key())
    services.submit_action(
        session, participant=bob, text="Ik vraag een gesprek", show_name=True, key=key()
    )
    services.end_session(session, actor=facilitator)
    return session, token


def test_facilitator_writes_previews_and_saves_the_summary(browser, live_server, transactional_db):
    facilitator = make_user("fac@example.test")
    session, token = ended_session(facilitator)
    url = f"/o/korenbloem/workshops/{session.public_id}/summary/"
    context, page = open_context(
        browser, live_server, PHONE, login_cookies(facilitator, live_server)
    )
    phone_context = None
    try:
        page.goto(url)
        box = page.locator("#recap-text")
        expect(box).to_be_visible()  # no summary yet: the editor is open
        box.fill("Dank je, **iedereen**!\n\n- eerste punt\n- <script>alert(1)</script>")
        page.get_by_role("button", name="Voorbeeld").click()
        preview = page.locator("#recap-preview")
        expect(preview.locator("strong")).to_have_text("iedereen")
        expect(preview.locator("li")).to_have_count(2)
        assert page.url.endswith(url)  # htmx: no navigation, the text stays in the box
        assert "**iedereen**" in box.input_value()
        session.refresh_from_db()
        assert session.recap == ""
        check_accessible(page)

        page.get_by_role("button", name="Samenvatting opslaan").click()
        page.wait_for_url(f"**{url}#recap")
        session.refresh_from_db()
        assert session.recap.startswith("Dank je, **iedereen**!")
        recap = page.locator("#recap")
        expect(recap.locator("strong")).to_have_text("iedereen")
        expect(recap).not_to_contain_text("alert(1)")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        expect(page.locator(".summary-timing")).to_be_visible()
        check_accessible(page)
        assert page.errors == [], page.errors

        phone_context, phone = open_context(
            browser,
            live_server,
            PHONE,
            [
                {
                    "name": participant_cookie_name(session.code),
                    "value": token,
                    "url": live_server.url,
                }
            ],
        )
        phone.goto(f"/j/{session.code}/")
        expect(phone.locator("#recap strong")).to_have_text("iedereen")
        expect(phone.locator(".own-action")).to_contain_text("Jouw actie: Ik kies een opleiding")
        expect(phone.locator(".personal-actions")).to_contain_text("Ik vraag een gesprek (Bob)")
        expect(phone.locator(".summary-timing")).to_have_count(0)
        expect(phone.locator("#recap-text")).to_have_count(0)
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        check_accessible(phone)
        assert phone.errors == [], phone.errors
    finally:
        context.close()
        if phone_context is not None:
            phone_context.close()
