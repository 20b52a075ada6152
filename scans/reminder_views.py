"""The campaign page's setting for scheduled reminders (see `scans.reminders`)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from orgs.access import org_view
from orgs.models import Role

from .access import get_campaign
from .reminders import set_reminder_days


@org_view(Role.ADMIN)
@require_POST
def campaign_reminder_days(request: HttpRequest, campaign_id: str) -> HttpResponse:
    campaign = get_campaign(request.membership, campaign_id)  # type: ignore[attr-defined]
    try:
        set_reminder_days(campaign, request.POST.get("reminder_days"), actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if campaign.reminder_days:
            messages.success(
                request,
                _("Reminders go out %(n)d days after the last mail to whoever has not answered.")
                % {"n": campaign.reminder_days},
            )
        else:
            messages.success(request, _("No automatic reminders for this campaign."))
    return redirect("scan_campaign", campaign.organisation.slug, campaign.public_id)
