"""The account flows as a person clicks through them, in Chromium on a phone-sized screen.

The page fixtures come from browser_tests/conftest.py. The browser here is module-scoped:
Playwright's sync API allows one running instance per thread, so it must be closed before
browser_tests/ starts its own session-wide one.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from allauth.mfa.models import Authenticator

from accounts.models import ApiToken
from browser_tests.conftest import (  # noqa: F401
    CHROMIUM,
    CHROMIUM_ARGS,
    _unavailable,
    assert_accessible,
    page,
)
from conftest import make_user
from orgs.models import Membership, Organisation, Role

from .conftest import PASSWORD, activate_totp, current_code

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    reason = _unavailable()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run in CI: {reason}", pytrace=False)
        pytest.skip(f"browser tests skipped: {reason}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()


def fits_a_phone(page) -> bool:  # noqa: F811
    return page.evaluate("document.documentElement.scrollWidth") <= 360


def log_in(page, email: str) -> None:  # noqa: F811
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_load_state()


def test_admin_sets_up_an_authenticator_app_and_reaches_the_organisation(
    page,  # noqa: F811
    assert_accessible,  # noqa: F811
    settings,
):
    settings.LEREND_ADMIN_MFA_REQUIRED = True
    organisation = Organisation.objects.create(name="Bakkerij De Korenbloem", slug="korenbloem")
    admin = make_user("an@korenbloem.test", PASSWORD)
    Membership.objects.create(user=admin, organisation=organisation, role=Role.ADMIN)

    log_in(page, admin.email)
    page.goto("/o/korenbloem/")
    page.wait_for_url("**/accounts/reauthenticate/**")
    assert_accessible(page)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")

    page.wait_for_url("**/accounts/2fa/totp/activate/**")
    assert_accessible(page)
    assert fits_a_phone(page)
    assert page.locator("main img[src^='data:image/svg+xml']").is_visible()
    secret = page.locator("#totp-secret").inner_text().strip()
    page.locator("input[name=code]").fill(current_code(secret))
    page.locator("input[name=code]").press("Enter")

    page.wait_for_url("**/accounts/2fa/recovery-codes/**")
    assert Authenticator.objects.filter(user=admin, type=Authenticator.Type.TOTP).exists()
    page.goto("/o/korenbloem/")
    assert page.locator("main h1").inner_text() == "Bakkerij De Korenbloem"


def test_person_creates_a_token_sees_it_once_and_revokes_it_with_htmx(
    page,  # noqa: F811
    assert_accessible,  # noqa: F811
    settings,
):
    # The live server finds static files (htmx) through STATICFILES_DIRS.
    settings.STATICFILES_DIRS = [settings.BASE_DIR / "static"]
    person = make_user("mo@korenbloem.test", PASSWORD)
    log_in(page, person.email)
    page.goto("/accounts/profile/")
    assert_accessible(page)
    assert fits_a_phone(page)

    page.locator("#id_label").fill("Rapport-script")
    page.locator("#id_label").press("Enter")
    page.wait_for_url("**/accounts/profile/tokens/")
    raw = page.locator("#new-token").inner_text().strip()
    assert ApiToken.objects.get(user=person).prefix == raw[:10]
    assert_accessible(page)

    page.goto("/accounts/profile/")
    assert raw not in page.content()
    assert page.evaluate("typeof htmx") == "object"
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#token-list button").click()
    page.locator("#token-list [role=status]").wait_for()
    assert page.url.endswith("/accounts/profile/")
    assert ApiToken.objects.get(user=person).revoked_at is not None
    assert page.locator("#token-list button").count() == 0


def test_person_with_an_authenticator_app_is_asked_for_a_code(
    page,  # noqa: F811
    assert_accessible,  # noqa: F811
):
    person = make_user("fien@korenbloem.test", PASSWORD)
    secret = activate_totp(person)
    log_in(page, person.email)
    page.wait_for_url("**/accounts/2fa/authenticate/")
    assert_accessible(page)
    assert fits_a_phone(page)
    page.locator("input[name=code]").fill(current_code(secret))
    page.locator("input[name=code]").press("Enter")
    page.wait_for_url(lambda url: "/accounts/" not in url)
    assert page.locator("header form[action='/accounts/logout/']").count() == 1
