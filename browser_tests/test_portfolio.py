""" "Mijn leren" on a 360-pixel phone: sign in by code, add an entry, share it, open the
link; prepare a conversation and share it with the manager who asked."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from conftest import make_user
from orgs.models import Membership, Organisation, Role
from portfolio import services
from portfolio.models import Conversation, Entry, Share, ShareEvent

pytestmark = pytest.mark.browser


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 360


def sign_in_by_code(page, email: str, assert_accessible) -> None:
    page.goto("/")
    page.locator("header").get_by_role("link", name="Mijn leren").click()
    page.wait_for_url("**/mijn-leren/start/")
    assert_accessible(page)
    assert fits_the_phone(page)
    page.locator("input[name=email]").fill(email)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/accounts/login/code/confirm/**")
    assert_accessible(page)
    match = re.search(r"\n\n([A-Z0-9]{4}-[A-Z0-9]{4})\n\n", str(mail.outbox[-1].body))
    assert match, mail.outbox[-1].body
    code = match.group(1)
    page.locator("input[name=code]").fill(code)
    page.locator("input[name=code]").press("Enter")
    page.wait_for_url("**/mijn-leren/")


def test_sign_in_by_code_add_an_entry_share_it_and_open_the_link(
    page, assert_accessible, live_server
):
    sign_in_by_code(page, "eva@voorbeeld.test", assert_accessible)
    assert page.locator("main h1").inner_text() == "Mijn leren"
    assert_accessible(page)
    assert fits_the_phone(page)

    # The quickest entry: a few taps.
    page.locator("textarea[name=what]").fill("Hoe ik een draaitabel maak")
    page.locator("button.quick-save").click()
    page.locator("#quick-add [role=status]").wait_for()  # htmx: the form is empty again
    assert page.locator("textarea[name=what]").input_value() == ""
    assert_accessible(page)
    page.reload()
    assert page.locator(".timeline").get_by_text("Hoe ik een draaitabel maak").count() == 1

    # A "mijn leren" entry with the seed's questions.
    page.goto("/mijn-leren/nieuw/my_learning/")
    assert_accessible(page)
    assert fits_the_phone(page)
    page.get_by_label("Titel").fill("Mijn leerjaar")
    page.get_by_label("Wat heb je het laatste jaar bijgeleerd?").fill("Plannen <met> een bord")
    page.get_by_label("Hoe heb je dit geleerd?").fill("Van een collega")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/mijn-leren/item/**")
    assert page.locator("main h1").inner_text() == "Mijn leerjaar"
    assert_accessible(page)
    entry = Entry.objects.get(kind="my_learning")
    assert entry.answers["learned"] == "Plannen <met> een bord"

    # Share it.
    page.locator("input[name=recipient]").fill("Mijn coach")
    page.locator("button.share-button").click()
    page.wait_for_url("**/mijn-leren/delen/**")
    assert_accessible(page)
    assert fits_the_phone(page)
    url = page.locator("input.share-url").input_value()
    assert "/mijn-leren/gedeeld/" in url
    path = url[url.index("/mijn-leren/gedeeld/") :]  # SITE_URL is not the test server
    share = Share.objects.get(entry=entry)
    assert share.recipient == "Mijn coach"

    # Open the link as someone else, without an account.
    other = page.context.browser.new_context(viewport={"width": 360, "height": 740}, locale="nl-BE")
    try:
        holder = other.new_page()
        holder.goto(live_server.url + path)
        assert holder.locator("main h1").inner_text() == "Mijn leerjaar"
        assert "Plannen <met> een bord" in holder.locator("main").inner_text()
        assert_accessible(holder)
    finally:
        other.close()
    assert share.events.filter(action=ShareEvent.Action.VIEWED).count() == 1

    page.reload()
    assert page.locator("#views-heading + ul li").count() == 1


def test_prepare_a_conversation_and_share_it_with_the_manager(page, assert_accessible):
    organisation = Organisation.objects.create(name="Bakkerij De Korenbloem", slug="korenbloem")
    manager = make_user("fien@korenbloem.test", name="Fien")
    Membership.objects.create(user=manager, organisation=organisation, role=Role.FACILITATOR)
    employee = make_user("eva@korenbloem.test", name="Eva")
    membership = Membership.objects.create(
        user=employee, organisation=organisation, role=Role.MEMBER
    )
    conversation = services.request_conversation(
        manager_membership=Membership.objects.get(user=manager),
        employee_membership=membership,
        title="Loopbaangesprek",
        questions=["Wat is je ambitie?", "Waar heb je eventueel hulp bij nodig?"],
        actor=manager,
    )

    sign_in_by_code(page, employee.email, assert_accessible)
    page.goto(f"/mijn-leren/gesprekken/{conversation.public_id}/")
    assert_accessible(page)
    assert fits_the_phone(page)
    page.get_by_label("Wat is je ambitie?").fill("Teamleider worden")
    page.locator("button.save-answers").click()
    page.wait_for_url(f"**/gesprekken/{conversation.public_id}/")
    page.locator("button.share-manager").click()
    page.wait_for_url("**/mijn-leren/delen/**")
    assert_accessible(page)
    conversation = Conversation.objects.get(pk=conversation.pk)
    assert conversation.answers[0] == "Teamleider worden"
    share = Share.objects.get(conversation=conversation)
    assert share.recipient_user == manager


def test_claim_a_personal_action_from_its_private_link(page, assert_accessible):
    from actions.models import Action

    organisation = Organisation.objects.create(name="Bakkerij De Korenbloem", slug="korenbloem")
    action = Action.objects.create(
        organisation=organisation, kind="personal", text="Ik volg een cursus Excel"
    )
    raw = action.issue_link()
    action.save()

    page.goto(f"/a/{raw}/")
    assert_accessible(page)
    assert fits_the_phone(page)
    page.get_by_role("link", name="Bewaar in Mijn leren").click()
    page.wait_for_url("**/mijn-leren/start/**")
    assert_accessible(page)
    page.locator("input[name=email]").fill("eva@voorbeeld.test")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/accounts/login/code/confirm/**")
    match = re.search(r"\n\n([A-Z0-9]{4}-[A-Z0-9]{4})\n\n", str(mail.outbox[-1].body))
    assert match, mail.outbox[-1].body
    page.locator("input[name=code]").fill(match.group(1))
    page.locator("input[name=code]").press("Enter")
    page.wait_for_url(f"**/mijn-leren/acties/claim/{raw}/")
    assert_accessible(page)
    assert fits_the_phone(page)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/mijn-leren/")
    assert page.locator("main").get_by_text("Ik volg een cursus Excel").count() >= 1
    assert_accessible(page)
    action.refresh_from_db()
    assert action.claimed_by is not None and action.claimed_by.email == "eva@voorbeeld.test"
