"""The kinds of portfolio entry, each with its prompts: one registry, one entry per kind.

The prompts of "my learning", "a mistake", "what I can now" and "competences" are the
questions of the source documents, word for word (the Dutch translation of each msgid is
the document's own sentence): seed 002's "Opdracht mijn leren", "Reflectie-oefening over
fouten maken" and awareness exercise, and seed 000's warm-up questions 4 and 5. Adding a
kind is adding one `Kind` here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Prompt:
    key: str
    question: Promise


@dataclass(frozen=True)
class Kind:
    key: str
    label: Promise
    plural: Promise
    intro: Promise
    prompts: tuple[Prompt, ...] = ()
    # Extra fields the form shows for this kind (beyond title and the prompts).
    fields: tuple[str, ...] = field(default=())
    # Whether the date (occurred_on) is asked; it is always a day in the past or today.
    dated: bool = True


TODAY = Kind(
    key="today",
    label=_("Learned today"),
    plural=_("Learned today"),
    intro=_("The quickest entry: one thing you learned today, in a sentence or two."),
    prompts=(Prompt("what", _("What did you learn today?")),),
)

MY_LEARNING = Kind(
    key="my_learning",
    label=_("My learning"),
    plural=_("My learning"),
    intro=_("The “my learning” assignment: make a list."),
    prompts=(
        Prompt("learned", _("What have you learned in the last year?")),
        Prompt("how", _("How did you learn this?")),
        Prompt("want", _("What would you still like to learn?")),
        Prompt(
            "options",
            _("How could you learn this? Give different options in the short and longer term."),
        ),
        Prompt("pros_cons", _("What are the pros and cons of these options?")),
        Prompt(
            "overcome",
            _(
                "How can you overcome the drawbacks or difficulties? Are there alternatives "
                "or solutions in the longer term?"
            ),
        ),
    ),
)

MISTAKE = Kind(
    key="mistake",
    label=_("Reflection on a mistake"),
    plural=_("Reflections on mistakes"),
    intro=_("A reflection exercise on making mistakes."),
    prompts=(
        Prompt("mistakes", _("What mistakes have you made at work in the last year?")),
        Prompt("learned", _("What have you learned from them?")),
        Prompt("solved", _("Were you able to come up with solutions yourself? Why or why not?")),
        Prompt(
            "reaction",
            _(
                "How did the people around you react (manager, colleagues, partners, "
                "customers, etc.)?"
            ),
        ),
        Prompt(
            "helped",
            _("Which reaction helped you learn from your mistakes? Which reaction did not?"),
        ),
    ),
)

CAN_NOW = Kind(
    key="can_now",
    label=_("What I can now"),
    plural=_("What I can now"),
    intro=_("How many learning opportunities does the workplace hold? Look back at a year."),
    prompts=(
        Prompt("can", _("What can you do now that you could not do a year ago, for example?")),
        Prompt("why", _("How come you can do this now?")),
        Prompt("how", _("How did you make this skill your own?")),
    ),
)

COMPETENCES = Kind(
    key="competences",
    label=_("Competences"),
    plural=_("Competences"),
    intro=_(
        "The competences you have and the ones you want. Items of your organisation's "
        "learning offer that match are shown beside them."
    ),
    prompts=(
        Prompt(
            "enough",
            _(
                "Do I have all the competences to grow along with my job or a possible new "
                "job? Which competences do I already have, which not yet?"
            ),
        ),
        Prompt(
            "want",
            _(
                "Which competences must/do I want to have? Can I train for them? In what way "
                "can I acquire these competences?"
            ),
        ),
    ),
)

ACTIVITY = Kind(
    key="activity",
    label=_("Learning activity"),
    plural=_("Learning activities"),
    intro=_(
        "A course, a book, a podcast, learning from a colleague: by doing, reading, listening "
        "to podcasts, taking a course, talking with a colleague, …"
    ),
    prompts=(Prompt("learned", _("What did you learn?")),),
    fields=("activity_type", "hours", "certificate"),
)

GOAL = Kind(
    key="goal",
    label=_("Goal"),
    plural=_("Goals"),
    intro=_("What you want to reach, the first step towards it and by when."),
    prompts=(Prompt("why", _("Why does this matter to you?")),),
    fields=("first_step", "due_date", "status"),
    dated=False,
)

KINDS: dict[str, Kind] = {
    kind.key: kind for kind in (TODAY, MY_LEARNING, MISTAKE, CAN_NOW, COMPETENCES, ACTIVITY, GOAL)
}


def get_kind(key: str) -> Kind | None:
    return KINDS.get(key)


def kind_choices() -> list[tuple[str, Promise]]:
    return [(kind.key, kind.label) for kind in KINDS.values()]
