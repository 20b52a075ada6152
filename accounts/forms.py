from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext_lazy as _

from core.text import TextError, clean_name

from .models import ApiToken, User


def _clean(value: str, max_length: int, *, required: bool = True) -> str:
    """core.text's rule for names, as a form field error."""
    try:
        return clean_name(value or "", max_length=max_length, required=required)
    except TextError as exc:
        raise forms.ValidationError(exc.message, code=exc.code) from None


def language_choices() -> list[tuple[str, str]]:
    """Each language in its own name ("Nederlands", "English"), as the switch in the header."""
    return [(code, get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES]


class ProfileForm(forms.ModelForm):
    language = forms.ChoiceField(
        label=_("Language"),
        choices=language_choices,
        help_text=_("The language of the screens and of the e-mails you receive."),
    )

    class Meta:
        model = User
        fields = ["name", "language"]
        labels = {"name": _("Name")}
        help_texts = {"name": _("How others in your organisations see you.")}
        widgets = {"name": forms.TextInput(attrs={"autocomplete": "name"})}

    def clean_name(self) -> str:
        return _clean(self.cleaned_data.get("name", ""), 150, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance.language and get_language() in dict(settings.LANGUAGES):
            self.initial["language"] = get_language()


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["label"]
        labels = {"label": _("Label")}
        help_texts = {
            "label": _("What the token is for, so you recognise it later (at most 100 characters).")
        }
        widgets = {"label": forms.TextInput(attrs={"autocomplete": "off"})}

    def clean_label(self) -> str:
        return _clean(self.cleaned_data.get("label", ""), 100)
