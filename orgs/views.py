from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .access import org_view


@org_view()
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "orgs/dashboard.html")
