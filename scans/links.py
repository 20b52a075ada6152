"""Where a campaign's links point: every team link, QR code and e-mailed link is built on
`settings.SITE_URL` (which `lerend serve` derives from --host/--port in development)."""

from __future__ import annotations

import segno
from django.conf import settings


def team_link(code: str) -> str:
    """The team link of a campaign node with this code."""
    return f"{settings.SITE_URL}/s/{code}/"


def qr_svg_data_uri(url: str, scale: int = 4) -> str:
    """A QR code of the URL as an SVG data URI (for <img>, on the page and in PDFs)."""
    return segno.make(url, error="m").svg_data_uri(scale=scale, border=2)
