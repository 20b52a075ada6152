"""Settings for the test suite: the real settings with test switches on."""

import os

os.environ["LEREND_TESTING"] = "1"

from lerend.settings import *  # noqa: F403

# Tests read the English source strings unless they ask for Dutch (Accept-Language or the
# language cookie); the tests of the Dutch default set LANGUAGE_CODE back to "nl".
LANGUAGE_CODE = "en"

# pytest-xdist: each worker process gets its own Redis database for the cache, since the
# tests clear the cache (FLUSHDB) between tests. Pub/sub channels are not per database;
# they are keyed by ids that differ between workers.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if REDIS_URL and _worker.startswith("gw"):  # noqa: F405
    from urllib.parse import urlsplit, urlunsplit

    _parts = urlsplit(REDIS_URL)  # noqa: F405
    _database = 1 + int(_worker[2:]) % 15
    CACHES["default"]["LOCATION"] = urlunsplit(_parts._replace(path=f"/{_database}"))  # noqa: F405

# On SQLite the test database is a file (in WAL mode, as in production), not Django's
# shared in-memory database: there, a thread that reads while another writes (the live
# server's threads, the contribution writer) fails with "database table is locked".
# One file per process (each xdist worker imports these settings); pytest-django adds the
# worker's suffix and removes the file at the end.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    import tempfile

    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.gettempdir(), f"lerend-test-{os.getpid()}.sqlite3")
    }
