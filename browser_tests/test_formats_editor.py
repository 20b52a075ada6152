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
