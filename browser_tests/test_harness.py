"""The harness itself: the accessibility check must be able to fail."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_assert_accessible_fails_on_serious_violations_and_lists_them(page, assert_accessible):
    page.set_content(
        '<html lang="nl"><head><title>t</title></head><body><main>'
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
        "<button></button></main></body></html>"
    )

    with pytest.raises(pytest.fail.Exception) as failure:
        assert_accessible(page)

    message = str(failure.value)
    assert "image-alt (critical)" in message
    assert "button-name (critical)" in message


def test_assert_accessible_lets_minor_findings_pass(page, assert_accessible):
    # No main landmark and no h1: axe reports these as "moderate", which does not fail.
    page.set_content(
        '<html lang="nl"><head><title>t</title></head><body><p>Hallo</p></body></html>'
    )

    assert_accessible(page)
