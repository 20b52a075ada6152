"""Every change to the register goes through these functions (views and API alike).

Each one checks its input first and stores nothing when it raises `DomainError`; e-mails
and other side effects run after the transaction commits.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta
from typing import Any

from django.apps import apps
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.text import TextError, clean_name, clean_text
from orgs.models import Membership, Organisation, Role, Team

from .access import can_progress
from .models import (
    DEFAULT_OFFER_URL,
    NOTE_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    Action,
    ActionEvent,
    Conversation,
    ConversationStatus,
    EventKind,
    Kind,
    OwnerSettings,
    Source,
    Status,
    Theme,
    hash_token,
    new_salt,
)

MAX_YEARS_AHEAD = 5


def not_found() -> DomainError:
    return DomainError(_("Not found."), code="not_found", status=404)


def _text(value: Any, field: str, *, max_length: int, required: bool, multiline: bool) -> str:
    try:
        if multiline:
            return clean_text(value or "", max_length=max_length, required=required)
        return clean_name(value or "", max_length=max_length, required=required)
    except TextError as error:
        raise DomainError(f"{field}: {error.message}", code=f"{error.code}") from None


def latest_allowed_date(today: date | None = None) -> date:
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year + MAX_YEARS_AHEAD)
    except ValueError:  # 29 February
        return today.replace(year=today.year + MAX_YEARS_AHEAD, day=28)


def _check_date(value: date | None, label: str) -> date | None:
    if value is None:
        return None
    if not isinstance(value, date):
        raise DomainError(_("%(field)s: enter a valid date.") % {"field": label}, code="date")
    if isinstance(value, datetime):
        value = value.date()
    if value > latest_allowed_date():
        raise DomainError(
            _("%(field)s: choose a date at most %(years)d years ahead.")
            % {"field": label, "years": MAX_YEARS_AHEAD},
            code="date_too_far",
        )
    return value


def resolve_owner(organisation: Organisation, owner: Any) -> Any:
    """A user (or a membership's public id) who must be a member of the organisation."""
    if owner in (None, ""):
        return None
    membership = None
    if isinstance(owner, Membership):
        membership = owner if owner.organisation_id == organisation.pk else None
    elif hasattr(owner, "pk") and hasattr(owner, "email"):
        membership = Membership.objects.filter(
            organisation=organisation, user=owner, user__is_active=True
        ).first()
    else:
        try:
            membership = (
                Membership.objects.select_related("user")
                .filter(organisation=organisation, public_id=owner, user__is_active=True)
                .first()
            )
        except (ValueError, TypeError, Exception):  # not a UUID
            membership = None
    if membership is None:
        raise DomainError(
            _("The owner is not a member of this organisation. Type a name instead."),
            code="owner_not_member",
        )
    return membership.user


def resolve_team(organisation: Organisation, team: Any) -> Team | None:
    if team in (None, ""):
        return None
    if isinstance(team, Team):
        found = team if team.organisation_id == organisation.pk else None
    else:
        try:
            found = Team.objects.filter(organisation=organisation, public_id=team).first()
        except (ValueError, TypeError, Exception):
            found = None
    if found is None:
        raise DomainError(_("This team is not part of the organisation."), code="team_unknown")
    return found


@dataclasses.dataclass
class Fields:
    text: str
    owner: Any
    owner_name: str
    first_step: str
    due_date: date | None
    evaluation_date: date | None
    theme: str
    team: Team | None


def as_dict(fields: Fields) -> dict[str, Any]:
    return {f.name: getattr(fields, f.name) for f in dataclasses.fields(fields)}


def clean_fields(organisation: Organisation, data: dict[str, Any]) -> tuple[Fields, list[str]]:
    """Check an action's fields; returns them cleaned and the warnings to show."""
    text = _text(
        data.get("text"), _("Action"), max_length=TEXT_MAX_LENGTH, required=True, multiline=True
    )
    owner = resolve_owner(organisation, data.get("owner"))
    owner_name = _text(
        data.get("owner_name"), _("Owner"), max_length=150, required=False, multiline=False
    )
    if owner is not None:
        owner_name = ""
    first_step = _text(
        data.get("first_step"),
        _("First step"),
        max_length=TEXT_MAX_LENGTH,
        required=False,
        multiline=True,
    )
    due = _check_date(data.get("due_date"), _("Due date"))
    evaluation = _check_date(data.get("evaluation_date"), _("Evaluation date"))
    theme = data.get("theme") or Theme.OTHER
    if theme not in Theme.values:
        raise DomainError(_("Choose one of the themes."), code="theme_unknown")
    team = resolve_team(organisation, data.get("team"))
    warnings = []
    if due and evaluation and evaluation < due:
        warnings.append(_("The evaluation date is before the due date."))
    return Fields(text, owner, owner_name, first_step, due, evaluation, theme, team), warnings


def _event(action: Action, kind: str, *, actor: Any, via: str, **fields: Any) -> ActionEvent:
    label = ""
    if actor is not None and getattr(actor, "is_authenticated", False):
        label = actor.display_name
    return ActionEvent.objects.create(
        action=action,
        kind=kind,
        actor=actor if label else None,
        actor_label=label or fields.pop("actor_label", ""),
        via=via,
        **fields,
    )


@dataclasses.dataclass
class Created:
    action: Action
    created: bool
    warnings: list[str]


def create_action(
    organisation: Organisation,
    data: dict[str, Any],
    *,
    actor: Any,
    client_key: str | None = None,
    via: str = "web",
    **source: Any,
) -> Created:
    """Make an agreement by hand (or from a scan, a session...: pass the source fields).

    A replayed client key answers the first action and stores nothing new."""
    if client_key:
        first = Action.objects.filter(organisation=organisation, client_key=client_key).first()
        if first is not None:
            return Created(first, False, [])
    fields, warnings = clean_fields(organisation, data)
    try:
        with transaction.atomic():
            action = Action.objects.create(
                organisation=organisation,
                kind=Kind.AGREEMENT,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
                client_key=client_key or None,
                **as_dict(fields),
                **source,
            )
            _event(action, EventKind.CREATED, actor=actor, via=via, new_status=action.status)
    except IntegrityError:
        if client_key:
            first = Action.objects.filter(organisation=organisation, client_key=client_key).first()
            if first is not None:
                return Created(first, False, [])
        raise
    return Created(action, True, warnings)


EDITABLE = ("text", "owner", "owner_name", "first_step", "due_date", "evaluation_date", "theme")


def update_action(
    action: Action, data: dict[str, Any], *, actor: Any, via: str = "web"
) -> list[str]:
    """Change an agreement's fields (only those given); returns warnings."""
    if action.kind != Kind.AGREEMENT:
        raise not_found()
    current = {
        "text": action.text,
        "owner": action.owner,
        "owner_name": action.owner_name,
        "first_step": action.first_step,
        "due_date": action.due_date,
        "evaluation_date": action.evaluation_date,
        "theme": action.theme,
        "team": action.team,
    }
    merged = current | data
    if "owner" in data and data["owner"] in (None, "") and "owner_name" not in data:
        merged["owner_name"] = ""
    fields, warnings = clean_fields(action.organisation, merged)
    changes = []
    for name, value in as_dict(fields).items():
        if getattr(action, name) != value:
            changes.append(name)
            setattr(action, name, value)
    if changes:
        with transaction.atomic():
            action.updated_at = timezone.now()
            action.save()
            _event(
                action,
                EventKind.UPDATED,
                actor=actor,
                via=via,
                note=", ".join(
                    str(getattr(Action._meta.get_field(n), "verbose_name", n)) for n in changes
                ),
            )
    return warnings


def action_by_token(raw_token: str) -> Action:
    """The personal action of a private link; 404-style error for a wrong or expired one."""
    if not isinstance(raw_token, str) or not raw_token.startswith("lma_") or len(raw_token) > 100:
        raise not_found()
    action = (
        Action.objects.select_related("organisation", "session")
        .filter(kind=Kind.PERSONAL, link_hash=hash_token(raw_token))
        .first()
    )
    if action is None or not action.has_link:
        raise not_found()
    return action


def record_progress(
    action: Action,
    *,
    actor: Any = None,
    via_token: str | None = None,
    status: str | None = None,
    note: str = "",
    via: str | None = None,
    session: Any = None,
    step_id: str = "",
) -> Action:
    """A progress note and/or a status change, in the action's history.

    Allowed for whoever `access.can_progress` allows, or with the action's private link.
    Reopening a done action needs a note; a request that changes nothing is refused.
    `session`/`step_id`: the live session's review step the change was made in (its source
    in the history)."""
    if via_token is not None:
        token_action = action_by_token(via_token)
        if token_action.pk != action.pk:
            raise not_found()
        via = via or "link"
        actor = None
    elif not can_progress(actor, action):
        raise not_found()
    note = _text(note, _("Note"), max_length=NOTE_MAX_LENGTH, required=False, multiline=True)
    if status is not None and status not in Status.values:
        raise DomainError(_("Choose one of the statuses."), code="status_unknown")
    with transaction.atomic():
        locked = Action.objects.select_for_update().get(pk=action.pk)
        changed = status is not None and status != locked.status
        if not changed and not note:
            raise DomainError(_("Write a note or choose another status."), code="nothing")
        if (
            changed
            and locked.status == Status.DONE
            and status in (Status.OPEN, Status.IN_PROGRESS)
            and not note
        ):
            raise DomainError(
                _("Write a note to say why a done action is open again."), code="note_required"
            )
        now = timezone.now()
        if changed:
            _event(
                locked,
                EventKind.STATUS,
                actor=actor,
                via=via or "web",
                old_status=locked.status,
                new_status=status,
                note=note,
                created_at=now,
                session=session,
                step_id=step_id,
            )
            locked.status = status  # type: ignore[assignment]
            locked.done_at = now if status == Status.DONE else None
        else:
            _event(
                locked,
                EventKind.NOTE,
                actor=actor,
                via=via or "web",
                note=note,
                created_at=now,
                session=session,
                step_id=step_id,
            )
        locked.updated_at = now
        locked.save(update_fields=["status", "done_at", "updated_at"])
    action.status, action.done_at, action.updated_at = locked.status, locked.done_at, now
    return action


def claim_action(raw_token: str, *, user: Any) -> Action:
    """Take a personal action into one's portfolio through its private link."""
    action = action_by_token(raw_token)
    if not getattr(user, "is_authenticated", False):
        raise not_found()
    with transaction.atomic():
        locked = Action.objects.select_for_update().get(pk=action.pk)
        if locked.claimed_by_id and locked.claimed_by_id != user.pk:
            raise DomainError(
                _("This action is already in someone else's portfolio."), code="claimed"
            )
        if locked.claimed_by_id != user.pk:
            locked.claimed_by = user
            locked.updated_at = timezone.now()
            locked.save(update_fields=["claimed_by", "updated_at"])
            _event(locked, EventKind.CLAIMED, actor=user, via="link")
    return locked


def renew_link(action: Action) -> str:
    """A new private link for a personal action with an address (the old one stops)."""
    if action.kind != Kind.PERSONAL:
        raise not_found()
    raw = action.issue_link()
    action.save(update_fields=["link_salt", "link_hash", "link_expires_at"])
    return raw


# --- From live sessions and checklists -------------------------------------------------


def record_action_point(action_point: Any) -> Action:
    """Put a live session's action point into the register (once; later calls update it)."""
    session = action_point.session
    organisation = session.organisation
    owner, owner_name = None, (action_point.owner or "").strip()
    if owner_name:
        member = (
            Membership.objects.select_related("user")
            .filter(organisation=organisation, user__email__iexact=owner_name)
            .first()
        )
        if member is not None:
            owner, owner_name = member.user, ""
    values = {
        "text": clean_text(action_point.text, max_length=TEXT_MAX_LENGTH, required=False)
        or action_point.text[:TEXT_MAX_LENGTH],
        "owner": owner,
        "owner_name": owner_name[:150],
        "first_step": (action_point.first_step or "")[:TEXT_MAX_LENGTH],
        "due_date": action_point.due_date,
        "evaluation_date": action_point.evaluation_date,
    }
    with transaction.atomic():
        action = Action.objects.select_for_update().filter(action_point=action_point).first()
        if action is None:
            action = Action.objects.create(
                organisation=organisation,
                kind=Kind.AGREEMENT,
                source=Source.SESSION,
                session=session,
                step_id=action_point.step_id,
                action_point=action_point,
                created_by=action_point.created_by,
                **values,
            )
            _event(
                action,
                EventKind.CREATED,
                actor=action_point.created_by,
                via="session",
                new_status=action.status,
            )
        else:
            changed = [k for k, v in values.items() if getattr(action, k) != v]
            if changed:
                for key in changed:
                    setattr(action, key, values[key])
                action.updated_at = timezone.now()
                action.save()
                _event(
                    action, EventKind.UPDATED, actor=None, via="session", note=", ".join(changed)
                )
    return action


def record_personal_action(personal_action: Any) -> Action | None:
    """Put a participant's current personal action into the register as a personal action.

    Shared (seen by the session's facilitator) only when an address was left or the name
    shown; a participant who left an address gets a private link (sent with the reminder)."""
    session = personal_action.session
    participant = personal_action.participant
    shared = bool(personal_action.email or personal_action.show_name)
    name = participant.name if (participant is not None and personal_action.show_name) else ""
    with transaction.atomic():
        action = None
        if participant is not None:
            action = (
                Action.objects.select_for_update()
                .filter(
                    kind=Kind.PERSONAL,
                    session=session,
                    step_id=personal_action.step_id,
                    personal_action__participant=participant,
                )
                .first()
            )
        if action is None:
            action = Action(
                organisation=session.organisation,
                kind=Kind.PERSONAL,
                source=Source.SESSION,
                session=session,
                step_id=personal_action.step_id,
            )
        action.personal_action = personal_action
        action.text = personal_action.text[:TEXT_MAX_LENGTH]
        action.contact_email = personal_action.email or ""
        action.participant_name = name[:60]
        action.shared = shared
        if action.contact_email and not action.link_hash:
            action.issue_link()
        if action.contact_email and action.due_date is None:
            # Reminded through the private link this many days after the session, as the
            # live session's own reminder (WORKSHOP_ACTION_REMINDER_DAYS) does.
            from workshops.tasks import reminder_days

            start = session.started_at or session.created_at
            action.due_date = timezone.localtime(start).date() + timedelta(days=reminder_days())
        action.updated_at = timezone.now()
        new = action.pk is None
        action.save()
        if new:
            _event(action, EventKind.CREATED, actor=None, via="session", new_status=action.status)
    return action


def _ref(value: Any, *names: str) -> Any:
    for name in names:
        if isinstance(value, dict) and name in value:
            return value[name]
        if hasattr(value, name):
            return getattr(value, name)
    return value


def propose_from_checklist(session: Any, step: Any, item: Any) -> Action:
    """An 11-tips item rated "willen we starten": an open agreement proposing it (once)."""
    step_id = str(_ref(step, "id", "step_id"))
    key = str(_ref(item, "key"))[:64]
    text = str(_ref(item, "text", "title"))[:TEXT_MAX_LENGTH]
    existing = Action.objects.filter(
        source=Source.CHECKLIST, session=session, step_id=step_id, checklist_item=key
    ).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            action = Action.objects.create(
                organisation=session.organisation,
                kind=Kind.AGREEMENT,
                source=Source.CHECKLIST,
                session=session,
                step_id=step_id,
                checklist_item=key,
                text=text,
                created_by=session.facilitator,
            )
            _event(action, EventKind.CREATED, actor=None, via="session", new_status=action.status)
    except IntegrityError:
        return Action.objects.get(
            source=Source.CHECKLIST, session=session, step_id=step_id, checklist_item=key
        )
    return action


# --- From a scan report ----------------------------------------------------------------


def create_from_scan(
    campaign: Any, question_key: str, data: dict[str, Any], *, actor: Any
) -> Created:
    """ "Maak een actie" on a report's question: an agreement linked to question and campaign."""
    keys = {q.key for q in campaign.questionnaire.questions}
    if question_key not in keys:
        raise not_found()
    return create_action(
        campaign.organisation,
        data,
        actor=actor,
        source=Source.SCAN,
        campaign=campaign,
        question_key=question_key,
    )


# --- Personal settings -----------------------------------------------------------------


def owner_settings(user: Any) -> OwnerSettings:
    settings_row, _created = OwnerSettings.objects.get_or_create(user=user)
    return settings_row


def set_digest(user: Any, enabled: bool) -> OwnerSettings:
    row = owner_settings(user)
    if row.digest != enabled:
        row.digest = enabled
        row.save(update_fields=["digest"])
    return row


def issue_feed(user: Any) -> OwnerSettings:
    """A new private calendar feed address; the previous one stops working."""
    row = owner_settings(user)
    row.feed_salt = new_salt()
    row.feed_hash = hash_token(row.feed_token())
    row.save(update_fields=["feed_salt", "feed_hash"])
    return row


def revoke_feed(user: Any) -> OwnerSettings:
    row = owner_settings(user)
    row.feed_salt = ""
    row.feed_hash = ""
    row.save(update_fields=["feed_salt", "feed_hash"])
    return row


def default_conversation_start(action: Action | None = None, session: Any = None) -> datetime:
    """Four weeks after the session (or from now), at ten in the morning."""
    base = None
    session = session or (action.session if action is not None else None)
    if session is not None:
        base = session.ended_at or session.started_at or session.created_at
    base = base or timezone.now()
    day = timezone.localtime(base).date() + timedelta(weeks=4)
    if day <= timezone.localdate():
        day = timezone.localdate() + timedelta(weeks=4)
    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=10))


def facilitator_or_admin(membership: Membership) -> bool:
    return membership.has_role(Role.FACILITATOR)


# --- Follow-up conversations -----------------------------------------------------------


def conversation_questions() -> list[tuple[str, str]]:
    return [
        ("apply", _("How do you apply what you learned in practice?")),
        ("worked", _("Did the planned action work out?")),
        ("help", _("Where do you need help?")),
        ("offer", _("Do you know the free learning offer you can follow?")),
    ]


def default_offer_url(organisation: Organisation) -> str:
    """The organisation's public learning offer when it has items, else the default."""
    if apps.is_installed("learning"):
        from learning.offer import offer_link

        link = offer_link(organisation)
        if link:
            return link
    return DEFAULT_OFFER_URL


def _clean_conversation(organisation: Organisation, data: dict[str, Any]) -> dict[str, Any]:
    from django.core.exceptions import ValidationError
    from django.core.validators import URLValidator, validate_email

    email = (data.get("employee_email") or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError(_("Enter a valid e-mail address."), code="email") from None
    if len(email) > 254:
        raise DomainError(_("Enter a valid e-mail address."), code="email")
    name = _text(
        data.get("employee_name"), _("Employee"), max_length=150, required=False, multiline=False
    )
    starts_at = data.get("starts_at")
    if not isinstance(starts_at, datetime):
        raise DomainError(_("Choose a date and time."), code="starts_at")
    if timezone.is_naive(starts_at):
        starts_at = timezone.make_aware(starts_at)
    starts_at = starts_at.replace(second=0, microsecond=0)
    if starts_at <= timezone.now():
        raise DomainError(_("Choose a moment in the future."), code="in_past")
    if starts_at.date() > latest_allowed_date():
        raise DomainError(
            _("Choose a date at most %(years)d years ahead.") % {"years": MAX_YEARS_AHEAD},
            code="date_too_far",
        )
    duration = data.get("duration_minutes") or 30
    if not isinstance(duration, int) or not 5 <= duration <= 480:
        raise DomainError(_("A conversation lasts 5 to 480 minutes."), code="duration")
    location = _text(
        data.get("location"), _("Place"), max_length=200, required=False, multiline=False
    )
    offer_url = (data.get("offer_url") or "").strip() or default_offer_url(organisation)
    try:
        URLValidator(schemes=["http", "https"])(offer_url)
    except ValidationError:
        raise DomainError(
            _("Enter a valid web address for the learning offer."), code="url"
        ) from None
    employee = (
        Membership.objects.filter(
            organisation=organisation, user__email__iexact=email, user__is_active=True
        )
        .select_related("user")
        .first()
    )
    return {
        "employee_email": email,
        "employee_name": name,
        "employee": employee.user if employee else None,
        "starts_at": starts_at,
        "duration_minutes": duration,
        "location": location,
        "offer_url": offer_url[:300],
    }


def _send_invite(conversation: Conversation) -> None:
    from . import tasks

    pk, sequence = conversation.pk, conversation.sequence
    transaction.on_commit(lambda: tasks.send_conversation_invite.enqueue(pk, sequence))


def plan_conversation(
    organisation: Organisation,
    data: dict[str, Any],
    *,
    actor: Any,
    action: Action | None = None,
    session: Any = None,
    client_key: str | None = None,
) -> tuple[Conversation, bool]:
    """Plan a follow-up conversation and send the invitation with its calendar invite."""
    if client_key:
        first = Conversation.objects.filter(
            organisation=organisation, client_key=client_key
        ).first()
        if first is not None:
            return first, False
    values = _clean_conversation(organisation, data)
    with transaction.atomic():
        conversation = Conversation(
            organisation=organisation,
            held_by=actor,
            action=action,
            session=session or (action.session if action is not None else None),
            client_key=client_key or None,
            **values,
        )
        conversation.issue_link()
        try:
            with transaction.atomic():
                conversation.save()
        except IntegrityError:
            first = Conversation.objects.filter(
                organisation=organisation, client_key=client_key
            ).first()
            if first is not None:
                return first, False
            raise
        _send_invite(conversation)
    return conversation, True


def reschedule_conversation(
    conversation: Conversation, data: dict[str, Any], *, actor: Any
) -> Conversation:
    if conversation.status == ConversationStatus.CANCELLED:
        raise DomainError(_("This conversation was cancelled."), code="cancelled")
    merged = {
        "employee_email": conversation.employee_email,
        "employee_name": conversation.employee_name,
        "starts_at": conversation.starts_at,
        "duration_minutes": conversation.duration_minutes,
        "location": conversation.location,
        "offer_url": conversation.offer_url,
    } | {k: v for k, v in data.items() if v is not None}
    values = _clean_conversation(conversation.organisation, merged)
    with transaction.atomic():
        locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
        for key, value in values.items():
            setattr(locked, key, value)
        locked.sequence += 1
        locked.updated_at = timezone.now()
        locked.save()
        _send_invite(locked)
    return locked


def cancel_conversation(conversation: Conversation, *, actor: Any) -> Conversation:
    with transaction.atomic():
        locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
        if locked.status == ConversationStatus.CANCELLED:
            return locked
        locked.status = ConversationStatus.CANCELLED
        locked.sequence += 1
        locked.updated_at = timezone.now()
        locked.save(update_fields=["status", "sequence", "updated_at"])
        _send_invite(locked)
    return locked


def save_conversation_answers(
    conversation: Conversation, answers: dict[str, Any], *, actor: Any, held: bool = False
) -> Conversation:
    """The answers noted during the talk (only the person who holds it)."""
    if conversation.status == ConversationStatus.CANCELLED:
        raise DomainError(_("This conversation was cancelled."), code="cancelled")
    keys = [key for key, _label in conversation_questions()]
    cleaned = {}
    for key in keys:
        value = answers.get(key, "")
        cleaned[key] = _text(
            value, _("Answer"), max_length=NOTE_MAX_LENGTH, required=False, multiline=True
        )
    with transaction.atomic():
        conversation.answers = cleaned
        if held:
            conversation.status = ConversationStatus.HELD
        conversation.updated_at = timezone.now()
        conversation.save(update_fields=["answers", "status", "updated_at"])
    return conversation


def conversation_by_token(raw_token: str) -> Conversation:
    if not isinstance(raw_token, str) or not raw_token.startswith("lmg_") or len(raw_token) > 100:
        raise not_found()
    conversation = (
        Conversation.objects.select_related("organisation", "held_by", "action")
        .filter(link_hash=hash_token(raw_token))
        .first()
    )
    if conversation is None:
        raise not_found()
    return conversation


def feed_user(raw_token: str) -> Any:
    if not isinstance(raw_token, str) or not raw_token.startswith("lmf_") or len(raw_token) > 100:
        raise not_found()
    row = (
        OwnerSettings.objects.select_related("user")
        .filter(feed_hash=hash_token(raw_token), user__is_active=True)
        .exclude(feed_hash="")
        .first()
    )
    if row is None:
        raise not_found()
    return row.user


def set_personal_due_date(action: Action, raw_token: str, due: date | None) -> Action:
    """The participant chooses by when (their reminder comes on that day)."""
    token_action = action_by_token(raw_token)
    if token_action.pk != action.pk:
        raise not_found()
    due = _check_date(due, _("Due date"))
    if due is not None and due < timezone.localdate():
        raise DomainError(_("Choose today or a later day."), code="in_past")
    with transaction.atomic():
        Action.objects.filter(pk=action.pk).update(due_date=due, updated_at=timezone.now())
        _event(action, EventKind.UPDATED, actor=None, via="link", note=str(_("Due date")))
    action.due_date = due
    return action


def action_from_conversation(conversation: Conversation, text: str, *, actor: Any) -> Action:
    """An agreement made during a follow-up talk, owned by the employee when they are a
    member (else by name); the conversation points at it when it had no action yet."""
    if conversation.held_by_id != getattr(actor, "pk", None):
        raise not_found()
    data: dict[str, Any] = {"text": text}
    if conversation.employee_id:
        data["owner"] = conversation.employee
    else:
        data["owner_name"] = conversation.employee_name or conversation.employee_email[:150]
    result = create_action(
        conversation.organisation,
        data,
        actor=actor,
        source=Source.CONVERSATION,
        session=conversation.session,
    )
    if conversation.action_id is None:
        Conversation.objects.filter(pk=conversation.pk).update(action=result.action)
        conversation.action = result.action
    return result.action
