"""The periodic tick: a job runs once per period, whoever ticks and however often."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from core import periodic
from core.models import PeriodicJobRun

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def registry(monkeypatch):
    """An empty registry for the test (the apps' own jobs are put back afterwards)."""
    monkeypatch.setattr(periodic, "_registry", {})
    return periodic._registry


@pytest.fixture
def counted(registry):
    calls: list[datetime] = []

    def job():
        from django.utils import timezone

        calls.append(timezone.now())

    periodic.register("test.daily", timedelta(days=1), job)
    return calls


@pytest.mark.django_db
def test_a_tick_twice_in_a_row_runs_a_job_once(counted):
    with time_machine.travel(START, tick=False):
        assert periodic.tick() == ["test.daily"]
        assert periodic.tick() == []
    assert len(counted) == 1
    row = PeriodicJobRun.objects.get(name="test.daily")
    assert row.last_run_at == START and row.runs == 1 and row.last_error == ""


@pytest.mark.django_db
def test_the_next_period_runs_again(counted):
    with time_machine.travel(START, tick=False) as traveller:
        periodic.tick()
        traveller.move_to(START + timedelta(hours=23, minutes=59))
        assert periodic.tick() == []
        traveller.move_to(START + timedelta(days=1))
        assert periodic.tick() == ["test.daily"]
    assert counted == [START, START + timedelta(days=1)]


@pytest.mark.django_db
def test_two_workers_racing_run_a_job_once(counted, monkeypatch):
    """Worker A reads the job as due; before it claims it, worker B ticks completely."""
    real_claim = periodic.claim
    raced = []

    def claim_after_the_other_worker(job, now):
        if not raced:
            raced.append(True)
            assert periodic.tick() == ["test.daily"]  # worker B
        return real_claim(job, now)

    with time_machine.travel(START, tick=False):
        # Both read the row before either writes: A's compare-and-swap must then fail.
        PeriodicJobRun.objects.create(name="test.daily")
        monkeypatch.setattr(periodic, "claim", claim_after_the_other_worker)
        ran_by_a = periodic.tick()
    assert ran_by_a == []
    assert len(counted) == 1
    assert PeriodicJobRun.objects.get(name="test.daily").runs == 1


@pytest.mark.django_db
def test_a_stale_read_cannot_claim_again(counted):
    """The compare-and-swap itself: a claim with an old `last_run_at` fails."""
    job = periodic.jobs()[0]
    with time_machine.travel(START, tick=False):
        assert periodic.claim(job, START) is True
        row = PeriodicJobRun.objects.get(name=job.name)
        PeriodicJobRun.objects.filter(pk=row.pk).update(last_run_at=START - timedelta(days=2))
        # Another worker claims now; this one still holds the old value in hand.
        assert periodic.claim(job, START) is True
        assert periodic.claim(job, START) is False


@pytest.mark.django_db
def test_a_missed_week_is_caught_up_once(counted):
    with time_machine.travel(START, tick=False) as traveller:
        periodic.tick()
        traveller.move_to(START + timedelta(days=7, hours=3))  # no worker for a week
        assert periodic.tick() == ["test.daily"]
        assert periodic.tick() == []
        traveller.move_to(START + timedelta(days=8))
        assert periodic.tick() == []  # the next run is a period after the catch-up
        traveller.move_to(START + timedelta(days=8, hours=3))
        assert periodic.tick() == ["test.daily"]
    assert len(counted) == 3


@pytest.mark.django_db
def test_a_failing_job_is_recorded_and_the_others_still_run(registry, caplog):
    ran = []

    def broken():
        raise RuntimeError("mail server away")

    periodic.register("test.broken", timedelta(hours=1), broken)
    periodic.register("test.fine", timedelta(hours=1), lambda: ran.append(1))
    with time_machine.travel(START, tick=False):
        assert periodic.tick() == ["test.broken", "test.fine"]
        assert periodic.tick() == []  # not retried within its period
    assert ran == [1]
    row = PeriodicJobRun.objects.get(name="test.broken")
    assert row.last_error == "RuntimeError: mail server away" and row.runs == 1
    assert "periodic job test.broken failed" in caplog.text


def test_register_refuses_nonsense(registry):
    with pytest.raises(ValueError):
        periodic.register("", timedelta(days=1), lambda: None)
    with pytest.raises(ValueError):
        periodic.register("x", timedelta(0), lambda: None)
    periodic.register("x", timedelta(days=1), lambda: None)
    periodic.register("x", timedelta(days=2), lambda: None)  # replaced, not doubled
    assert [(j.name, j.every) for j in periodic.jobs()] == [("x", timedelta(days=2))]


@pytest.mark.django_db
def test_lerend_tick_runs_one_tick(counted):
    out = StringIO()
    with time_machine.travel(START, tick=False):
        call_command("tick", stdout=out)
        call_command("tick", stdout=out)
    assert out.getvalue().splitlines() == ["Ran: test.daily", "Nothing was due."]
    assert len(counted) == 1


def test_the_apps_register_their_jobs():
    names = {job.name for job in periodic.jobs()}
    assert "scans.invitation_reminders" in names


@pytest.mark.django_db(transaction=True)
def test_the_worker_ticks_in_the_background(registry):
    ran = threading.Event()
    periodic.register("test.soon", timedelta(minutes=1), ran.set)
    ticker = periodic.Ticker(interval=0.05)
    ticker.start()
    try:
        assert ran.wait(30), "the ticker never ran the job"
    finally:
        ticker.stop()
        ticker.join(30)
    assert not ticker.is_alive()
    assert PeriodicJobRun.objects.get(name="test.soon").runs == 1


@pytest.mark.django_db(transaction=True)
def test_lerend_worker_starts_the_ticker_and_stops_it(monkeypatch, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from core.management.commands import worker

    started = []

    class FakeTicker:
        def __init__(self, interval):
            started.append(interval)

        def start(self):
            started.append("start")

        def stop(self):
            started.append("stop")

    monkeypatch.setattr(worker, "Ticker", FakeTicker)
    monkeypatch.setattr(worker.DbWorkerCommand, "handle", lambda self, *a, **k: None)
    call_command("worker", "--no-reload")
    assert started == [periodic.TICK_SECONDS, "start", "stop"]
    started.clear()
    call_command("worker", "--no-reload", "--no-tick")
    assert started == []


def test_the_apps_register_their_periodic_jobs():
    from core import periodic

    names = set(periodic._registry)
    assert {"actions.reminders", "learning.plan_reminders"} <= names
