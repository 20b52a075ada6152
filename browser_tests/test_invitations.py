"""Inviting someone and joining through the link, clicked through on a 360-pixel phone."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from conftest import make_user
from orgs.models import Membership, Organisation, Role

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api").expect

PASSWORD = "correct horse battery"
NEW_PASSWORD = "een lang en vreemd wachtwoord 42"


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 360


def log_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_load_state()


def test_admin_invites_and_the_invitee_joins_by_signing_up(
    page,
    assert_accessible,
    live_server,
    settings,
):
    settings.SITE_URL = live_server.url
    settings.ACCOUNT_SIGNUP_ENABLED = False
    organisation = Organisation.objects.create(name="Bakkerij De Korenbloem", slug="korenbloem")
    admin = make_user("an@korenbloem.test", PASSWORD)
    Membership.objects.create(user=admin, organisation=organisation, role=Role.ADMIN)

    log_in(page, "an@korenbloem.test")
    page.goto("/o/korenbloem/")
    page.locator("main").get_by_role(
        "link", name=re.compile("Invite people|Mensen uitnodigen")
    ).click()
    page.wait_for_url("**/o/korenbloem/members/**")
    assert_accessible(page)
    assert fits_the_phone(page)
    page.locator("#id_email").fill("nieuw@example.test")
    page.locator("#id_role").select_option("facilitator")
    page.locator("main form").filter(has=page.locator("#id_email")).locator("button").click()
    page.wait_for_load_state()
    assert page.get_by_role("rowheader", name="nieuw@example.test").count() == 1
    assert len(mail.outbox) == 1
    link = re.search(r"http\S+/o/invitations/[\w-]+/", mail.outbox[0].body).group(0)

    # The invitee, on their own phone, without an account.
    page.context.clear_cookies()
    page.goto(link)
    assert page.locator("main h1").inner_text().endswith("Bakkerij De Korenbloem")
    assert_accessible(page)
    assert fits_the_phone(page)
    page.locator("main a.button").first.click()
    page.wait_for_url("**/accounts/signup/**")
    assert page.locator("input[name=email]").input_value() == "nieuw@example.test"
    page.locator("input[name=password1]").fill(NEW_PASSWORD)
    page.locator("input[name=password2]").fill(NEW_PASSWORD)
    page.locator("input[name=password2]").press("Enter")
    page.wait_for_url(re.compile(r".*/o/invitations/[\w-]+/$"))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/o/korenbloem/")

    membership = Membership.objects.get(user__email="nieuw@example.test")
    assert (membership.organisation, membership.role) == (organisation, Role.FACILITATOR)
    assert EmailAddress.objects.get(email="nieuw@example.test").verified
    assert page.locator("main .empty-state a[href='/o/korenbloem/formats/']").count() == 1
    assert_accessible(page)


def test_admin_changes_a_role_and_renames_a_team_on_a_phone(
    page,
    assert_accessible,
):
    organisation = Organisation.objects.create(name="Bakkerij De Korenbloem", slug="korenbloem")
    admin = make_user("an@korenbloem.test", PASSWORD)
    Membership.objects.create(user=admin, organisation=organisation, role=Role.ADMIN)
    member = make_user("mo@korenbloem.test", PASSWORD)
    membership = Membership.objects.create(user=member, organisation=organisation)
    team = organisation.teams.create(name="Productie")

    log_in(page, "an@korenbloem.test")
    page.goto("/o/korenbloem/members/")
    row = page.locator(f"#member-{membership.public_id}")
    row.locator("select").select_option("facilitator")
    row.locator("button").click()
    expect(page.locator(".row-message, .messages").first).to_contain_text("mo@korenbloem.test")
    membership.refresh_from_db()
    assert membership.role == Role.FACILITATOR
    if page.evaluate("typeof window.htmx !== 'undefined'"):
        # Swapped in place: the row says what happened, the page did not reload.
        assert row.locator(".row-message.ok").count() == 1
        assert page.locator(".messages").count() == 0
    assert fits_the_phone(page)
    assert_accessible(page)

    page.goto("/o/korenbloem/teams/")
    item = page.locator(f"#team-{team.public_id}")
    item.locator("summary").click()
    item.locator("input[name=name]").fill("Bakkerij")
    item.locator("button").click()
    expect(item.locator(".team-name")).to_have_text("Bakkerij")
    team.refresh_from_db()
    assert team.name == "Bakkerij"
    if page.evaluate("typeof window.htmx !== 'undefined'"):
        assert item.locator(".row-message.ok").count() == 1
    assert fits_the_phone(page)
    assert_accessible(page)
