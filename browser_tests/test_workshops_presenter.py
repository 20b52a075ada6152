"""The presenter screen of the mini-vorming (seed 000) at a projector's 1280 x 720 (issue 12).

Every step of the format is shown with a full room's content (ten participants, sixty notes
on the board wall, five groups, the rotation schedule, hands up one side at a time) and must
fit the screen without a scrollbar, show the join code, QR and count in its corner, show
nothing that is meant for the facilitator only, and pass axe-core, in Dutch and in English.

`make screenshots` runs this module with LEREND_SCREENSHOTS set to a folder: each step's
screenshot is written there, for a person to look at.
"""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from browser_tests.conftest import check_accessible
from browser_tests.test_workshops_live import login_cookies, open_context
from conftest import make_user
from formats.schema import FACILITATOR_ONLY_FIELDS
from orgs.models import Membership, Organisation, Role
from workshops import services
from workshops.models import LiveSession
from workshops.tests.conftest import mini

pytestmark = pytest.mark.browser

SCREEN = {"width": 1280, "height": 720}
NAMES = ["Ann", "Bram", "Chloé", "Dries", "Elif", "Femke", "Gert", "Hanne", "Ilias", "Jolien"]


def _key() -> str:
    return str(uuid.uuid4())


def _lines(value) -> list[str]:
    """The facilitator-only texts of a field, line by line (Markdown or lists of lines)."""
    if not value:
        return []
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        for line in str(item).splitlines():
            line = re.sub(r"[*_#>`-]", " ", line).strip()
            if len(line) >= 12:
                out.append(" ".join(line.split())[:40])
    return out


def facilitator_only(ref) -> list[str]:
    step = ref.step
    texts = _lines(step.text) + _lines(step.facilitator_notes)
    for name in FACILITATOR_ONLY_FIELDS.get(ref.kind, ()):
        texts += _lines(getattr(step, name))
    return texts


def fill(session: LiveSession, ref, people, fien) -> None:
    """Give the current step what a full room gives it."""
    if ref.kind == "board":
        for n in range(60):
            services.add_note(
                session,
                participant=people[n % len(people)],
                step_id=ref.id,
                question=n % len(ref.step.questions),
                text=f"Post-it {n + 1}: tijd, collega's en goesting om bij te leren",
                key=_key(),
            )
    elif ref.kind in ("groups", "rotation", "experiment"):
        services.make_groups(session, actor=fien)
    elif ref.kind == "statement_poll":
        for n, person in enumerate(people):
            choice = ref.step.choices[n % len(ref.step.choices)].key
            services.cast_vote(
                session, participant=person, step_id=ref.id, choice=choice, key=_key()
            )


def assert_fits(page, label: str) -> None:
    height = page.evaluate("document.documentElement.scrollHeight")
    inner = page.evaluate("window.innerHeight")
    assert height <= inner, f"{label}: the presenter scrolls ({height} > {inner})"
    assert page.evaluate("document.documentElement.scrollWidth") <= SCREEN["width"], label


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_presenter_step_fits_and_shows_only_the_rooms_text(
    browser, live_server, transactional_db, language
):
    organisation = Organisation.objects.create(name="Bakkerij De Korenbloem", slug="korenbloem")
    fien = make_user("fien@korenbloem.test")
    Membership.objects.create(user=fien, organisation=organisation, role=Role.FACILITATOR)
    session = services.start_session(organisation=organisation, fmt=mini(), actor=fien)
    people = [services.join_session(code=session.code, name=name)[0] for name in NAMES]
    cookies = login_cookies(fien, live_server)
    cookie = django_settings.LANGUAGE_COOKIE_NAME
    cookies.append({"name": cookie, "value": language, "url": live_server.url})
    shots = os.environ.get("LEREND_SCREENSHOTS")
    folder = Path(shots) if shots else None
    if folder:
        folder.mkdir(parents=True, exist_ok=True)
    context, page = open_context(browser, live_server, SCREEN, cookies)
    try:
        url = f"/o/korenbloem/workshops/{session.public_id}/present/"
        page.goto(url)
        assert page.locator("html").get_attribute("lang") == language
        # No site chrome: no header, menu, footer or language switch on the projector.
        assert page.locator("header.site-header, footer, form.language-switch").count() == 0
        assert page.locator(".lobby [data-code-shown]").inner_text() == session.code
        assert_fits(page, "lobby")
        check_accessible(page)
        if folder:
            page.screenshot(path=str(folder / f"presenter-{language}-00-lobby.png"))
        # Body text is at least 32 px at 1280 px wide.
        size = page.evaluate(
            "parseFloat(getComputedStyle(document.querySelector('main')).fontSize)"
        )
        assert size >= 32

        for number, ref in enumerate(session.steps(), start=1):
            session.refresh_from_db()
            services.go_to_step(session, step_id=ref.id, actor=fien)
            session.refresh_from_db()
            fill(session, ref, people, fien)
            views = [("", False)]
            if ref.kind == "statement_poll":
                views = [("", False), ("hands-up", True)]
            for suffix, hands_up in views:
                if hands_up:
                    services.set_hands_up(session, on=True, actor=fien)
                    services.set_item(session, index=1, actor=fien)
                page.goto(url)
                label = f"step {number} ({ref.kind}{' ' + suffix if suffix else ''})"
                corner = page.locator(".present-corner")
                assert corner.locator("[data-code-shown]").inner_text() == session.code, label
                assert corner.locator("img.corner-qr").is_visible(), label
                assert str(len(NAMES)) in corner.inner_text(), label
                assert_fits(page, label)
                shown = " ".join(page.locator("main").inner_text().split())
                for text in facilitator_only(ref):
                    assert text not in shown, f"{label}: facilitator-only text {text!r} shown"
                if ref.kind == "board":
                    assert page.locator(".board .note").count() == 60
                    # The wall scales its columns: one per question, all on the screen.
                    last = page.locator(".board .note").last.bounding_box()
                    assert last and last["y"] + last["height"] <= SCREEN["height"], label
                if ref.kind == "statement_poll" and not hands_up:
                    assert page.locator(".poll-percent").all_inner_texts()[0].startswith("40")
                    assert page.locator(".poll-count").all_inner_texts() == ["4", "3", "3"]
                if hands_up:
                    assert page.locator(".hands-up").count() == 1
                    assert ref.step.choices[1].label in page.locator(".hands-up").inner_text()
                check_accessible(page)
                if folder:
                    tail = f"-{suffix}" if suffix else ""
                    name = f"presenter-{language}-{number:02d}-{ref.kind}{tail}.png"
                    page.screenshot(path=str(folder / name))
            if ref.kind == "statement_poll":
                services.set_hands_up(session, on=False, actor=fien)
        # B blacks out the room's screen and brings it back.
        page.keyboard.press("b")
        assert page.locator("[data-blackout]").is_visible()
        page.keyboard.press("b")
        assert not page.locator("[data-blackout]").is_visible()
        assert page.errors == []
    finally:
        context.close()
