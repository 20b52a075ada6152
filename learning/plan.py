"""The training plan (opleidingsplan): its sections, check list, legal timeline and versions.

The law of 3 October 2022 asks employers with 20 or more employees for a plan every year,
in force by 31 March, that lists formal and informal trainings with their target groups,
runs at least a year, says how it contributes to the training right and pays particular
attention to risk groups (among them employees of 50 and older) and the gender dimension.
It goes to the works council (or the union delegation) at least 15 days before the meeting
that discusses it; their advice is due by 15 March. Without either, it goes to the
employees by 15 March. Sources: learning/README.md.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.apps import apps
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orgs.models import Organisation

from . import figures as figures_module
from .models import Consultation, OfferItem, PlanStatus, TrainingPlan

SECTION_TITLES = {
    "intro": gettext_lazy("Introduction and aims"),
    "offer": gettext_lazy("Formal and informal trainings and their target groups"),
    "agreements": gettext_lazy("Agreements by theme"),
    "training_right": gettext_lazy("Contribution to the training right"),
    "risk_groups": gettext_lazy("Risk groups (among them employees of 50 and older)"),
    "gender": gettext_lazy("Gender dimension"),
    "evaluation": gettext_lazy("Evaluation with the employees"),
}

SOURCES = [
    (
        "Wet van 3 oktober 2022 houdende diverse arbeidsbepalingen (arbeidsdeal), "
        "BS 10 november 2022: individueel opleidingsrecht en opleidingsplan",
        "https://www.sociare.be/nl/kennisbank/de-arbeidsdeal-opleiding",
    ),
    (
        "Liantis, Arbeidsdeal: individueel opleidingsrecht en jaarlijks opleidingsplan",
        "https://www.liantis.be/nl/nieuws/arbeidsdeal-individueel-opleidingsrecht-en-jaarlijks-opleidingsplan",
    ),
    (
        "Wet van 20 oktober 2023 (Federal Learning Account), in werking 1 april 2024",
        "https://www.lydian.be/en/news-insights/new-registration-requirement-employers-federal-learning-account",
    ),
    (
        "Federal Learning Account: wat registreren (naam, duur, start- en einddatum, gevolgd, "
        "certificaat)",
        "https://www.bakkersvlaanderen.be/nieuws/personeel/Online-tool-Federal-Learning-Account-beschikbaar",
    ),
    (
        "European Pillar of Social Rights Action Plan: at least 60 % of adults in training "
        "every year by 2030",
        "https://population-europe.eu/research/books-and-reports/european-pillar-social-rights-turning-principles-actions",
    ),
    (
        "Vlaams actieplan levenslang leren 'Koers zetten naar een lerend Vlaanderen'",
        "https://www.vlaanderen.be/levenslang-leren",
    ),
]


# --- Agreements from the actions register -----------------------------------------------------


def agreements_by_theme(org: Organisation, year: int) -> dict[str, list[Any]]:
    """The organisation's agreements (actions of kind "agreement") whose due or evaluation
    date falls in `year`, or that are still open, grouped by theme value, in the order of
    `actions.models.Theme`. `{}` when the actions app is not installed."""
    if not apps.is_installed("actions"):
        return {}
    from actions.models import Action, Theme  # type: ignore[import-not-found]

    in_year = Q(due_date__year=year) | Q(evaluation_date__year=year)
    still_open = Q(status__in=["open", "in_progress"])
    found = (
        Action.objects.agreements()
        .filter(organisation=org)
        .filter(in_year | still_open)
        .order_by("due_date", "created_at")
    )
    grouped: dict[str, list[Any]] = {}
    for action in found:
        grouped.setdefault(action.theme, []).append(action)
    order = list(Theme.values)
    return {
        theme: grouped[theme]
        for theme in sorted(grouped, key=lambda t: order.index(t) if t in order else len(order))
    }


def theme_label(value: str) -> str:
    if apps.is_installed("actions"):
        from actions.models import Theme  # type: ignore[import-not-found]

        try:
            return str(Theme(value).label)
        except ValueError:
            return value
    return value


# --- Timeline ---------------------------------------------------------------------------------


@dataclass
class Milestone:
    step: str
    label: str
    due: date
    done_on: date | None
    legal: bool

    def is_late(self, today: date) -> bool:
        return self.done_on is None and today > self.due


def timeline(plan: TrainingPlan) -> list[Milestone]:
    """The legal dates of the plan's year, with what has been recorded against them."""
    year = plan.year
    advice_by = date(year, 3, 15)
    in_force_by = date(year, 3, 31)
    council = plan.consultation != Consultation.EMPLOYEES
    if council:
        meeting = plan.meeting_date or advice_by
        submit_by = meeting - timedelta(days=15)
        submit_label = _("To the works council or union delegation (15 days before the meeting)")
    else:
        submit_by = advice_by
        submit_label = _("To the employees (no works council or union delegation)")
    draft_by = submit_by - timedelta(days=14)
    steps = [
        Milestone("draft", _("Draft ready (lerend's suggestion)"), draft_by, None, False),
        Milestone("submit", submit_label, submit_by, plan.submitted_on, True),
    ]
    if council:
        steps.append(Milestone("advice", _("Advice by 15 March"), advice_by, plan.advice_on, True))
    steps.append(
        Milestone("in_force", _("In force by 31 March"), in_force_by, plan.in_force_on, True)
    )
    steps.append(Milestone("inform", _("Employees informed"), in_force_by, plan.informed_on, False))
    draft_done = plan.submitted_on or (plan.updated_at.date() if not missing_parts(plan) else None)
    steps[0].done_on = draft_done
    return steps


# --- Content ----------------------------------------------------------------------------------


def planned_items(plan: TrainingPlan) -> list[OfferItem]:
    return list(
        OfferItem.objects.of(plan.organisation)
        .active_in_year(plan.year)
        .select_related("contact")
        .order_by("kind", "title")
    )


def missing_parts(plan: TrainingPlan, items: list[OfferItem] | None = None) -> list[str]:
    """What the law asks for that the plan does not have yet (translated sentences)."""
    items = planned_items(plan) if items is None else items
    texts = plan.texts or {}
    missing = []
    if not items:
        missing.append(_("No formal or informal trainings planned for the year."))
    without_group = [i.title for i in items if not i.target_group]
    if without_group:
        missing.append(
            _("Trainings without a target group: %(titles)s.")
            % {"titles": ", ".join(without_group[:5]) + ("…" if len(without_group) > 5 else "")}
        )
    if not (texts.get("training_right") or "").strip():
        missing.append(_("How the plan contributes to the training right is not described."))
    if not (texts.get("risk_groups") or "").strip():
        missing.append(_("The attention for risk groups (such as employees of 50+) is missing."))
    if not (texts.get("gender") or "").strip():
        missing.append(_("The gender dimension is missing."))
    if (plan.period_end - plan.period_start).days < 364:
        missing.append(_("The plan runs for less than a year."))
    return missing


def is_draft(plan: TrainingPlan, missing: list[str] | None = None) -> bool:
    missing = missing_parts(plan) if missing is None else missing
    return bool(missing) or plan.status == PlanStatus.DRAFT


def document(plan: TrainingPlan) -> dict[str, Any]:
    """Everything the plan's page, PDF and DOCX show, computed once."""
    items = planned_items(plan)
    missing = missing_parts(plan, items)
    numbers = figures_module.compute(plan.organisation, plan.year - 1)
    agreements = agreements_by_theme(plan.organisation, plan.year)
    texts = plan.texts or {}
    return {
        "plan": plan,
        "organisation": plan.organisation,
        "items": items,
        "risk_items": [i for i in items if i.risk_groups],
        "agreements": [(theme_label(t), actions) for t, actions in agreements.items()],
        "actions_installed": apps.is_installed("actions"),
        "figures": numbers,
        "sections": [(key, str(SECTION_TITLES[key]), texts.get(key, "")) for key in SECTION_TITLES],
        "texts": texts,
        "missing": missing,
        "draft": bool(missing) or plan.status == PlanStatus.DRAFT,
        "timeline": timeline(plan),
        "sources": SOURCES,
    }


def snapshot(plan: TrainingPlan) -> dict[str, Any]:
    """What a version keeps: the texts, the dates and status, and the planned items."""
    return {
        "texts": {key: (plan.texts or {}).get(key, "") for key in SECTION_TITLES},
        "status": plan.status,
        "advice": plan.advice,
        "advice_text": plan.advice_text,
        "dates": {
            key: getattr(plan, key).isoformat() if getattr(plan, key) else None
            for key in (
                "period_start",
                "period_end",
                "meeting_date",
                "submitted_on",
                "advice_on",
                "in_force_on",
                "informed_on",
            )
        },
        "items": [f"{i.title} ({i.get_kind_display()})" for i in planned_items(plan)]
        if plan.pk
        else [],
    }


@dataclass
class Change:
    part: str
    lines: list[str]


def differences(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Per part of the plan, the lines removed (-) and added (+) from `old` to `new`."""
    changes = []
    for key, title in SECTION_TITLES.items():
        a = (old.get("texts") or {}).get(key, "").splitlines()
        b = (new.get("texts") or {}).get(key, "").splitlines()
        if a != b:
            lines = [
                line
                for line in difflib.unified_diff(a, b, lineterm="", n=0)
                if line[:1] in "+-" and not line.startswith(("+++", "---"))
            ]
            changes.append(Change(str(title), lines))
    for key in ("status", "advice", "advice_text"):
        if old.get(key) != new.get(key):
            changes.append(Change(key, [f"- {old.get(key) or ''}", f"+ {new.get(key) or ''}"]))
    old_dates, new_dates = old.get("dates") or {}, new.get("dates") or {}
    for key in sorted(set(old_dates) | set(new_dates)):
        if old_dates.get(key) != new_dates.get(key):
            changes.append(
                Change(key, [f"- {old_dates.get(key) or ''}", f"+ {new_dates.get(key) or ''}"])
            )
    removed = [i for i in old.get("items", []) if i not in new.get("items", [])]
    added = [i for i in new.get("items", []) if i not in old.get("items", [])]
    if removed or added:
        changes.append(
            Change(
                str(SECTION_TITLES["offer"]),
                [f"- {i}" for i in removed] + [f"+ {i}" for i in added],
            )
        )
    return changes
