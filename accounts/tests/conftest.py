"""Fixtures and helpers for the account tests."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.core.cache import cache
from django.urls import reverse

PASSWORD = "correct horse battery"  # the password conftest.make_user gives everybody


@pytest.fixture(autouse=True)
def _fresh_cache():
    """allauth keeps rate-limit counters and used TOTP codes in the cache."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def admin_mfa_required(settings):
    settings.LEREND_ADMIN_MFA_REQUIRED = True


def log_in(client, email: str, password: str = PASSWORD):
    """Log in through allauth's form, so the session records a recent authentication."""
    return client.post(reverse("account_login"), {"login": email, "password": password})


def current_code(secret: str) -> str:
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


def wrong_code(secret: str) -> str:
    valid = {format_hotp_value(hotp_value(secret, c)) for c in yield_hotp_counters_from_time()}
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in valid)


def activate_totp(user) -> str:
    """Give `user` a TOTP authenticator the way allauth stores it; returns the secret."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


class PageAudit(HTMLParser):
    """Collects what the accessibility and CSP checks need from a page."""

    def __init__(self) -> None:
        super().__init__()
        self.h1_count = 0
        self.inputs: list[dict] = []
        self.label_for: set[str] = set()
        self.ids: set[str] = set()
        self.inline_styles = 0
        self.inline_scripts = 0
        self.inline_handlers: list[str] = []
        self.images: list[dict] = []
        self._label_depth = 0
        self._in_script_without_src = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if "style" in a:
            self.inline_styles += 1
        self.inline_handlers += [name for name in a if name.startswith("on")]
        if tag == "h1":
            self.h1_count += 1
        elif tag == "style":
            self.inline_styles += 1
        elif tag == "script" and not a.get("src"):
            self.inline_scripts += 1
        elif tag == "label":
            self._label_depth += 1
            if a.get("for"):
                self.label_for.add(a["for"])
        elif tag == "img":
            self.images.append(a)
        elif tag in ("input", "select", "textarea") and a.get("type") not in (
            "hidden",
            "submit",
            "button",
        ):
            self.inputs.append({**a, "_wrapped": self._label_depth > 0})

    def handle_endtag(self, tag):
        if tag == "label":
            self._label_depth -= 1

    def problems(self) -> list[str]:
        found = []
        if self.h1_count != 1:
            found.append(f"{self.h1_count} h1 elements")
        if self.inline_styles:
            found.append("inline style")
        if self.inline_scripts:
            found.append("inline script")
        if self.inline_handlers:
            found.append(f"inline event handlers {self.inline_handlers}")
        for field in self.inputs:
            if not field["_wrapped"] and field.get("id") not in self.label_for:
                found.append(f"input without label: {field}")
            for ref in (field.get("aria-describedby") or "").split():
                if ref not in self.ids:
                    found.append(f"aria-describedby points nowhere: {ref}")
        for img in self.images:
            if "alt" not in img:
                found.append(f"image without alt: {img.get('src', '')[:40]}")
        return found


def audit(response) -> PageAudit:
    page = PageAudit()
    page.feed(response.content.decode())
    return page


def assert_our_page(response) -> None:
    """Rendered inside base.html, accessible, and within the CSP."""
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="site-header"' in html, "not rendered inside base.html"
    assert 'href="#main"' in html
    assert audit(response).problems() == []


def extract(pattern: str, text: str) -> str:
    match = re.search(pattern, text)
    assert match, f"{pattern!r} not found in {text!r}"
    return match.group(1) if match.groups() else match.group(0)
