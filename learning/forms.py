"""Forms of the learning pages: they parse types; `learning.services` checks the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgs.models import Organisation, Team

from .models import (
    Advice,
    Consultation,
    ContactPoint,
    DurationUnit,
    Kind,
    LearningFormat,
    OfferItem,
    PlanStatus,
    UnusedBudget,
)
from .plan import SECTION_TITLES


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _teams(organisation: Organisation) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=Team.objects.filter(organisation=organisation).order_by("name"),
        to_field_name="public_id",
        label=_("Team"),
        required=False,
    )


class OfferItemForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    format = forms.ChoiceField(label=_("Format"), choices=LearningFormat.choices)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    provider = forms.CharField(label=_("Provider"), max_length=150, required=False)
    internal = forms.BooleanField(label=_("Internal"), required=False, initial=True)
    duration_hours = forms.DecimalField(label=_("Duration (hours)"), required=False)
    cost = forms.DecimalField(label=_("Cost per person (EUR)"), required=False)
    budget_source = forms.CharField(label=_("Budget source"), max_length=200, required=False)
    conditions = forms.CharField(
        label=_("Conditions"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    language = forms.CharField(label=_("Language"), max_length=60, required=False)
    target_group = forms.CharField(label=_("Target group"), max_length=300, required=False)
    risk_groups = forms.BooleanField(
        label=_("Meant for a risk group (such as employees of 50 and older)"), required=False
    )
    contact = forms.ModelChoiceField(
        queryset=ContactPoint.objects.none(),
        to_field_name="public_id",
        label=_("Contact point"),
        required=False,
    )
    link = forms.CharField(label=_("Link"), max_length=500, required=False)
    active_from = forms.DateField(label=_("Active from"), required=False, widget=DateInput())
    active_until = forms.DateField(label=_("Active until"), required=False, widget=DateInput())
    competences = forms.CharField(
        label=_("Competences (comma-separated)"), max_length=500, required=False
    )
    themes = forms.CharField(label=_("Themes (comma-separated)"), max_length=500, required=False)

    def __init__(self, organisation: Organisation, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = ContactPoint.objects.filter(  # type: ignore[attr-defined]
            organisation=organisation
        )

    @staticmethod
    def initial_for(item: OfferItem) -> dict[str, Any]:
        data = {f: getattr(item, f) for f in OfferItemForm.base_fields if f != "contact"}
        data["contact"] = item.contact.public_id if item.contact else None
        return data


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    role = forms.CharField(label=_("Role or subject"), max_length=150, required=False)
    email = forms.CharField(label=_("E-mail address"), max_length=254, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)


class RouteStepForm(forms.Form):
    title = forms.CharField(label=_("Step"), max_length=200)
    description = forms.CharField(
        label=_("Explanation"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class BudgetForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    team = forms.ModelChoiceField(queryset=Team.objects.none(), to_field_name="public_id")
    planned = forms.DecimalField(label=_("Planned (EUR)"))
    used = forms.DecimalField(label=_("Used (EUR)"), required=False)
    unused = forms.ChoiceField(
        label=_("What happens to unused budget"), choices=UnusedBudget.choices, required=False
    )
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, organisation: Organisation, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"] = _teams(organisation)
        self.fields["team"].empty_label = _("The whole organisation")  # type: ignore[attr-defined]
        self.fields["year"].initial = timezone.localdate().year


class SettingsForm(forms.Form):
    training_right_days = forms.DecimalField(
        label=_("Training right (days per full-time employee per year)")
    )
    hours_per_day = forms.DecimalField(label=_("Hours in a working day"))
    public_enabled = forms.BooleanField(label=_("Public offer page is on"), required=False)
    public_intro = forms.CharField(
        label=_("Introduction on the public page"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class TeamSizeForm(forms.Form):
    team = forms.ModelChoiceField(queryset=Team.objects.none(), to_field_name="public_id")
    headcount = forms.IntegerField(label=_("Headcount"), required=False)
    fte = forms.DecimalField(label=_("Full-time equivalents"), required=False)

    def __init__(self, organisation: Organisation, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"] = _teams(organisation)
        self.fields["team"].required = True


class TrainingForm(forms.Form):
    email = forms.CharField(
        label=_("Member's e-mail address"),
        max_length=254,
        required=False,
        help_text=_("Or leave it empty and write a name."),
    )
    person_name = forms.CharField(label=_("Name"), max_length=150, required=False)
    team = forms.ModelChoiceField(queryset=Team.objects.none())
    offer_item = forms.ModelChoiceField(queryset=OfferItem.objects.none())
    title = forms.CharField(
        label=_("Training"),
        max_length=200,
        required=False,
        help_text=_("Leave empty to use the offer item's title."),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("as the offer item")), *Kind.choices], required=False
    )
    duration = forms.DecimalField(label=_("Duration"))
    unit = forms.ChoiceField(label=_("Unit"), choices=DurationUnit.choices, initial="days")
    start_date = forms.DateField(label=_("Start date"), widget=DateInput())
    end_date = forms.DateField(label=_("End date"), widget=DateInput())
    followed = forms.BooleanField(label=_("Followed"), required=False, initial=True)
    certificate = forms.BooleanField(label=_("Certificate"), required=False)
    certificate_valid_until = forms.DateField(
        label=_("Certificate valid until"), required=False, widget=DateInput()
    )

    def __init__(self, organisation: Organisation, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"] = _teams(organisation)
        self.fields["offer_item"] = forms.ModelChoiceField(
            queryset=OfferItem.objects.of(organisation),
            to_field_name="public_id",
            label=_("Offer item"),
            required=False,
        )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"))


class QuarterForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(
        label=_("Quarter"), choices=[(i, f"Q{i}") for i in range(1, 5)], coerce=int
    )


class PlanCreateForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2023, max_value=2100)


class PlanTextsForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, title in SECTION_TITLES.items():
            self.fields[key] = forms.CharField(
                label=title, widget=forms.Textarea(attrs={"rows": 4}), required=False
            )


class PlanStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=PlanStatus.choices)
    consultation = forms.ChoiceField(label=_("Consulted body"), choices=Consultation.choices)
    period_start = forms.DateField(label=_("In force from"), widget=DateInput())
    period_end = forms.DateField(label=_("In force until"), widget=DateInput())
    meeting_date = forms.DateField(
        label=_("Date of the meeting that discusses the plan"), required=False, widget=DateInput()
    )
    submitted_on = forms.DateField(label=_("Submitted on"), required=False, widget=DateInput())
    advice = forms.ChoiceField(label=_("Advice"), choices=Advice.choices, required=False)
    advice_on = forms.DateField(label=_("Advice received on"), required=False, widget=DateInput())
    advice_text = forms.CharField(
        label=_("The advice"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    in_force_on = forms.DateField(label=_("In force on"), required=False, widget=DateInput())
    informed_on = forms.DateField(
        label=_("Employees informed on"), required=False, widget=DateInput()
    )
