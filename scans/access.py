"""The one way to reach a campaign or questionnaire: 404 for another organisation's."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from orgs.models import Membership

from .models import Campaign, Questionnaire


def get_campaign(membership: Membership, public_id: Any) -> Campaign:
    campaign = (
        Campaign.objects.select_related("questionnaire_version__questionnaire", "organisation")
        .filter(organisation=membership.organisation, public_id=public_id)
        .first()
    )
    if campaign is None:
        raise Http404
    return campaign


def get_questionnaire(
    membership: Membership, public_id: Any, *, own: bool = False
) -> Questionnaire:
    queryset = (
        Questionnaire.objects.filter(organisation=membership.organisation)
        if own
        else Questionnaire.objects.visible_to(membership.organisation)
    )
    questionnaire = queryset.select_related("current_version").filter(public_id=public_id).first()
    if questionnaire is None:
        raise Http404
    return questionnaire
