"""Benchmark of the action register.

    .venv/bin/python bench/actions.py                   # SQLite, in a temporary directory
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lerend_bench .venv/bin/python bench/actions.py

Builds one organisation with 200 teams and 1,000 owners, first with 2,000 actions, then with
20,000, and times (median of 9) through Django's test client as a facilitator:

* the filtered actions page (`/o/<org>/acties/?theme=...&when=overdue`, and by team);
* the API list (`/api/v1/actions?organisation=...&limit=50`, and by team);

with the number of queries of each at both sizes (it must not grow with the actions). Then
one reminder tick (`actions.reminders.run_tick`) over the 20,000 actions, checking that it
queues exactly the digests and due-date reminders that are due (and nothing on a second
tick). Prints the figures and one JSON line. Option: --actions N (default 20000).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup() -> str:
    if not os.environ.get("DATABASE_URL"):
        os.environ["LEREND_DATA_DIR"] = tempfile.mkdtemp(prefix="lerend-bench-actions-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lerend.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    return connection.vendor


def build(n_owners: int = 1000, n_teams: int = 200):
    from accounts.models import User
    from orgs.models import Membership, Organisation, Role, Team

    org = Organisation.objects.create(name="Bench", slug="bench")
    Team.objects.bulk_create([Team(organisation=org, name=f"Team {i:03d}") for i in range(n_teams)])
    users = User.objects.bulk_create(
        [User(email=f"owner{i}@bench.test", password="!") for i in range(n_owners)]
    )
    Membership.objects.bulk_create(
        [Membership(user=u, organisation=org, role=Role.MEMBER) for u in users]
    )
    facilitator = User.objects.create(email="fac@bench.test", password="!")
    Membership.objects.create(user=facilitator, organisation=org, role=Role.FACILITATOR)
    return org, list(Team.objects.filter(organisation=org)), users, facilitator


def add_actions(org, teams, users, count: int, rng: random.Random) -> None:
    from django.utils import timezone

    from actions.models import Action, Kind, Status, Theme

    today = timezone.localdate()
    themes = Theme.values
    statuses = [Status.OPEN] * 5 + [Status.IN_PROGRESS] * 2 + [Status.DONE] * 2 + [Status.DROPPED]
    rows = []
    for i in range(count):
        personal = i % 20 == 0
        due = today + timezone.timedelta(days=rng.randint(-60, 120)) if rng.random() < 0.9 else None
        rows.append(
            Action(
                organisation=org,
                kind=Kind.PERSONAL if personal else Kind.AGREEMENT,
                text=f"Actie {i}: leren op de werkvloer",
                owner=None if personal else rng.choice(users),
                due_date=due,
                evaluation_date=(due + timezone.timedelta(days=30)) if due else None,
                status=rng.choice(statuses),
                theme=rng.choice(themes),
                team=rng.choice(teams),
                contact_email="p@bench.test" if personal else "",
                link_hash=f"{i:064d}" if personal else "",
                link_expires_at=timezone.now() + timezone.timedelta(days=365) if personal else None,
            )
        )
    Action.objects.bulk_create(rows, batch_size=2000)


def timed(client, url: str, runs: int = 9, **kwargs) -> tuple[float, int, float]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url, **kwargs)  # warm
    samples, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(url, **kwargs)
        samples.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url, **kwargs)
    return statistics.median(samples), len(ctx.captured_queries), statistics.median(cpu)


def measure(client, org, team) -> dict[str, tuple[float, int, float]]:
    slug = org.slug
    return {
        "page_filtered": timed(client, f"/o/{slug}/acties/?theme=budget&when=overdue"),
        "page_fragment": timed(
            client, f"/o/{slug}/acties/?theme=budget&when=overdue", headers={"HX-Request": "true"}
        ),
        "page_team": timed(client, f"/o/{slug}/acties/?team={team.public_id}&status=open"),
        "api_list": timed(client, f"/api/v1/actions?organisation={slug}&limit=50"),
        "api_team": timed(
            client, f"/api/v1/actions?organisation={slug}&team={team.public_id}&limit=50"
        ),
    }


def expected_reminders(today) -> int:
    from datetime import timedelta

    from django.db.models import Q

    from actions.models import OPEN_STATUSES, Action

    owners = set(
        Action.objects.filter(kind="agreement", owner__isnull=False)
        .filter(
            Q(status__in=OPEN_STATUSES, due_date__lte=today + timedelta(days=3))
            | Q(evaluation_date=today, status__in=["open", "in_progress", "done"])
        )
        .values_list("owner_id", flat=True)
    )
    personal = (
        Action.objects.filter(kind="personal", status__in=OPEN_STATUSES)
        .filter(due_date__lte=today, due_date__gt=today - timedelta(days=31))
        .count()
    )
    return len(owners) + personal


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--actions", type=int, default=20000)
    args = parser.parse_args()
    vendor = setup()
    from django.test import Client
    from django.utils import timezone

    from actions.reminders import run_tick

    rng = random.Random(11)
    org, teams, users, facilitator = build()
    client = Client()
    client.force_login(facilitator)

    small = args.actions // 10
    add_actions(org, teams, users, small, rng)
    at_small = measure(client, org, teams[7])
    add_actions(org, teams, users, args.actions - small, rng)
    at_full = measure(client, org, teams[7])

    expected = expected_reminders(timezone.localdate())
    start, start_cpu = time.perf_counter(), time.process_time()
    sent = run_tick()
    tick_ms = (time.perf_counter() - start) * 1000
    tick_cpu_ms = (time.process_time() - start_cpu) * 1000
    again = run_tick()

    print(
        f"database: {vendor}; actions: {args.actions} over {len(teams)} teams; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    result: dict[str, object] = {"bench": "actions", "database": vendor, "actions": args.actions}
    for name, (ms, queries, cpu_ms) in at_full.items():
        small_queries = at_small[name][1]
        print(
            f"{name:14s} median {ms:7.1f} ms (cpu {cpu_ms:6.1f} ms)  queries {queries} "
            f"(at {small} actions: {small_queries}, {at_small[name][0]:.1f} ms)"
        )
        result[f"{name}_ms"] = round(ms, 1)
        result[f"{name}_cpu_ms"] = round(cpu_ms, 1)
        result[f"{name}_queries"] = queries
        result[f"{name}_queries_small"] = small_queries
    print(
        f"reminder tick  {tick_ms:7.1f} ms (cpu {tick_cpu_ms:6.1f} ms)  queued {sent} "
        f"(expected {expected}); again: {again}"
    )
    result.update(
        {
            "tick_ms": round(tick_ms, 1),
            "tick_cpu_ms": round(tick_cpu_ms, 1),
            "tick_sent": sent,
            "tick_expected": expected,
            "again": again,
            "load_average": os.getloadavg()[0],
        }
    )
    ok = (
        sent == expected
        and again == 0
        and all(at_full[k][1] == at_small[k][1] for k in at_full)
        and all(v[0] < 150 for v in at_full.values())
        and tick_ms < 2000
    )
    result["ok"] = ok
    print(json.dumps(result))


if __name__ == "__main__":
    main()
