"""Switching the interface language with the buttons in the header."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser


def html_lang(page) -> str | None:
    return page.locator("html").get_attribute("lang")


def test_switch_from_dutch_to_english_and_back(page):
    page.goto("/")
    assert html_lang(page) == "nl"
    switch = page.locator("form.language-switch")
    # Only the other language is offered, named in its own language.
    assert switch.get_by_role("button").all_inner_texts() == ["English"]

    switch.get_by_role("button", name="English").click()
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert urlsplit(page.url).path == "/"  # back on the page where the switch was used
    assert switch.get_by_role("button").all_inner_texts() == ["Nederlands"]

    switch.get_by_role("button", name="Nederlands").click()
    page.wait_for_function("document.documentElement.lang === 'nl'")
    assert switch.get_by_role("button").all_inner_texts() == ["English"]


def test_the_page_text_changes_and_the_choice_is_kept_on_the_next_page(page):
    page.goto("/accounts/login/")
    dutch_heading = page.locator("main h1").inner_text()
    page.locator("form.language-switch").get_by_role("button", name="English").click()
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert "/accounts/login/" in page.url
    # The login page's texts come from allauth, which ships its own Dutch translation.
    assert page.locator("main h1").inner_text() != dutch_heading

    page.goto("/")
    assert html_lang(page) == "en"


def test_an_english_browser_gets_english(browser, live_server, transactional_db):
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    try:
        english = context.new_page()
        english.goto("/")
        assert html_lang(english) == "en"
    finally:
        context.close()
