"""A facilitator finds the mini-vorming, reads it, copies it and shortens a phase; the
timing warning changes as they type. On a 360-pixel phone, checked with axe-core."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from conftest import make_user
from formats.models import Format
from formats.services import load_builtins
from orgs.models import Membership, Organisation, Role

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api").expect

PASSWORD = "correct horse battery"
SCREENSHOTS = os.environ.get("FORMATS_SCREENSHOTS")  # a directory, to look at the pages


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 360


def log_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_load_state()


def shot(page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


@pytest.fixture
def facilitator(transactional_db):
    load_builtins()  # a transactional test starts from an emptied database
    organisation = Organisation.objects.create(name="Bakkerij De Korenbloem", slug="korenbloem")
    user = make_user("fien@korenbloem.test", PASSWORD)
    Membership.objects.create(user=user, organisation=organisation, role=Role.FACILITATOR)
    return user


def test_copy_the_mini_vorming_and_shorten_a_phase(page, assert_accessible, facilitator):
    log_in(page, "fien@korenbloem.test")
    page.goto("/o/korenbloem/formats/")
    assert_accessible(page)
    assert fits_the_phone(page)
    shot(page, "library-phone")

    # Search narrows the list (htmx, and the same URL works without JavaScript).
    page.locator("#q").fill("mini-vorming")
    expect(page.locator(".format-item")).to_have_count(1)
    page.locator(".format-item h2 a").click()
    page.wait_for_url(re.compile(r"/o/korenbloem/formats/[0-9a-f-]{36}/$"))
    assert_accessible(page)
    assert fits_the_phone(page)
    warnings = page.locator(".timing-warnings")
    expect(warnings).to_contain_text("75")
    expect(warnings).to_contain_text("60")
    shot(page, "detail-phone")

    page.locator("form[action$='/copy/'] button").click()
    page.wait_for_url(re.compile(r"/edit/$"))
    copy = Format.objects.get(organisation__slug="korenbloem")
    assert copy.based_on.slug == "stimuleren-van-levenslang-leren"
    assert_accessible(page)
    assert fits_the_phone(page)
    panel = page.locator("#check-panel")
    expect(panel).to_contain_text("75")
    expect(panel.locator("li")).to_have_count(4)
    expect(page.locator("#phase-1-timing li")).to_have_count(1)
    shot(page, "editor-phone")

    # The warm-up gets the 15 minutes its steps take: that warning goes, the total grows.
    page.locator("#f-phases-1-duration").fill("15")
    expect(panel).to_contain_text("80")
    expect(panel.locator("li")).to_have_count(3)
    expect(page.locator("#phase-1-timing li")).to_have_count(0)
    assert copy.versions.count() == 1  # checking stores nothing

    # Shorten the other phases to fit the hour: no warning about the maximum remains.
    for field, minutes in (("0", "10"), ("2", "15"), ("3", "15"), ("4", "5")):
        page.locator(f"#f-phases-{field}-duration").fill(minutes)
    expect(panel).not_to_contain_text("80")
    expect(panel.locator(".timing-warnings")).not_to_contain_text("60 min")
    page.locator("button[name=op][value=save]").click()
    page.wait_for_url(re.compile(r"/o/korenbloem/formats/[0-9a-f-]{36}/$"))
    copy.refresh_from_db()
    assert copy.current_version.number == 2
    assert [p.duration.low for p in copy.content.phases] == [10, 15, 15, 15, 5]
    expect(page.locator("main")).to_contain_text("60")

    # Print the worksheet and the statement card of the shortened copy.
    for name in ("worksheet", "cards"):
        link = page.locator(f"a[href$='/{name}.pdf']")
        expect(link).to_have_count(1)
        response = page.request.get(link.get_attribute("href"))
        assert response.ok
        assert response.headers["content-type"] == "application/pdf"
        assert response.body().startswith(b"%PDF-")


def test_library_and_detail_on_a_desktop(desktop_page, assert_accessible, facilitator):
    page = desktop_page
    log_in(page, "fien@korenbloem.test")
    page.goto("/o/korenbloem/formats/?audience=managers_hr")
    assert_accessible(page)
    expect(page.locator(".format-item")).not_to_have_count(0)
    shot(page, "library-desktop")
    page.goto("/o/korenbloem/formats/quickscan-leervoorwaarden/")
    assert_accessible(page)
    expect(page.locator(".timing-warnings")).to_contain_text("24-28")
    shot(page, "detail-desktop")
    page.locator("form[action$='/copy/'] button").click()
    page.wait_for_url(re.compile(r"/edit/$"))
    assert_accessible(page)
    shot(page, "editor-desktop")


def test_an_invalid_value_is_shown_at_the_field_and_in_the_summary(
    page, assert_accessible, facilitator
):
    """At 360 px: a duration over a day says so in words beside the field and in a summary
    at the top whose link takes the keyboard to the field; axe-core finds nothing serious."""
    log_in(page, "fien@korenbloem.test")
    mini = Format.objects.builtin().get(slug="stimuleren-van-levenslang-leren")
    page.goto(f"/o/korenbloem/formats/{mini.public_id}/")
    page.locator("form[action$='/copy/'] button").click()
    page.wait_for_url(re.compile(r"/edit/$"))
    expect(page.locator("h1")).to_contain_text("(kopie)")
    # The phase navigation is a list of separate, focusable links.
    links = page.locator(".phase-jump li a")
    expect(links).to_have_count(5)
    first, second = links.nth(0).bounding_box(), links.nth(1).bounding_box()
    assert first and second
    assert second["x"] >= first["x"] + first["width"] + 4 or second["y"] > first["y"]

    field = page.locator("#f-phases-1-steps-0-duration")
    field.fill("2000")
    problems = page.locator("#f-phases-1-steps-0-duration-problems")
    expect(problems).to_have_text("De duur moet tussen 0 en 1440 minuten liggen.")
    summary = page.locator("#problem-summary")
    expect(summary).to_contain_text("Fase 2, stap 1")
    expect(summary).not_to_contain_text("phases[")
    expect(summary.locator("li")).to_have_count(1)
    assert fits_the_phone(page)
    assert_accessible(page)
    shot(page, "editor-invalid-phone")

    # The summary's link moves the focus to the field (keyboard: Tab to it, Enter).
    summary.locator("a").first.focus()
    page.keyboard.press("Enter")
    expect(field).to_be_focused()

    # Saving stores nothing and shows the same message at the field.
    page.locator("button[name=op][value=save]").click()
    page.wait_for_load_state()
    expect(page.locator("#f-phases-1-steps-0-duration")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#f-phases-1-steps-0-duration-problems")).to_have_text(
        "De duur moet tussen 0 en 1440 minuten liggen."
    )
    assert Format.objects.get(organisation__slug="korenbloem").versions.count() == 1
    assert_accessible(page)
