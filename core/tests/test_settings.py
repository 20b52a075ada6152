"""Settings read from the environment, each case in a fresh process.

Settings are evaluated once per process, so every test imports them in a subprocess with
an environment made for it: nothing from the shell running the suite (such as CI's
DATABASE_URL) leaks in.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SETTINGS_SOURCE = (ROOT / "lerend" / "settings.py").read_text(encoding="utf-8")
VARIABLES = sorted(
    set(re.findall(r"""\benv(?:_bool|_list)?\(\s*f?["']([A-Z0-9_]+)["']""", SETTINGS_SOURCE))
)

SHOW = """
import json, lerend.settings as s
print(json.dumps({name: getattr(s, name) for name in %r}, default=str))
"""


def good_secret() -> str:
    return secrets.token_urlsafe(50)  # 67 characters


def clean_environment(tmp_path: Path, **values: str) -> dict[str, str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in VARIABLES
        and key.removesuffix("_FILE") not in VARIABLES
        and not key.startswith(("LEREND_", "DJANGO_"))
    }
    environment["LEREND_DATA_DIR"] = str(tmp_path)
    environment.update(values)
    return environment


def run(tmp_path: Path, code: str, **values: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean_environment(tmp_path, **values),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def settings_of(tmp_path: Path, *names: str, **values: str) -> dict:
    result = run(tmp_path, SHOW % (names,), **values)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def production(**values: str) -> dict[str, str]:
    good = {
        "LEREND_ENV": "production",
        "SECRET_KEY": good_secret(),
        "ALLOWED_HOSTS": "lerend.example.org",
    }
    return {**good, **values}


def test_the_variables_are_found():
    assert {"SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL"} <= set(VARIABLES)


def test_development_defaults_are_local_and_safe(tmp_path):
    values = settings_of(tmp_path, "DEBUG", "ALLOWED_HOSTS", "PRODUCTION")
    assert values == {
        "DEBUG": True,
        "ALLOWED_HOSTS": ["127.0.0.1", "localhost", "[::1]"],
        "PRODUCTION": False,
    }


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({"DEBUG": "1"}, "DEBUG is on"),
        ({"DEBUG": "true"}, "DEBUG is on"),
        ({"SECRET_KEY": ""}, "SECRET_KEY is the default"),
        ({"SECRET_KEY": "x" * 49}, "shorter than 50 characters"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS is empty"),
        ({"ALLOWED_HOSTS": " , "}, "ALLOWED_HOSTS is empty"),
    ],
)
def test_production_refuses_unsafe_values(tmp_path, values, reason):
    environment = production(**values)
    environment = {k: v for k, v in environment.items() if v != "" or k == "ALLOWED_HOSTS"}

    result = run(tmp_path, "import lerend.settings", **environment)

    assert result.returncode != 0
    assert "django.core.exceptions.ImproperlyConfigured" in result.stderr
    assert "lerend refuses to start in production" in result.stderr
    assert reason in result.stderr


def test_production_lists_every_problem_at_once(tmp_path):
    result = run(tmp_path, "import lerend.settings", LEREND_ENV="production", DEBUG="1")

    assert result.returncode != 0
    message = result.stderr.strip().splitlines()[-1]
    assert "DEBUG is on" in message
    assert "SECRET_KEY" in message
    assert "ALLOWED_HOSTS is empty" in message


def test_production_starts_with_good_values(tmp_path):
    values = settings_of(
        tmp_path,
        "DEBUG",
        "ALLOWED_HOSTS",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        **production(),
    )
    assert values == {
        "DEBUG": False,
        "ALLOWED_HOSTS": ["lerend.example.org"],
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
    }


def test_secret_key_file_is_read_and_wins(tmp_path):
    key = good_secret()
    key_file = tmp_path / "secret_key"
    key_file.write_text(key + "\n")

    values = settings_of(
        tmp_path,
        "SECRET_KEY",
        **production(SECRET_KEY="x" * 60, SECRET_KEY_FILE=str(key_file)),
    )

    assert values["SECRET_KEY"] == key


def test_a_short_secret_key_file_is_refused_in_production(tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text("short\n")
    environment = production(SECRET_KEY_FILE=str(key_file))
    del environment["SECRET_KEY"]

    result = run(tmp_path, "import lerend.settings", **environment)

    assert result.returncode != 0
    assert "SECRET_KEY is the default or shorter than 50 characters" in result.stderr


def test_database_url_switches_to_postgresql(tmp_path):
    values = settings_of(
        tmp_path, "DATABASES", DATABASE_URL="postgres://lerend:pw@db.internal:5433/lerend"
    )
    database = values["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["NAME"], database["HOST"], database["PORT"]) == ("lerend", "db.internal", 5433)
    assert (database["USER"], database["PASSWORD"]) == ("lerend", "pw")


def test_redis_url_switches_the_cache_to_redis(tmp_path):
    values = settings_of(tmp_path, "CACHES", REDIS_URL="redis://127.0.0.1:6379/0")
    assert values["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert values["CACHES"]["default"]["LOCATION"] == "redis://127.0.0.1:6379/0"


def test_default_database_is_sqlite_in_the_data_dir_with_safe_options(tmp_path):
    database = settings_of(tmp_path, "DATABASES")["DATABASES"]["default"]

    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"] == str(tmp_path / "lerend.sqlite3")
    options = database["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 5
    assert "PRAGMA journal_mode=WAL" in options["init_command"]


def test_a_real_sqlite_connection_uses_wal_and_foreign_keys(tmp_path):
    code = """
import django, json
django.setup()
from django.db import connection
with connection.cursor() as cursor:
    pragmas = {}
    for name in ("journal_mode", "foreign_keys", "synchronous", "busy_timeout"):
        cursor.execute(f"PRAGMA {name}")
        pragmas[name] = cursor.fetchone()[0]
print(json.dumps(pragmas))
"""
    result = run(tmp_path, code, DJANGO_SETTINGS_MODULE="lerend.settings")

    assert result.returncode == 0, result.stderr
    pragmas = json.loads(result.stdout.strip().splitlines()[-1])
    assert pragmas["journal_mode"] == "wal"
    assert pragmas["foreign_keys"] == 1
    assert pragmas["synchronous"] == 1  # NORMAL
    assert pragmas["busy_timeout"] >= 5000
    assert (tmp_path / "lerend.sqlite3").exists()


def test_check_deploy_is_clean_in_production(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=clean_environment(tmp_path, **production(DEBUG="0")),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("document", [".env.example", "README.md"])
def test_every_variable_is_documented(document):
    text = (ROOT / document).read_text(encoding="utf-8")
    missing = [name for name in VARIABLES if not re.search(rf"\b{name}\b", text)]
    assert missing == [], f"{document} does not mention {', '.join(missing)}"
