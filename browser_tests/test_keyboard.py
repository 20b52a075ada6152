"""Using lerend with a keyboard only."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

FOCUSED = "document.activeElement"


def test_the_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(page):
    page.goto("/")

    page.keyboard.press("Tab")
    assert page.evaluate(f"{FOCUSED}.classList.contains('skip-link')")
    # Visible while focused, inside the phone's screen.
    box = page.locator(".skip-link").bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= 360

    page.keyboard.press("Enter")
    assert page.evaluate(f"{FOCUSED}.id") == "main"
    assert page.evaluate(f"{FOCUSED}.tagName") == "MAIN"
    assert page.url.endswith("#main")


def test_every_header_control_is_reachable_with_tab(page):
    page.goto("/")
    reached = []
    for _ in range(10):
        page.keyboard.press("Tab")
        reached.append(page.evaluate(f"{FOCUSED}.textContent.trim()"))
    assert "lerend" in reached
    assert "English" in reached
