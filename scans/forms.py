"""Forms check the shape of input; the rules live in scans.services."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from orgs.models import ANONYMITY_FLOOR, Organisation, Team, flatten_tree, team_tree

from .extras import LEARNING_PARTICIPATION
from .models import Campaign, CampaignNode, Questionnaire


class Form(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class CampaignForm(Form):
    name = forms.CharField(
        label=_("Name"), max_length=150, help_text=_("For example “Leercultuur voorjaar 2026”.")
    )
    questionnaire = forms.ChoiceField(label=_("Questionnaire"))
    teams = forms.MultipleChoiceField(
        label=_("Teams that answer"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Each team gets its own link and QR code. Departments above them are "
            "added to the report by themselves."
        ),
    )
    opens_at = forms.DateTimeField(
        label=_("Opens"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    closes_at = forms.DateTimeField(
        label=_("Closes"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    anonymity_minimum = forms.IntegerField(
        label=_("Anonymity minimum"),
        min_value=ANONYMITY_FLOOR,
        max_value=1000,
        help_text=_(
            "Groups with fewer respondents are never shown. At least the organisation's minimum."
        ),
    )

    ask_learning = forms.BooleanField(
        label=_("Also ask lerend's question on learning in the past 12 months"),
        required=False,
        help_text=_(
            "“Did you take part in a training course or another learning activity in the past "
            "12 months?” (yes/no). It is lerend's addition, not part of the source "
            "questionnaire, and is marked as such; the answers show as the self-reported rate "
            "per team in the training figures."
        ),
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.questionnaires = {
            str(q.public_id): q
            for q in Questionnaire.objects.visible_to(organisation).filter(
                current_version__isnull=False
            )
        }
        cast(Any, self.fields["questionnaire"]).choices = [
            (key, q.title + ("" if q.organisation_id else f" ({_('built in')})"))
            for key, q in self.questionnaires.items()
        ]
        nodes = flatten_tree(team_tree(Team.objects.filter(organisation=organisation)))
        self.teams_by_id = {str(n.team.public_id): n.team for n in nodes}
        cast(Any, self.fields["teams"]).choices = [
            (str(n.team.public_id), "\u2003" * n.depth + n.team.name) for n in nodes
        ]
        self.fields["language"].initial = organisation.language
        self.fields["anonymity_minimum"].initial = organisation.anonymity_minimum
        cast(Any, self.fields["anonymity_minimum"]).min_value = organisation.anonymity_minimum

    def cleaned(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "questionnaire": self.questionnaires[data["questionnaire"]],
            "teams": [self.teams_by_id[t] for t in data["teams"]],
            "opens_at": data["opens_at"],
            "closes_at": data["closes_at"],
            "language": data["language"],
            "anonymity_minimum": data["anonymity_minimum"],
            "extra_questions": [LEARNING_PARTICIPATION] if data.get("ask_learning") else [],
        }


class InviteForm(Form):
    team = forms.ChoiceField(label=_("Team"))
    emails = forms.CharField(
        label=_("E-mail addresses"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=200_000,
        help_text=_(
            "One per line, or separated by commas. Each gets a personal link that works once."
        ),
    )

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.nodes = {
            str(n.public_id): n
            for n in CampaignNode.objects.filter(campaign=campaign, is_target=True).order_by(
                "position"
            )
        }
        cast(Any, self.fields["team"]).choices = [(k, n.name) for k, n in self.nodes.items()]

    def addresses(self) -> list[str]:
        raw = self.cleaned_data["emails"].replace(",", "\n").replace(";", "\n")
        return [line.strip() for line in raw.splitlines() if line.strip()]


class QuestionnaireForm(Form):
    content = forms.CharField(
        label=_("Questionnaire (YAML)"),
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false"}),
        max_length=256 * 1024,
        help_text=_(
            "Question kinds: yes_no, single_choice, multiple_choice, scale, open_text. "
            "Keep the keys of existing questions, so results stay comparable."
        ),
    )
