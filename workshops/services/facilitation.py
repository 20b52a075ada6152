"""What the facilitator does during a session: groups, the scribe, the presenter screen,
hidden notes, action points and photos."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from core.errors import DomainError

from .. import activities, grouping, register
from ..events import emit
from ..models import (
    ActionPoint,
    Group,
    GroupMembership,
    LiveSession,
    Note,
    Participant,
    PersonalAction,
    Photo,
    RotationSchedule,
    Status,
)
from .common import Result, atomic, clean, find, locked, parse_date, parse_key, require_open, touch
from .contributions import note_payload

PHOTO_MAX_BYTES = 10 * 1024 * 1024
PHOTO_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
PHOTO_MAX_PIXELS = 40_000_000


def make_groups(session: LiveSession, *, count: int | None = None, actor: Any) -> list[Group]:
    """Split everyone present into groups for the current groups/rotation/experiment step."""
    with atomic():
        locked(session)
        require_open(session)
        ref = session.current
        activity = activities.get(ref.kind) if ref is not None else None
        if ref is None or activity is None or not activity.has_groups:
            raise DomainError(_("The current step has no groups."), code="no_groups", status=409)
        if session.status != Status.RUNNING:
            raise DomainError(_("The current step has no groups."), code="no_groups", status=409)
        count, questions = activity.group_plan(session, ref, count)
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
        activity.after_groups(session, ref, count)
        session.current_item = 0
        touch(session, "current_item")
        emit(session, "groups", {"step": ref.id, "count": count})
    return groups


def move_participant(
    session: LiveSession, *, participant_id: str, group_id: Any, actor: Any
) -> Group:
    with atomic():
        locked(session)
        require_open(session)
        participant = Participant.objects.filter(session=session, public_id=participant_id).first()
        group = find(Group.objects.filter(session=session), group_id)
        if participant is None or group is None:
            raise DomainError(_("There is no such participant or group."), status=404)
        GroupMembership.objects.filter(participant=participant, step_id=group.step_id).delete()
        GroupMembership.objects.create(group=group, participant=participant, step_id=group.step_id)
        emit(session, "group", {"step": group.step_id, "group": group.number}, channel=participant)
        emit(session, "groups", {"step": group.step_id}, channel="facilitator")
    return group


def set_scribe(session: LiveSession, *, participant_id: str | None, actor: Any) -> None:
    """Name a participant scribe of the discussions (None: the facilitator takes notes)."""
    with atomic():
        locked(session)
        require_open(session)
        scribe = None
        if participant_id:
            scribe = Participant.objects.filter(session=session, public_id=participant_id).first()
            if scribe is None:
                raise DomainError(_("There is no such participant."), code="not_found", status=404)
        session.scribe = scribe
        touch(session, "scribe")
        emit(session, "scribe", {"scribe": bool(scribe)})
        if scribe is not None:
            emit(session, "group", {"scribe": True}, channel=scribe)


def set_hands_up(session: LiveSession, *, on: bool, actor: Any) -> None:
    """Show statement polls on the presenter screen as "hands up" (or as live bars again)."""
    with atomic():
        locked(session)
        require_open(session)
        session.hands_up = bool(on)
        touch(session, "hands_up")
        emit(session, "hands_up", {"on": session.hands_up}, channel="facilitator")


def show_scan_results(
    session: LiveSession, *, on: bool, actor: Any, question: int | None = None
) -> None:
    """Show (or hide) the linked scan's results on the presenter screen, one question at a
    time: `question` (0-based) is kept within the questionnaire's questions that have
    answer options."""
    with atomic():
        locked(session)
        require_open(session)
        campaign = session.scan_campaign
        if campaign is None:
            raise DomainError(
                _("This session is not linked to a scan."), code="no_scan", status=409
            )
        session.show_scan = bool(on)
        fields = ["show_scan"]
        if question is not None:
            last = sum(1 for q in campaign.questionnaire.questions if q.labels()) - 1
            session.scan_question = min(max(question, 0), max(last, 0))
            fields.append("scan_question")
        touch(session, *fields)
        emit(
            session,
            "scan",
            {"on": session.show_scan, "question": session.scan_question},
            channel="facilitator",
        )


def show_action(session: LiveSession, *, action_id: Any, actor: Any) -> PersonalAction | None:
    """Show one personal action on the presenter screen (anonymously unless chosen)."""
    with atomic():
        locked(session)
        require_open(session)
        action = None
        if action_id:
            action = find(
                PersonalAction.objects.filter(session=session, is_current=True), action_id
            )
            if action is None:
                raise DomainError(_("There is no such action."), code="not_found", status=404)
        session.shown_action = action
        touch(session, "shown_action")
        emit(session, "shown_action", {"text": action.text if action else None})
    return action


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
    key = parse_key(key)
    existing = ActionPoint.objects.filter(session=session, key=key).first()
    if existing is not None:
        return Result(existing, False)
    with atomic():
        locked(session)
        require_open(session)
        ref = session.current
        if ref is None or ref.kind != "action_points":
            raise DomainError(_("This step is not open now."), code="step_not_open", status=409)
        point = ActionPoint.objects.create(
            session=session,
            step_id=ref.id,
            key=key,
            text=clean(text, max_length=500),
            owner=clean(owner, max_length=200, required=False, multiline=False),
            first_step=clean(first_step, max_length=500, required=False),
            due_date=parse_date(due_date, _("The due date")),
            evaluation_date=parse_date(evaluation_date, _("The evaluation date")),
            created_by=actor,
        )
        register.action_point(point)
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
        locked(session)
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


def hide_note(session: LiveSession, *, note_id: Any, hidden: bool, actor: Any) -> Note:
    with atomic():
        locked(session)
        note = find(Note.objects.filter(session=session), note_id)
        if note is None:
            raise DomainError(_("There is no such note."), code="not_found", status=404)
        note.hidden = bool(hidden)
        note.save(update_fields=["hidden"])
        if note.hidden:
            emit(session, "note_deleted", {"id": str(note.public_id), "step": note.step_id})
        else:
            emit(session, "note", note_payload(note))
    return note
