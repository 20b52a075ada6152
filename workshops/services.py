"""Every change to a live session goes through here.

Each function runs in one transaction, locks the session row, checks the rules (raising
DomainError with a message for people: 400 bad input, 404 unknown, 409 not now, 429 too
often), changes the rows and stores the events that report the change (`events.emit`);
the events are published after commit. Access (who may call what) is checked by the
caller, see workshops.access.

Contributions carry a client key: the same key again returns the first result and stores
nothing new (`Result.created` is False).
"""

from __future__ import annotations

import io
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from typing import Any, Generic, TypeVar

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from formats.models import Format
from orgs.models import Organisation

from . import grouping
from .events import emit
from .models import (
    ACTION_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    SUMMARY_MAX_LENGTH,
    ActionPoint,
    Group,
    GroupMembership,
    GroupSummary,
    LiveSession,
    Note,
    Participant,
    PersonalAction,
    PhaseTiming,
    Photo,
    RotationSchedule,
    Status,
    StepRef,
    Vote,
    hash_token,
    new_code,
    new_participant_token,
    normalise_code,
)

WRONG_CODES_PER_MINUTE = 20
CONTRIBUTIONS_PER_MINUTE = 30
NAME_MAX_LENGTH = 60
PHOTO_MAX_BYTES = 10 * 1024 * 1024
PHOTO_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
PHOTO_MAX_PIXELS = 40_000_000
GROUP_KINDS = ("groups", "rotation", "experiment")

T = TypeVar("T")


@dataclass
class Result(Generic[T]):
    value: T
    created: bool


# --- Helpers --------------------------------------------------------------------------

_sqlite_writer = threading.RLock()


@contextmanager
def atomic() -> Iterator[None]:
    """`transaction.atomic()`, with the writers of this process queued in order on SQLite.

    SQLite lets one writer in at a time; the others wait in its busy handler, which polls
    with growing sleeps, so under a burst (a room posting at once) the lock sits idle
    between writers and requests time out. A lock in the process hands the write over
    the moment it is free; other processes still meet SQLite's busy timeout.
    """
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        with transaction.atomic():
            yield
        return
    with _sqlite_writer, transaction.atomic():
        yield


def _locked(session: LiveSession) -> LiveSession:
    """Lock the session row for this transaction and refresh what we hold of it."""
    fresh = (
        LiveSession.objects.select_for_update().select_related("organisation").get(pk=session.pk)
    )
    for field in (
        "status",
        "current_step",
        "current_item",
        "shown_action_id",
        "scribe_id",
        "hands_up",
        "scan_campaign_id",
        "show_scan",
        "step_started_at",
        "timer_deadline",
        "timer_remaining",
        "participant_counter",
        "last_event_seq",
        "started_at",
        "ended_at",
        "last_activity_at",
    ):
        setattr(session, field, getattr(fresh, field))
    return session


def _touch(session: LiveSession, *fields: str) -> None:
    session.last_activity_at = timezone.now()
    session.save(update_fields=[*fields, "last_activity_at"])


def _clean_text(value: Any, *, what: str, max_length: int, required: bool = True) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise DomainError(_("%(what)s must be text.") % {"what": what})
    text = value.strip()
    if any(ord(ch) < 32 and ch not in "\n\t" for ch in text):
        raise DomainError(_("%(what)s contains control characters.") % {"what": what})
    if required and not text:
        raise DomainError(_("%(what)s is empty.") % {"what": what}, code="empty")
    if len(text) > max_length:
        raise DomainError(
            _("%(what)s is longer than %(max)s characters.") % {"what": what, "max": max_length},
            code="too_long",
        )
    return text


def _key(value: Any) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        raise DomainError(_("The key must be a UUID."), code="invalid_key") from None


def _find(queryset: Any, public_id: Any) -> Any:
    """The object with this public id in `queryset`; None also for an id that is no UUID."""
    try:
        value = uuid.UUID(str(public_id))
    except (ValueError, TypeError):
        return None
    return queryset.filter(public_id=value).first()


def rate_limit(bucket: str, limit: int, *, message: str) -> None:
    """Count one more event in this minute's bucket; refuse past `limit` (429)."""
    key = f"workshops:rate:{bucket}:{int(timezone.now().timestamp() // 60)}"
    cache.add(key, 0, 120)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, 120)
        count = 1
    if count > limit:
        raise DomainError(message, code="rate_limited", status=429)


def _wrong_codes_exceeded(address: str) -> bool:
    key = f"workshops:rate:wrong-code:{address}:{int(timezone.now().timestamp() // 60)}"
    return (cache.get(key) or 0) >= WRONG_CODES_PER_MINUTE


def _count_wrong_code(address: str) -> None:
    key = f"workshops:rate:wrong-code:{address}:{int(timezone.now().timestamp() // 60)}"
    cache.add(key, 0, 120)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, 120)


def _contribution_allowed(participant: Participant | None) -> None:
    if participant is not None:
        rate_limit(
            f"participant:{participant.pk}",
            CONTRIBUTIONS_PER_MINUTE,
            message=_("You are sending too much at once. Wait a minute and try again."),
        )


def _require_open(session: LiveSession) -> None:
    if session.status == Status.ENDED:
        raise DomainError(_("This session has ended."), code="session_ended", status=409)


def _step(session: LiveSession, step_id: Any) -> StepRef:
    ref = session.step_by_id(str(step_id or ""))
    if ref is None:
        raise DomainError(_("This session has no such step."), code="unknown_step", status=404)
    return ref


def _open_step(session: LiveSession, step_id: Any, *kinds: str) -> StepRef:
    """The step, which must be the current one (409 otherwise) and of one of these kinds."""
    _require_open(session)
    ref = _step(session, step_id)
    if ref.index != session.current_step or session.status != Status.RUNNING:
        raise DomainError(_("This step is not open now."), code="step_not_open", status=409)
    if kinds and ref.kind not in kinds:
        raise DomainError(
            _("This step does not take this kind of contribution."), code="wrong_kind"
        )
    return ref


def _replayed(model: type[Any], session: LiveSession, participant: Participant | None, key: Any):
    return model.objects.filter(session=session, participant=participant, key=key).first()


# --- Starting and joining --------------------------------------------------------------


def start_session(
    *, organisation: Organisation, fmt: Format, actor: Any, scan_campaign: Any = None
) -> LiveSession:
    """Start a session of `fmt`; with `scan_campaign` (a campaign of the same organisation)
    the console can show the scan's results on the presenter screen."""
    if not (fmt.is_builtin or fmt.organisation_id == organisation.pk):
        raise DomainError(_("This format is not in your library."), code="not_found", status=404)
    if scan_campaign is not None and scan_campaign.organisation_id != organisation.pk:
        raise DomainError(_("This scan is not of your organisation."), code="not_found", status=404)
    version = fmt.current_version
    if version is None:
        raise DomainError(_("This format has no content yet."))
    content = version.content
    for _attempt in range(20):
        try:
            with atomic():
                session = LiveSession.objects.create(
                    organisation=organisation,
                    format=fmt,
                    format_version=version,
                    title=content.title,
                    content=content.model_dump(mode="json"),
                    facilitator=actor,
                    code=new_code(),
                    scan_campaign=scan_campaign,
                )
                PhaseTiming.objects.bulk_create(
                    PhaseTiming(
                        session=session,
                        phase_index=index,
                        planned_low=phase.duration.low if phase.duration else None,
                        planned_high=phase.duration.high if phase.duration else None,
                    )
                    for index, phase in enumerate(content.phases)
                )
                emit(session, "session", {"status": session.status}, channel="facilitator")
                return session
        except IntegrityError:
            continue  # the code was taken by another open session; draw again
    raise DomainError(_("No free join code was found. Try again."), status=503)


def join_session(*, code: str, name: str = "", address: str = "") -> tuple[Participant, str]:
    """A participant joins with the code; returns the participant and the raw token."""
    if address and _wrong_codes_exceeded(address):
        raise DomainError(
            _("Too many wrong codes. Wait a minute and try again."),
            code="rate_limited",
            status=429,
        )
    display_name = _clean_text(name, what=_("The name"), max_length=NAME_MAX_LENGTH, required=False)
    normalised = normalise_code(code)
    session = LiveSession.objects.filter(code=normalised).open().first()
    if session is None or session.is_idle:
        if address:
            _count_wrong_code(address)
        raise DomainError(
            _("There is no open session with this code. Check the code and try again."),
            code="unknown_code",
            status=404,
        )
    raw = new_participant_token()
    with atomic():
        _locked(session)
        session.participant_counter += 1
        participant = Participant.objects.create(
            session=session,
            public_id=Participant.new_public_id(),
            token_hash=hash_token(raw),
            number=session.participant_counter,
            name=display_name,
        )
        _touch(session, "participant_counter")
        count = session.participant_counter
        emit(
            session,
            "presence",
            {"participants": count, "joined": participant.display_name},
            channel="facilitator",
        )
        current = session.current
        if current is not None and current.kind in GROUP_KINDS:
            _place_late_joiner(session, current, participant)
    return participant, raw


def _place_late_joiner(session: LiveSession, ref: StepRef, participant: Participant) -> None:
    groups = list(
        Group.objects.filter(session=session, step_id=ref.id).annotate(size=Count("memberships"))
    )
    if not groups:
        return
    index = grouping.smallest_group([g.size for g in groups])
    group = groups[index]
    GroupMembership.objects.create(group=group, participant=participant, step_id=ref.id)
    emit(session, "group", {"step": ref.id, "group": group.number}, channel=participant)
    emit(session, "groups", {"step": ref.id}, channel="facilitator")


# --- Moving through the format -----------------------------------------------------------


def _enter_step(session: LiveSession, index: int, now: Any) -> None:
    steps = session.steps()
    before = session.current
    target = steps[index]
    if before is None or before.phase_index != target.phase_index:
        if before is not None:
            timing = PhaseTiming.objects.get(session=session, phase_index=before.phase_index)
            timing.seconds = timing.real_seconds(now)
            timing.entered_at = None
            timing.save(update_fields=["seconds", "entered_at"])
        PhaseTiming.objects.filter(session=session, phase_index=target.phase_index).update(
            entered_at=now
        )
    session.current_step = index
    session.current_item = 0
    session.step_started_at = now
    session.timer_deadline = None
    session.timer_remaining = None
    if session.status == Status.LOBBY:
        session.status = Status.RUNNING
        session.started_at = now
    _touch(
        session,
        "current_step",
        "current_item",
        "step_started_at",
        "timer_deadline",
        "timer_remaining",
        "status",
        "started_at",
    )
    emit(session, "step", {"index": index, "step": target.id, "kind": target.kind})


def go_to_step(
    session: LiveSession, *, step_id: str | None = None, index: int | None = None, actor: Any
) -> LiveSession:
    with atomic():
        _locked(session)
        _require_open(session)
        steps = session.steps()
        if step_id is not None:
            index = _step(session, step_id).index
        if index is None or not 0 <= index < len(steps):
            raise DomainError(_("There is no step there."), code="no_step", status=409)
        _enter_step(session, index, timezone.now())
    return session


def next_step(session: LiveSession, *, actor: Any) -> LiveSession:
    return go_to_step(session, index=session.current_step + 1, actor=actor)


def previous_step(session: LiveSession, *, actor: Any) -> LiveSession:
    return go_to_step(session, index=max(0, session.current_step - 1), actor=actor)


def set_item(session: LiveSession, *, index: int, actor: Any) -> LiveSession:
    """Show another discussion item or world-café round."""
    with atomic():
        _locked(session)
        ref = session.current
        if session.status != Status.RUNNING or ref is None:
            raise DomainError(_("This step is not open now."), code="step_not_open", status=409)
        if ref.kind == "discussion":
            count = len(ref.step.items)
        elif ref.kind == "rotation":
            rotation = RotationSchedule.objects.filter(session=session, step_id=ref.id).first()
            if rotation is None:
                raise DomainError(_("Make the world-café groups first."), status=409)
            count = len(rotation.schedule)
        else:
            raise DomainError(_("This step has no items or rounds."), status=409)
        if not 0 <= index < count:
            raise DomainError(_("There is no item or round there."), status=409)
        session.current_item = index
        session.timer_deadline = None
        session.timer_remaining = None
        _touch(session, "current_item", "timer_deadline", "timer_remaining")
        emit(session, "item", {"step": ref.id, "item": index})
    return session


def _timer_payload(session: LiveSession) -> dict[str, Any]:
    return {
        "deadline": session.timer_deadline.isoformat() if session.timer_deadline else None,
        "remaining": session.timer_remaining,
    }


def start_timer(session: LiveSession, *, seconds: int | None = None, actor: Any) -> LiveSession:
    """Start (or resume, without `seconds`) the timer of the current step."""
    with atomic():
        _locked(session)
        if session.status != Status.RUNNING:
            raise DomainError(_("Start the session first."), status=409)
        if seconds is None:
            seconds = session.timer_remaining
        if seconds is None:
            seconds = planned_seconds(session)
        if not isinstance(seconds, int) or not 1 <= seconds <= 24 * 3600:
            raise DomainError(_("A timer runs between 1 second and 24 hours."))
        session.timer_deadline = timezone.now() + timedelta(seconds=seconds)
        session.timer_remaining = None
        _touch(session, "timer_deadline", "timer_remaining")
        emit(session, "timer", _timer_payload(session))
    return session


def pause_timer(session: LiveSession, *, actor: Any) -> LiveSession:
    with atomic():
        _locked(session)
        if session.timer_deadline is None:
            raise DomainError(_("The timer is not running."), status=409)
        session.timer_remaining = session.timer_seconds_left()
        session.timer_deadline = None
        _touch(session, "timer_deadline", "timer_remaining")
        emit(session, "timer", _timer_payload(session))
    return session


def extend_timer(session: LiveSession, *, seconds: int = 60, actor: Any) -> LiveSession:
    with atomic():
        _locked(session)
        if not isinstance(seconds, int) or not 1 <= seconds <= 3600:
            raise DomainError(_("Extend by 1 second to 1 hour."))
        if session.timer_deadline is not None:
            base = max(session.timer_deadline, timezone.now())
            session.timer_deadline = base + timedelta(seconds=seconds)
        elif session.timer_remaining is not None:
            session.timer_remaining += seconds
        else:
            raise DomainError(_("The timer is not running."), status=409)
        _touch(session, "timer_deadline", "timer_remaining")
        emit(session, "timer", _timer_payload(session))
    return session


def planned_seconds(session: LiveSession) -> int:
    ref = session.current
    if ref is None:
        return 5 * 60
    if ref.kind == "rotation":
        return int(ref.step.minutes_per_round) * 60
    if ref.kind == "discussion":
        item = ref.step.items[min(session.current_item, len(ref.step.items) - 1)]
        if item.minutes is not None:
            return item.minutes.high * 60
    duration = ref.step.duration or ref.phase.duration
    return (duration.high if duration and duration.high else 5) * 60


def end_session(session: LiveSession, *, actor: Any) -> LiveSession:
    with atomic():
        _locked(session)
        _require_open(session)
        now = timezone.now()
        for timing in PhaseTiming.objects.filter(session=session, entered_at__isnull=False):
            timing.seconds = timing.real_seconds(now)
            timing.entered_at = None
            timing.save(update_fields=["seconds", "entered_at"])
        session.status = Status.ENDED
        session.ended_at = now
        session.timer_deadline = None
        session.timer_remaining = None
        _touch(session, "status", "ended_at", "timer_deadline", "timer_remaining")
        emit(session, "ended", {"status": "ended"})
    return session


# --- Notes ------------------------------------------------------------------------------


def _note_payload(note: Note) -> dict[str, Any]:
    return {
        "id": str(note.public_id),
        "step": note.step_id,
        "question": note.question,
        "text": note.text,
        "group": note.group.number if note.group_id and note.group else None,
        "hidden": note.hidden,
    }


def _question_count(ref: StepRef) -> int:
    step = ref.step
    if ref.kind in ("board", "rotation"):
        return len(step.questions)
    if ref.kind == "discussion":
        return len(step.items)
    if ref.kind == "groups":
        return max(1, len(step.questions))
    if ref.kind == "experiment":
        return max(1, len(step.reflection_questions))
    return 1


def participant_group(session: LiveSession, ref: StepRef, participant: Participant) -> Group | None:
    membership = (
        GroupMembership.objects.select_related("group")
        .filter(participant=participant, step_id=ref.id, group__session=session)
        .first()
    )
    return membership.group if membership else None


def add_note(
    session: LiveSession,
    *,
    participant: Participant | None,
    step_id: str,
    question: Any = 0,
    text: Any,
    key: Any,
) -> Result[Note]:
    key = _key(key)
    existing = _replayed(Note, session, participant, key)
    if existing is not None:
        return Result(existing, False)
    _contribution_allowed(participant)
    with atomic():
        _locked(session)
        existing = _replayed(Note, session, participant, key)
        if existing is not None:
            return Result(existing, False)
        ref = _open_step(
            session, step_id, "board", "groups", "rotation", "discussion", "experiment"
        )
        if (
            ref.kind == "discussion"
            and participant is not None
            and session.scribe_id != participant.pk
        ):
            raise DomainError(
                _("The facilitator or the scribe takes the notes of a discussion."), status=409
            )
        if not isinstance(question, int) or isinstance(question, bool):
            raise DomainError(_("The question must be a number."))
        if not 0 <= question < _question_count(ref):
            raise DomainError(
                _("This step has no such question."), code="unknown_question", status=404
            )
        clean = _clean_text(text, what=_("The note"), max_length=NOTE_MAX_LENGTH)
        group = None
        rnd = None
        if participant is not None and ref.kind in GROUP_KINDS:
            group = participant_group(session, ref, participant)
        if ref.kind == "rotation":
            rotation = RotationSchedule.objects.filter(session=session, step_id=ref.id).first()
            rnd = session.current_item
            if participant is not None:
                if group is None or rotation is None:
                    raise DomainError(_("You are not in a group yet."), status=409)
                if rotation.schedule[rnd][group.number - 1] != question:
                    raise DomainError(
                        _("Your group is at another question in this round."), status=409
                    )
        if ref.kind == "board" and participant is not None and ref.step.notes_per_participant:
            written = Note.objects.filter(
                session=session, participant=participant, step_id=ref.id, question=question
            ).count()
            if written >= ref.step.notes_per_participant:
                raise DomainError(
                    _("You have written the most notes this question takes."), status=409
                )
        note = Note.objects.create(
            session=session,
            participant=participant,
            key=key,
            step_id=ref.id,
            question=question,
            text=clean,
            group=group,
            round=rnd,
        )
        emit(session, "note", _note_payload(note))
    return Result(note, True)


def _own_note(session: LiveSession, participant: Participant | None, note_id: Any) -> Note:
    note = _find(
        Note.objects.select_related("group").filter(session=session, participant=participant),
        note_id,
    )
    if note is None:
        raise DomainError(_("There is no such note of yours."), code="not_found", status=404)
    return note


def edit_note(
    session: LiveSession, *, participant: Participant | None, note_id: Any, text: Any
) -> Note:
    _contribution_allowed(participant)
    with atomic():
        _locked(session)
        note = _own_note(session, participant, note_id)
        _open_step(session, note.step_id)
        note.text = _clean_text(text, what=_("The note"), max_length=NOTE_MAX_LENGTH)
        note.updated_at = timezone.now()
        note.save(update_fields=["text", "updated_at"])
        emit(session, "note", _note_payload(note))
    return note


def delete_note(session: LiveSession, *, participant: Participant | None, note_id: Any) -> None:
    with atomic():
        _locked(session)
        note = _own_note(session, participant, note_id)
        _open_step(session, note.step_id)
        payload = {"id": str(note.public_id), "step": note.step_id}
        note.delete()
        emit(session, "note_deleted", payload)


def hide_note(session: LiveSession, *, note_id: Any, hidden: bool, actor: Any) -> Note:
    with atomic():
        _locked(session)
        note = _find(Note.objects.filter(session=session), note_id)
        if note is None:
            raise DomainError(_("There is no such note."), code="not_found", status=404)
        note.hidden = bool(hidden)
        note.save(update_fields=["hidden"])
        if note.hidden:
            emit(session, "note_deleted", {"id": str(note.public_id), "step": note.step_id})
        else:
            emit(session, "note", _note_payload(note))
    return note


# --- Votes ------------------------------------------------------------------------------


def _vote_options(ref: StepRef, item: str) -> list[str]:
    step = ref.step
    if ref.kind == "statement_poll" and item == "":
        return [c.key for c in step.choices]
    if ref.kind == "experiment" and item.isdigit() and int(item) < len(step.poll):
        return [c.key for c in step.choices]
    if ref.kind == "checklist" and item in {i.key for i in step.items}:
        return [o.key for o in step.options]
    raise DomainError(_("This step has no such statement."), code="unknown_item", status=404)


def cast_vote(
    session: LiveSession,
    *,
    participant: Participant,
    step_id: str,
    choice: Any,
    key: Any,
    item: Any = "",
) -> Result[Vote]:
    key = _key(key)
    existing = _replayed(Vote, session, participant, key)
    if existing is not None:
        return Result(existing, False)
    _contribution_allowed(participant)
    with atomic():
        _locked(session)
        existing = _replayed(Vote, session, participant, key)
        if existing is not None:
            return Result(existing, False)
        ref = _open_step(session, step_id, "statement_poll", "experiment", "checklist")
        item = "" if item is None else str(item)
        if choice not in _vote_options(ref, item):
            raise DomainError(_("This is not one of the choices."), code="unknown_choice")
        Vote.objects.filter(
            participant=participant, step_id=ref.id, item=item, is_current=True
        ).update(is_current=False)
        vote = Vote.objects.create(
            session=session,
            participant=participant,
            key=key,
            step_id=ref.id,
            item=item,
            choice=choice,
        )
        emit(
            session,
            "votes",
            {"step": ref.id, "item": item, "counts": vote_counts(session, ref.id, item)},
        )
    return Result(vote, True)


def vote_counts(session: LiveSession, step_id: str, item: str = "") -> dict[str, int]:
    rows = (
        Vote.objects.filter(session=session, step_id=step_id, item=item, is_current=True)
        .values("choice")
        .annotate(n=Count("id"))
    )
    return {row["choice"]: row["n"] for row in rows}


# --- Groups -----------------------------------------------------------------------------


def make_groups(session: LiveSession, *, count: int | None = None, actor: Any) -> list[Group]:
    """Split everyone present into groups for the current groups/rotation/experiment step."""
    with atomic():
        _locked(session)
        _require_open(session)
        ref = session.current
        if ref is None or ref.kind not in GROUP_KINDS or session.status != Status.RUNNING:
            raise DomainError(_("The current step has no groups."), code="no_groups", status=409)
        step = ref.step
        questions: list[int | None]
        if ref.kind == "groups":
            n_questions = len(group_questions(session, ref))
            if step.per_question:
                count = n_questions
            questions = [i % n_questions if n_questions else None for i in range(count or 0)]
        elif ref.kind == "rotation":
            count = count or len(step.questions)
            questions = list(range(count))
        else:
            count = count or len(step.groups)
            questions = [i % len(step.groups) for i in range(count)]
        if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= 100:
            raise DomainError(_("Choose between 1 and 100 groups."), code="invalid_count")
        people = list(Participant.objects.filter(session=session).values_list("pk", flat=True))
        dealt = grouping.split_equal(people, count, session.group_seed + ref.index)
        Group.objects.filter(session=session, step_id=ref.id).delete()
        RotationSchedule.objects.filter(session=session, step_id=ref.id).delete()
        groups = Group.objects.bulk_create(
            Group(session=session, step_id=ref.id, number=n + 1, question=questions[n])
            for n in range(count)
        )
        groups = list(Group.objects.filter(session=session, step_id=ref.id).order_by("number"))
        GroupMembership.objects.bulk_create(
            GroupMembership(group=groups[n], participant_id=pk, step_id=ref.id)
            for n, members in enumerate(dealt)
            for pk in members
        )
        if ref.kind == "rotation":
            n_groups, moves = grouping.feasible_rotation(count, len(step.questions), step.moves)
            if n_groups != count:
                raise DomainError(
                    _("A world café takes at most one group per question (%(n)s).")
                    % {"n": len(step.questions)},
                    code="invalid_count",
                )
            RotationSchedule.objects.create(
                session=session,
                step_id=ref.id,
                groups=count,
                questions=len(step.questions),
                moves=moves,
                minutes_per_round=step.minutes_per_round,
                schedule=grouping.rotation_schedule(count, len(step.questions), moves),
            )
        session.current_item = 0
        _touch(session, "current_item")
        emit(session, "groups", {"step": ref.id, "count": count})
    return groups


def group_questions(session: LiveSession, ref: StepRef) -> list[str]:
    step = ref.step
    if ref.kind == "groups":
        if step.questions_from:
            board = session.step_by_key(step.questions_from)
            return list(board.step.questions) if board else []
        return list(step.questions)
    if ref.kind == "rotation":
        return list(step.questions)
    return []


def move_participant(
    session: LiveSession, *, participant_id: str, group_id: Any, actor: Any
) -> Group:
    with atomic():
        _locked(session)
        _require_open(session)
        participant = Participant.objects.filter(session=session, public_id=participant_id).first()
        group = _find(Group.objects.filter(session=session), group_id)
        if participant is None or group is None:
            raise DomainError(_("There is no such participant or group."), status=404)
        GroupMembership.objects.filter(participant=participant, step_id=group.step_id).delete()
        GroupMembership.objects.create(group=group, participant=participant, step_id=group.step_id)
        emit(session, "group", {"step": group.step_id, "group": group.number}, channel=participant)
        emit(session, "groups", {"step": group.step_id}, channel="facilitator")
    return group


def write_group_summary(
    session: LiveSession,
    *,
    participant: Participant | None,
    group_id: Any,
    text: Any,
    key: Any,
    question: int | None = None,
) -> Result[GroupSummary]:
    key = _key(key)
    existing = _replayed(GroupSummary, session, participant, key)
    if existing is not None:
        return Result(existing, False)
    _contribution_allowed(participant)
    with atomic():
        _locked(session)
        existing = _replayed(GroupSummary, session, participant, key)
        if existing is not None:
            return Result(existing, False)
        group = _find(Group.objects.filter(session=session), group_id)
        if group is None:
            raise DomainError(_("There is no such group."), code="not_found", status=404)
        ref = _open_step(session, group.step_id, "groups", "rotation", "experiment")
        if (
            participant is not None
            and not GroupMembership.objects.filter(group=group, participant=participant).exists()
        ):
            raise DomainError(_("You are not in this group."), code="not_found", status=404)
        if ref.kind == "rotation":
            rotation = RotationSchedule.objects.get(session=session, step_id=ref.id)
            question = rotation.schedule[session.current_item][group.number - 1]
        else:
            question = group.question
        clean = _clean_text(text, what=_("The summary"), max_length=SUMMARY_MAX_LENGTH)
        summary = GroupSummary.objects.create(
            session=session,
            participant=participant,
            key=key,
            group=group,
            question=question,
            text=clean,
        )
        emit(session, "summary", {"step": ref.id, "group": group.number, "text": clean})
    return Result(summary, True)


# --- Personal actions and action points ----------------------------------------------------


def _action_step(session: LiveSession, step_id: str | None) -> StepRef:
    if step_id:
        return _open_step(session, step_id, "personal_action")
    ref = session.current
    if ref is None or ref.kind != "personal_action" or session.status != Status.RUNNING:
        _require_open(session)
        raise DomainError(_("This step is not open now."), code="step_not_open", status=409)
    return ref


def submit_action(
    session: LiveSession,
    *,
    participant: Participant,
    text: Any,
    email: Any = None,
    show_name: bool = False,
    key: Any,
    step_id: str | None = None,
) -> Result[PersonalAction]:
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    key = _key(key)
    existing = _replayed(PersonalAction, session, participant, key)
    if existing is not None:
        return Result(existing, False)
    _contribution_allowed(participant)
    with atomic():
        _locked(session)
        existing = _replayed(PersonalAction, session, participant, key)
        if existing is not None:
            return Result(existing, False)
        ref = _action_step(session, step_id)
        clean = _clean_text(text, what=_("The action"), max_length=ACTION_MAX_LENGTH)
        address = _clean_text(email, what=_("The e-mail address"), max_length=254, required=False)
        if address:
            try:
                validate_email(address)
            except ValidationError:
                raise DomainError(
                    _("This is not a valid e-mail address."), code="invalid_email"
                ) from None
        PersonalAction.objects.filter(
            participant=participant, step_id=ref.id, is_current=True
        ).update(is_current=False)
        action = PersonalAction.objects.create(
            session=session,
            participant=participant,
            key=key,
            step_id=ref.id,
            text=clean,
            email=address,
            show_name=bool(show_name),
        )
        count = PersonalAction.objects.filter(session=session, is_current=True).count()
        emit(session, "actions", {"step": ref.id, "count": count}, channel="facilitator")
        if address:
            from .tasks import schedule_action_reminder

            transaction.on_commit(partial(schedule_action_reminder, str(action.public_id)))
    return Result(action, True)


def set_scribe(session: LiveSession, *, participant_id: str | None, actor: Any) -> None:
    """Name a participant scribe of the discussions (None: the facilitator takes notes)."""
    with atomic():
        _locked(session)
        _require_open(session)
        scribe = None
        if participant_id:
            scribe = Participant.objects.filter(session=session, public_id=participant_id).first()
            if scribe is None:
                raise DomainError(_("There is no such participant."), code="not_found", status=404)
        session.scribe = scribe
        _touch(session, "scribe")
        emit(session, "scribe", {"scribe": bool(scribe)})
        if scribe is not None:
            emit(session, "group", {"scribe": True}, channel=scribe)


def set_hands_up(session: LiveSession, *, on: bool, actor: Any) -> None:
    """Show statement polls on the presenter screen as "hands up" (or as live bars again)."""
    with atomic():
        _locked(session)
        _require_open(session)
        session.hands_up = bool(on)
        _touch(session, "hands_up")
        emit(session, "hands_up", {"on": session.hands_up}, channel="facilitator")


def show_scan_results(session: LiveSession, *, on: bool, actor: Any) -> None:
    """Show (or hide) the linked scan's organisation-level results on the presenter screen."""
    with atomic():
        _locked(session)
        _require_open(session)
        if session.scan_campaign_id is None:
            raise DomainError(
                _("This session is not linked to a scan."), code="no_scan", status=409
            )
        session.show_scan = bool(on)
        _touch(session, "show_scan")
        emit(session, "scan", {"on": session.show_scan}, channel="facilitator")


def show_action(session: LiveSession, *, action_id: Any, actor: Any) -> PersonalAction | None:
    """Show one personal action on the presenter screen (anonymously unless chosen)."""
    with atomic():
        _locked(session)
        _require_open(session)
        action = None
        if action_id:
            action = _find(
                PersonalAction.objects.filter(session=session, is_current=True), action_id
            )
            if action is None:
                raise DomainError(_("There is no such action."), code="not_found", status=404)
        session.shown_action = action
        _touch(session, "shown_action")
        emit(session, "shown_action", {"text": action.text if action else None})
    return action


def _date(value: Any, what: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise DomainError(_("%(what)s is not a date (YYYY-MM-DD).") % {"what": what}) from None


def add_action_point(
    session: LiveSession,
    *,
    text: Any,
    owner: Any = "",
    first_step: Any = "",
    due_date: Any = None,
    evaluation_date: Any = None,
    key: Any,
    actor: Any,
) -> Result[ActionPoint]:
    key = _key(key)
    existing = ActionPoint.objects.filter(session=session, key=key).first()
    if existing is not None:
        return Result(existing, False)
    with atomic():
        _locked(session)
        _require_open(session)
        ref = session.current
        if ref is None or ref.kind != "action_points":
            raise DomainError(_("This step is not open now."), code="step_not_open", status=409)
        point = ActionPoint.objects.create(
            session=session,
            step_id=ref.id,
            key=key,
            text=_clean_text(text, what=_("The agreement"), max_length=500),
            owner=_clean_text(owner, what=_("The owner"), max_length=200, required=False),
            first_step=_clean_text(
                first_step, what=_("The first step"), max_length=500, required=False
            ),
            due_date=_date(due_date, _("The due date")),
            evaluation_date=_date(evaluation_date, _("The evaluation date")),
            created_by=actor,
        )
        emit(session, "action_points", {"step": ref.id, "text": point.text})
    return Result(point, True)


# --- Photos -----------------------------------------------------------------------------


def add_photo(session: LiveSession, *, upload: Any, actor: Any) -> Photo:
    """Store an image of a flip chart: checked, re-encoded (no metadata), at most 10 MB."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if upload is None:
        raise DomainError(_("Choose a photo to upload."))
    if upload.size > PHOTO_MAX_BYTES:
        raise DomainError(_("A photo may be at most 10 MB."), code="too_large", status=413)
    raw = upload.read(PHOTO_MAX_BYTES + 1)
    if len(raw) > PHOTO_MAX_BYTES:
        raise DomainError(_("A photo may be at most 10 MB."), code="too_large", status=413)
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            kind = probe.format
            if kind not in PHOTO_TYPES:
                raise DomainError(_("Upload a JPEG, PNG or WebP image."), code="not_an_image")
            if probe.width * probe.height > PHOTO_MAX_PIXELS:
                raise DomainError(_("This image has too many pixels."), code="too_large")
            probe.verify()
        with Image.open(io.BytesIO(raw)) as opened:
            opened.load()
            image = ImageOps.exif_transpose(opened)
            out = io.BytesIO()
            if kind == "JPEG":
                image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
            elif kind == "PNG":
                clean = image.convert("RGBA" if "A" in image.getbands() else "RGB")
                clean.save(out, "PNG", optimize=True)
            else:
                image.save(out, "WEBP", quality=85)
            width, height = image.size
    except DomainError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise DomainError(_("Upload a JPEG, PNG or WebP image."), code="not_an_image") from None
    with atomic():
        _locked(session)
        current = session.current
        photo = Photo(
            session=session,
            step_id=current.id if current else "",
            content_type=PHOTO_TYPES[kind],
            width=width,
            height=height,
            uploaded_by=actor,
        )
        photo.image.save(
            f"{photo.public_id}.{photo.extension}", ContentFile(out.getvalue()), save=False
        )
        photo.save()
        emit(session, "photo", {"id": str(photo.public_id)})
    return photo


# --- After the session ------------------------------------------------------------------


def email_summary(session: LiveSession, *, actor: Any) -> int:
    """Queue the summary e-mail to every participant who left an address; returns how many."""
    from .tasks import send_summary_email

    if session.status != Status.ENDED:
        raise DomainError(_("End the session first."), status=409)
    addresses = sorted(
        set(
            PersonalAction.objects.filter(session=session, is_current=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )
    session_id = str(session.public_id)
    for address in addresses:
        transaction.on_commit(partial(send_summary_email.enqueue, session_id, address))
    return len(addresses)


def purge_expired(now: Any = None) -> int:
    """Delete the contributions of sessions past their retention; keep a frozen summary.

    The facilitator's photos and action points stay with the summary until deleted."""
    from .summary import build_summary

    now = now or timezone.now()
    purged = 0
    for session in LiveSession.objects.filter(purged_at__isnull=True, status=Status.ENDED):
        if session.ended_at and session.ended_at + timedelta(days=session.retention_days) <= now:
            with atomic():
                session.summary = build_summary(session, include_private=False)
                session.purged_at = now
                session.save(update_fields=["summary", "purged_at"])
                for model in (Note, Vote, GroupSummary, PersonalAction):
                    model.objects.filter(session=session).delete()
                Participant.objects.filter(session=session).delete()
                session.events.all().delete()
            purged += 1
    return purged


def end_idle_sessions(now: Any = None) -> int:
    now = now or timezone.now()
    ended = 0
    for session in LiveSession.objects.open():
        if session.last_activity_at < now - timedelta(hours=24):
            end_session(session, actor=None)
            ended += 1
    return ended
