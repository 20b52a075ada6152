"""Every change in the scan goes through here: questionnaires, campaigns, invitations and
responses. Views, the API and tasks call these functions; each runs in one transaction,
raises DomainError with a message for people, and sends mail on commit.

`submit_response` is the one path for answers, from the form and from the API: it checks
everything before it writes anything, stores the response and bumps the counters in the same
transaction, and is idempotent by the client's key. It never logs answers.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import unicodedata
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from pydantic import ValidationError

from core import db, ratelimit
from core.errors import DomainError
from core.text import service_name
from formats.loader import validation_problems
from orgs.models import Organisation, Team
from orgs.services import _clean_anonymity_minimum, record

from .extras import clean_keys, with_extras
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
)
from .questionnaire import FREE_TEXT_MAX, ScanQuestionnaire, load
from .releases import release

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
    extra_questions: Iterable[str] = (),
) -> Campaign:
    name = service_name(name, max_length=150, empty_message=_("Enter a name for the campaign."))
    extras = list(extra_questions or [])
    if set(extras) - set(clean_keys(extras)):
        raise DomainError(_("Choose one of the offered extra questions."), code="extra_unknown")
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
            extra_questions=clean_keys(extras),
        )
        build_tree(campaign, targets)
        record(
            organisation,
            actor=actor,
            action="scan.campaign_created",
            target_label=name,
            teams=len(targets),
            anonymity_minimum=minimum,
            extra_questions=len(extras),
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
        release(campaign, final=True)
        record(
            campaign.organisation,
            actor=actor,
            action="scan.campaign_closed",
            target_label=campaign.name,
        )
    return campaign


def set_team_link(campaign: Campaign, node: CampaignNode, *, enabled: bool, actor: Any) -> None:
    """Open or close a team's open link (its team then answers only through single-use
    invitations or slips)."""
    if node.campaign_id != campaign.pk or not node.is_target:
        raise DomainError(_("Choose one of the campaign's teams."), status=404)
    with transaction.atomic():
        CampaignNode.objects.filter(pk=node.pk).update(link_enabled=bool(enabled))
        record(
            campaign.organisation,
            actor=actor,
            action="scan.team_link_changed",
            target_label=campaign.name,
            team=node.name,
            enabled=bool(enabled),
        )


MAX_SLIPS = 500


def create_slips(campaign: Campaign, node: CampaignNode, count: Any, *, actor: Any) -> list[str]:
    """Single-use codes for a team without e-mail, one per person, to print on slips (a QR
    each). Only their hashes are stored; a slip, like an invitation, says only whether it
    was used. Answers the raw codes (for the printed sheet, never stored)."""
    from .models import ScanSlip

    if node.campaign_id != campaign.pk or not node.is_target:
        raise DomainError(_("Choose one of the campaign's teams."), status=404)
    if campaign.state == CampaignState.CLOSED:
        raise DomainError(_("The campaign is closed."), code="campaign_closed")
    try:
        n = int(str(count).strip())
    except (TypeError, ValueError):
        n = 0
    if isinstance(count, bool) or not 1 <= n <= MAX_SLIPS:
        raise DomainError(
            _("Print from 1 to %(max)d slips at once.") % {"max": MAX_SLIPS}, code="slips_invalid"
        )
    tokens = [secrets.token_urlsafe(18) for _ in range(n)]
    with transaction.atomic():
        ScanSlip.objects.bulk_create(
            ScanSlip(campaign=campaign, node=node, token_hash=hash_secret(token))
            for token in tokens
        )
        record(
            campaign.organisation,
            actor=actor,
            action="scan.slips_printed",
            target_label=campaign.name,
            team=node.name,
            count=n,
        )
    return tokens


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
    replaced: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": "accepted",
            "campaign": self.campaign,
            "submitted_on": self.submitted_on.isoformat(),
            "replaced": self.replaced,
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
    "{slip} AS target_slip_id, t.headcount AS target_headcount, "
    "(SELECT COUNT(*) FROM scans_scaninvitation si WHERE si.node_id = n.id) AS target_invited, "
    "(SELECT COUNT(*) FROM orgs_membership_teams mt WHERE mt.team_id = t.id) AS target_members, "
    "v.data AS version_data FROM {from_} "
    "JOIN scans_campaign c ON c.id = n.campaign_id "
    "JOIN scans_questionnaireversion v ON v.id = c.questionnaire_version_id "
    "LEFT JOIN orgs_team t ON t.id = n.team_id WHERE {where}"
)


@dataclass
class Target:
    campaign: Any
    """The campaign, with `version_content` (its questionnaire) set."""
    node_id: int
    invitation_id: int | None
    slip_id: Any
    headcount: int | None


def _target(code: str | None, token: str | None) -> Target:
    """The campaign (with its questionnaire), node, invitation or slip, and the team's
    headcount a submission is for, in one query: a submission is the hot path. On
    PostgreSQL the campaign row is share-locked, so that a release waits for it."""
    lock = " FOR SHARE OF c" if connection.vendor == "postgresql" else ""
    queries = []
    if code:
        queries.append(
            (
                _TARGET_SQL.format(
                    invitation="NULL",
                    slip="NULL",
                    from_="scans_campaignnode n",
                    where="n.code = %s AND n.is_target AND n.link_enabled",
                ),
                [str(code)[:16]],
            )
        )
    else:
        hashed = hash_secret(str(token))
        queries.append(
            (
                _TARGET_SQL.format(
                    invitation="i.id",
                    slip="NULL",
                    from_="scans_scaninvitation i JOIN scans_campaignnode n ON n.id = i.node_id",
                    where="i.token_hash = %s",
                ),
                [hashed],
            )
        )
        queries.append(
            (
                _TARGET_SQL.format(
                    invitation="NULL",
                    slip="p.id",
                    from_="scans_scanslip p JOIN scans_campaignnode n ON n.id = p.node_id",
                    where="p.token_hash = %s",
                ),
                [hashed],
            )
        )
    found: list[Any] = []
    for sql, params in queries:
        found = list(Campaign.objects.raw(sql + lock, params))
        if found:
            break
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
    campaign.version_content = with_extras(
        parse_content(data if isinstance(data, str) else json.dumps(data)),
        campaign.extra_questions,
        campaign.language,
    )
    headcount = campaign.target_headcount
    if headcount is not None:
        # Members and this campaign's invitations count toward it (orgs.effective_headcount).
        headcount = max(
            int(headcount), int(campaign.target_invited or 0), int(campaign.target_members or 0)
        )
    return Target(
        campaign,
        campaign.target_node_id,
        campaign.target_invitation_id,
        campaign.target_slip_id,
        headcount,
    )


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


def _uuid_value(value: uuid.UUID) -> Any:
    # Django keeps a UUID as 32 hex characters on SQLite and as a uuid on PostgreSQL.
    return value.hex if connection.vendor == "sqlite" else value


def _counter_keys(valid: ValidAnswers) -> list[tuple[str, str]]:
    return [(TOTAL, TOTAL), *((key, TOTAL) for key in valid.answered), *valid.choices]


def _insert_response(
    cursor: Any,
    campaign: Campaign,
    node_id: int,
    key_hash: str,
    today: date,
    valid: ValidAnswers,
    device_hash: str | None,
) -> None:
    """The receipt, the response, its answers, pooled free texts and counters: plain
    inserts, as a submission is the one write that must be fast. Every key is random."""
    cursor.execute(
        "INSERT INTO scans_submissionreceipt (id, campaign_id, key_hash, submitted_on) "
        "VALUES (%s, %s, %s, %s) ON CONFLICT (campaign_id, key_hash) DO NOTHING",
        [_uuid_value(uuid.uuid4()), campaign.pk, key_hash, today],
    )
    if cursor.rowcount != 1:
        raise DomainError(
            _("This answer is being sent already."), code="duplicate_submission", status=409
        )
    id_value = _uuid_value(uuid.uuid4())
    cursor.execute(
        "INSERT INTO scans_response (id, campaign_id, node_id, submitted_on, released, "
        "superseded, device_hash) VALUES (%s, %s, %s, %s, %s, %s, %s)",
        [id_value, campaign.pk, node_id, today, False, False, device_hash],
    )
    # Answered open questions get a row without an option, so that replacing a response
    # can take back every counter it added.
    with_choices = {question for question, _option in valid.choices}
    marks = [(key, "") for key in valid.answered if key not in with_choices]
    rows = [*valid.choices, *marks]
    if rows:
        cursor.executemany(
            "INSERT INTO scans_answer (id, response_id, question, option) VALUES (%s, %s, %s, %s)",
            [(_uuid_value(uuid.uuid4()), id_value, question, option) for question, option in rows],
        )
    if valid.texts:
        cursor.executemany(
            "INSERT INTO scans_freetextpool (id, campaign_id, node_id, question, text, ready) "
            "VALUES (%s, %s, %s, %s, %s, %s)",
            [
                (_uuid_value(uuid.uuid4()), campaign.pk, node_id, question, text, False)
                for question, text in valid.texts
            ],
        )
    _bump_counters(campaign.pk, node_id, _counter_keys(valid))


def _bump_counters(
    campaign_id: int, node_id: int, keys: Iterable[tuple[str, str]], step: int = 1
) -> None:
    """One upsert: n + step for each (question, option), in a fixed order (no deadlocks).
    New counter rows get random keys, so that their order tells nothing."""
    rows = sorted(set(keys))
    if not rows:
        return
    if step < 0:
        with connection.cursor() as cursor:
            for question, option in rows:
                cursor.execute(
                    "UPDATE scans_counter SET n = n - 1 WHERE campaign_id = %s AND node_id = %s "
                    "AND question = %s AND option = %s AND n > 0",
                    [campaign_id, node_id, question, option],
                )
        return
    values = ", ".join(["(%s, %s, %s, %s, %s, 1)"] * len(rows))
    params: list[Any] = []
    for question, option in rows:
        params.extend([_uuid_value(uuid.uuid4()), campaign_id, node_id, question, option])
    sql = (
        "INSERT INTO scans_counter (id, campaign_id, node_id, question, option, n) "  # noqa: S608
        f"VALUES {values} ON CONFLICT (campaign_id, node_id, question, option) "
        "DO UPDATE SET n = scans_counter.n + 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


# Throttling: per team link (or token) and per device, never per address, so that an office
# behind one address can answer together while a script on one link is stopped.
LINK_LIMIT = 600
"""Submissions one team link accepts in LINK_WINDOW seconds (setting SCAN_LINK_LIMIT)."""
LINK_WINDOW = 300
DEVICE_LIMIT = 10
"""Submissions one device may send in DEVICE_WINDOW seconds (setting SCAN_DEVICE_LIMIT)."""
DEVICE_WINDOW = 300


def device_hash(campaign: Campaign, device_key: str) -> str:
    """The stored form of a device key: keyed with the server's secret and the campaign,
    so that a database reader cannot test a device key, nor link campaigns."""
    return hmac.new(
        settings.SECRET_KEY.encode(),
        f"scan-device:{campaign.public_id}:{device_key}".encode(),
        hashlib.sha256,
    ).hexdigest()


def _clean_device_key(device_key: Any) -> str | None:
    if device_key in (None, ""):
        return None
    if not isinstance(device_key, str) or not CLIENT_KEY.match(device_key):
        raise DomainError(_("The device key is not valid."), code="device_key_invalid")
    return device_key


def device_answered(campaign: Campaign, node: CampaignNode, device_key: Any) -> bool:
    """Whether this device has an answer for this campaign (that it may change)."""
    try:
        key = _clean_device_key(device_key)
    except DomainError:
        return False
    if key is None or not campaign.accepts_responses():
        return False
    from .models import Response

    return Response.objects.filter(
        campaign=campaign, device_hash=device_hash(campaign, key)
    ).exists()


def limit_submissions(*, code: str | None, token: str | None, device_key: str | None) -> None:
    """Count one submission for the link (or token) and for the device; 429 past either."""
    message = _("Too many responses were sent through this link. Wait a few minutes and try again.")
    link = f"scan-link:{code}" if code else f"scan-token:{hash_secret(str(token))}"
    ratelimit.check(
        link, int(getattr(settings, "SCAN_LINK_LIMIT", LINK_LIMIT)), LINK_WINDOW, message=message
    )
    if device_key:
        ratelimit.check(
            f"scan-device:{device_key}",
            int(getattr(settings, "SCAN_DEVICE_LIMIT", DEVICE_LIMIT)),
            DEVICE_WINDOW,
            message=_("Too many responses were sent from this device. Wait a few minutes."),
        )


def _not_open(campaign: Campaign) -> DomainError:
    if (
        campaign.opens_at
        and campaign.state == CampaignState.OPEN
        and timezone.now() < campaign.opens_at
    ) or campaign.state == CampaignState.DRAFT:
        return DomainError(
            _("This campaign is not open yet."), code="campaign_not_open", status=409
        )
    return DomainError(_("This campaign is closed."), code="campaign_closed", status=409)


def _take_back(cursor: Any, campaign: Campaign, previous: Any) -> None:
    """Undo an earlier response's counters (it is being replaced): a released one stays in
    the released figures, marked superseded, until its node's next release; a pending one
    goes at once."""
    from .models import Answer, Response

    rows = list(Answer.objects.filter(response_id=previous.pk).values_list("question", "option"))
    choices = [(q, o) for q, o in rows if o != ""]
    answered = sorted({q for q, _o in rows})
    _bump_counters(
        campaign.pk,
        previous.node_id,
        [(TOTAL, TOTAL), *((q, TOTAL) for q in answered), *choices],
        step=-1,
    )
    if previous.released:
        Response.objects.filter(pk=previous.pk).update(superseded=True, device_hash=None)
    else:
        Response.objects.filter(pk=previous.pk).delete()


def submit_response(
    *,
    client_key: Any,
    answers: Any,
    other: Any = None,
    code: str | None = None,
    token: str | None = None,
    device_key: Any = None,
    replace: bool = False,
) -> SubmitResult:
    """Store one anonymous response: all or nothing, once per client key.

    A team link `code`, an invitation or slip `token` says where the answers belong. A
    replay with the same client key answers the first result and stores nothing. A
    `device_key` (the answer page's) allows one response per device: a second one is
    refused (409 `already_answered`) unless `replace`, which replaces the first. A team
    never gets more responses than its headcount.
    """

    if not isinstance(client_key, str) or not CLIENT_KEY.match(client_key):
        raise DomainError(
            _("The submission key is missing or not valid."), code="client_key_invalid"
        )
    if bool(code) == bool(token):
        raise DomainError(_("Answer through a team link or an invitation."), code="target_required")
    if code is not None and not isinstance(code, str):
        raise DomainError(_("This link is not known."), code="unknown_link", status=404)
    if token is not None and not isinstance(token, str):
        raise DomainError(_("This invitation is not known."), code="unknown_token", status=404)
    device = _clean_device_key(device_key)
    limit_submissions(code=code, token=token, device_key=device)
    try:
        return _store_response(
            client_key=client_key,
            answers=answers,
            other=other,
            code=code,
            token=token,
            device=device,
            replace=replace,
        )
    except IntegrityError:
        # Two first answers from one device at the same moment (PostgreSQL): the unique
        # device constraint lets one through; the other is told, nothing else is stored.
        raise DomainError(
            _(
                "You already answered this scan on this device. Send again to replace "
                "your earlier answers."
            ),
            code="already_answered",
            status=409,
        ) from None


def _store_response(
    *,
    client_key: str,
    answers: Any,
    other: Any,
    code: str | None,
    token: str | None,
    device: str | None,
    replace: bool,
) -> SubmitResult:
    from .models import Response

    with db.atomic():  # writers of this process queued in order on SQLite
        target = _target(code, token)
        campaign, node_id = target.campaign, target.node_id
        key_hash = hash_secret(f"{campaign.public_id}:{client_key}")
        first_day = _receipt_day(campaign.pk, key_hash)
        if first_day is not None:
            return SubmitResult(str(campaign.public_id), first_day, replayed=True)
        if not campaign.accepts_responses():
            raise _not_open(campaign)
        valid = validate_answers(campaign.version_content, answers, other)
        hashed = device_hash(campaign, device) if device else None
        previous = None
        if hashed is not None:
            previous = (
                Response.objects.select_for_update()
                .filter(campaign_id=campaign.pk, device_hash=hashed)
                .only("id", "node_id", "released")
                .first()
            )
            if previous is not None and previous.node_id != node_id:
                raise DomainError(
                    _("This device already answered this scan for another team."),
                    code="already_answered_elsewhere",
                    status=409,
                )
            if previous is not None and not replace:
                raise DomainError(
                    _(
                        "You already answered this scan on this device. Send again to replace "
                        "your earlier answers."
                    ),
                    code="already_answered",
                    status=409,
                )
        if previous is None and target.headcount is not None:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT n FROM scans_counter WHERE campaign_id = %s AND node_id = %s "
                    "AND question = %s AND option = %s",
                    [campaign.pk, node_id, TOTAL, TOTAL],
                )
                row = cursor.fetchone()
            if row is not None and int(row[0]) >= int(target.headcount):
                raise DomainError(
                    _(
                        "Everyone in this team has answered already: the team has %(n)d "
                        "people. If you have not answered yet, ask the person who runs the "
                        "scan."
                    )
                    % {"n": target.headcount},
                    code="headcount_reached",
                    status=409,
                )
        if target.invitation_id is not None:
            taken = ScanInvitation.objects.filter(pk=target.invitation_id, used=False).update(
                used=True
            )
            if not taken:
                raise DomainError(
                    _("This invitation has already been used."), code="token_used", status=409
                )
        if target.slip_id is not None:
            from .models import ScanSlip

            if not ScanSlip.objects.filter(pk=target.slip_id, used=False).update(used=True):
                raise DomainError(
                    _("This slip has already been used."), code="token_used", status=409
                )
        today = timezone.localdate()
        with connection.cursor() as cursor:
            if previous is not None:
                _take_back(cursor, campaign, previous)
            _insert_response(cursor, campaign, node_id, key_hash, today, valid, hashed)
            if code:
                cursor.execute(
                    "UPDATE scans_campaignnode SET link_used = %s WHERE id = %s AND NOT link_used",
                    [True, node_id],
                )
    return SubmitResult(str(campaign.public_id), today, replaced=previous is not None)
