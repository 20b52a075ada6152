"""A session's life: started from a format, joined with its code, ended, purged."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from functools import partial
from typing import Any

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from core import ratelimit
from core.errors import DomainError
from core.text import service_name
from formats.models import Format
from orgs.models import Organisation

from .. import activities, grouping
from ..events import emit
from ..models import (
    Group,
    GroupMembership,
    GroupSummary,
    LiveSession,
    Note,
    Participant,
    PersonalAction,
    PhaseTiming,
    Status,
    StepRef,
    Vote,
    hash_token,
    new_code,
    new_participant_token,
    normalise_code,
)
from .common import atomic, batch_session, clean, locked, require_open, touch

WRONG_CODES_PER_MINUTE = 20
"""Wrong join codes an address may try in a minute before only known codes still join."""
JOINS_PER_CODE_PER_MINUTE = 2000
"""Attempts on one code from one address in a minute once that address is throttled."""
NAME_MAX_LENGTH = 60


TITLE_MAX_LENGTH = 200


def start_session(
    *,
    organisation: Organisation,
    fmt: Format,
    actor: Any,
    scan_campaign: Any = None,
    title: str | None = None,
    planned_on: date | None = None,
) -> LiveSession:
    """Start a session of `fmt`; with `scan_campaign` (a campaign of the same organisation)
    the console can show the scan's results on the presenter screen.

    `title` (one line, at most 200 characters) is the format's title when not given;
    `planned_on` is the day the facilitator gave (none: not said)."""
    if title is not None:
        title = service_name(title, max_length=TITLE_MAX_LENGTH, field="title")
    if planned_on is not None and not isinstance(planned_on, date):
        raise DomainError(_("Enter a valid date."), code="date_invalid")
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
                    title=title or content.title[:TITLE_MAX_LENGTH],
                    planned_on=planned_on,
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


def _joined_key(address: str, code: str) -> str:
    digest = hashlib.sha256(f"{address}|{code}".encode("utf-8", "surrogatepass")).hexdigest()
    return f"workshops:joined:{digest[:40]}"


def join_session(*, code: str, name: str = "", address: str = "") -> tuple[Participant, str]:
    """A participant joins with the code; returns the participant and the raw token.

    Wrong codes are counted per address. Past `WRONG_CODES_PER_MINUTE` an address (a room
    on one Wi-Fi, where one phone mistypes again and again) may still join with a code that
    already let someone in from that address, up to `JOINS_PER_CODE_PER_MINUTE` attempts on
    it; every other code waits for the window: the right code is not locked out for the
    room, and a guesser behind the address learns nothing (no code answers but 429)."""
    display_name = clean(name, max_length=NAME_MAX_LENGTH, required=False, multiline=False)
    normalised = normalise_code(code)
    if address:
        wait = ratelimit.exceeded(f"join-wrong:{address}", WRONG_CODES_PER_MINUTE)
        if wait:
            message = _("Too many wrong codes. Wait a minute and try again.")
            if not cache.get(_joined_key(address, normalised)):
                raise ratelimit.RateLimited(message, retry_after=wait)
            ratelimit.check(
                f"join-code:{address}:{normalised}", JOINS_PER_CODE_PER_MINUTE, message=message
            )
    session = (
        batch_session(normalised) or LiveSession.objects.filter(code=normalised).open().first()
    )
    if session is None or session.is_idle:
        if address:
            ratelimit.count(f"join-wrong:{address}")
        raise DomainError(
            _("There is no open session with this code. Check the code and try again."),
            code="unknown_code",
            status=404,
        )
    raw = new_participant_token()
    with atomic():
        locked(session)
        session.participant_counter += 1
        participant = Participant.objects.create(
            session=session,
            public_id=Participant.new_public_id(),
            token_hash=hash_token(raw),
            number=session.participant_counter,
            name=display_name,
        )
        touch(session, "participant_counter")
        count = session.participant_counter
        emit(
            session,
            "presence",
            {"participants": count, "joined": participant.display_name},
            channel="facilitator",
        )
        current = session.current
        if current is not None and activities.get(current.kind).has_groups:
            _place_late_joiner(session, current, participant)
    if address:
        cache.set(_joined_key(address, normalised), 1, 10 * 60)
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


def end_session(session: LiveSession, *, actor: Any) -> LiveSession:
    with atomic():
        locked(session)
        require_open(session)
        now = timezone.now()
        for timing in PhaseTiming.objects.filter(session=session, entered_at__isnull=False):
            timing.seconds = timing.real_seconds(now)
            timing.entered_at = None
            timing.save(update_fields=["seconds", "entered_at"])
        session.status = Status.ENDED
        session.ended_at = now
        session.timer_deadline = None
        session.timer_remaining = None
        touch(session, "status", "ended_at", "timer_deadline", "timer_remaining")
        emit(session, "ended", {"status": "ended"})
    return session


def can_delete(session: LiveSession) -> bool:
    """A session can be deleted while it still waits for its first step (the lobby)."""
    return session.status == Status.LOBBY and session.started_at is None


def delete_waiting_session(session: LiveSession, *, actor: Any) -> None:
    """Delete a session that never started (an abandoned lobby) with its participants.

    The phones in its lobby learn it from an "ended" event with the status "deleted",
    published after the commit (the stored event goes with the session)."""
    with atomic():
        locked(session)
        if not can_delete(session):
            raise DomainError(
                _(
                    "Only a session that is still waiting for its first step can be deleted. "
                    "End this session instead."
                ),
                code="session_started",
                status=409,
            )
        emit(session, "ended", {"status": "deleted"})
        session.delete()


REOPEN_SECONDS = 60


def can_reopen(session: LiveSession, now: Any = None) -> bool:
    """An ended session can be reopened for a minute after its end (a mistaken "end")."""
    if session.status != Status.ENDED or session.ended_at is None:
        return False
    return (now or timezone.now()) - session.ended_at <= timedelta(seconds=REOPEN_SECONDS)


def reopen_session(session: LiveSession, *, actor: Any) -> LiveSession:
    """Undo `end_session` within a minute: the session runs again at the step it ended on."""
    with atomic():
        locked(session)
        now = timezone.now()
        if not can_reopen(session, now):
            raise DomainError(
                _("A session can only be reopened within a minute of its end."),
                code="too_late",
                status=409,
            )
        session.status = Status.RUNNING if session.current_step >= 0 else Status.LOBBY
        session.ended_at = None
        touch(session, "status", "ended_at")
        ref = session.current
        if ref is not None:
            PhaseTiming.objects.filter(session=session, phase_index=ref.phase_index).update(
                entered_at=now
            )
            emit(session, "step", {"step": ref.id, "index": ref.index, "kind": ref.kind})
    return session


# --- After the session ------------------------------------------------------------------


def email_summary(session: LiveSession, *, actor: Any) -> int:
    """Queue the summary e-mail to every participant who left an address; returns how many."""
    from ..tasks import send_summary_email

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
    from ..summary import build_summary

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
