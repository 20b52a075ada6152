"""The whole mini-vorming (seed 000) run live: a facilitator console, a presenter screen and
three participant phones, each in its own browser context, from joining to the summary.

The test server here is Django's threaded live server, not the ASGI application, so the
event stream is the API's fallback (the stored events since Last-Event-ID, then EventSource
reconnects two seconds later): the screens follow along without any reload, a little
slower than with the realtime endpoint in front.
"""

from __future__ import annotations

import io
import re

import pytest
from django.conf import settings as django_settings
from django.test import Client

from browser_tests.conftest import CHROMIUM_ARGS, check_accessible  # noqa: F401
from conftest import make_user
from orgs.models import Membership, Organisation, Role
from workshops.models import LiveSession, Note, PersonalAction, Vote
from workshops.tests.conftest import mini

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api").expect

PHONE = {"width": 360, "height": 740}
PROJECTOR = {"width": 1280, "height": 800}
WAIT_MS = 15_000
# Live updates travel through the event fallback and a page refresh; on a loaded 2-core
# machine that can take longer than the 5 s that `expect` waits by default.
expect.set_options(timeout=WAIT_MS)


def open_context(browser, live_server, viewport, cookies=None):
    context = browser.new_context(
        base_url=live_server.url,
        viewport=viewport,
        locale="nl-BE",
        timezone_id="Europe/Brussels",
        service_workers="block",
    )
    context.set_default_timeout(WAIT_MS)
    if cookies:
        context.add_cookies(cookies)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(f"page error: {error}"))
    page.on(
        "console",
        lambda message: (
            page.errors.append(f"console: {message.text}")
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    return context, page


def login_cookies(user, live_server):
    client = Client()
    client.force_login(user)
    value = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    return [{"name": django_settings.SESSION_COOKIE_NAME, "value": value, "url": live_server.url}]


def fits(page, width: int) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= width


def png_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def control(console, action: str) -> None:
    console.locator(f"button[name=action][value={action}]").first.click()
    console.wait_for_load_state()


def test_mini_vorming_live_from_joining_to_summary(browser, live_server, transactional_db):
    organisation = Organisation.objects.create(name="Bakkerij De Korenbloem", slug="korenbloem")
    fien = make_user("fien@korenbloem.test")
    Membership.objects.create(user=fien, organisation=organisation, role=Role.FACILITATOR)
    fmt = mini()
    contexts = []
    try:
        ctx, console = open_context(
            browser, live_server, PROJECTOR, login_cookies(fien, live_server)
        )
        contexts.append(ctx)
        console.goto("/o/korenbloem/workshops/")
        console.locator("select[name=format]").select_option(str(fmt.public_id))
        console.locator("form.start-form button[type=submit]").click()
        # The start form asks for the title and date (prefilled); start as they are.
        console.wait_for_url(re.compile(r"/workshops/start/"))
        console.locator("form.start-form button[type=submit]").click()
        console.wait_for_url(re.compile(r"/o/korenbloem/workshops/[0-9a-f-]{36}/$"))
        session = LiveSession.objects.get()
        code = session.code
        expect(console.locator("[data-code-shown]")).to_have_text(code)

        ctx, presenter = open_context(
            browser, live_server, PROJECTOR, login_cookies(fien, live_server)
        )
        contexts.append(ctx)
        presenter.goto(f"/o/korenbloem/workshops/{session.public_id}/present/")
        expect(presenter.locator(".lobby [data-code-shown]")).to_have_text(code)
        expect(presenter.locator("img.qr")).to_be_visible()
        check_accessible(presenter)

        phones = []
        for name in ("Ann", "", ""):
            ctx, phone = open_context(browser, live_server, PHONE)
            contexts.append(ctx)
            phone.goto("/j/")
            phone.locator("#join-code").fill(code.lower())
            phone.locator("form.join-form button[type=submit]").click()
            phone.locator("#join-name").fill(name)
            phone.locator("form.join-form button[type=submit]").click()
            expect(phone.locator("h1")).to_be_visible()
            phones.append(phone)
        expect(phones[1].locator(".live-meta")).to_contain_text("2")
        check_accessible(phones[0])
        assert fits(phones[0], 360)
        expect(presenter.locator(".lobby .count")).to_contain_text("3")

        # Voorbereiding: afspraken, then the statement poll.
        control(console, "next")
        expect(phones[0].locator("h1")).to_have_text("Afspraken")
        control(console, "next")
        for phone, choice in zip(phones, ("eens", "oneens", "eens"), strict=True):
            phone.locator(f"button[name=choice][value={choice}]").click()
        expect(phones[1].locator("button[value=oneens]")).to_have_attribute("aria-pressed", "true")
        expect(presenter.locator(".poll-count")).to_have_text(["2", "1", "0"])
        check_accessible(presenter)
        assert Vote.objects.filter(session=session, is_current=True).count() == 3

        # Opwarmer: a board of five questions, then five groups with the board's questions.
        control(console, "next")
        texts = ["Ik leer door te doen", "<b>niet vet</b>", "Collega's vragen"]
        for phone, text in zip(phones, texts, strict=True):
            phone.locator("textarea#note-0").fill(text)
            phone.locator(
                "textarea#note-0 + button, form.note-form:has(#note-0) button"
            ).first.click()
        expect(presenter.locator(".board-column").first.locator(".note")).to_have_count(3)
        expect(presenter.get_by_text("<b>niet vet</b>")).to_be_visible()
        expect(phones[0].locator("[data-notes='0'] .note")).to_have_count(3)
        check_accessible(phones[0])
        control(console, "next")
        control(console, "groups")
        expect(phones[0].locator(".my-group h2")).to_be_visible()
        expect(presenter.locator(".big-groups > li")).to_have_count(5)
        phones[0].locator("#group-summary").fill("We leren vooral van elkaar.")
        phones[0].locator("form:has(#group-summary) button").click()
        expect(presenter.get_by_text("We leren vooral van elkaar.")).to_be_visible()

        # Reflectie: discussion with the facilitator's notes, the 5 V's, the world café.
        control(console, "next")
        console.locator("#discussion-note").fill("Tijd is de grootste belemmering")
        console.locator("form:has(#discussion-note) button").click()
        console.wait_for_load_state()
        expect(presenter.get_by_text("Tijd is de grootste belemmering")).to_be_visible()
        control(console, "next")
        expect(console.locator(".card-entries")).to_contain_text("Verduidelijken")
        control(console, "next")
        control(console, "groups")
        # The room sees where each group stands this round (the schedule is on the console).
        expect(presenter.locator(".rotation-groups > li")).to_have_count(4)
        expect(console.locator("table.schedule tbody tr")).to_have_count(4)
        note_box = phones[2].locator("form.note-form textarea")
        expect(note_box).to_be_visible()
        note_box.fill("Door met collega's te praten")
        phones[2].locator("form.note-form button").click()
        expect(console.locator(".console-notes .note")).to_have_count(1)
        console.locator("form:has(input[name=index][value='1']) button").first.click()
        console.wait_for_load_state()
        expect(phones[2].get_by_text(re.compile("Round 2|Ronde 2"))).to_be_visible()
        console.locator("#timer-minutes").fill("3")
        control(console, "timer_start")
        expect(presenter.locator("[data-timer-text]")).to_have_text(re.compile(r"^[23]:\d\d$"))
        control(console, "timer_pause")
        expect(phones[0].locator("[data-timer]")).to_have_attribute(
            "data-remaining", re.compile(r"\d+")
        )

        # Groepsgesprek: conclusion, then each participant's personal action.
        control(console, "next")
        control(console, "next")
        for n, phone in enumerate(phones):
            phone.locator("#action-text").fill(f"Actie {n + 1}: ik kies een opleiding")
            if n == 0:
                phone.locator("#action-email").fill("ann@example.test")
                phone.locator("input[name=show_name]").check()
            phone.locator("form:has(#action-text) button").click()
        expect(console.locator(".console-main .note")).to_have_count(3)
        console.locator("button[name=action][value=show_action]").first.click()
        console.wait_for_load_state()
        expect(presenter.locator(".shown-action")).to_contain_text("Actie")
        assert PersonalAction.objects.filter(session=session, is_current=True).count() == 3

        # Afsluiter: thanks, a photo of the flip charts, end.
        control(console, "next")
        control(console, "next")
        control(console, "next")
        console.locator("#photo-file").set_input_files(
            {"name": "flip.png", "mimeType": "image/png", "buffer": png_bytes()}
        )
        console.locator("form:has(#photo-file) button").click()
        console.wait_for_load_state()
        expect(console.locator(".photos img")).to_have_count(1)
        # Ending asks for confirmation first (issue 12).
        console.locator("[data-end-confirm] > summary").click()
        control(console, "end")
        console.wait_for_url(re.compile(r"/summary/$"))
        expect(console.locator(".summary")).to_contain_text("We leren vooral van elkaar.")
        expect(console.locator(".summary")).to_contain_text("<b>niet vet</b>")

        for phone in phones:
            expect(phone.locator(".summary")).to_be_visible(timeout=WAIT_MS)
        expect(phones[1].locator(".summary")).to_contain_text("Actie 1: ik kies een opleiding")
        expect(phones[1].locator(".summary")).to_contain_text("Ann")
        check_accessible(phones[1])
        assert Note.objects.filter(session=session).count() >= 5
        for page in (console, presenter, *phones):
            assert page.errors == [], page.errors
    finally:
        for ctx in contexts:
            ctx.close()
