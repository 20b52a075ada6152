"""The built-in formats and the questionnaire: valid, loaded, and faithful to the seeds."""

# ruff: noqa: RUF001 - the seeds are quoted with their Dutch typography (curly quotes).

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from formats.loader import (
    builtin_formats,
    builtin_questionnaires,
    format_to_yaml,
    parse_format_yaml,
)
from formats.models import Format
from formats.questionnaire import MultipleChoiceQuestion, YesNoQuestion
from formats.schema import (
    BoardStep,
    CardStep,
    ChecklistStep,
    DiscussionStep,
    Duration,
    ExperimentStep,
    GroupsStep,
    PersonalActionStep,
    RotationStep,
    StatementPollStep,
)

from .conftest import normalise

BUILTINS = {fmt.slug: (path, fmt) for path, fmt in builtin_formats()}
EXPECTED_SLUGS = {
    "stimuleren-van-levenslang-leren": "000",
    "leercultuur-vragenlijst": "001",
    "al-doende-leren-bewust-maken": "002",
    "al-doende-leren-experiment": "002",
    "al-doende-leren-leercultuur": "002",
    "al-doende-leren-mijn-leren": "002",
    "al-doende-leren-fouten-maken": "002",
    "al-doende-leren-vragen-en-uitspraken": "002",
    "leven-lang-leren-11-tips": "003",
    "quickscan-leervoorwaarden": "004",
}

# Strings of our own (names, labels, catalogue summaries), not quoted from a seed.
OWN_STRINGS = {
    "Stimuleren van levenslang leren — mini-vorming",
    "Een leven lang leren stimuleren: 11 tips",
    "Al doende leren — Mogelijke vragen en uitspraken",
    "De 11 tips",
    "Wat willen we starten?",
    "Groep A",
    "Groep B",
    "Ja",
    "Nee",
    "Eens",
    "Oneens",
    "Twijfel",
    "doen we al",
    "willen we starten",
    "niet van toepassing",
}
# Fields that hold identifiers, vocabulary or our own words rather than the seed's text.
NOT_QUOTED = {
    "slug",
    "kind",
    "key",
    "language",
    "schema_version",
    "summary",
    "audiences",
    "themes",
    "source",
    "url",
    "fields",
    "questionnaire",
    "questions_from",
    "from_checklist",
    "from_answer",
}
NAME_FIELDS = {"title", "label", "name"}


def strings(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(data, dict):
        for key, value in data.items():
            if key not in NOT_QUOTED:
                yield from strings(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from strings(value, (*path, index))
    elif isinstance(data, str):
        yield path, data


def fragments(markdown: str) -> Iterator[str]:
    """Paragraphs and list items of a Markdown text, without list markers."""
    for block in re.split(r"\n\s*\n|\n(?=- )", markdown):
        fragment = normalise(re.sub(r"^- ", "", block.strip()))
        if fragment:
            yield fragment


def assert_quoted(data: dict[str, Any], seed: str) -> int:
    checked = 0
    for path, value in strings(data):
        field = next(p for p in reversed(path) if isinstance(p, str))
        if value in OWN_STRINGS:
            continue
        if field in NAME_FIELDS:
            # A name may join two headings of the seed: "Al doende leren — Opdracht mijn leren".
            for part in value.split(" — "):
                assert normalise(part).casefold() in seed.casefold(), (path, part)
        else:
            for fragment in fragments(value):
                assert fragment in seed, (path, fragment)
        checked += 1
    return checked


def all_text(data: Any) -> str:
    return normalise(" ".join(value for _path, value in strings(data)))


# --- Loading --------------------------------------------------------------------------


def test_every_builtin_file_validates_and_has_a_known_slug():
    assert set(BUILTINS) == set(EXPECTED_SLUGS)
    for path, fmt in BUILTINS.values():
        assert path.suffix == ".yaml"
        assert path.name.startswith(EXPECTED_SLUGS[fmt.slug])
        assert fmt.language == "nl"
        assert fmt.source is not None
        assert fmt.source.document.startswith(EXPECTED_SLUGS[fmt.slug] + "_")


@pytest.mark.parametrize("slug", sorted(EXPECTED_SLUGS))
def test_builtin_round_trips_through_yaml(slug):
    _path, fmt = BUILTINS[slug]
    again, problems = parse_format_yaml(format_to_yaml(fmt))
    assert problems == []
    assert again == fmt


def test_builtins_are_in_the_database_after_migrating(db):
    rows = {f.slug: f for f in Format.objects.builtin().select_related("current_version")}
    assert set(rows) == set(EXPECTED_SLUGS)
    for slug, row in rows.items():
        assert row.organisation is None
        assert row.current_version is not None
        assert row.content == BUILTINS[slug][1]
        assert row.title == BUILTINS[slug][1].title


def test_questionnaire_validates():
    assert set(builtin_questionnaires()) == {"leercultuur"}


# --- Faithful to the seeds ------------------------------------------------------------


@pytest.mark.parametrize("slug", sorted(EXPECTED_SLUGS))
def test_every_quoted_string_occurs_in_its_seed(slug, seeds):
    _path, fmt = BUILTINS[slug]
    checked = assert_quoted(fmt.model_dump(mode="json"), seeds[EXPECTED_SLUGS[slug]])
    assert checked >= 3


def test_every_questionnaire_string_occurs_in_the_seed(seeds):
    questionnaire = builtin_questionnaires()["leercultuur"]
    assert assert_quoted(questionnaire.model_dump(mode="json"), seeds["001"]) > 50


SEED_000 = [
    "Ik leer op het werk enkel door verplichte technische opleidingen te volgen",
    "Vraag om de hand op te steken als de deelnemers het eens zijn",
    "Wat zijn de redenen waarom ik vandaag wel/niet leer?",
    "Hoe zie ik mijn eigen job evolueren?",
    "Waar liggen mijn interesses? Liggen die in lijn met de evolutie die mijn job zal doormaken?",
    "Heb ik alle competenties om mee te groeien met mijn job of een eventuele nieuwe job? "
    "Welke competenties heb ik al, welke nog niet?",
    "Welke competenties moet/wil ik hebben? Kan ik deze bijscholen? "
    "Op welke manier kan ik deze competenties verwerven?",
    "Maak 5 gelijke groepjes",
    "Welke belemmeringen ervaar je om te leren?",
    "Welke zaken stimuleren je om te leren?",
    "Welke inzichten heb je verworven uit deze oefening over je eigen te ontwikkelen competenties?",
    "Verduidelijken",
    "Verbreden",
    "Verdiepen",
    "Verbinden",
    "Verkorten",
    "wat betekent ‘geen tijd’ voor jou? waar zit de druk?",
    "als je dat in één zin zou zeggen, wat is dan voor jou de kern?",
    "Wie in het team leert spontaan bij? Hoe komt dat? "
    "Wat kan jij daaruit halen dat jouw groei ook zou kunnen helpen?",
    "Hoe kan jij anderen stimuleren om te leren?",
    "Op welke manier leer je het liefst bij: door te doen, lezen, podcasts te luisteren, "
    "opleiding te volgen, met een collega te spreken, …?",
    "Hoe kan je verplichte vorming linken aan persoonlijke groei?",
    "Elke groep schuift 3 keer door.",
    "Wat is je eerstvolgende actie die je deze week gaat nemen om te werken aan je "
    "persoonlijke groei/levenslang leren?",
    "Ik bekijk het opleidingsaanbod en kies één opleiding",
    "Ik ga in gesprek met mijn leidinggevende",
    "Ik praat met mijn collega’s over levenslang leren",
    "Ik schrijf mij in voor een opleiding die mij echt interesseert vb. over AI",
    "Bedank alle deelnemers voor hun medewerking en wens hun veel succes!",
    "Neem een foto van de flips",
    "Of het lukt om de vooropgestelde acties te ondernemen?",
    "Waar ze eventueel hulp bij nodig hebben?",
    "www.elanplus.be",
    "Lees de globale leidraad",
    "Flipcharts",
]
SEED_002 = [
    "Hoe kan hij/zij de job het makkelijkst leren?",
    "Welke benut je al? Welke nog niet? Reden?",
    "Vooraf geef je de ene groep een handleiding of een demofilmpje",
    "De andere groep geef je hetzelfde maar ook een touw om te oefenen.",
    "Welke groepsleden voelen zich voldoende bekwaam in het leggen van de knoop?",
    "Wat zijn belemmerende factoren om te kunnen bijleren op de werkvloer?",
    "Wat zijn voor- en nadelen bij deze opties?",
    "Welke reactie hielp je om te leren uit je fouten? Welke reactie niet?",
    "Mag en durf jij fouten maken op de werkvloer?",
    "Al doende leren dat gaat niet bij ons, we kunnen ons geen fouten permitteren.",
    "Al doende leren is vooral nuttig voor jobs waarbij je met de handen moet werken.",
    "De beste leerschool is erin gegooid worden en leren zwemmen.",
    "Hoe heb je dit nu zo fout kunnen laten lopen, Neyo?",
    "Neem jij de procedures door, Anton.",
    "Gebruik de stellingen en vragen hierboven door ze af te drukken en te verdelen in "
    "verschillende werkgroepen.",
]
SEED_003 = [
    "Informatie in nieuwsbrieven, intranet etc.",
    "Bijeenkomsten te organiseren of artikelen te publiceren",
    "Het loopbaan- of functioneringsgesprek optimaal te benutten",
    "Eventueel loopbaangesprek loskoppelen en vragenlijst vooraf sturen.",
    "Duidelijke competentie- en functieprofielen",
    "budget, voorwaarden, aanspreekpunt leervragen, overzicht opleidingsaanbod.",
    "Persoonlijke begeleiding bij leerwensen",
    "Bied tools en tests om tot zelfinzicht te komen",
    "niet elke type opleiding is voor iedereen geschikt",
    "Stimuleer interne kennisdeling",
    "Bied ruimte om medewerkers zelf tot ontdekking te laten komen",
    "Moedig medewerkers aan een individueel professioneel portfolio bij te houden.",
]
SEED_004 = [
    "Scenario 1: budget en flexibiliteit",
    "Hoe ga je om met overgebleven budget voor leren en ontwikkelen?",
    "Wat gebeurt er met niet gebruikte middelen aan het eind van het jaar?",
    "Scenario 2: Tijd en werkdruk",
    "zoals bloktijden of flexibele leermomenten",
    "Scenario 3: Borging van leren",
    "Hoe veranker je persoonlijke ontwikkeldoelen?",
    "Scenario 4: Leerroute voor medewerkers",
    "Wat zijn de stappen die ze moeten nemen?",
    "Wie is verantwoordelijk voor het volgen van het budget en de tijdsplanning?",
    "Wat zijn de eerste stappen om afspraken te borgen?",
    "Wanneer wordt dit geëvalueerd?",
    "Neem de afspraken op in het opleidingsbeleid",
    "Format strategisch opleidingsbeleid",
]
SEED_001 = [
    "Als we ons personeel NIET opleiden en ze blijven toch, wat gaan we dan doen?!",
    "Op 17 december 2021 bestendigde de Vlaamse Regering",
    "Met een geheel van 47 prioritaire acties",
    "om tegen 2030 tot een opleidingsdeelname van 60% voor (non-) formeel leren te komen",
    "Heeft elke medewerker vrije toegang tot informatie",
    "Werken jullie met mentorschap, meter/peter, … voor (nieuwe) medewerkers?",
    "Bij de koffie",
    "Bewust taken leren van elkaar",
    "Deelname aan beroepsgerichte vormingsinitiatieven",
    "Tijd voor één op één reflectie",
    "Visie op professionele ontwikkeling van medewerkers in de organisatie",
    "Welke elementen spelen een rol wanneer een mentor of meter/peter worden aangeduid?",
    "Feedback geven volgens de regels van de kunst",
]


@pytest.mark.parametrize(
    ("number", "expected"),
    [("000", SEED_000), ("002", SEED_002), ("003", SEED_003), ("004", SEED_004)],
)
def test_key_strings_of_the_seed_are_in_the_builtins(number, expected, seeds):
    text = " ".join(
        all_text(fmt.model_dump(mode="json"))
        for slug, (_path, fmt) in BUILTINS.items()
        if EXPECTED_SLUGS[slug] == number
    )
    for string in expected:
        assert string in seeds[number], string  # the list itself quotes the seed
        assert string in text, string


def test_key_strings_of_the_seed_are_in_the_questionnaire(seeds):
    text = all_text(builtin_questionnaires()["leercultuur"].model_dump(mode="json"))
    for string in SEED_001:
        assert string in seeds["001"], string
        assert string in text, string


# --- Structure as the seeds describe it -----------------------------------------------


def test_mini_vorming_structure():
    fmt = BUILTINS["stimuleren-van-levenslang-leren"][1]
    assert fmt.duration == Duration.parse(60)
    assert fmt.duration_is_maximum
    assert [p.title for p in fmt.phases] == [
        "Voorbereiding",
        "Opwarmer",
        "Reflectie",
        "Groepsgesprek",
        "Afsluiter",
    ]
    assert [p.duration.low for p in fmt.phases] == [15, 10, 20, 20, 10]

    poll = fmt.phases[0].steps[1]
    assert isinstance(poll, StatementPollStep)
    assert [c.key for c in poll.choices] == ["eens", "oneens", "twijfel"]
    assert len(poll.facilitator_points) == 5

    board, groups = fmt.phases[1].steps
    assert isinstance(board, BoardStep) and len(board.questions) == 5 and board.individual
    assert isinstance(groups, GroupsStep)
    assert (groups.count, groups.per_question, groups.questions_from) == (5, True, board.key)
    assert groups.summary

    discussion, card, cafe = fmt.phases[2].steps
    assert isinstance(discussion, DiscussionStep) and len(discussion.items) == 3
    assert isinstance(card, CardStep)
    assert [e.label for e in card.entries] == [
        "Verduidelijken",
        "Verbreden",
        "Verdiepen",
        "Verbinden",
        "Verkorten",
    ]
    assert all(e.question and e.example for e in card.entries)
    assert isinstance(cafe, RotationStep)
    assert (len(cafe.questions), cafe.minutes_per_round, cafe.moves) == (4, 3, 3)
    assert cafe.summary_in_last_round

    action = fmt.phases[3].steps[1]
    assert isinstance(action, PersonalActionStep) and len(action.examples) == 4

    assert [s.kind for s in fmt.phases[4].steps] == ["info", "photo"]
    assert fmt.follow_up is not None and fmt.follow_up.learning_offer is not None
    assert fmt.follow_up.learning_offer.name == "Elan+"
    assert fmt.follow_up.learning_offer.url == "https://www.elanplus.be"


def test_al_doende_leren_formats():
    experiment = BUILTINS["al-doende-leren-experiment"][1].phases[0].steps[0]
    assert isinstance(experiment, ExperimentStep)
    assert [g.name for g in experiment.groups] == ["Groep A", "Groep B"]
    assert "touw" in experiment.groups[1].instructions

    statements = BUILTINS["al-doende-leren-vragen-en-uitspraken"][1]
    polls = [s for _p, _s, s in statements.steps() if isinstance(s, StatementPollStep)]
    assert len(polls) == 5
    assert "Nuttige documentatie" in statements.facilitator_notes
    for slug, (_path, fmt) in BUILTINS.items():
        if EXPECTED_SLUGS[slug] == "002":
            assert [a.label_nl for a in fmt.audiences] == [
                "leidinggevenden en HR-verantwoordelijken",
                "medewerkers",
                "vakbondsvertegenwoordigers",
                "zelfstandige ondernemers",
            ]


def test_tips_checklist():
    fmt = BUILTINS["leven-lang-leren-11-tips"][1]
    checklist, points = fmt.phases[0].steps[0], fmt.phases[1].steps[0]
    assert isinstance(checklist, ChecklistStep)
    assert [s.title for s in checklist.sections] == ["Inspireren", "Stimuleren", "Faciliteren"]
    assert [len(s.items) for s in checklist.sections] == [2, 3, 6]
    assert [o.label for o in checklist.options] == [
        "doen we al",
        "willen we starten",
        "niet van toepassing",
    ]
    assert (points.kind, points.from_checklist, points.from_answer) == (
        "action_points",
        "tips",
        "willen-we-starten",
    )


def test_quickscan_structure():
    fmt = BUILTINS["quickscan-leervoorwaarden"][1]
    assert fmt.duration == Duration.parse("30-35")
    assert [p.duration.low for p in fmt.phases] == [3, 20, 7, 2]
    scenarios = fmt.phases[1].steps[0]
    assert isinstance(scenarios, DiscussionStep)
    assert [i.minutes for i in scenarios.items] == [Duration.parse("6-7")] * 4
    assert all(i.is_scenario for i in scenarios.items)
    points = fmt.phases[2].steps[0]
    assert points.kind == "action_points" and len(points.prompts) == 3
    assert points.fields == ["owner", "first_step", "due_date", "evaluation_date"]
    assert points.into_training_policy


def test_questionnaire_structure():
    questionnaire = builtin_questionnaires()["leercultuur"]
    questions = questionnaire.questions
    assert [q.number for q in questions] == list(range(1, 12))
    assert all(isinstance(q, YesNoQuestion) for q in questions[:5])
    choice = questions[5:]
    assert all(isinstance(q, MultipleChoiceQuestion) and q.multiple for q in choice)
    assert [len(q.options) for q in choice] == [5, 5, 6, 6, 6, 7]
    assert all(q.other_option and q.other_option.free_text for q in choice)
    assert [o.label for o in questions[0].options] == ["Ja", "Nee"]
    keys = [q.key for q in questions]
    assert len(set(keys)) == 11
    assert "60%" in questionnaire.context and "2030" in questionnaire.context
    assert questionnaire.links[0].url == "https://www.vlaanderen.be/levenslang-leren"


def test_the_verbatim_check_catches_a_changed_word(seeds):
    fmt = BUILTINS["quickscan-leervoorwaarden"][1]
    data = fmt.model_dump(mode="json")
    data["phases"][1]["steps"][0]["items"][0]["prompts"][0] = (
        "Hoe ga je om met overgebleven geld voor leren en ontwikkelen?"
    )
    with pytest.raises(AssertionError):
        assert_quoted(data, seeds["004"])
