"""The ASGI application: Django, with static files served from the app itself.

A reverse proxy in front of several processes may serve /static/ from STATIC_ROOT
instead (see README); serving them here keeps the one-machine default self-contained.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lerend.settings")

django_application = get_asgi_application()

from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler  # noqa: E402

application = ASGIStaticFilesHandler(django_application)
