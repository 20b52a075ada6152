"""Forms of the register's pages. They only shape the input; the services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.choices import CallableChoiceIterator
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from orgs.models import Membership, Organisation, Team

from .models import NOTE_MAX_LENGTH, TEXT_MAX_LENGTH, Kind, Source, Status, Theme

MAX_OWNER_CHOICES = 100

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class FastSelect(forms.Select):
    """A select built in one pass: an organisation can have thousands of members, and the
    template-per-option rendering of Django's widget costs about a millisecond each."""

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> Any:
        from django.utils.html import format_html, format_html_join

        final = self.build_attrs(self.attrs, attrs)
        current = "" if value is None else str(value)
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (key, mark_safe(" selected") if str(key) == current else "", label)
                for key, label in self.choices
            ),
        )
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(final), options)


def _member_choices(organisation: Organisation) -> list[tuple[str, Any]]:
    rows = (
        Membership.objects.filter(organisation=organisation, user__is_active=True)
        .order_by("user__email")
        .values_list("public_id", "user__name", "user__email")
    )
    return [("", _("— nobody with an account —"))] + [
        (str(public_id), name or email) for public_id, name, email in rows
    ]


def _team_choices(organisation: Organisation, blank: str) -> list[tuple[str, Any]]:
    rows = Team.objects.filter(organisation=organisation).values_list("public_id", "name")
    return [("", blank)] + [(str(public_id), name) for public_id, name in rows]


def _set_choices(field: Any, choices: list[tuple[str, Any]]) -> None:
    """Set prepared choices without Django normalising them one by one (slow for thousands)."""
    field.choices = CallableChoiceIterator(lambda: choices)


class ActionForm(forms.Form):
    text = forms.CharField(
        label=_("Action"),
        max_length=TEXT_MAX_LENGTH + 1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    owner = forms.ChoiceField(label=_("Owner"), required=False, widget=FastSelect)
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
    team = forms.ChoiceField(label=_("Team"), required=False, widget=FastSelect)

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self.fields["owner"], _member_choices(organisation))
        _set_choices(self.fields["team"], _team_choices(organisation, str(_("— no team —"))))


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
    owner = forms.ChoiceField(label=_("Owner"), required=False, widget=FastSelect)
    team = forms.ChoiceField(label=_("Team"), required=False, widget=FastSelect)
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

    def __init__(
        self, *args: Any, organisation: Organisation, mine: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        count = Membership.objects.filter(organisation=organisation).count()
        if mine:
            del self.fields["owner"]
        elif count > MAX_OWNER_CHOICES:
            # A dropdown of thousands of people helps nobody: type the address instead.
            del self.fields["owner"]
            self.fields["owner_email"] = forms.CharField(
                label=_("Owner (e-mail address)"), required=False, max_length=254
            )
        else:
            members = _member_choices(organisation)[1:]
            _set_choices(self.fields["owner"], [("", _("Everyone")), *members])
        _set_choices(self.fields["team"], _team_choices(organisation, str(_("All teams"))))


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
    offer_url = forms.CharField(
        label=_("Learning offer (web address)"), required=False, max_length=300
    )


class DigestForm(forms.Form):
    digest = forms.BooleanField(label=_("Send me a daily digest of my actions"), required=False)
