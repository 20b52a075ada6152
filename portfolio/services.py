"""Every change to a portfolio: `verb_noun(..., *, actor)` in one transaction.

Views and the API call these functions and nothing else. Nothing here logs content: the
only log lines and audit rows are "a share was created / revoked / viewed".
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from core import ratelimit
from core.errors import DomainError
from core.text import TextError, clean_name, clean_text

from .files import check_certificate
from .kinds import KINDS
from .models import (
    SHARE_DAYS_DEFAULT,
    SHARE_DAYS_MAX,
    TEXT_MAX,
    TITLE_MAX,
    ActivityType,
    Conversation,
    Entry,
    GoalStatus,
    Share,
    ShareEvent,
    ShareTarget,
    hash_share_token,
)
from .storage import private_storage

logger = logging.getLogger("lerend.portfolio")

QUESTIONS_MAX = 20
HOURS_MAX = Decimal("10000")
IDEMPOTENCY_KEY_MAX = 100


class SignInRequired(Exception):
    """A link for one signed-in person, opened by someone not signed in."""


class FieldError(DomainError):
    """A value that cannot be stored, with the field it belongs to (for forms)."""

    def __init__(self, field: str, message: str, *, code: str = "invalid", status: int = 400):
        super().__init__(message, code=code, status=status)
        self.field = field


def _name(field: str, value: Any, *, required: bool = True, max_length: int = TITLE_MAX) -> str:
    try:
        return clean_name(
            value if value is not None else "", max_length=max_length, required=required
        )
    except TextError as exc:
        raise FieldError(field, exc.message, code=exc.code) from None


def _text(field: str, value: Any, *, required: bool = False) -> str:
    try:
        return clean_text(
            value if value is not None else "", max_length=TEXT_MAX, required=required
        )
    except TextError as exc:
        raise FieldError(field, exc.message, code=exc.code) from None


def _past_date(field: str, value: Any) -> date | None:
    if value in (None, ""):
        return None
    if not isinstance(value, date):
        raise FieldError(field, _("Enter a valid date."), code="date")
    if value > timezone.localdate():
        raise FieldError(
            field, _("This date is in the future: enter today or a day before."), code="future_date"
        )
    if value.year < 1900:
        raise FieldError(field, _("Enter a valid date."), code="date")
    return value


def _any_date(field: str, value: Any) -> date | None:
    if value in (None, ""):
        return None
    if not isinstance(value, date) or value.year < 1900:
        raise FieldError(field, _("Enter a valid date."), code="date")
    return value


def _hours(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        hours = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise FieldError("hours", _("Enter a number of hours."), code="hours") from None
    if not hours.is_finite() or hours <= 0 or hours > HOURS_MAX:
        raise FieldError(
            "hours", _("Enter a number of hours above 0 and at most 10,000."), code="hours"
        )
    return hours.quantize(Decimal("0.01"))


def _idempotency_key(value: str | None) -> str:
    key = (value or "").strip()
    if len(key) > IDEMPOTENCY_KEY_MAX or any(not c.isprintable() for c in key):
        raise DomainError(
            _("The idempotency key must be printable and at most 100 characters."),
            code="idempotency_key",
        )
    return key


@dataclass
class EntryData:
    """The checked values of an entry, ready to be stored."""

    title: str
    answers: dict[str, str]
    occurred_on: date | None = None
    activity_type: str = ""
    hours: Decimal | None = None
    first_step: str = ""
    due_date: date | None = None
    status: str = GoalStatus.OPEN


def check_entry(kind_key: str, data: dict[str, Any]) -> EntryData:
    """Check raw values for an entry of `kind_key`; FieldError on the first bad one."""
    kind = KINDS.get(kind_key)
    if kind is None:
        raise FieldError("kind", _("Choose a kind of entry."), code="kind")
    raw_answers = data.get("answers") or {}
    if not isinstance(raw_answers, dict):
        raise FieldError("answers", _("Answers must be given per question."), code="answers")
    known = {prompt.key for prompt in kind.prompts}
    unknown = set(raw_answers) - known
    if unknown:
        raise FieldError(
            "answers",
            _("This kind of entry has no question %(key)s.") % {"key": sorted(unknown)[0]},
            code="answers",
        )
    answers = {}
    for prompt in kind.prompts:
        text = _text(f"answer_{prompt.key}", raw_answers.get(prompt.key, ""))
        if text:
            answers[prompt.key] = text
    title = str(data.get("title") or "").strip()
    if not title and answers:
        # Quick entries need no title: the first line of the first answer is one.
        first = next(iter(answers.values())).splitlines()[0]
        title = first if len(first) <= 80 else first[:79] + "…"
    title = _name("title", title)
    checked = EntryData(title=title, answers=answers)
    if kind.dated:
        checked.occurred_on = _past_date("occurred_on", data.get("occurred_on"))
    if "activity_type" in kind.fields:
        activity_type = data.get("activity_type") or ""
        if activity_type and activity_type not in ActivityType.values:
            raise FieldError(
                "activity_type", _("Choose formal, non-formal or informal."), code="activity_type"
            )
        checked.activity_type = activity_type
    if "hours" in kind.fields:
        checked.hours = _hours(data.get("hours"))
    if "first_step" in kind.fields:
        checked.first_step = _text("first_step", data.get("first_step"))
    if "due_date" in kind.fields:
        checked.due_date = _any_date("due_date", data.get("due_date"))
    if "status" in kind.fields:
        status = data.get("status") or GoalStatus.OPEN
        if status not in GoalStatus.values:
            raise FieldError("status", _("Choose open, reached or dropped."), code="status")
        checked.status = status
    return checked


def _apply(entry: Entry, checked: EntryData) -> None:
    entry.title = checked.title
    entry.answers = checked.answers
    entry.occurred_on = checked.occurred_on
    entry.activity_type = checked.activity_type
    entry.hours = checked.hours
    entry.first_step = checked.first_step
    entry.due_date = checked.due_date
    entry.status = checked.status
    entry.search_text = entry.build_search_text()
    entry.updated_at = timezone.now()


def _attach(entry: Entry, upload: UploadedFile) -> None:
    if "certificate" not in entry.kind_info.fields:
        raise FieldError(
            "certificate", _("Only a learning activity can have a certificate."), code="certificate"
        )
    content_type, extension = check_certificate(upload)
    old = str(entry.certificate.name) if entry.certificate else ""
    entry.certificate.save(f"certificate.{extension}", upload, save=False)
    entry.certificate_type = content_type
    if old:
        _delete_files_on_commit([old])


def _delete_files_on_commit(names: list[str]) -> None:
    def delete() -> None:
        for name in names:
            if name:
                private_storage.delete(name)

    transaction.on_commit(delete)


def _limit_writes(owner: Any) -> None:
    ratelimit.check(
        f"portfolio-write:{owner.pk}",
        120,
        60,
        message=_("You are saving very quickly. Wait a minute and try again."),
    )


def create_entry(
    *,
    owner: Any,
    kind: str,
    data: dict[str, Any],
    certificate: UploadedFile | None = None,
    idempotency_key: str | None = None,
    actor: Any,
) -> tuple[Entry, bool]:
    """A new entry; with an idempotency key already used by this owner, the first entry."""
    key = _idempotency_key(idempotency_key)
    if key:
        existing = Entry.objects.filter(owner=owner, idempotency_key=key).first()
        if existing is not None:
            return existing, False
    checked = check_entry(kind, data)
    _limit_writes(owner)
    try:
        with transaction.atomic():
            entry = Entry(owner=owner, kind=kind, idempotency_key=key)
            _apply(entry, checked)
            if certificate is not None:
                _attach(entry, certificate)
            entry.save()
    except IntegrityError:
        existing = Entry.objects.filter(owner=owner, idempotency_key=key).first() if key else None
        if existing is None:
            raise
        return existing, False
    return entry, True


def update_entry(
    entry: Entry,
    *,
    data: dict[str, Any],
    certificate: UploadedFile | None = None,
    remove_certificate: bool = False,
    actor: Any,
) -> Entry:
    checked = check_entry(entry.kind, data)
    _limit_writes(entry.owner)
    with transaction.atomic():
        _apply(entry, checked)
        if certificate is not None:
            _attach(entry, certificate)
        elif remove_certificate and entry.certificate:
            _delete_files_on_commit([str(entry.certificate.name)])
            entry.certificate = ""  # type: ignore[assignment]
            entry.certificate_type = ""
        entry.save()
    return entry


def attach_certificate(entry: Entry, *, upload: UploadedFile, actor: Any) -> Entry:
    with transaction.atomic():
        _attach(entry, upload)
        entry.updated_at = timezone.now()
        entry.save()
    return entry


def delete_entry(entry: Entry, *, actor: Any) -> None:
    """The entry, its certificate, and every share of it, at once."""
    with transaction.atomic():
        if entry.certificate:
            _delete_files_on_commit([str(entry.certificate.name)])
        entry.delete()


# --- Conversations ----------------------------------------------------------------------


def _questions(value: Any) -> list[str]:
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, list):
        raise FieldError("questions", _("Give one question per line."), code="questions")
    questions = [_name("questions", q, required=False, max_length=500) for q in value]
    questions = [q for q in questions if q]
    if not questions:
        raise FieldError("questions", _("Give at least one question."), code="questions")
    if len(questions) > QUESTIONS_MAX:
        raise FieldError("questions", _("Give at most 20 questions."), code="questions")
    return questions


def create_conversation(
    *, owner: Any, title: str, questions: Any, planned_on: date | None = None, actor: Any
) -> Conversation:
    """The owner prepares a conversation on their own questions."""
    title = _name("title", title)
    checked = _questions(questions)
    _limit_writes(owner)
    return Conversation.objects.create(
        owner=owner, title=title, questions=checked, planned_on=_any_date("planned_on", planned_on)
    )


def request_conversation(
    *, manager_membership: Any, employee_membership: Any, title: str, questions: Any, actor: Any
) -> Conversation:
    """A manager sends a short questionnaire ahead of a conversation with an employee.

    The manager learns nothing from this: the employee answers in their own portfolio and
    decides whether to share the answers (with this manager only).
    """
    from core.emails import send_templated

    if manager_membership.organisation_id != employee_membership.organisation_id:
        raise Http404
    if employee_membership.user_id == manager_membership.user_id:
        raise DomainError(_("Send the questionnaire to someone else."), code="self")
    title = _name("title", title)
    checked = _questions(questions)
    ratelimit.check(
        f"portfolio-request:{manager_membership.user_id}",
        30,
        3600,
        message=_("You have sent many questionnaires. Try again in an hour."),
    )
    employee = employee_membership.user
    manager = manager_membership.user
    with transaction.atomic():
        conversation = Conversation.objects.create(
            owner=employee,
            title=title,
            questions=checked,
            requested_by=manager,
            requested_by_label=manager.display_name,
            organisation_name=manager_membership.organisation.name,
        )
        url = f"{settings.SITE_URL}/mijn-leren/gesprekken/{conversation.public_id}/"
        language = employee.language or manager_membership.organisation.language
        context = {"manager": manager.display_name, "title": title, "url": url}
        transaction.on_commit(
            lambda: send_templated("portfolio_questionnaire", employee.email, context, language)
        )
    return conversation


def answer_conversation(
    conversation: Conversation,
    *,
    answers: list[Any],
    entries: list[Entry] | None = None,
    planned_on: date | None = None,
    actor: Any,
) -> Conversation:
    if not isinstance(answers, list) or len(answers) > len(conversation.questions):
        raise FieldError("answers", _("Give one answer per question."), code="answers")
    checked = [_text(f"answer_{i}", a) for i, a in enumerate(answers)]
    for entry in entries or []:
        if entry.owner_id != conversation.owner_id:
            raise Http404
    _limit_writes(conversation.owner)
    with transaction.atomic():
        conversation.answers = checked
        conversation.planned_on = _any_date("planned_on", planned_on)
        conversation.updated_at = timezone.now()
        conversation.save()
        if entries is not None:
            conversation.entries.set(entries)
    return conversation


def delete_conversation(conversation: Conversation, *, actor: Any) -> None:
    conversation.delete()


# --- Shares -----------------------------------------------------------------------------


def share_token(share: Share) -> str:
    """The link's token, derived from the server's secret and the share's own salt.

    The database holds only its hash, so the rows alone open nothing; the owner can see
    the link again, and a replayed create gives the same link. Changing SECRET_KEY ends
    every link.
    """
    digest = hmac.new(
        settings.SECRET_KEY.encode(),
        f"portfolio-share:{share.public_id}:{share.salt}".encode(),
        hashlib.sha256,
    ).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode().rstrip("=")


def share_url(share: Share) -> str:
    return f"{settings.SITE_URL}/mijn-leren/gedeeld/{share_token(share)}/"


def _event(share: Share, action: str) -> None:
    ShareEvent.objects.create(share=share, action=action)
    # The one log line a portfolio ever writes: no content, no recipient.
    logger.info("portfolio share %s", action)


def create_share(
    *,
    owner: Any,
    target: str,
    entry: Entry | None = None,
    conversation: Conversation | None = None,
    recipient: str,
    days: int | None = None,
    recipient_user: Any = None,
    idempotency_key: str | None = None,
    actor: Any,
) -> tuple[Share, bool]:
    key = _idempotency_key(idempotency_key)
    if key:
        existing = Share.objects.filter(owner=owner, idempotency_key=key).first()
        if existing is not None:
            return existing, False
    if target not in ShareTarget.values:
        raise FieldError("target", _("Choose what to share."), code="target")
    if target == ShareTarget.ENTRY and (entry is None or entry.owner_id != owner.pk):
        raise Http404
    if target == ShareTarget.CONVERSATION and (
        conversation is None or conversation.owner_id != owner.pk
    ):
        raise Http404
    recipient = _name("recipient", recipient, max_length=150)
    days = SHARE_DAYS_DEFAULT if days in (None, "") else days
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= SHARE_DAYS_MAX:
        raise FieldError("days", _("A link lasts from 1 to 365 days."), code="days")
    ratelimit.check(
        f"portfolio-share:{owner.pk}",
        30,
        3600,
        message=_("You have made many links. Try again in an hour."),
    )
    now = timezone.now()
    try:
        with transaction.atomic():
            share = Share(
                owner=owner,
                target=target,
                entry=entry if target == ShareTarget.ENTRY else None,
                conversation=conversation if target == ShareTarget.CONVERSATION else None,
                recipient=recipient,
                recipient_user=recipient_user,
                created_at=now,
                expires_at=now + timedelta(days=days),
                idempotency_key=key,
                salt=secrets.token_hex(16),
            )
            share.token_hash = hash_share_token(share_token(share))
            share.save()
            _event(share, ShareEvent.Action.CREATED)
    except IntegrityError:
        existing = Share.objects.filter(owner=owner, idempotency_key=key).first() if key else None
        if existing is None:
            raise
        return existing, False
    return share, True


def share_conversation(conversation: Conversation, *, actor: Any) -> Share:
    """Share the answers with the manager who asked, and nobody else; they get an e-mail."""
    from core.emails import send_templated

    manager = conversation.requested_by
    if manager is None or not manager.is_active:
        raise DomainError(
            _("This conversation has no manager to share it with; share a link instead."),
            code="no_manager",
        )
    share, _created = create_share(
        owner=conversation.owner,
        target=ShareTarget.CONVERSATION,
        conversation=conversation,
        recipient=manager.display_name[:150],
        recipient_user=manager,
        actor=actor,
    )
    context = {
        "owner": conversation.owner.display_name,
        "title": conversation.title,
        "url": share_url(share),
        "expires": share.expires_at,
    }
    language = manager.language or "nl"
    transaction.on_commit(
        lambda: send_templated("portfolio_conversation_shared", manager.email, context, language)
    )
    return share


def revoke_share(share: Share, *, actor: Any) -> Share:
    """Revoking an already revoked link changes nothing."""
    with transaction.atomic():
        if share.revoked_at is None:
            share.revoked_at = timezone.now()
            share.save(update_fields=["revoked_at"])
            _event(share, ShareEvent.Action.REVOKED)
    return share


def open_share(raw_token: str, *, viewer: Any, client: str) -> Share:
    """The live share behind a link, counting the view; 404 for anything else."""
    ratelimit.check(
        f"portfolio-open:{client}",
        120,
        60,
        message=_("Too many links opened. Wait a minute and try again."),
    )
    if not isinstance(raw_token, str) or not 10 <= len(raw_token) <= 64:
        raise Http404
    share = (
        Share.objects.live()
        .select_related("owner", "entry", "conversation")
        .filter(token_hash=hash_share_token(raw_token))
        .first()
    )
    if share is None:
        raise Http404
    if share.recipient_user_id is not None:
        if viewer is None or not viewer.is_authenticated:
            raise SignInRequired
        if viewer.pk != share.recipient_user_id:
            raise Http404
    with transaction.atomic():
        _event(share, ShareEvent.Action.VIEWED)
    return share


# --- The whole account --------------------------------------------------------------------


def erase_account(user: Any, *, actor: Any) -> None:
    """Delete the person's account and everything in the portfolio, at once.

    Rows go in one transaction (every portfolio table cascades from the user); the
    certificate files go after the commit.
    """
    with transaction.atomic():
        names = [
            name
            for name in Entry.objects.filter(owner=user).values_list("certificate", flat=True)
            if name
        ]
        _delete_sessions_of(user)
        user.delete()
        _delete_files_on_commit(names)


def _delete_sessions_of(user: Any) -> None:
    """The person's signed-in sessions on other devices (database sessions only)."""
    from django.conf import settings as django_settings
    from django.contrib.sessions.models import Session

    if django_settings.SESSION_ENGINE != "django.contrib.sessions.backends.db":
        return
    user_id = str(user.pk)
    stale = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if str(session.get_decoded().get("_auth_user_id", "")) == user_id
    ]
    Session.objects.filter(pk__in=stale).delete()
