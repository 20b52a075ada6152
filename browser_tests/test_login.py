"""Logging in with e-mail and password, as a person does it in the browser."""

from __future__ import annotations

import pytest

from conftest import make_user
from orgs.models import Membership, Organisation, Role

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"


def test_member_logs_in_with_email_and_password_and_reaches_the_organisation(
    page, assert_accessible
):
    organisation = Organisation.objects.create(name="Bakkerij De Korenbloem", slug="korenbloem")
    user = make_user("mo@korenbloem.test", PASSWORD)
    Membership.objects.create(user=user, organisation=organisation, role=Role.MEMBER)

    page.goto("/")
    page.locator("header").get_by_role("link", name="Inloggen").click()
    page.wait_for_url("**/accounts/login/**")
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.locator("input[name=login]").fill("mo@korenbloem.test")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")

    page.wait_for_url("**/o/korenbloem/")
    assert page.locator("main h1").inner_text() == "Bakkerij De Korenbloem"
    assert page.locator("header").get_by_role("button", name="Afmelden").count() == 1
    assert_accessible(page)


def test_a_wrong_password_keeps_the_person_on_the_login_page(page):
    make_user("mo@korenbloem.test", PASSWORD)

    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill("mo@korenbloem.test")
    page.locator("input[name=password]").fill("not the right password")
    page.locator("input[name=password]").press("Enter")

    page.wait_for_load_state()
    assert "/accounts/login/" in page.url
    assert page.locator("header").get_by_role("button", name="Afmelden").count() == 0
