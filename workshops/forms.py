"""Forms check the shape of input; the rules live in workshops.services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.text import TextError, clean_name

from .services.lifecycle import TITLE_MAX_LENGTH


class StartSessionForm(forms.Form):
    """Starting a session: its title (the format's by default) and its day (today)."""

    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX_LENGTH)
    planned_on = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, format_title: str = "", **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["title"].initial = format_title[:TITLE_MAX_LENGTH]
        self.fields["planned_on"].initial = timezone.localdate()

    def clean_title(self) -> str:
        try:
            value = clean_name(self.cleaned_data["title"], max_length=TITLE_MAX_LENGTH)
        except TextError as error:
            raise ValidationError(error.message, code=error.code) from None
        return " ".join(value.split())
