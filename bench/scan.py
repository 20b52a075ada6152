"""Benchmark of the learning-culture scan's reports and submissions.

    .venv/bin/python bench/scan.py                      # SQLite, in a temporary directory
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lerend_bench .venv/bin/python bench/scan.py

Generates one campaign of 100,000 respondents over 200 teams in four levels (about 1.1
million answer rows, inserted in bulk together with the counters the submissions would have
kept), then times, median of 5:

* the organisation report and a team report as the page builds them (`build_report`:
  counters rolled up through the closure table, anonymity rule, free text);
* the bare SQL of the same figures from the counters (the rollup query alone);
* the bare SQL of the same figures straight from the answers (GROUP BY over 1.1 M rows);

and, on SQLite, accepted responses per second with 50 concurrent submitters through
`submit_response`, checking that the stored count equals the submitted count.
Prints the figures and one JSON line. Options: --respondents N, --no-concurrency.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup() -> str:
    if not os.environ.get("DATABASE_URL"):
        os.environ["LEREND_DATA_DIR"] = tempfile.mkdtemp(prefix="lerend-bench-scan-")
    else:
        ensure_postgres_database(os.environ["DATABASE_URL"])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lerend.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    if connection.vendor == "postgresql":  # flush removed the data migration's rows
        call_command("migrate", "scans", "0001", verbosity=0)
        call_command("migrate", "scans", verbosity=0)
    return connection.vendor


def ensure_postgres_database(url: str) -> None:
    from urllib.parse import urlparse

    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def build_teams(org):
    """200 teams in four levels: 4 divisions, 16 departments, 60 teams, 120 sub-teams."""
    from orgs.models import Team

    levels = []
    divisions = [Team.objects.create(organisation=org, name=f"Divisie {i}") for i in range(4)]
    levels.append(divisions)
    departments = [
        Team.objects.create(organisation=org, name=f"Afdeling {i}", parent=divisions[i % 4])
        for i in range(16)
    ]
    levels.append(departments)
    teams = [
        Team.objects.create(organisation=org, name=f"Team {i}", parent=departments[i % 16])
        for i in range(60)
    ]
    levels.append(teams)
    subteams = [
        Team.objects.create(organisation=org, name=f"Ploeg {i}", parent=teams[i % 60])
        for i in range(120)
    ]
    levels.append(subteams)
    return [t for level in levels for t in level]


def generate(respondents: int):
    from django.db import connection, transaction

    from orgs.models import Organisation
    from scans import services
    from scans.models import (
        TOTAL,
        Answer,
        CampaignNode,
        Counter,
        FreeText,
        Questionnaire,
        ReleasedCounter,
        Response,
    )

    rng = random.Random(2026)
    org = Organisation.objects.create(name="Bench", slug=f"bench-{uuid.uuid4().hex[:6]}")
    teams = build_teams(org)
    questionnaire = Questionnaire.objects.get(organisation__isnull=True, slug="leercultuur")
    campaign = services.create_campaign(
        org, questionnaire=questionnaire, name="Bench", teams=teams, actor=None
    )
    services.open_campaign(campaign, actor=None)
    nodes = list(CampaignNode.objects.filter(campaign=campaign, is_target=True))
    content = campaign.questionnaire
    questions = content.questions
    # Sizes: most respondents in the 120 sub-teams, a few small teams that must be hidden.
    weights = [1 if n.depth <= 2 else (8 if n.depth == 3 else 30) for n in nodes]
    small = set(rng.sample(range(len(nodes)), 15))
    node_of = []
    for i in range(len(nodes)):
        if i in small:
            node_of.extend([i] * rng.randint(1, 4))
    rest = respondents - len(node_of)
    node_of.extend(
        rng.choices(
            [i for i in range(len(nodes)) if i not in small],
            weights=[w for i, w in enumerate(weights) if i not in small],
            k=rest,
        )
    )
    counters: dict[tuple[int, str, str], int] = {}
    response_rows = []
    answer_rows = []
    text_rows = []
    today = "2026-12-01"
    for index in node_of:
        node = nodes[index]
        rid = uuid.uuid4()
        response_rows.append((rid, campaign.pk, node.pk, today, True, False))
        keys = [(TOTAL, TOTAL)]
        for q in questions:
            if q.kind == "yes_no":
                chosen = ["ja" if rng.random() < 0.6 else "nee"]
            else:
                options = q.option_keys()
                chosen = [o for o in options[:-1] if rng.random() < 0.165]
                if rng.random() < 0.05:
                    chosen.append(options[-1])
                    text_rows.append((campaign.pk, node.pk, q.key, f"tekst {rng.randint(1, 999)}"))
            if chosen:
                keys.append((q.key, TOTAL))
            for option in chosen:
                keys.append((q.key, option))
                answer_rows.append((uuid.uuid4(), rid, q.key, option))
        for question, option in keys:
            counters[(node.pk, question, option)] = counters.get((node.pk, question, option), 0) + 1
    start = time.perf_counter()
    vendor = connection.vendor
    q = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        if vendor == "postgresql":
            raw = cursor.cursor
            with raw.copy(
                f"COPY {Response._meta.db_table} (id, campaign_id, node_id, "
                "submitted_on, released, superseded) FROM STDIN"
            ) as copy:
                for row in response_rows:
                    copy.write_row(row)
            with raw.copy(
                f"COPY {Answer._meta.db_table} (id, response_id, question, {q('option')}) "
                "FROM STDIN"
            ) as copy:
                for row in answer_rows:
                    copy.write_row(row)
        else:
            cursor.executemany(
                f"INSERT INTO {Response._meta.db_table} (id, campaign_id, node_id, submitted_on, "
                "released, superseded) VALUES (%s, %s, %s, %s, %s, %s)",
                [(r[0].hex, *r[1:]) for r in response_rows],
            )
            cursor.executemany(
                f"INSERT INTO {Answer._meta.db_table} (id, response_id, question, {q('option')}) "
                "VALUES (%s, %s, %s, %s)",
                [(r[0].hex, r[1].hex, r[2], r[3]) for r in answer_rows],
            )
        Counter.objects.bulk_create(
            [
                Counter(campaign=campaign, node_id=n, question=qk, option=o, n=c)
                for (n, qk, o), c in counters.items()
            ],
            batch_size=5000,
        )
        # Released as if the campaign had been read all along: reports read these.
        ReleasedCounter.objects.bulk_create(
            [
                ReleasedCounter(campaign=campaign, node_id=n, question=qk, option=o, n=c)
                for (n, qk, o), c in counters.items()
            ],
            batch_size=5000,
        )
        FreeText.objects.bulk_create(
            [FreeText(campaign_id=c, node_id=n, question=qk, text=t) for c, n, qk, t in text_rows],
            batch_size=5000,
        )
    insert_seconds = time.perf_counter() - start
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return campaign, len(response_rows), len(answer_rows), insert_seconds


def median_ms(fn, runs: int = 5) -> float:
    fn()  # warm-up (connections, caches)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def bare_from_answers(campaign, node_ids: list[int] | None) -> list:
    from django.db import connection

    q = connection.ops.quote_name
    sql = (
        f"SELECT a.question, a.{q('option')}, COUNT(*) FROM scans_answer a "
        "JOIN scans_response r ON r.id = a.response_id WHERE r.campaign_id = %s"
    )
    params: list = [campaign.pk]
    if node_ids is not None:
        sql += f" AND r.node_id IN ({', '.join(['%s'] * len(node_ids))})"
        params.extend(node_ids)
    sql += " GROUP BY a.question, a." + q("option")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
        cursor.execute(
            "SELECT node_id, COUNT(*) FROM scans_response WHERE campaign_id = %s GROUP BY node_id",
            [campaign.pk],
        )
        rows += cursor.fetchall()
    return rows


def bare_counter_sql(campaign, node_ids: list[int]) -> list:
    from django.db import connection

    q = connection.ops.quote_name
    marks = ", ".join(["%s"] * len(node_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT a.ancestor_id, c.question, c.{q('option')}, SUM(c.n) "
            "FROM scans_nodeancestor a JOIN scans_counter c ON c.node_id = a.descendant_id "
            f"WHERE a.campaign_id = %s AND c.campaign_id = %s AND a.ancestor_id IN ({marks}) "
            "GROUP BY 1, 2, 3",
            [campaign.pk, campaign.pk, *node_ids],
        )
        rows = cursor.fetchall()
        cursor.execute(
            "SELECT node_id, n FROM scans_counter WHERE campaign_id = %s AND "
            "question = '' AND " + q("option") + " = ''",
            [campaign.pk],
        )
        rows += cursor.fetchall()
    return rows


def concurrency(submitters: int = 50, per_submitter: int = 20) -> dict:
    import secrets

    from django.db import connection, connections

    from orgs.models import Organisation, Team
    from scans import services
    from scans.models import CampaignNode, Questionnaire, Response

    org = Organisation.objects.create(
        name="Bench concurrency", slug=f"bench-c-{uuid.uuid4().hex[:6]}"
    )
    teams = [Team.objects.create(organisation=org, name=f"T{i}") for i in range(10)]
    campaign = services.create_campaign(
        org,
        questionnaire=Questionnaire.objects.get(organisation__isnull=True, slug="leercultuur"),
        name="C",
        teams=teams,
        actor=None,
    )
    services.open_campaign(campaign, actor=None)
    codes = list(
        CampaignNode.objects.filter(campaign=campaign, is_target=True).values_list(
            "code", flat=True
        )
    )
    answers = {
        "toegang-informatie": "ja",
        "deelnemen-overleg": "nee",
        "tijd-samenwerking": "ja",
        "aandacht-leren": "ja",
        "mentorschap": "nee",
        "ontmoeten": ["koffie", "andere"],
        "nieuwe-kennis": ["intranet", "teamoverleg"],
        "consulteren": ["collegas"],
    }
    from django.conf import settings

    # The per-link limit guards against scripts; this benchmark is one on purpose.
    settings.SCAN_LINK_LIMIT = 10**9
    accepted = [0] * submitters
    errors: list[str] = []
    barrier = threading.Barrier(submitters)
    connection.close()

    def work(i: int) -> None:
        barrier.wait()
        try:
            for j in range(per_submitter):
                services.submit_response(
                    code=codes[(i + j) % len(codes)],
                    client_key=secrets.token_urlsafe(16),
                    answers=answers,
                    other={"ontmoeten": "bij de printer"},
                )
                accepted[i] += 1
        except Exception as error:
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(submitters)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - start
    stored = Response.objects.filter(campaign=campaign).count()
    return {
        "submitters": submitters,
        "submitted": sum(accepted),
        "stored": stored,
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
        "seconds": round(seconds, 2),
        "per_second": round(sum(accepted) / seconds, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--respondents", type=int, default=100_000)
    parser.add_argument("--no-concurrency", action="store_true")
    args = parser.parse_args()
    vendor = setup()

    from scans.models import CampaignNode, NodeAncestor
    from scans.reports import build_report, load_tree

    start = time.perf_counter()
    campaign, n_responses, n_answers, insert_seconds = generate(args.respondents)
    print(
        f"{vendor}: generated {n_responses} respondents, {n_answers} answers "
        f"in {time.perf_counter() - start:.1f} s (bulk insert {insert_seconds:.1f} s)"
    )
    tree = load_tree(campaign)
    root = tree.root
    visible_leaves = [n for n in tree.nodes if n.depth == 4 and tree.suppression.is_visible(n.pk)]
    team = visible_leaves[0]
    chain = [team.pk, team.parent_id, root.pk]
    team_descendants = list(
        NodeAncestor.objects.filter(ancestor_id=team.pk).values_list("descendant_id", flat=True)
    )
    hidden = sum(1 for n in tree.nodes if not tree.suppression.is_visible(n.pk))

    org_report = median_ms(lambda: build_report(campaign))
    team_report = median_ms(lambda: build_report(campaign, team=str(team.public_id)))
    bare_org_counters = median_ms(lambda: bare_counter_sql(campaign, [root.pk]))
    bare_team_counters = median_ms(lambda: bare_counter_sql(campaign, chain))
    bare_org_answers = median_ms(lambda: bare_from_answers(campaign, None))
    bare_team_answers = median_ms(lambda: bare_from_answers(campaign, team_descendants))
    result = {
        "bench": "scan",
        "database": vendor,
        "respondents": n_responses,
        "answers": n_answers,
        "teams": CampaignNode.objects.filter(campaign=campaign).count() - 1,
        "hidden_nodes": hidden,
        "insert_s": round(insert_seconds, 1),
        "org_report_ms": round(org_report, 1),
        "team_report_ms": round(team_report, 1),
        "bare_counters_org_ms": round(bare_org_counters, 2),
        "bare_counters_team_ms": round(bare_team_counters, 2),
        "bare_answers_org_ms": round(bare_org_answers, 1),
        "bare_answers_team_ms": round(bare_team_answers, 1),
        "org_ratio_vs_bare_answers": round(org_report / bare_org_answers, 3),
        "team_ratio_vs_bare_answers": round(team_report / bare_team_answers, 3),
        "org_ratio_vs_bare_counters": round(org_report / bare_org_counters, 2),
        "team_ratio_vs_bare_counters": round(team_report / bare_team_counters, 2),
    }
    print(
        f"organisation report: {org_report:8.1f} ms   team report: {team_report:8.1f} ms "
        f"(median of 5; {hidden} of {len(tree.nodes)} groups hidden)"
    )
    print(
        f"bare SQL from counters (org / team):  {bare_org_counters:8.2f} / "
        f"{bare_team_counters:.2f} ms"
    )
    print(
        f"bare SQL from answers  (org / team):  {bare_org_answers:8.1f} / "
        f"{bare_team_answers:.1f} ms  (live GROUP BY over {n_answers} rows)"
    )
    print(
        f"report / bare answers SQL: org {result['org_ratio_vs_bare_answers']}x, "
        f"team {result['team_ratio_vs_bare_answers']}x; report / bare counters SQL: "
        f"org {result['org_ratio_vs_bare_counters']}x, "
        f"team {result['team_ratio_vs_bare_counters']}x"
    )
    if vendor == "sqlite" and not args.no_concurrency:
        c = concurrency()
        result["concurrency"] = c
        print(
            f"50 concurrent submitters: {c['submitted']} accepted in {c['seconds']} s = "
            f"{c['per_second']}/s, stored {c['stored']}, errors {c['errors']}"
        )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
