"""Markdown in formats, rendered to safe HTML.

Texts in a format are Markdown written by facilitators (or imported from a file), so what
comes out of the Markdown renderer is cleaned with nh3: only a small set of tags, no
attributes except a link's href (http, https, mailto), and links get rel="noopener".
"""

from __future__ import annotations

import markdown as markdown_lib
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "ul",
    "ol",
    "li",
    "a",
    "blockquote",
    "code",
    "pre",
    "h3",
    "h4",
    "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text: str | None) -> SafeString:
    """HTML for `text`; raw HTML in the text is escaped or removed, never passed through."""
    if not text:
        return mark_safe("")
    html = markdown_lib.markdown(text, extensions=["sane_lists"], output_format="html")
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )
    return mark_safe(cleaned)  # noqa: S308 - cleaned by nh3 just above
