"""Forms of the portfolio pages. They shape the input; the services check the rules."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .kinds import Kind
from .models import (
    SHARE_DAYS_DEFAULT,
    SHARE_DAYS_MAX,
    TEXT_MAX,
    TITLE_MAX,
    ActivityType,
    GoalStatus,
)

# The browser stops at these; the services say why when a request goes around them.
TEXT_ATTRS = {"rows": 3, "maxlength": TEXT_MAX}


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EntryForm(forms.Form):
    """The fields of one kind of entry: a title, its prompts, and the kind's own fields."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)

    def __init__(self, *args: Any, kind: Kind, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        if not self.is_bound and not self.initial.get("idempotency_key"):
            self.initial["idempotency_key"] = uuid.uuid4().hex
        self.fields["title"] = forms.CharField(
            label=_("Title"),
            max_length=TITLE_MAX,
            required=kind.key != "today",
            help_text=_("Empty: the first line of your answer.") if kind.key == "today" else "",
        )
        for prompt in kind.prompts:
            self.fields[f"answer_{prompt.key}"] = forms.CharField(
                label=str(prompt.question),
                required=False,
                strip=False,
                widget=forms.Textarea(attrs=TEXT_ATTRS),
            )
        if kind.dated:
            self.fields["occurred_on"] = forms.DateField(
                label=_("Date"), required=False, widget=_date_input()
            )
        if "activity_type" in kind.fields:
            self.fields["activity_type"] = forms.ChoiceField(
                label=_("Kind of learning"),
                choices=[("", "—"), *ActivityType.choices],
                required=False,
            )
        if "hours" in kind.fields:
            self.fields["hours"] = forms.DecimalField(
                label=_("Hours"), required=False, min_value=0, max_digits=7, decimal_places=2
            )
        if "certificate" in kind.fields:
            self.fields["certificate"] = forms.FileField(
                label=_("Certificate (PDF or image, at most 10 MB)"),
                required=False,
                widget=forms.ClearableFileInput(
                    attrs={"accept": "application/pdf,image/png,image/jpeg,image/webp"}
                ),
            )
        if "first_step" in kind.fields:
            self.fields["first_step"] = forms.CharField(
                label=_("First step"),
                required=False,
                strip=False,
                widget=forms.Textarea(attrs={"rows": 2, "maxlength": TEXT_MAX}),
            )
        if "due_date" in kind.fields:
            self.fields["due_date"] = forms.DateField(
                label=_("By when"), required=False, widget=_date_input()
            )
        if "status" in kind.fields:
            self.fields["status"] = forms.ChoiceField(
                label=_("Status"), choices=GoalStatus.choices, initial=GoalStatus.OPEN
            )

    def entry_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        values: dict[str, Any] = {
            "title": data.get("title", ""),
            "answers": {p.key: data.get(f"answer_{p.key}", "") for p in self.kind.prompts},
        }
        for name in ("occurred_on", "activity_type", "hours", "first_step", "due_date", "status"):
            if name in self.fields:
                values[name] = data.get(name)
        return values


def entry_initial(entry: Any) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "title": entry.title,
        "occurred_on": entry.occurred_on,
        "activity_type": entry.activity_type,
        "hours": entry.hours,
        "first_step": entry.first_step,
        "due_date": entry.due_date,
        "status": entry.status,
    }
    for key, value in (entry.answers or {}).items():
        initial[f"answer_{key}"] = value
    return initial


class QuickAddForm(forms.Form):
    what = forms.CharField(
        label=_("What did you learn today?"),
        strip=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": TEXT_MAX}),
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["idempotency_key"] = uuid.uuid4().hex


class ShareForm(forms.Form):
    recipient = forms.CharField(
        label=_("Shared with (name)"),
        max_length=150,
        help_text=_("For your own overview: who gets this link."),
    )
    days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        max_value=SHARE_DAYS_MAX,
        initial=SHARE_DAYS_DEFAULT,
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["idempotency_key"] = uuid.uuid4().hex


class ConversationForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    questions = forms.CharField(
        label=_("Questions (one per line)"),
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": TEXT_MAX}),
    )
    planned_on = forms.DateField(
        label=_("Date of the conversation"), required=False, widget=_date_input()
    )


class QuestionnaireForm(forms.Form):
    """A manager's short questionnaire, sent ahead of a conversation."""

    member = forms.ChoiceField(label=_("Employee"))
    title = forms.CharField(
        label=_("Title"), max_length=TITLE_MAX, initial=_("Career conversation")
    )
    questions = forms.CharField(
        label=_("Questions (one per line)"),
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": TEXT_MAX}),
    )

    def __init__(self, *args: Any, members: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = members  # type: ignore[attr-defined]


class AnswerForm(forms.Form):
    planned_on = forms.DateField(
        label=_("Date of the conversation"), required=False, widget=_date_input()
    )

    def __init__(
        self, *args: Any, questions: list[str], entries: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for i, question in enumerate(questions):
            self.fields[f"answer_{i}"] = forms.CharField(
                label=question,
                required=False,
                strip=False,
                widget=forms.Textarea(attrs=TEXT_ATTRS),
            )
        self.fields["entries"] = forms.MultipleChoiceField(
            label=_("Entries to bring along"),
            choices=entries,
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )

    def answers(self) -> list[str]:
        return [self.cleaned_data.get(f"answer_{i}", "") for i in range(len(self.questions))]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Export file (zip or JSON)"))


class EraseForm(forms.Form):
    email = forms.CharField(label=_("Type your e-mail address to confirm"), max_length=254)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_email(self) -> str:
        value = self.cleaned_data["email"].strip()
        if value.lower() != self.user.email.lower():
            raise forms.ValidationError(_("That is not your e-mail address."))
        return value
