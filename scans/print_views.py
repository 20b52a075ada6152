"""Pages for admins around a campaign: a printable A4 poster per team (its QR code, link and
closing date in large type) and a read-only preview of the questionnaire before it opens.

Neither stores anything: the poster is drawn from the campaign's team node, the preview
renders the answer form's questions with every input disabled and no form to send.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from orgs.access import org_view
from orgs.models import Role

from .access import get_campaign
from .answer_views import form_sections
from .links import qr_svg_data_uri, team_link
from .models import Campaign, CampaignNode


def get_target_node(campaign: Campaign, public_id: Any) -> CampaignNode:
    """A team of this campaign that has a link; 404 for anything else."""
    node = CampaignNode.objects.filter(
        campaign=campaign, public_id=public_id, is_target=True
    ).first()
    if node is None or not node.code:
        raise Http404
    return node


def poster_pdf(campaign: Campaign, node: CampaignNode) -> bytes:
    """One A4 page in the campaign's language: the respondents read it."""
    from weasyprint import HTML

    url = team_link(node.code or "")
    with translation.override(campaign.language):
        html = render_to_string(
            "scans/poster_pdf.html",
            {
                "campaign": campaign,
                "node": node,
                "url": url,
                "qr": qr_svg_data_uri(url, scale=10),
                "title": campaign.questionnaire.title,
                "organisation": campaign.organisation,
            },
        )
    return HTML(string=html).write_pdf()


@org_view(Role.ADMIN)
@require_GET
def team_poster(request: HttpRequest, campaign_id: str, node_id: str) -> HttpResponse:
    campaign = get_campaign(request.membership, campaign_id)  # type: ignore[attr-defined]
    node = get_target_node(campaign, node_id)
    response = HttpResponse(poster_pdf(campaign, node), content_type="application/pdf")
    name = f"{slugify(campaign.name) or 'scan'}-{slugify(node.name) or 'team'}-poster.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@org_view(Role.ADMIN)
@require_GET
def campaign_preview(request: HttpRequest, campaign_id: str) -> HttpResponse:
    campaign = get_campaign(request.membership, campaign_id)  # type: ignore[attr-defined]
    questionnaire = campaign.questionnaire
    return render(
        request,
        "scans/preview.html",
        {
            "campaign": campaign,
            "questionnaire": questionnaire,
            "question_count": len(questionnaire.questions),
            "sections": form_sections(questionnaire, {}),
            "section": "scans",
        },
    )
