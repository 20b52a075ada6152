"""The one contribution path: notes, votes, personal actions and group summaries.

Every contribution is a `Contribution`: who sends it (session, participant), its client
key and the model it is stored in, and `store`, which checks the rules and writes the row
and its event. `contribute()` runs it the same way for every kind:

1. key replay: the same key again returns the first result and stores nothing new
   (`Result.created` is False), also when the first request is still being written;
2. the rate limit (`CONTRIBUTIONS_PER_MINUTE` per participant, `core.ratelimit`);
3. the session row lock (on SQLite also the process's writer queue, `core.db.atomic`),
   the replay check once more under the lock, then `store`;
4. the event, stored in the same transaction by `store` and published after commit.

`contribute()` runs one contribution in its own transaction (the pages, the API, tests).
The participant's fast path (`workshops.fastpath`) hands the same `Contribution` objects
to the group-commit writer (`workshops.writer`), which runs steps 1-4 for many of them in
one transaction. Notes and votes have a `Bulk`: the writer checks each one's rules alone
(a refusal stays that request's) and inserts all of a batch's rows in one statement; the
other kinds run in a savepoint each.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import ratelimit
from core.db import insert_all, new
from core.errors import DomainError

from .. import activities, queries, register
from ..events import emit
from ..models import (
    ACTION_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    SUMMARY_MAX_LENGTH,
    Group,
    GroupMembership,
    GroupSummary,
    LiveSession,
    Note,
    Participant,
    PersonalAction,
    Status,
    StepRef,
    Vote,
)
from .common import (
    Result,
    atomic,
    clean,
    find,
    in_batch,
    locked,
    open_step,
    parse_key,
    require_open,
)

CONTRIBUTIONS_PER_MINUTE = 30
TOO_MUCH = gettext_lazy("You are sending too much at once. Wait a minute and try again.")


class Bulk:
    """How rows of one kind are stored many at once: the writer's batch holds many notes or
    votes, and one INSERT for all of them costs about what one costs alone. `before` and
    `after` run around the insert (retire earlier votes; emit the events)."""

    model: type[Any]

    def before(self, rows: list[Any]) -> None:
        """Run before the rows are inserted (in the same transaction)."""

    def after(self, rows: list[Any]) -> None:
        """Run after the rows are inserted: their events."""

    def store(self, rows: list[Any]) -> None:
        self.before(rows)
        insert_all(rows)
        self.after(rows)


@dataclass
class Contribution:
    session: LiveSession
    participant: Participant | None
    model: type[Any]
    key: Any
    build: Callable[[], Any]
    """Check the rules and return the row: unsaved for a kind with `bulk`, else written with
    its event. Runs under the session lock; without `bulk` it may write, with it it may not."""
    bulk: Bulk | None = None

    def store(self) -> Any:
        """Check the rules, write the row and its event (one contribution at a time)."""
        row = self.build()
        if self.bulk is not None:
            self.bulk.store([row])
        return row


def replayed(item: Contribution) -> Any:
    rows = item.model.objects.filter(
        session=item.session, participant=item.participant, key=item.key
    ).order_by()[:1]
    return next(iter(rows), None)


def allowed(participant: Participant | None) -> None:
    if participant is not None:
        ratelimit.check(
            f"workshops:contribution:{participant.pk}",
            CONTRIBUTIONS_PER_MINUTE,
            message=TOO_MUCH,
        )


def store_locked(item: Contribution) -> Result[Any]:
    """Steps 3-4 inside an open transaction: lock, look for the key again, store."""
    locked(item.session)
    existing = replayed(item)
    if existing is not None:
        return Result(existing, False)
    return Result(item.store(), True)


def contribute(item: Contribution) -> Result[Any]:
    """Run one contribution in a transaction of its own (see the module's docstring); in
    the writer's batch, which holds the lock already, the key is looked up once."""
    if not in_batch():
        existing = replayed(item)
        if existing is not None:
            return Result(existing, False)
    allowed(item.participant)
    with atomic():
        return store_locked(item)


# --- Notes ------------------------------------------------------------------------------


def note_payload(note: Note) -> dict[str, Any]:
    return {
        "id": str(note.public_id),
        "step": note.step_id,
        "question": note.question,
        "text": note.text,
        "group": note.group.number if note.group_id and note.group else None,
        "hidden": note.hidden,
    }


NOTE_KINDS = tuple(kind for kind, a in activities.REGISTRY.items() if a.takes_notes)


class _Notes(Bulk):
    model = Note

    def after(self, rows: list[Note]) -> None:
        for row in rows:
            emit(row.session, "note", note_payload(row))


NOTES = _Notes()


def note(
    session: LiveSession,
    *,
    participant: Participant | None,
    step_id: str,
    question: Any = 0,
    text: Any,
    key: Any,
) -> Contribution:
    """A note to a question of the current step."""

    def build() -> Note:
        ref = open_step(session, step_id, *NOTE_KINDS)
        if not isinstance(question, int) or isinstance(question, bool):
            raise DomainError(_("The question must be a number."))
        group, rnd = activities.get(ref.kind).check_note(session, ref, participant, question)
        return new(
            Note,
            session=session,
            participant=participant,
            key=parsed,
            step_id=ref.id,
            question=question,
            text=clean(text, max_length=NOTE_MAX_LENGTH),
            group=group,
            round=rnd,
        )

    parsed = parse_key(key)
    return Contribution(session, participant, Note, parsed, build, NOTES)


def add_note(session: LiveSession, **fields: Any) -> Result[Note]:
    return contribute(note(session, **fields))


def _own_note(session: LiveSession, participant: Participant | None, note_id: Any) -> Note:
    found = find(
        Note.objects.select_related("group").filter(session=session, participant=participant),
        note_id,
    )
    if found is None:
        raise DomainError(_("There is no such note of yours."), code="not_found", status=404)
    return found


def edit_note(
    session: LiveSession, *, participant: Participant | None, note_id: Any, text: Any
) -> Note:
    allowed(participant)
    with atomic():
        locked(session)
        own = _own_note(session, participant, note_id)
        open_step(session, own.step_id)
        own.text = clean(text, max_length=NOTE_MAX_LENGTH)
        own.updated_at = timezone.now()
        own.save(update_fields=["text", "updated_at"])
        emit(session, "note", note_payload(own))
    return own


def delete_note(session: LiveSession, *, participant: Participant | None, note_id: Any) -> None:
    with atomic():
        locked(session)
        own = _own_note(session, participant, note_id)
        open_step(session, own.step_id)
        payload = {"id": str(own.public_id), "step": own.step_id}
        own.delete()
        emit(session, "note_deleted", payload)


# --- Votes ------------------------------------------------------------------------------

VOTE_KINDS = ("statement_poll", "experiment", "checklist")


class _Votes(Bulk):
    """The latest vote of a participant on a statement counts: earlier ones are retired
    (also within one batch), and each statement's counts are sent once per batch."""

    model = Vote

    def before(self, rows: list[Vote]) -> None:
        latest: dict[tuple[Any, ...], Vote] = {}
        for row in rows:
            mark = (row.session_id, row.step_id, row.item, row.participant_id)
            if mark in latest:
                latest[mark].is_current = False
            latest[mark] = row
        voters: dict[tuple[Any, ...], set[Any]] = {}
        for session_id, step_id, item, participant_id in latest:
            voters.setdefault((session_id, step_id, item), set()).add(participant_id)
        for (session_id, step_id, item), participants in voters.items():
            Vote.objects.filter(
                session_id=session_id,
                step_id=step_id,
                item=item,
                participant_id__in=participants,
                is_current=True,
            ).update(is_current=False)

    def after(self, rows: list[Vote]) -> None:
        statements = {(row.session_id, row.step_id, row.item): row for row in rows}
        for row in statements.values():
            counts = queries.vote_counts(row.session, row.step_id, row.item)
            emit(row.session, "votes", {"step": row.step_id, "item": row.item, "counts": counts})
        for row in rows:
            ref = row.session.step_by_id(row.step_id)
            if ref and ref.kind == "checklist" and row.choice == register.CHECKLIST_START:
                register.checklist_item(row.session, ref, row.item)


VOTES = _Votes()


def vote(
    session: LiveSession,
    *,
    participant: Participant,
    step_id: str,
    choice: Any,
    key: Any,
    item: Any = "",
) -> Contribution:
    """A vote on the current step's statement or item; the latest vote counts."""
    label = "" if item is None else str(item)

    def build() -> Vote:
        ref = open_step(session, step_id, *VOTE_KINDS)
        options = activities.get(ref.kind).vote_options(ref, label)
        if options is None:
            raise DomainError(
                _("This step has no such statement."), code="unknown_item", status=404
            )
        if choice not in options:
            raise DomainError(_("This is not one of the choices."), code="unknown_choice")
        return new(
            Vote,
            session=session,
            participant=participant,
            key=parsed,
            step_id=ref.id,
            item=label,
            choice=choice,
        )

    parsed = parse_key(key)
    return Contribution(session, participant, Vote, parsed, build, VOTES)


def cast_vote(session: LiveSession, **fields: Any) -> Result[Vote]:
    return contribute(vote(session, **fields))


# --- Group summaries --------------------------------------------------------------------


def group_summary(
    session: LiveSession,
    *,
    participant: Participant | None,
    group_id: Any,
    text: Any,
    key: Any,
) -> Contribution:
    """A group's summary (last write wins; every write is kept)."""

    def build() -> GroupSummary:
        group = find(Group.objects.filter(session=session), group_id)
        if group is None:
            raise DomainError(_("There is no such group."), code="not_found", status=404)
        kinds = [kind for kind, a in activities.REGISTRY.items() if a.has_groups]
        ref = open_step(session, group.step_id, *kinds)
        if (
            participant is not None
            and not GroupMembership.objects.filter(group=group, participant=participant).exists()
        ):
            raise DomainError(_("You are not in this group."), code="not_found", status=404)
        question = activities.get(ref.kind).current_question(session, ref, group)
        written = clean(text, max_length=SUMMARY_MAX_LENGTH)
        summary = GroupSummary.objects.create(
            session=session,
            participant=participant,
            key=parsed,
            group=group,
            question=question,
            text=written,
        )
        emit(session, "summary", {"step": ref.id, "group": group.number, "text": written})
        return summary

    parsed = parse_key(key)
    return Contribution(session, participant, GroupSummary, parsed, build)


def write_group_summary(session: LiveSession, **fields: Any) -> Result[GroupSummary]:
    return contribute(group_summary(session, **fields))


# --- Personal actions -------------------------------------------------------------------


def _action_step(session: LiveSession, step_id: str | None) -> StepRef:
    if step_id:
        return open_step(session, step_id, "personal_action")
    ref = session.current
    if ref is None or ref.kind != "personal_action" or session.status != Status.RUNNING:
        require_open(session)
        raise DomainError(_("This step is not open now."), code="step_not_open", status=409)
    return ref


def action(
    session: LiveSession,
    *,
    participant: Participant,
    text: Any,
    email: Any = None,
    show_name: bool = False,
    key: Any,
    step_id: str | None = None,
    language: str = "",
) -> Contribution:
    """A participant's personal action, optionally with an address for the reminder;
    `language` is the one the phone was in (its mails are written in it)."""
    from django.conf import settings

    language = language if language in dict(settings.LANGUAGES) else ""

    def build() -> PersonalAction:
        from django.core.exceptions import ValidationError
        from django.core.validators import validate_email

        ref = _action_step(session, step_id)
        written = clean(text, max_length=ACTION_MAX_LENGTH)
        address = clean(email, max_length=254, required=False, multiline=False)
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
        stored = PersonalAction.objects.create(
            session=session,
            participant=participant,
            key=parsed,
            step_id=ref.id,
            text=written,
            email=address,
            show_name=bool(show_name),
            language=language,
        )
        count = PersonalAction.objects.filter(session=session, is_current=True).count()
        emit(session, "actions", {"step": ref.id, "count": count}, channel="facilitator")
        if register.installed():
            # The register reminds the participant on the action's due date through its
            # private link (`actions.reminders`); the workshop's own reminder would mail
            # them a second time, so it is only queued without the register.
            register.personal_action(stored)
        elif address:
            from ..tasks import schedule_action_reminder

            transaction.on_commit(partial(schedule_action_reminder, str(stored.public_id)))
        return stored

    parsed = parse_key(key)
    return Contribution(session, participant, PersonalAction, parsed, build)


def submit_action(session: LiveSession, **fields: Any) -> Result[PersonalAction]:
    return contribute(action(session, **fields))
