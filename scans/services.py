"""Every change in the scan goes through here: questionnaires, campaigns, invitations and
responses. Views, the API and tasks call these functions; each runs in one transaction,
raises DomainError with a message for people, and sends mail on commit.

`submit_response` is the one path for answers, from the form and from the API: it checks
everything before it writes anything, stores the response and bumps the counters in the same
transaction, and is idempotent by the client's key. It never logs answers.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import threading
import unicodedata
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from pydantic import ValidationError

from core.errors import DomainError
from formats.loader import validation_problems
from orgs.models import Organisation, Team
from orgs.services import _clean_anonymity_minimum, record

from .models import (
    TOTAL,
    Campaign,
    CampaignNode,
    CampaignState,
    NodeAncestor,
    Questionnaire,
    QuestionnaireVersion,
    ScanInvitation,
    hash_secret,
    new_code,
    parse_content,
    random_pick,
)
from .questionnaire import FREE_TEXT_MAX, ScanQuestionnaire, load

MAX_INVITATIONS = 5000
CLIENT_KEY = re.compile(r"^[A-Za-z0-9_-]{16,100}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# --- Questionnaires ---------------------------------------------------------------------


def parse_questionnaire(data: Any) -> ScanQuestionnaire:
    """Validate questionnaire data; DomainError listing every problem in words."""
    if not isinstance(data, dict):
        raise DomainError(_("A questionnaire is a set of fields (title, sections, …)."))
    try:
        return load(data)
    except ValidationError as error:
        problems = "; ".join(str(p) for p in validation_problems(error))
        raise DomainError(
            _("The questionnaire is not valid: %(problems)s") % {"problems": problems},
            code="questionnaire_invalid",
        ) from None


def _unique_slug(organisation: Organisation, slug: str) -> str:
    taken = set(
        Questionnaire.objects.filter(organisation=organisation).values_list("slug", flat=True)
    )
    candidate, n = slug, 2
    while candidate in taken:
        suffix = f"-{n}"
        candidate, n = slug[: 80 - len(suffix)] + suffix, n + 1
    return candidate


def create_questionnaire(
    organisation: Organisation, data: Any, *, actor: Any, based_on: Questionnaire | None = None
) -> Questionnaire:
    content = parse_questionnaire(data)
    with transaction.atomic():
        questionnaire = Questionnaire.objects.create(
            organisation=organisation,
            slug=_unique_slug(organisation, content.slug),
            title=content.title,
            based_on=based_on,
        )
        version = QuestionnaireVersion.objects.create(
            questionnaire=questionnaire, number=1, data=content.model_dump(mode="json")
        )
        questionnaire.current_version = version
        questionnaire.save(update_fields=["current_version"])
        record(
            organisation,
            actor=actor,
            action="scan.questionnaire_created",
            target_label=questionnaire.title,
        )
    return questionnaire


def copy_questionnaire(
    source: Questionnaire, organisation: Organisation, *, actor: Any
) -> Questionnaire:
    """The organisation's own copy of a built-in (or its own) questionnaire, to edit."""
    if source.organisation_id not in (None, organisation.pk):
        raise DomainError(_("This questionnaire belongs to another organisation."), status=404)
    assert source.current_version is not None
    return create_questionnaire(
        organisation, source.current_version.data, actor=actor, based_on=source
    )


def edit_questionnaire(
    questionnaire: Questionnaire, data: Any, *, actor: Any
) -> QuestionnaireVersion:
    """Change the content. A version that has responses is frozen: a new version is made,
    so that its campaigns keep the questions they were answered with."""
    if questionnaire.is_builtin:
        raise DomainError(
            _("A built-in questionnaire cannot be changed; copy it first."),
            code="builtin_readonly",
            status=403,
        )
    content = parse_questionnaire(data)
    with transaction.atomic():
        current = QuestionnaireVersion.objects.select_for_update().get(
            pk=questionnaire.current_version_id or 0
        )
        payload = content.model_dump(mode="json")
        if current.is_frozen:
            current = QuestionnaireVersion.objects.create(
                questionnaire=questionnaire, number=current.number + 1, data=payload
            )
        else:
            current.data = payload
            current.save(update_fields=["data"])
            current.__dict__.pop("content", None)
        questionnaire.current_version = current
        questionnaire.title = content.title
        questionnaire.save(update_fields=["current_version", "title"])
        assert questionnaire.organisation is not None
        record(
            questionnaire.organisation,
            actor=actor,
            action="scan.questionnaire_edited",
            target_label=questionnaire.title,
            version=current.number,
        )
    return current


# --- Campaigns --------------------------------------------------------------------------


def _clean_minimum(organisation: Organisation, value: Any) -> int:
    """The organisation's rule (a whole number from 3 to 1000), and never below the
    organisation's own minimum."""
    if value is None:
        return organisation.anonymity_minimum
    value = _clean_anonymity_minimum(value)
    if value < organisation.anonymity_minimum:
        raise DomainError(
            _("A campaign cannot go below the organisation's anonymity minimum of %(k)d.")
            % {"k": organisation.anonymity_minimum},
            code="anonymity_below_floor",
        )
    return value


def build_tree(campaign: Campaign, targets: Sequence[Team]) -> list[CampaignNode]:
    """Snapshot the organisation root, the targets and the teams above them, with closure."""
    all_teams = {t.pk: t for t in Team.objects.filter(organisation=campaign.organisation)}
    target_ids = {t.pk for t in targets}
    wanted: set[int] = set()
    for team in targets:
        at: int | None = team.pk
        while at is not None and at not in wanted:
            wanted.add(at)
            at = all_teams[at].parent_id
    children: dict[int | None, list[Team]] = {}
    for pk in wanted:
        team = all_teams[pk]
        children.setdefault(team.parent_id, []).append(team)
    for branch in children.values():
        branch.sort(key=lambda t: (t.name.casefold(), t.pk))

    nodes: list[CampaignNode] = []
    root = CampaignNode(
        campaign=campaign, team=None, parent=None, name=campaign.organisation.name, depth=0
    )
    nodes.append(root)
    parents_of: dict[int, list[CampaignNode]] = {}

    def walk(parent_team: int | None, parent_node: CampaignNode, chain: list[CampaignNode]):
        for team in children.get(parent_team, []):
            node = CampaignNode(
                campaign=campaign,
                team=team,
                parent=parent_node,
                name=team.name,
                depth=parent_node.depth + 1,
                is_target=team.pk in target_ids,
                code=new_code() if team.pk in target_ids else None,
            )
            nodes.append(node)
            parents_of[id(node)] = [*chain, node]
            walk(team.pk, node, [*chain, node])

    parents_of[id(root)] = [root]
    walk(None, root, [root])
    for position, node in enumerate(nodes):
        node.position = position
    # Saved one by one: each needs its parent's primary key (a few hundred at most).
    for node in nodes:
        node.save()
    NodeAncestor.objects.bulk_create(
        NodeAncestor(campaign=campaign, ancestor=ancestor, descendant=node)
        for node in nodes
        for ancestor in parents_of[id(node)]
    )
    return nodes


def create_campaign(
    organisation: Organisation,
    *,
    questionnaire: Questionnaire,
    name: str,
    teams: Iterable[Team],
    actor: Any,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    language: str | None = None,
    anonymity_minimum: int | None = None,
) -> Campaign:
    name = " ".join((name or "").split())
    if not name:
        raise DomainError(_("Enter a name for the campaign."), code="name_required")
    if len(name) > 150:
        raise DomainError(_("The name is too long (at most 150 characters)."))
    if questionnaire.organisation_id not in (None, organisation.pk):
        raise DomainError(_("Choose one of the offered questionnaires."), status=404)
    targets = list(teams)
    if not targets:
        raise DomainError(_("Choose at least one team."), code="teams_required")
    if any(t.organisation_id != organisation.pk for t in targets):
        raise DomainError(_("Choose teams of this organisation."), status=404)
    if opens_at and closes_at and closes_at <= opens_at:
        raise DomainError(_("The campaign must close after it opens."), code="dates_invalid")
    language = language or organisation.language
    if language not in ("nl", "en"):
        raise DomainError(_("Choose one of the offered languages."))
    minimum = _clean_minimum(organisation, anonymity_minimum)
    version = questionnaire.current_version
    if version is None:
        raise DomainError(_("Choose one of the offered questionnaires."))
    with transaction.atomic():
        campaign = Campaign.objects.create(
            organisation=organisation,
            questionnaire_version=version,
            name=name,
            language=language,
            anonymity_minimum=minimum,
            opens_at=opens_at,
            closes_at=closes_at,
        )
        build_tree(campaign, targets)
        record(
            organisation,
            actor=actor,
            action="scan.campaign_created",
            target_label=name,
            teams=len(targets),
            anonymity_minimum=minimum,
        )
    return campaign


def open_campaign(campaign: Campaign, *, actor: Any) -> Campaign:
    if campaign.state == CampaignState.OPEN:
        raise DomainError(_("The campaign is already open."), code="already_open", status=409)
    with transaction.atomic():
        campaign.state = CampaignState.OPEN
        if campaign.closes_at is not None and campaign.closes_at <= timezone.now():
            campaign.closes_at = None
        campaign.save(update_fields=["state", "closes_at"])
        record(
            campaign.organisation,
            actor=actor,
            action="scan.campaign_opened",
            target_label=campaign.name,
        )
    return campaign


def close_campaign(campaign: Campaign, *, actor: Any) -> Campaign:
    if campaign.state == CampaignState.CLOSED:
        raise DomainError(_("The campaign is already closed."), code="already_closed", status=409)
    with transaction.atomic():
        campaign.state = CampaignState.CLOSED
        campaign.save(update_fields=["state"])
        record(
            campaign.organisation,
            actor=actor,
            action="scan.campaign_closed",
            target_label=campaign.name,
        )
    return campaign


# --- Invitations ------------------------------------------------------------------------


def invite_respondents(
    campaign: Campaign, node: CampaignNode, emails: Iterable[str], *, actor: Any
) -> int:
    """Invite addresses to answer for a target team; one single-use token each.
    Addresses already invited to this campaign are skipped. Answers how many were new."""
    from .tasks import send_scan_invitation

    if node.campaign_id != campaign.pk or not node.is_target:
        raise DomainError(_("Choose one of the campaign's teams."), status=404)
    if campaign.state == CampaignState.CLOSED:
        raise DomainError(_("The campaign is closed."), code="campaign_closed")
    cleaned: list[str] = []
    for raw in emails:
        email = raw.strip().lower()
        if not email:
            continue
        try:
            validate_email(email)
        except DjangoValidationError:
            raise DomainError(
                _("“%(email)s” is not a valid e-mail address.") % {"email": email[:100]},
                code="email_invalid",
            ) from None
        if email not in cleaned:
            cleaned.append(email)
    if not cleaned:
        raise DomainError(_("Enter at least one e-mail address."), code="emails_required")
    if len(cleaned) > MAX_INVITATIONS:
        raise DomainError(_("At most %(n)d addresses at once.") % {"n": MAX_INVITATIONS})
    with transaction.atomic():
        known = set(
            ScanInvitation.objects.filter(campaign=campaign, email__in=cleaned).values_list(
                "email", flat=True
            )
        )
        fresh = [email for email in cleaned if email not in known]
        tokens = {email: secrets.token_urlsafe(24) for email in fresh}
        created = ScanInvitation.objects.bulk_create(
            ScanInvitation(
                campaign=campaign, node=node, email=email, token_hash=hash_secret(tokens[email])
            )
            for email in fresh
        )
        record(
            campaign.organisation,
            actor=actor,
            action="scan.invitations_sent",
            target_label=campaign.name,
            team=node.name,
            count=len(created),
        )
        for invitation in created:
            transaction.on_commit(
                lambda i=invitation: send_scan_invitation.enqueue(  # type: ignore[misc]
                    str(i.public_id), tokens[i.email], False
                )
            )
    return len(created)


def send_reminders(campaign: Campaign, *, actor: Any) -> int:
    """Mail those who have not answered yet. Only the hash of a token is stored, so each
    reminder carries a new token and the old one stops working."""
    from .tasks import send_scan_invitation

    if not campaign.accepts_responses():
        raise DomainError(
            _("Reminders can only be sent while the campaign is open."), code="campaign_not_open"
        )
    with transaction.atomic():
        pending = list(
            ScanInvitation.objects.select_for_update().filter(campaign=campaign, used=False)
        )
        tokens = {}
        now = timezone.now()
        for invitation in pending:
            token = secrets.token_urlsafe(24)
            tokens[invitation.pk] = token
            invitation.token_hash = hash_secret(token)
            invitation.reminders_sent += 1
            invitation.last_sent_at = now  # the scheduled reminders count from here
        ScanInvitation.objects.bulk_update(
            pending, ["token_hash", "reminders_sent", "last_sent_at"]
        )
        record(
            campaign.organisation,
            actor=actor,
            action="scan.reminders_sent",
            target_label=campaign.name,
            count=len(pending),
        )
        for invitation in pending:
            transaction.on_commit(
                lambda i=invitation: send_scan_invitation.enqueue(  # type: ignore[misc]
                    str(i.public_id), tokens[i.pk], True
                )
            )
    return len(pending)


# --- Responses --------------------------------------------------------------------------


@dataclass(frozen=True)
class SubmitResult:
    campaign: str
    submitted_on: date
    replayed: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": "accepted",
            "campaign": self.campaign,
            "submitted_on": self.submitted_on.isoformat(),
        }


@dataclass
class ValidAnswers:
    choices: list[tuple[str, str]]
    """(question, option) per chosen option or scale value."""
    answered: list[str]
    texts: list[tuple[str, str]]


def _clean_text(value: Any, question: Any) -> str:
    if not isinstance(value, str):
        raise DomainError(
            _("Question %(q)s: expected text.") % {"q": _label(question)}, code="answer_invalid"
        )
    text = _CONTROL.sub("", unicodedata.normalize("NFC", value)).strip()
    if len(text) > FREE_TEXT_MAX:
        raise DomainError(
            ngettext(
                "Question %(q)s: the text is too long (at most %(n)d character).",
                "Question %(q)s: the text is too long (at most %(n)d characters).",
                FREE_TEXT_MAX,
            )
            % {"q": _label(question), "n": FREE_TEXT_MAX},
            code="text_too_long",
        )
    return text


def _label(question: Any) -> str:
    return str(question.number) if question.number else f"“{question.text[:60]}”"


def validate_answers(
    questionnaire: ScanQuestionnaire, answers: Any, other: Any = None
) -> ValidAnswers:
    """Check every answer against the questionnaire; DomainError on the first problem.

    `answers` maps question keys to an option key (yes/no, single choice), a list of option
    keys (multiple choice), a whole number (scale) or a text (open question); `other` maps
    question keys to the "Andere" text (a text there selects "Andere" by itself).
    Empty answers ("", [], None) count as not answered.
    """
    if not isinstance(answers, Mapping):
        raise DomainError(_("The answers must be a set of question keys and answers."))
    other = other or {}
    if not isinstance(other, Mapping):
        raise DomainError(_("The other texts must be a set of question keys and texts."))
    known = {q.key: q for q in questionnaire.questions}
    unknown = [str(k)[:40] for k in [*answers, *other] if k not in known]
    if unknown:
        raise DomainError(
            _("These questions are not in the questionnaire: %(keys)s.")
            % {"keys": ", ".join(sorted(set(unknown)))},
            code="unknown_question",
        )
    result = ValidAnswers([], [], [])
    for question in questionnaire.questions:
        value = answers.get(question.key)
        other_text = other.get(question.key)
        if value in ("", None, []):
            value = None
        kind = question.kind
        if kind == "open_text":
            text = _clean_text(value, question) if value is not None else ""
            if text:
                result.answered.append(question.key)
                result.texts.append((question.key, text))
        elif kind == "scale":
            if value is not None:
                if isinstance(value, str) and value.strip().isdigit():
                    value = int(value)
                if (
                    isinstance(value, bool)
                    or not isinstance(value, int)
                    or not question.low <= value <= question.high
                ):
                    raise DomainError(
                        _("Question %(q)s: choose a whole number from %(low)d to %(high)d.")
                        % {"q": _label(question), "low": question.low, "high": question.high},
                        code="choice_invalid",
                    )
                result.answered.append(question.key)
                result.choices.append((question.key, str(value)))
        else:
            other_key = question.other_option.key if question.other_option else None
            chosen: list[str]
            if value is None:
                chosen = []
            elif kind == "multiple_choice":
                if isinstance(value, str):
                    value = [value]
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise DomainError(
                        _("Question %(q)s: expected a list of options.") % {"q": _label(question)},
                        code="answer_invalid",
                    )
                chosen = list(dict.fromkeys(value))
            else:
                if not isinstance(value, str):
                    raise DomainError(
                        _("Question %(q)s: choose one option.") % {"q": _label(question)},
                        code="answer_invalid",
                    )
                chosen = [value]
            allowed = question.option_keys()
            bad = [c for c in chosen if c not in allowed]
            if bad:
                raise DomainError(
                    _("Question %(q)s: “%(option)s” is not one of its options.")
                    % {"q": _label(question), "option": bad[0][:40]},
                    code="choice_invalid",
                )
            text = ""
            if other_text not in (None, ""):
                if other_key is None:
                    raise DomainError(
                        _("Question %(q)s has no “Andere” option.") % {"q": _label(question)},
                        code="answer_invalid",
                    )
                text = _clean_text(other_text, question)
                if text and other_key not in chosen:
                    if kind == "multiple_choice" or not chosen:
                        chosen.append(other_key)
                    else:
                        raise DomainError(
                            _("Question %(q)s: choose one option.") % {"q": _label(question)},
                            code="answer_invalid",
                        )
            if chosen:
                result.answered.append(question.key)
                result.choices.extend((question.key, c) for c in chosen)
                if text:
                    result.texts.append((question.key, text))
        if question.required and question.key not in result.answered:
            raise DomainError(
                _("Question %(q)s needs an answer.") % {"q": _label(question)},
                code="answer_required",
            )
    return result


_TARGET_SQL = (
    "SELECT c.*, n.id AS target_node_id, {invitation} AS target_invitation_id, "
    "v.data AS version_data FROM {from_} "
    "JOIN scans_campaign c ON c.id = n.campaign_id "
    "JOIN scans_questionnaireversion v ON v.id = c.questionnaire_version_id WHERE {where}"
)


def _target(code: str | None, token: str | None) -> tuple[Campaign, int, int | None]:
    """The campaign (with its questionnaire), node and invitation a submission is for, in
    one query: a submission is the hot path."""
    if code:
        sql = _TARGET_SQL.format(
            invitation="NULL", from_="scans_campaignnode n", where="n.code = %s AND n.is_target"
        )
        params = [str(code)[:16]]
    else:
        sql = _TARGET_SQL.format(
            invitation="i.id",
            from_="scans_scaninvitation i JOIN scans_campaignnode n ON n.id = i.node_id",
            where="i.token_hash = %s",
        )
        params = [hash_secret(str(token))]
    found = list(Campaign.objects.raw(sql, params))
    if not found:
        if code:
            raise DomainError(_("This link is not known."), code="unknown_link", status=404)
        raise DomainError(
            _("This invitation is not known (or was replaced by a reminder with a new link)."),
            code="unknown_token",
            status=404,
        )
    campaign: Any = found[0]  # with the extra columns of the query
    data = campaign.version_data
    campaign.version_content = parse_content(data if isinstance(data, str) else json.dumps(data))
    return campaign, campaign.target_node_id, campaign.target_invitation_id


def _receipt_day(campaign_id: int, key_hash: str) -> date | None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT submitted_on FROM scans_submissionreceipt "
            "WHERE campaign_id = %s AND key_hash = %s",
            [campaign_id, key_hash],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    return row[0] if isinstance(row[0], date) else date.fromisoformat(str(row[0]))


_SQLITE_WRITERS = threading.Lock()


@contextmanager
def _serialised_on_sqlite() -> Iterator[None]:
    """SQLite has one writer at a time; threads of this process queue on a lock instead of
    on SQLite's busy handler, which sleeps in growing steps (a 4x difference at 50 writers).
    Other processes still queue on the busy timeout."""
    if connection.vendor == "sqlite":
        with _SQLITE_WRITERS:
            yield
    else:
        yield


def _insert_response(
    cursor: Any,
    campaign: Campaign,
    node_id: int,
    key_hash: str,
    today: date,
    valid: ValidAnswers,
) -> None:
    """The receipt, the response, its answers, free texts and counters: plain inserts, as a
    submission is the one write that must be fast."""
    cursor.execute(
        "INSERT INTO scans_submissionreceipt (campaign_id, key_hash, submitted_on) "
        "VALUES (%s, %s, %s) ON CONFLICT (campaign_id, key_hash) DO NOTHING",
        [campaign.pk, key_hash, today],
    )
    if cursor.rowcount != 1:
        raise DomainError(
            _("This answer is being sent already."), code="duplicate_submission", status=409
        )
    response_id = uuid.uuid4()
    # Django keeps a UUID as 32 hex characters on SQLite and as a uuid on PostgreSQL.
    id_value: Any = response_id.hex if connection.vendor == "sqlite" else response_id
    cursor.execute(
        "INSERT INTO scans_response (id, campaign_id, node_id, submitted_on) "
        "VALUES (%s, %s, %s, %s)",
        [id_value, campaign.pk, node_id, today],
    )
    if valid.choices:
        cursor.executemany(
            "INSERT INTO scans_answer (response_id, question, option) VALUES (%s, %s, %s)",
            [(id_value, question, option) for question, option in valid.choices],
        )
    if valid.texts:
        cursor.executemany(
            "INSERT INTO scans_freetext (campaign_id, node_id, question, text, pick) "
            "VALUES (%s, %s, %s, %s, %s)",
            [
                (campaign.pk, node_id, question, text, random_pick())
                for question, text in valid.texts
            ],
        )
    _bump_counters(
        campaign.pk,
        node_id,
        [(TOTAL, TOTAL), *((key, TOTAL) for key in valid.answered), *valid.choices],
    )


def _bump_counters(campaign_id: int, node_id: int, keys: Iterable[tuple[str, str]]) -> None:
    """One upsert: n + 1 for each (question, option), in a fixed order (no deadlocks)."""
    rows = sorted(set(keys))
    values = ", ".join(["(%s, %s, %s, %s, 1)"] * len(rows))
    params: list[Any] = []
    for question, option in rows:
        params.extend([campaign_id, node_id, question, option])
    sql = (
        "INSERT INTO scans_counter (campaign_id, node_id, question, option, n) "  # noqa: S608
        f"VALUES {values} ON CONFLICT (campaign_id, node_id, question, option) "
        "DO UPDATE SET n = scans_counter.n + 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


SUBMISSIONS_PER_MINUTE = 30
"""Responses one client address may send in a minute (setting SCAN_SUBMISSIONS_PER_MINUTE)."""


def limit_submissions(address: str) -> None:
    """Count one submission from this address in this minute's bucket; refuse past the
    limit with 429. Only a hash of the address is used, as a cache key that expires within
    two minutes; nothing of it is stored with the response."""
    limit = int(getattr(settings, "SCAN_SUBMISSIONS_PER_MINUTE", SUBMISSIONS_PER_MINUTE))
    digest = hashlib.sha256((address or "unknown").encode()).hexdigest()[:32]
    key = f"scans:rate:submit:{digest}:{int(timezone.now().timestamp() // 60)}"
    cache.add(key, 0, 120)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, 120)
        count = 1
    if count > limit:
        raise DomainError(
            _("Too many responses were sent from your connection. Wait a minute and try again."),
            code="rate_limited",
            status=429,
        )


def submit_response(
    *,
    client_key: Any,
    answers: Any,
    other: Any = None,
    code: str | None = None,
    token: str | None = None,
) -> SubmitResult:
    """Store one anonymous response: all or nothing, once per client key.

    A team link `code` or an invitation `token` says where the answers belong. A replay
    with the same client key answers the first result and stores nothing.
    """
    if not isinstance(client_key, str) or not CLIENT_KEY.match(client_key):
        raise DomainError(
            _("The submission key is missing or not valid."), code="client_key_invalid"
        )
    if bool(code) == bool(token):
        raise DomainError(_("Answer through a team link or an invitation."), code="target_required")
    with _serialised_on_sqlite(), transaction.atomic():
        campaign, node_id, invitation_id = _target(code, token)
        key_hash = hash_secret(f"{campaign.public_id}:{client_key}")
        first_day = _receipt_day(campaign.pk, key_hash)
        if first_day is not None:
            return SubmitResult(str(campaign.public_id), first_day, replayed=True)
        if not campaign.accepts_responses():
            if (
                campaign.opens_at
                and campaign.state == CampaignState.OPEN
                and timezone.now() < campaign.opens_at
            ):
                message = _("This campaign is not open yet.")
                code_ = "campaign_not_open"
            elif campaign.state == CampaignState.DRAFT:
                message, code_ = _("This campaign is not open yet."), "campaign_not_open"
            else:
                message, code_ = _("This campaign is closed."), "campaign_closed"
            raise DomainError(message, code=code_, status=409)
        valid = validate_answers(campaign.version_content, answers, other)  # type: ignore[attr-defined]
        if invitation_id is not None:
            taken = ScanInvitation.objects.filter(pk=invitation_id, used=False).update(used=True)
            if not taken:
                raise DomainError(
                    _("This invitation has already been used."), code="token_used", status=409
                )
        today = timezone.localdate()
        with connection.cursor() as cursor:
            _insert_response(cursor, campaign, node_id, key_hash, today, valid)
    return SubmitResult(str(campaign.public_id), today)
