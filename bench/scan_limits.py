"""Do the scan's submission limits fit a room? (issue 9)

    .venv/bin/python bench/scan_limits.py

Through the real API (Django's test client, one client address for everyone, time frozen in
one five-minute window): an office of 300 people behind one address answering through their
team link, each on their own device; then a script sending 10,000 responses to one team link
from that address, a new made-up device key each time. Prints how many got through and one
JSON line. Expected: all 300, and at most the per-link limit of the script's 10,000.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
import tempfile
import time
from datetime import UTC, datetime

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main() -> None:
    os.environ["LEREND_DATA_DIR"] = tempfile.mkdtemp(prefix="lerend-bench-limits-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lerend.settings")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    import time_machine
    from django.test import Client

    from orgs.models import Organisation, Team
    from scans import services
    from scans.models import CampaignNode, Questionnaire, Response

    org = Organisation.objects.create(name="Kantoor", slug="kantoor")
    office, other = (Team.objects.create(organisation=org, name=n) for n in ("Office", "Script"))
    campaign = services.create_campaign(
        org,
        questionnaire=Questionnaire.objects.get(organisation__isnull=True, slug="leercultuur"),
        name="Limits",
        teams=[office, other],
        actor=None,
    )
    services.open_campaign(campaign, actor=None)
    codes = {n.name: n.code for n in CampaignNode.objects.filter(campaign=campaign, is_target=True)}
    answers = {
        "toegang-informatie": "ja",
        "deelnemen-overleg": "nee",
        "tijd-samenwerking": "ja",
        "aandacht-leren": "ja",
        "mentorschap": "nee",
    }
    client = Client(REMOTE_ADDR="203.0.113.10")

    def send(code: str) -> int:
        body = {
            "code": code,
            "client_key": secrets.token_urlsafe(16),
            "device_key": secrets.token_urlsafe(16),
            "answers": answers,
        }
        return client.post(
            "/api/v1/responses", data=json.dumps(body), content_type="application/json"
        ).status_code

    window = datetime(2026, 12, 1, 10, 0, 1, tzinfo=UTC)
    with time_machine.travel(window, tick=False):
        start = time.perf_counter()
        office_ok = sum(send(codes["Office"]) == 201 for _ in range(300))
        office_s = time.perf_counter() - start
        start = time.perf_counter()
        statuses = [send(codes["Script"]) for _ in range(10_000)]
        script_s = time.perf_counter() - start
    script_ok = statuses.count(201)
    stored = Response.objects.filter(campaign=campaign).count()
    print(f"office of 300 behind one address: {office_ok} accepted in {office_s:.1f} s")
    print(
        f"script of 10,000 on one link: {script_ok} accepted, {statuses.count(429)} refused "
        f"with 429 (limit {services.LINK_LIMIT} per {services.LINK_WINDOW} s) in {script_s:.1f} s"
    )
    print(
        json.dumps(
            {
                "bench": "scan_limits",
                "office_sent": 300,
                "office_accepted": office_ok,
                "script_sent": 10_000,
                "script_accepted": script_ok,
                "script_refused_429": statuses.count(429),
                "stored": stored,
                "link_limit": services.LINK_LIMIT,
                "window_s": services.LINK_WINDOW,
            }
        )
    )


if __name__ == "__main__":
    main()
