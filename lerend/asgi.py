"""The ASGI application: the live-session event stream, then Django with static files.

`GET /api/v1/sessions/<code>/events` (Server-Sent Events) is answered by the lean endpoint
in realtime/asgi.py, outside Django's middleware stack; every other request goes to Django.
A body over the limit (core.bodylimit) is answered 413 before either sees it. The lifespan
protocol starts and stops the realtime hub (and its Redis subscriber); a server run without
lifespan starts it at the first stream instead.

A reverse proxy in front of several processes may serve /static/ from STATIC_ROOT
instead (see README); serving them here keeps the one-machine default self-contained.
"""

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lerend.settings")

django_application = get_asgi_application()

from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler  # noqa: E402

from core.bodylimit import BodySizeLimit  # noqa: E402
from realtime.asgi import make_application  # noqa: E402

# Bodies over the limit are answered 413 here, before Django (or anything else) reads them.
application = BodySizeLimit(make_application(ASGIStaticFilesHandler(django_application)))


def _freeze_what_lasts() -> None:
    """Put what every process holds for its life (Django, the apps, every view and the API,
    imported here rather than at the first request) out of the garbage collector's walk.
    Otherwise each full collection walks them all, about 200,000 objects: a pause of 100 to
    200 ms, twice in a room's burst of 2,000 notes (bench/notes.py). Objects made later are
    collected as before."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports the URLconf, its views and the API
    gc.collect()
    gc.freeze()


_freeze_what_lasts()
