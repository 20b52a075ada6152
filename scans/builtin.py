"""The built-in questionnaires, taken from the format library's seed data."""

from __future__ import annotations

from typing import Any

from formats.loader import builtin_questionnaires

from .questionnaire import from_builtin


def sync_builtin_questionnaires(questionnaire_model: Any, version_model: Any) -> list[str]:
    """Create the built-in questionnaires, or a new version when the seed data changed.

    Takes the model classes so that the data migration can pass its historical models.
    Answers the slugs that got a new version.
    """
    changed = []
    for slug, builtin in builtin_questionnaires().items():
        data = from_builtin(builtin).model_dump(mode="json")
        row = questionnaire_model.objects.filter(organisation__isnull=True, slug=slug).first()
        if row is None:
            row = questionnaire_model.objects.create(slug=slug, title=builtin.title)
        current = version_model.objects.filter(pk=row.current_version_id).first()
        if current is not None and current.data == data:
            continue
        last = version_model.objects.filter(questionnaire=row).order_by("-number").first()
        version = version_model.objects.create(
            questionnaire=row, number=(last.number + 1) if last else 1, data=data
        )
        row.current_version = version
        row.title = builtin.title
        row.save(update_fields=["current_version", "title"])
        changed.append(slug)
    return changed
