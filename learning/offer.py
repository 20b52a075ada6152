"""The public offer: what an organisation's page and API show employees, without an account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import segno
from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from orgs.models import Organisation

from .models import ContactPoint, LearningFormat, OfferItem, RouteStep, settings_for

PAGE_SIZE = 30
MAX_QUERY = 100


def public_organisation(slug: str) -> Organisation:
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None or not settings_for(organisation).public_enabled:
        raise Http404
    return organisation


def public_url(organisation: Organisation) -> str:
    return settings.SITE_URL + reverse("learning:public_offer", args=[organisation.slug])


def offer_link(organisation: Organisation, day: date | None = None) -> str | None:
    """The public offer page's address when it is on and has items today, else None."""
    if not settings_for(organisation).public_enabled:
        return None
    if not OfferItem.objects.of(organisation).active_on(day or timezone.localdate()).exists():
        return None
    return public_url(organisation)


def qr_svg(organisation: Organisation) -> str:
    return segno.make(public_url(organisation), error="m").svg_inline(scale=4, border=2)


def qr_data_uri(organisation: Organisation) -> str:
    return segno.make(public_url(organisation), error="m").svg_data_uri(scale=4, border=2)


@dataclass
class OfferFilter:
    q: str = ""
    kind: str = ""
    format: str = ""

    @classmethod
    def from_params(cls, params: dict[str, str]) -> OfferFilter:
        from .models import Kind

        q = " ".join(str(params.get("q", ""))[:MAX_QUERY].split())
        q = "".join(c for c in q if c.isprintable())
        kind = params.get("kind", "")
        fmt = params.get("format", "")
        return cls(
            q=q,
            kind=kind if kind in Kind.values else "",
            format=fmt if fmt in LearningFormat.values else "",
        )


def search(
    organisation: Organisation, flt: OfferFilter, day: date | None = None
) -> QuerySet[OfferItem]:
    items = (
        OfferItem.objects.of(organisation)
        .active_on(day or timezone.localdate())
        .select_related("contact")
    )
    for word in flt.q.casefold().split()[:8]:
        items = items.filter(search_text__contains=word)
    if flt.kind:
        items = items.filter(kind=flt.kind)
    if flt.format:
        items = items.filter(format=flt.format)
    return items.order_by("title", "id")


def page_of(items: QuerySet[OfferItem], number: int | str | None) -> Page:
    return Paginator(items, PAGE_SIZE).get_page(number)


def route(organisation: Organisation) -> list[RouteStep]:
    return list(RouteStep.objects.filter(organisation=organisation))


def contacts(organisation: Organisation) -> list[ContactPoint]:
    return list(ContactPoint.objects.filter(organisation=organisation))
