"""Forms check the shape of input; the rules themselves live in orgs.services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import ANONYMITY_FLOOR, Organisation, Role, Team, flatten_tree, team_tree
from .services import ANONYMITY_MAXIMUM


class Form(forms.Form):
    """Labels without a trailing colon, as on the rest of the site."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class InviteForm(Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.MEMBER)


class RoleForm(Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class OrganisationForm(Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    slug = forms.SlugField(
        label=_("Short name in addresses"),
        max_length=60,
        help_text=_("Lower-case letters, digits and hyphens; appears in every address."),
    )
    language = forms.ChoiceField(label=_("Default language"), choices=settings.LANGUAGES)
    anonymity_minimum = forms.IntegerField(
        label=_("Anonymity minimum"),
        min_value=ANONYMITY_FLOOR,
        max_value=ANONYMITY_MAXIMUM,
        help_text=_(
            "Results of a team with fewer respondents than this are never shown. "
            "It cannot be lower than 3."
        ),
    )

    @classmethod
    def for_organisation(cls, organisation: Organisation, data: Any = None) -> OrganisationForm:
        return cls(
            data,
            initial={
                "name": organisation.name,
                "slug": organisation.slug,
                "language": organisation.language,
                "anonymity_minimum": organisation.anonymity_minimum,
            },
        )


class TeamChoiceMixin:
    """Choices of an organisation's teams in tree order, labelled with their path."""

    def team_choices(self, organisation: Organisation, exclude: Team | None = None) -> list:
        teams = list(Team.objects.filter(organisation=organisation))
        nodes = flatten_tree(team_tree(teams))
        by_pk = {team.pk: team for team in teams}
        skipped: set[int] = set()
        if exclude is not None:
            # A team cannot move under itself or one of its sub-teams.
            skipped.add(exclude.pk)
            for node in nodes:
                if node.team.parent_id in skipped:
                    skipped.add(node.team.pk)
        self.teams_by_id = {str(t.public_id): t for t in teams if t.pk not in skipped}
        return [
            (str(node.team.public_id), _path(node.team, by_pk))
            for node in nodes
            if node.team.pk not in skipped
        ]


def _path(team: Team, by_pk: dict[int, Team]) -> str:
    names = [team.name]
    node = team
    while node.parent_id is not None and node.parent_id in by_pk:
        node = by_pk[node.parent_id]
        names.append(node.name)
    return " › ".join(reversed(names))  # noqa: RUF001


class TeamForm(TeamChoiceMixin, Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    parent = forms.ChoiceField(label=_("Part of"), required=False)

    def __init__(
        self, *args: Any, organisation: Organisation, team: Team | None = None, **kwargs: Any
    ) -> None:
        if team is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": team.name,
                "parent": str(team.parent.public_id) if team.parent else "",
            }
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [  # type: ignore[attr-defined]
            ("", _("— top level —")),
            *self.team_choices(organisation, exclude=team),
        ]

    def clean_parent(self) -> Team | None:
        value = self.cleaned_data.get("parent")
        return self.teams_by_id.get(value) if value else None


class TeamHeadcountForm(Form):
    headcount = forms.CharField(
        label=_("Headcount"),
        required=False,
        max_length=7,
        help_text=_(
            "How many people the team has. A scan never accepts more responses for the team. "
            "Leave empty when unknown."
        ),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class TeamRenameForm(Form):
    name = forms.CharField(label=_("New name"), max_length=150)


class MemberTeamsForm(TeamChoiceMixin, Form):
    teams = forms.MultipleChoiceField(
        label=_("Teams"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["teams"].choices = self.team_choices(organisation)  # type: ignore[attr-defined]

    def clean_teams(self) -> list[Team]:
        return [self.teams_by_id[value] for value in self.cleaned_data.get("teams", [])]
