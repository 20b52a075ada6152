"""`lerend serve`: migrate, optionally load the demo, and serve the app with its worker.

One command for a one-machine installation: the database is migrated, the background
worker (django-tasks-db, with the periodic tick of `core.periodic`) runs as a child
process, and uvicorn serves the ASGI application in this process (or in N worker
processes with --workers N). Ctrl-C or SIGTERM stops uvicorn first and then the worker.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from formats.services import load_builtins

ASGI_APP = "lerend.asgi:application"
WORKER_STOP_SECONDS = 10


def positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


def port_number(value: str) -> int:
    number = int(value)
    if not 0 < number < 65536:
        raise ValueError(value)
    return number


def url_for(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


WILDCARD_HOSTS = {"", "0.0.0.0", "::", "[::]"}  # noqa: S104 (names, not a bind)


def _lan_address(ipv6: bool) -> str:
    """This machine's address on its network (what a phone on the same Wi-Fi reaches), or
    loopback. A UDP socket's connect sends nothing; it only picks the outgoing address."""
    family, probe, loopback = (
        (socket.AF_INET6, "2001:db8::1", "::1")
        if ipv6
        else (socket.AF_INET, "192.0.2.1", "127.0.0.1")
    )
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as sock:
            sock.connect((probe, 9))
            return str(sock.getsockname()[0])
    except OSError:
        return loopback


def site_url_for(host: str, port: int) -> str:
    """The address to put in links for a server listening on host:port (no trailing slash).
    A wildcard host (all interfaces) becomes this machine's network address."""
    if host in WILDCARD_HOSTS:
        host = _lan_address(ipv6=":" in host)
    return url_for(host, port).rstrip("/")


def apply_site_url(host: str, port: int) -> str | None:
    """Without SITE_URL in the environment (development), use the served address: here, in
    the worker started below and in uvicorn's worker processes (they read the environment).
    Returns the derived address, or None when SITE_URL was set or this is production."""
    if settings.SITE_URL_FROM_ENV or getattr(settings, "PRODUCTION", False):
        return None
    site = site_url_for(host, port)
    settings.SITE_URL = site
    os.environ["SITE_URL"] = site
    return site


class Command(BaseCommand):
    help = "Migrate the database and serve lerend (uvicorn) with its background worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
        parser.add_argument("--port", type=port_number, default=8000, help="Port.")
        parser.add_argument(
            "--demo", action="store_true", help="Create the demo organisation first."
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Do not start the background worker (run `lerend worker` yourself).",
        )
        parser.add_argument(
            "--workers",
            type=positive_int,
            default=1,
            help="Number of web server processes (default: 1).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.verbosity = options["verbosity"]
        if options["workers"] > 1 and not settings.REDIS_URL:
            raise CommandError(
                "--workers above 1 needs REDIS_URL: the processes share the events of live "
                "sessions and the rate limits through Redis."
            )
        # The SQLite file and uploads live here; a fresh LEREND_DATA_DIR just works.
        Path(settings.DATA_DIR).mkdir(parents=True, exist_ok=True)
        derived = apply_site_url(options["host"], options["port"])
        if derived and self.verbosity > 0:
            self.stdout.write(
                f"Links in e-mails and QR codes use {derived}/ (set SITE_URL to change)."
            )
        elif derived is None and not settings.SITE_URL_FROM_ENV:
            self.stderr.write(
                f"SITE_URL is not set: links in e-mails and QR codes use {settings.SITE_URL}/."
            )
        call_command("migrate", interactive=False, verbosity=0, stdout=self.stdout)
        # The migration loads the built-in formats once; this brings an existing database
        # up to date with the formats of the installed version (idempotent).
        load_builtins()
        if options["demo"]:
            call_command("demo", stdout=self.stdout, stderr=self.stderr)

        # uvicorn re-raises the signal that stopped it once it has shut down; with this
        # handler in place, SIGTERM then unwinds through `finally` like Ctrl-C does.
        signal.signal(signal.SIGTERM, _exit_on_sigterm)
        worker = None if options["no_worker"] else self.start_worker()
        try:
            self.serve(options["host"], options["port"], options["workers"])
        except KeyboardInterrupt:
            pass
        finally:
            if worker is not None:
                self.stop_worker(worker)

    def start_worker(self) -> subprocess.Popen:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE}
        # Its own process group: Ctrl-C in the terminal reaches only this process, which
        # then stops the worker exactly once, after the web server has stopped.
        worker = subprocess.Popen(
            # lerend's worker: django-tasks-db's db_worker plus the periodic tick.
            [sys.executable, "-m", "django", "worker", "--no-reload"],
            env=env,
            process_group=0,
        )
        self.stdout.write(f"Background worker started (process {worker.pid}).")
        return worker

    def stop_worker(self, worker: subprocess.Popen) -> None:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=WORKER_STOP_SECONDS)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
        self.stdout.write(f"Background worker stopped (exit code {worker.returncode}).")

    def serve(self, host: str, port: int, workers: int) -> None:
        import uvicorn

        self.stdout.write(self.style.SUCCESS(f"Starting lerend at {url_for(host, port)}"))
        self.stdout.write("Press Ctrl-C to stop.")
        self.stdout.flush()
        uvicorn.run(
            ASGI_APP,
            host=host,
            port=port,
            workers=workers,
            # The realtime hub and its Redis subscriber start and stop with the server.
            lifespan="on",
            timeout_graceful_shutdown=10,
            log_level="info" if self.verbosity > 0 else "warning",
            access_log=self.verbosity > 1,
        )


def _exit_on_sigterm(signum: int, frame: Any) -> None:
    raise SystemExit(0)
