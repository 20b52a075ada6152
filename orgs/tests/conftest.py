"""Fixtures for the organisation tests."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.core.cache import cache

from orgs.models import Membership, Organisation, Team


@pytest.fixture(autouse=True)
def _fresh_cache():
    """allauth keeps rate-limit counters in the cache."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def admin_membership(admin_user, org) -> Membership:
    return Membership.objects.get(user=admin_user, organisation=org)


@pytest.fixture
def member_membership(member_user, org) -> Membership:
    return Membership.objects.get(user=member_user, organisation=org)


@pytest.fixture
def team(org) -> Team:
    return Team.objects.create(organisation=org, name="Productie")


@pytest.fixture
def other_team(other_org) -> Team:
    return Team.objects.create(organisation=other_org, name="Werkplaats")


def counts(org: Organisation) -> dict[str, int]:
    """A fingerprint of everything the organisation pages can change."""
    return {
        "memberships": org.memberships.count(),
        "invitations": org.invitations.count(),
        "open_invitations": org.invitations.pending().count(),
        "teams": org.teams.count(),
        "audit": org.audit_events.count(),
        "admins": org.memberships.admins().count(),
    }


def snapshot(org: Organisation) -> dict:
    org.refresh_from_db()
    return {
        **counts(org),
        "org": (org.name, org.slug, org.language, org.anonymity_minimum),
        "roles": sorted(org.memberships.values_list("user__email", "role")),
        "team_names": sorted(org.teams.values_list("name", "parent__name")),
        "member_teams": sorted(org.memberships.values_list("user__email", "teams__name")),
        "revoked": sorted(str(v) for v in org.invitations.values_list("revoked_at", flat=True)),
    }


class PageCheck(HTMLParser):
    """What the accessibility rules need: headings, labels, table headers."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[int] = []
        self.inputs: list[dict] = []
        self.label_for: set[str] = set()
        self.th_without_scope = 0
        self.inline_styles = 0
        self.empty_buttons = 0
        self._label_depth = 0
        self._button_text: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "style" in a:
            self.inline_styles += 1
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        elif tag == "label":
            self._label_depth += 1
            if a.get("for"):
                self.label_for.add(a["for"])
        elif tag in ("input", "select", "textarea"):
            if a.get("type") not in ("hidden", "submit", "button"):
                self.inputs.append({**a, "_wrapped": self._label_depth > 0})
        elif tag == "th" and "scope" not in a:
            self.th_without_scope += 1
        elif tag == "button":
            self._button_text = []

    def handle_data(self, data):
        if self._button_text is not None:
            self._button_text.append(data)

    def handle_endtag(self, tag):
        if tag == "label":
            self._label_depth -= 1
        elif tag == "button" and self._button_text is not None:
            if not "".join(self._button_text).strip():
                self.empty_buttons += 1
            self._button_text = None

    def problems(self) -> list[str]:
        found = []
        if self.headings.count(1) != 1:
            found.append(f"{self.headings.count(1)} h1 elements")
        for before, after in zip(self.headings, self.headings[1:], strict=False):
            if after > before + 1:
                found.append(f"heading h{before} followed by h{after}")
        for field in self.inputs:
            if not field["_wrapped"] and field.get("id") not in self.label_for:
                found.append(f"input without label: {field}")
        if self.th_without_scope:
            found.append(f"{self.th_without_scope} th without scope")
        if self.inline_styles:
            found.append("inline style")
        if self.empty_buttons:
            found.append("button without text")
        return found


def page_problems(response) -> list[str]:
    check = PageCheck()
    check.feed(response.content.decode())
    return check.problems()
