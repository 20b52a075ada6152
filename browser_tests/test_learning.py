"""An HR admin fills the learning offer and route on a phone, an employee opens the public
page by its QR link, the admin imports a quarter's trainings, reads days per FTE per team and
exports the training plan."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from conftest import make_user
from learning.models import OfferItem, RouteStep, TrainingPlan, TrainingRecord
from orgs.models import Membership, Organisation, Role, Team

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"


@pytest.fixture
def organisation(transactional_db):
    org = Organisation.objects.create(name="Bakkerij De Korenbloem", slug="korenbloem")
    Team.objects.create(organisation=org, name="Bakkerij", headcount=6, fte=Decimal("5"))
    Team.objects.create(organisation=org, name="Winkel", headcount=5, fte=Decimal("4"))
    admin = make_user("an@korenbloem.test", PASSWORD)
    Membership.objects.create(user=admin, organisation=org, role=Role.ADMIN)
    return org


def log_in(page) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill("an@korenbloem.test")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_load_state()


def fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_offer_route_public_page_import_figures_and_plan(
    page, browser, live_server, assert_accessible, organisation, tmp_path
):
    log_in(page)

    # The offer item and the route, on a phone.
    page.goto("/o/korenbloem/learning/offer/new/")
    assert_accessible(page)
    fits(page)
    page.locator("#id_title").fill("Deeg kneden met de meester")
    page.locator("#id_kind").select_option("informal")
    page.locator("#id_format").select_option("mentoring")
    page.locator("#id_target_group").fill("Nieuwe bakkers")
    page.locator("#id_competences").fill("deeg, ambacht")
    page.locator("#id_link").fill("https://www.elanplus.be")
    page.locator("form.offer-form button[type=submit]").click()
    page.wait_for_url("**/learning/offer/")
    assert OfferItem.objects.get().title == "Deeg kneden met de meester"
    assert_accessible(page)

    page.goto("/o/korenbloem/learning/route/")
    for title in ("Vraag het je leidinggevende", "Vul het aanvraagformulier in"):
        page.locator("#id_title").fill(title)
        page.locator("form.route-form button[type=submit]").click()
        page.wait_for_url("**/learning/route/")
    assert RouteStep.objects.count() == 2
    assert_accessible(page)

    # The overview shows the public page's link and QR code; a phone without an account
    # opens the link the QR code holds.
    page.goto("/o/korenbloem/learning/")
    assert page.locator("img.qr").count() == 1
    public = page.locator("a.public-link").get_attribute("href")
    assert public.endswith("/leren/korenbloem/")
    phone = browser.new_context(viewport={"width": 360, "height": 740}, locale="nl-BE")
    try:
        employee = phone.new_page()
        employee.goto(live_server.url + "/leren/korenbloem/")
        assert employee.get_by_role("heading", level=1).count() == 1
        assert employee.get_by_text("Vraag het je leidinggevende").count() == 1
        employee.locator("#offer-q").fill("deeg")
        employee.locator("form.offer-filter button[type=submit]").click()
        employee.wait_for_url("**/leren/korenbloem/?q=deeg*")
        employee.get_by_text("Deeg kneden met de meester").wait_for()
        assert employee.locator("#results .offer-list > li").count() == 1
        assert employee.evaluate("document.documentElement.scrollWidth") <= 360
        from browser_tests.conftest import check_accessible

        check_accessible(employee)
    finally:
        phone.close()

    # A quarter's trainings from a CSV file.
    end = timezone.localdate() - timedelta(days=10)
    rows = ["name,team,title,kind,duration,unit,start_date,end_date"]
    rows += [f"Bakker {i},Bakkerij,HACCP,formeel,2,dagen,{end},{end}" for i in range(6)]
    rows += [f"Verkoper {i},Winkel,Kassa,niet-formeel,1,dagen,{end},{end}" for i in range(5)]
    csv_file = tmp_path / "kwartaal.csv"
    csv_file.write_text("\n".join(rows) + "\n", encoding="utf-8")
    page.goto("/o/korenbloem/learning/trainings/import/")
    assert_accessible(page)
    page.locator("#id_file").set_input_files(str(csv_file))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/learning/trainings/")
    assert TrainingRecord.objects.count() == 11

    # Days per FTE per team.
    page.goto("/o/korenbloem/learning/figures/")
    assert_accessible(page)
    fits(page)
    assert page.locator("svg.chart").count() == 2
    bakkerij = page.locator("tr[data-team='Bakkerij'] .days-per-fte")
    winkel = page.locator("tr[data-team='Winkel'] .days-per-fte")
    if end.year == timezone.localdate().year:
        assert bakkerij.inner_text().strip() in {"2,40", "2.40"}
        assert winkel.inner_text().strip() in {"1,25", "1.25"}

    # The training plan, exported.
    page.goto("/o/korenbloem/learning/plans/")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/learning/plans/[0-9a-f-]{36}/$"))
    assert TrainingPlan.objects.count() == 1
    assert_accessible(page)
    with page.expect_download() as download:
        page.locator(".plan-downloads a.button").first.click()
    assert download.value.suggested_filename.endswith(".pdf")
    path = download.value.path()
    assert path is not None and Path(path).read_bytes()[:4] == b"%PDF"
