"""The presenter screen at both projector sizes (1280 x 720 and 1920 x 1080) with the seeds'
biggest cases (issue 12): every step of the mini-vorming, ten groups of thirty people, a
world café of five questions, a wall of sixty notes and a scan question with three groups.
None may need a scrollbar; the body text stays at least 32 px at 1280 px wide; axe-core
finds nothing serious.

With LEREND_SCREENSHOTS set to a folder (`make screenshots`) each screen is written there.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from browser_tests.conftest import check_accessible
from browser_tests.test_workshops_live import login_cookies, open_context
from browser_tests.test_workshops_presenter import facilitator_only, fill
from conftest import make_user
from formats.services import create_format
from orgs.models import Membership, Organisation, Role, Team
from workshops import services
from workshops.models import LiveSession
from workshops.tests.conftest import mini

pytestmark = pytest.mark.browser

SIZES = [{"width": 1280, "height": 720}, {"width": 1920, "height": 1080}]
FIRST = ["Ann", "Bram", "Chloé", "Dries", "Elif", "Femke", "Gert", "Hanne", "Ilias", "Jolien"]
NAMES = [*FIRST, *(f"{n}-Marie" for n in FIRST), *(f"{n} Van den Broeck" for n in FIRST)]


def _folder() -> Path | None:
    shots = os.environ.get("LEREND_SCREENSHOTS")
    if not shots:
        return None
    folder = Path(shots)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _setup():
    organisation = Organisation.objects.create(name="Bakkerij De Korenbloem", slug="korenbloem")
    fien = make_user("fien@korenbloem.test")
    Membership.objects.create(user=fien, organisation=organisation, role=Role.FACILITATOR)
    return organisation, fien


def _fits(page, size: dict[str, int], label: str) -> None:
    height = page.evaluate("document.documentElement.scrollHeight")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert height <= size["height"], f"{label}: the presenter scrolls ({height} > {size['height']})"
    assert width <= size["width"], f"{label}: the presenter scrolls sideways ({width})"
    main = page.evaluate("parseFloat(getComputedStyle(document.querySelector('main')).fontSize)")
    assert main >= 32, f"{label}: body text of {main} px"


def _look(browser, live_server, fien, session: LiveSession, name: str, check) -> None:
    """Open the presenter at both sizes; `check(page, size, label)` adds its assertions."""
    cookies = login_cookies(fien, live_server)
    cookie = django_settings.LANGUAGE_COOKIE_NAME
    cookies.append({"name": cookie, "value": "nl", "url": live_server.url})
    folder = _folder()
    for size in SIZES:
        context, page = open_context(browser, live_server, size, cookies)
        try:
            page.goto(f"/o/korenbloem/workshops/{session.public_id}/present/")
            label = f"{name} at {size['width']}x{size['height']}"
            _fits(page, size, label)
            check(page, size, label)
            check_accessible(page)
            if folder:
                page.screenshot(path=str(folder / f"presenter-{name}-{size['width']}.png"))
            assert page.errors == []
        finally:
            context.close()


def test_every_mini_vorming_step_fits_at_1920(browser, live_server, transactional_db):
    organisation, fien = _setup()
    session = services.start_session(organisation=organisation, fmt=mini(), actor=fien)
    people = [services.join_session(code=session.code, name=name)[0] for name in FIRST]
    cookies = login_cookies(fien, live_server)
    size = SIZES[1]
    folder = _folder()
    context, page = open_context(browser, live_server, size, cookies)
    try:
        url = f"/o/korenbloem/workshops/{session.public_id}/present/"
        page.goto(url)
        _fits(page, size, "lobby at 1920")
        for number, ref in enumerate(session.steps(), start=1):
            session.refresh_from_db()
            services.go_to_step(session, step_id=ref.id, actor=fien)
            session.refresh_from_db()
            fill(session, ref, people, fien)
            page.goto(url)
            label = f"step {number} ({ref.kind}) at 1920"
            _fits(page, size, label)
            shown = " ".join(page.locator("main").inner_text().split())
            for text in facilitator_only(ref):
                assert text not in shown, f"{label}: facilitator-only text {text!r} shown"
            if ref.kind == "board":
                assert page.locator(".board .note").count() == 60
                last = page.locator(".board .note").last.bounding_box()
                assert last and last["y"] + last["height"] <= size["height"], label
            check_accessible(page)
            if folder:
                page.screenshot(path=str(folder / f"presenter-1920-{number:02d}-{ref.kind}.png"))
        assert page.errors == []
    finally:
        context.close()


def _custom_session(organisation, fien, steps: list[dict]) -> LiveSession:
    data = {
        "schema_version": 1,
        "slug": "grote-groep",
        "title": "Grote groep",
        "language": "nl",
        "phases": [{"title": "Samen aan de slag", "steps": steps}],
    }
    fmt = create_format(organisation=organisation, data=data, actor=fien)
    return services.start_session(organisation=organisation, fmt=fmt, actor=fien)


def test_ten_groups_of_thirty_people_fit(browser, live_server, transactional_db):
    organisation, fien = _setup()
    session = _custom_session(
        organisation,
        fien,
        [
            {
                "kind": "groups",
                "title": "In groepjes",
                "count": 10,
                "questions": [
                    f"Vraag {n}: wat heb je dit jaar bijgeleerd op het werk?" for n in range(1, 11)
                ],
                "per_question": True,
                "summary": True,
            }
        ],
    )
    for name in NAMES:
        services.join_session(code=session.code, name=name)
    (ref,) = session.steps()
    services.go_to_step(session, step_id=ref.id, actor=fien)
    services.make_groups(session, actor=fien)

    def check(page, size, label):
        groups = page.locator(".big-groups > li")
        assert groups.count() == 10, label
        assert "Ilias Van den Broeck" in page.locator(".big-groups").inner_text()
        last = groups.last.bounding_box()
        assert last and last["y"] + last["height"] <= size["height"], label

    _look(browser, live_server, fien, session, "groups-10", check)


def test_a_world_cafe_of_five_questions_fits(browser, live_server, transactional_db):
    organisation, fien = _setup()
    questions = [
        "Wie in het team leert spontaan bij? Hoe komt dat? Wat kan jij daaruit halen?",
        "Hoe kan jij anderen stimuleren om te leren?",
        "Op welke manier leer je het liefst bij: door te doen, lezen, podcasts, opleiding?",
        "Hoe kan je verplichte vorming linken aan persoonlijke groei?",
        "Welke leerkansen op de werkvloer laten we vandaag nog liggen?",
    ]
    session = _custom_session(
        organisation,
        fien,
        [
            {
                "kind": "rotation",
                "title": "Worldcafé oefening",
                "questions": questions,
                "minutes_per_round": 3,
                "moves": 4,
            }
        ],
    )
    for name in NAMES:
        services.join_session(code=session.code, name=name)
    (ref,) = session.steps()
    services.go_to_step(session, step_id=ref.id, actor=fien)
    services.make_groups(session, actor=fien)
    services.set_item(session, index=2, actor=fien)

    def check(page, size, label):
        assert "Ronde 3 van 5" in page.locator("main").inner_text(), label
        assert page.locator(".rotation-groups > li").count() == 5, label

    _look(browser, live_server, fien, session, "rotation-5", check)


def test_a_scan_question_with_three_groups_fits(browser, live_server, transactional_db):
    from scans import services as scan_services
    from scans.models import CampaignNode, Questionnaire
    from scans.presenter import presenter_results

    organisation, fien = _setup()
    admin = make_user("an@korenbloem.test")
    Membership.objects.create(user=admin, organisation=organisation, role=Role.ADMIN)
    names = ["Bakkerij", "Winkel", "Levering"]
    teams = [Team.objects.create(organisation=organisation, name=name) for name in names]
    questionnaire = Questionnaire.objects.get(organisation__isnull=True, slug="leercultuur")
    campaign = scan_services.create_campaign(
        organisation, questionnaire=questionnaire, name="Meting 2026", teams=teams, actor=admin
    )
    scan_services.open_campaign(campaign, actor=admin)
    minimum = max(campaign.anonymity_minimum, organisation.anonymity_minimum)
    answers = {
        "toegang-informatie": "ja",
        "deelnemen-overleg": "nee",
        "tijd-samenwerking": "ja",
        "aandacht-leren": "ja",
        "mentorschap": "nee",
        "ontmoeten": ["koffie", "teambuilding"],
        "nieuwe-kennis": ["intranet"],
    }
    for n, name in enumerate(names):
        code = CampaignNode.objects.get(campaign=campaign, name=name).code
        for i in range(minimum + n):
            mine = {**answers, "mentorschap": "ja" if i % 2 else "nee"}
            scan_services.submit_response(
                code=code, client_key=secrets.token_urlsafe(16), answers=mine
            )
    session = services.start_session(
        organisation=organisation, fmt=mini(), actor=fien, scan_campaign=campaign
    )
    services.join_session(code=session.code, name="Ann")
    services.next_step(session, actor=fien)
    count = len(presenter_results(campaign).questions)

    def check(page, size, label):
        shown = page.locator(".present-scan").inner_text()
        assert "Meting 2026" in shown, label
        # The organisation beside each of its three groups, each with its own count.
        assert f"{3 * minimum + 3} respondenten" in shown, label
        for n, name in enumerate(names):
            assert f"{name}\n{minimum + n} respondenten" in shown, label
        last = page.locator(".present-scan .scan-table tbody tr").last.bounding_box()
        assert last and last["y"] + last["height"] <= size["height"], label
        size_px = page.evaluate(
            "parseFloat(getComputedStyle(document.querySelector('.scan-pct')).fontSize)"
        )
        assert size_px >= 24, f"{label}: percentages of {size_px} px"

    for index in range(count):
        services.show_scan_results(session, on=True, actor=fien, question=index)
        _look(browser, live_server, fien, session, f"scan-3-groups-q{index + 1}", check)
