"""The landing page that a visitor without an account sees."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_landing_page_fits_a_phone_and_has_no_serious_accessibility_problems(
    page, assert_accessible
):
    page.goto("/")

    assert page.locator("h1").count() == 1
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page)


def test_landing_page_on_a_desktop(desktop_page, assert_accessible):
    desktop_page.goto("/")

    assert desktop_page.locator("main h1").is_visible()
    assert desktop_page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert_accessible(desktop_page)


def test_stylesheets_and_scripts_load(page):
    page.goto("/")
    page.wait_for_load_state("networkidle")

    assets = page.evaluate(
        "[...document.querySelectorAll('link[rel=stylesheet], script[src]')]"
        ".map(e => e.href || e.src)"
    )
    assert assets, "the page links no stylesheet or script"
    missing = [f"{url}: {page.request.get(url).status}" for url in assets]
    missing = [line for line in missing if not line.endswith(": 200")]
    assert missing == [], (
        "static files are not served; is the top-level static/ directory in "
        f"STATICFILES_DIRS? {missing}"
    )
    assert page.evaluate("getComputedStyle(document.querySelector('.skip-link')).position") == (
        "absolute"
    )
