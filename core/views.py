from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Anonymous visitors see what lerend is; members go to their organisation."""
    if not request.user.is_authenticated:
        return render(request, "core/landing.html")
    memberships = list(request.user.memberships.select_related("organisation"))
    if len(memberships) == 1:
        return redirect("org_dashboard", slug=memberships[0].organisation.slug)
    return render(request, "core/home.html", {"memberships": memberships})


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
