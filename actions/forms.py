"""Forms of the register's pages. They only shape the input; the services check the rules."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from orgs.models import Membership, Organisation, Team

from .models import NOTE_MAX_LENGTH, TEXT_MAX_LENGTH, Kind, Source, Status, Theme

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _member_choices(organisation: Organisation) -> list[tuple[str, Any]]:
    rows = (
        Membership.objects.filter(organisation=organisation, user__is_active=True)
        .select_related("user")
        .order_by("user__email")
    )
    return [("", _("— nobody with an account —"))] + [
        (str(m.public_id), m.user.display_name) for m in rows
    ]


def _team_choices(organisation: Organisation, blank: str) -> list[tuple[str, Any]]:
    return [("", blank)] + [
        (str(t.public_id), t.name) for t in Team.objects.filter(organisation=organisation)
    ]


class ActionForm(forms.Form):
    text = forms.CharField(
        label=_("Action"),
        max_length=TEXT_MAX_LENGTH + 1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    owner_name = forms.CharField(
        label=_("Or the owner's name"),
        required=False,
        max_length=1000,
        help_text=_("For someone without an account."),
    )
    first_step = forms.CharField(
        label=_("First step"),
        required=False,
        max_length=TEXT_MAX_LENGTH + 1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DATE)
    evaluation_date = forms.DateField(label=_("Evaluation date"), required=False, widget=DATE)
    theme = forms.ChoiceField(label=_("Theme"), choices=Theme.choices, initial=Theme.OTHER)
    team = forms.ChoiceField(label=_("Team"), required=False)

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["owner"]).choices = _member_choices(organisation)
        cast(forms.ChoiceField, self.fields["team"]).choices = _team_choices(
            organisation, str(_("— no team —"))
        )


class ProgressForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX_LENGTH + 1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PersonalProgressForm(ProgressForm):
    due_date = forms.DateField(label=_("By when?"), required=False, widget=DATE)


class FilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *list(Status.choices)]
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All")), *list(Kind.choices)]
    )
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    team = forms.ChoiceField(label=_("Team"), required=False)
    theme = forms.ChoiceField(
        label=_("Theme"), required=False, choices=[("", _("All")), *list(Theme.choices)]
    )
    source = forms.ChoiceField(
        label=_("Source"), required=False, choices=[("", _("All")), *list(Source.choices)]
    )
    when = forms.ChoiceField(
        label=_("When"),
        required=False,
        choices=[("", _("Any time")), ("overdue", _("Overdue")), ("week", _("Due this week"))],
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = _member_choices(organisation)[1:]
        cast(forms.ChoiceField, self.fields["owner"]).choices = [("", _("Everyone")), *members]
        cast(forms.ChoiceField, self.fields["team"]).choices = _team_choices(
            organisation, str(_("All teams"))
        )


class ConversationForm(forms.Form):
    employee_name = forms.CharField(label=_("Employee"), required=False, max_length=1000)
    employee_email = forms.CharField(label=_("Employee's e-mail address"), max_length=1000)
    starts_at = forms.DateTimeField(
        label=_("Date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), initial=30)
    location = forms.CharField(label=_("Place"), required=False, max_length=1000)
    offer_url = forms.CharField(label=_("Learning offer (web address)"), required=False)


class DigestForm(forms.Form):
    digest = forms.BooleanField(label=_("Send me a daily digest of my actions"), required=False)
