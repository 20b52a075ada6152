"""The ASGI application: the live-session event stream, then Django with static files.

`GET /api/v1/sessions/<code>/events` (Server-Sent Events) is answered by the lean endpoint
in realtime/asgi.py, outside Django's middleware stack; every other request goes to Django.
A body over the limit (core.bodylimit) is answered 413 before either sees it. The lifespan
protocol starts and stops the realtime hub (and its Redis subscriber); a server run without
lifespan starts it at the first stream instead.

A reverse proxy in front of several processes may serve /static/ from STATIC_ROOT
instead (see README); serving them here keeps the one-machine default self-contained.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lerend.settings")

django_application = get_asgi_application()

from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler  # noqa: E402

from core.bodylimit import BodySizeLimit  # noqa: E402
from realtime.asgi import make_application  # noqa: E402

# Bodies over the limit are answered 413 here, before Django (or anything else) reads them.
application = BodySizeLimit(make_application(ASGIStaticFilesHandler(django_application)))
