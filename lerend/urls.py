from django.conf import settings
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog, set_language

from .api import api

urlpatterns = [
    path("", include("core.urls")),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("o/", include("orgs.urls")),
    path("", include("formats.urls")),
    path("", include("workshops.urls")),
    path("", include("scans.urls")),
    path("mijn-leren/", include("portfolio.urls")),
    path("", include("learning.urls")),
    path("", include("actions.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/v1/", api.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
