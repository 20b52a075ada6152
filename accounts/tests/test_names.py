"""Account names and token labels go through core.text."""

from __future__ import annotations

import pytest

from accounts.forms import ApiTokenForm, ProfileForm
from accounts.models import ApiToken


@pytest.mark.parametrize("name", ["An\x00", "An\x07", "An\u202eB", "An\u2067"])
def test_a_profile_name_with_control_or_invisible_characters_is_refused(member_user, name):
    form = ProfileForm({"name": name, "language": "nl"}, instance=member_user)
    assert not form.is_valid()
    assert "name" in form.errors
    member_user.refresh_from_db()
    assert member_user.name == ""


@pytest.mark.parametrize("name", ["  ", "\u200b\u200d"])
def test_a_profile_name_may_stay_empty(member_user, name):
    """The name is optional: nothing visible is stored as no name."""
    form = ProfileForm({"name": name, "language": "en"}, instance=member_user)
    assert form.is_valid(), form.errors
    form.save()
    member_user.refresh_from_db()
    assert (member_user.name, member_user.language) == ("", "en")


@pytest.mark.parametrize("label", ["backup\x1b", "\ufeff", "x\u2066y"])
def test_a_token_label_with_control_or_invisible_characters_is_refused(member_user, label):
    form = ApiTokenForm({"label": label})
    assert not form.is_valid()
    assert "label" in form.errors
    assert not ApiToken.objects.filter(user=member_user).exists()
