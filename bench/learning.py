"""Benchmark of the learning figures and the public offer page.

    .venv/bin/python bench/learning.py                  # SQLite, in a temporary directory
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lerend_bench .venv/bin/python bench/learning.py

Generates 10,000 employees over 200 teams in four levels and 100,000 training records
(inserted in bulk, then the tallies rebuilt), and times, median of 7:

* the participation and days-per-FTE figures (`learning.figures.compute`: tallies, the
  anonymity rule over the team tree, subtree sums), with 100,000 records and again after the
  records double to 200,000 (the figures read the tallies, so they should stay flat);
* the public offer page (`/leren/<slug>/`) with 1,000 offer items, unfiltered and with a
  search word, through Django's test client (no network).

Prints the figures and one JSON line. Options: --employees N, --records N, --items N.
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
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup() -> str:
    if not os.environ.get("DATABASE_URL"):
        os.environ["LEREND_DATA_DIR"] = tempfile.mkdtemp(prefix="lerend-bench-learning-")
    os.environ.setdefault("DEBUG", "0")  # cached templates, as in production
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lerend.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    return connection.vendor


def build_teams(org, employees: int, rng: random.Random):
    """200 teams in four levels: 4 divisions, 16 departments, 60 teams, 120 sub-teams; the
    employees spread over the teams and sub-teams."""
    from orgs.models import Team

    divisions = [Team.objects.create(organisation=org, name=f"Divisie {i}") for i in range(4)]
    departments = [
        Team.objects.create(organisation=org, name=f"Afdeling {i}", parent=divisions[i % 4])
        for i in range(16)
    ]
    teams = [
        Team.objects.create(organisation=org, name=f"Team {i}", parent=departments[i % 16])
        for i in range(60)
    ]
    subs = [
        Team.objects.create(organisation=org, name=f"Ploeg {i}", parent=teams[i % 60])
        for i in range(120)
    ]
    working = teams + subs
    sizes = [0] * len(working)
    for _ in range(employees):
        sizes[rng.randrange(len(working))] += 1
    for team, size in zip(working, sizes, strict=True):
        team.headcount = size
        team.fte = (Decimal(size) * Decimal("0.85")).quantize(Decimal("0.01"))
    Team.objects.bulk_update(working, ["headcount", "fte"])
    for team in divisions + departments:
        team.headcount, team.fte = 0, Decimal(0)
    Team.objects.bulk_update(divisions + departments, ["headcount", "fte"])
    people = []
    for team, size in zip(working, sizes, strict=True):
        people.extend((team, f"Medewerker {team.pk}-{n}") for n in range(size))
    return people


def add_records(org, people, count: int, rng: random.Random, offset: int = 0) -> None:
    from learning.models import Kind, TrainingRecord
    from learning.services import person_key_for

    today = date.today()
    kinds = list(Kind.values)
    batch = []
    for i in range(count):
        team, name = people[(i + offset) % len(people)]
        end = today - timedelta(days=rng.randrange(730))
        days = Decimal(rng.choice(["0.5", "1", "1", "2", "3"]))
        batch.append(
            TrainingRecord(
                organisation=org,
                person_name=name,
                person_key=person_key_for(None, name),
                team=team,
                title=f"Opleiding {i % 300}",
                kind=rng.choice(kinds),
                duration=days,
                unit="days",
                days=days,
                start_date=end - timedelta(days=int(days)),
                end_date=end,
                followed=rng.random() > 0.05,
            )
        )
        if len(batch) == 5000:
            TrainingRecord.objects.bulk_create(batch)
            batch = []
    TrainingRecord.objects.bulk_create(batch)


def median_ms(fn, runs: int = 7) -> float:
    fn()  # warm up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=1_000)
    args = parser.parse_args()
    vendor = setup()
    from django.test import Client

    from learning import figures
    from learning.models import OfferItem
    from learning.services import rebuild_tallies
    from orgs.models import Organisation

    rng = random.Random(2026)
    org = Organisation.objects.create(name="Bench", slug="bench", anonymity_minimum=5)
    people = build_teams(org, args.employees, rng)

    start = time.perf_counter()
    add_records(org, people, args.records, rng)
    rebuild_tallies(org)
    load_s = time.perf_counter() - start
    first = figures.compute(org)
    figures_ms = median_ms(lambda: figures.compute(org))

    add_records(org, people, args.records, rng, offset=7)
    rebuild_tallies(org)
    doubled = figures.compute(org)
    figures_doubled_ms = median_ms(lambda: figures.compute(org))

    items = []
    for i in range(args.items):
        item = OfferItem(
            organisation=org,
            title=f"Opleiding {i:04d}",
            description="Een opleiding over deeg, hygiëne en klantvriendelijkheid." * 2,
            kind=rng.choice(["formal", "non_formal", "informal"]),
            target_group="Alle medewerkers",
            competences="deeg, hygiëne" if i % 10 == 0 else "communicatie",
        )
        item.search_text = item.build_search_text()
        items.append(item)
    OfferItem.objects.bulk_create(items)
    client = Client(HTTP_HOST="127.0.0.1")
    assert client.get("/leren/bench/").status_code == 200
    page_ms = median_ms(lambda: client.get("/leren/bench/"))
    search_ms = median_ms(lambda: client.get("/leren/bench/", {"q": "deeg", "kind": "formal"}))

    visible = sum(1 for r in first.rows if r.visible)
    print(f"database: {vendor}")
    print(
        f"{args.employees} employees, {len(first.rows) - 1} teams, {args.records} records "
        f"loaded with tallies in {load_s:.1f} s; {visible} of {len(first.rows)} groups shown"
    )
    print(f"figures, {args.records} records: {figures_ms:.1f} ms median")
    print(f"figures, {2 * args.records} records: {figures_doubled_ms:.1f} ms median")
    print(
        f"organisation: {doubled.organisation.days_per_fte} days per FTE, "
        f"{doubled.organisation.share} % trained in 12 months"
    )
    print(f"public offer page, {args.items} items: {page_ms:.1f} ms median")
    print(f"public offer page, search and filter: {search_ms:.1f} ms median")
    print(
        json.dumps(
            {
                "bench": "learning",
                "database": vendor,
                "employees": args.employees,
                "teams": len(first.rows) - 1,
                "records": args.records,
                "figures_ms": round(figures_ms, 1),
                "figures_doubled_ms": round(figures_doubled_ms, 1),
                "public_page_ms": round(page_ms, 1),
                "public_search_ms": round(search_ms, 1),
                "items": args.items,
            }
        )
    )


if __name__ == "__main__":
    main()
