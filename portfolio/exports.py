"""Export and re-import of a whole portfolio.

JSON (`portfolio.json`, inside a zip with the certificates under `attachments/`); the
fields are documented in `portfolio/EXPORT.md`. Importing the zip (or the bare JSON) into
an account gives back the same entries and conversations; entries already present (same
id, same owner) are skipped, so importing twice adds nothing. The PDF is rendered from a
template with Django's escaping and a WeasyPrint that fetches nothing.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError

from . import links, services
from .kinds import KINDS
from .models import Conversation, Entry, ShareEvent
from .storage import private_storage

FORMAT = "lerend-portfolio"
VERSION = 1
IMPORT_MAX_BYTES = 200 * 1024 * 1024
JSON_MAX_BYTES = 20 * 1024 * 1024
IMPORT_MAX_ITEMS = 5000


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value else None


def entry_data(entry: Entry) -> dict[str, Any]:
    extension = str(entry.certificate.name).rsplit(".", 1)[-1] if entry.certificate else ""
    return {
        "id": str(entry.public_id),
        "kind": entry.kind,
        "title": entry.title,
        "answers": dict(entry.answers or {}),
        "questions": {p.key: str(p.question) for p in KINDS[entry.kind].prompts},
        "occurred_on": _iso(entry.occurred_on),
        "activity_type": entry.activity_type,
        "hours": str(entry.hours) if entry.hours is not None else None,
        "first_step": entry.first_step,
        "due_date": _iso(entry.due_date),
        "status": entry.status,
        "created_at": _iso(entry.created_at),
        "updated_at": _iso(entry.updated_at),
        "certificate": (
            {
                "path": f"attachments/{entry.public_id}.{extension}",
                "content_type": entry.certificate_type,
            }
            if entry.certificate
            else None
        ),
    }


def build(user: Any) -> dict[str, Any]:
    entries = list(Entry.objects.filter(owner=user).order_by("created_at", "id"))
    conversations = Conversation.objects.filter(owner=user).prefetch_related("entries")
    shares = user.portfolio_shares.prefetch_related("events").order_by("created_at", "id")
    memberships = user.memberships.select_related("organisation").order_by("organisation__name")
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": _iso(timezone.now()),
        "owner": {"email": user.email, "name": user.name, "language": user.language},
        "organisations": [
            {"name": m.organisation.name, "slug": m.organisation.slug, "role": m.role}
            for m in memberships
        ],
        "entries": [entry_data(e) for e in entries],
        "conversations": [
            {
                "id": str(c.public_id),
                "title": c.title,
                "requested_by": c.requested_by_label,
                "organisation": c.organisation_name,
                "questions": list(c.questions or []),
                "answers": list(c.answers or []),
                "planned_on": _iso(c.planned_on),
                "entries": [str(e.public_id) for e in c.entries.all()],
                "created_at": _iso(c.created_at),
                "updated_at": _iso(c.updated_at),
            }
            for c in conversations.order_by("created_at", "id")
        ],
        "shares": [
            {
                "id": str(s.public_id),
                "target": s.target,
                "entry": str(s.entry.public_id) if s.entry else None,
                "conversation": str(s.conversation.public_id) if s.conversation else None,
                "recipient": s.recipient,
                "created_at": _iso(s.created_at),
                "expires_at": _iso(s.expires_at),
                "revoked_at": _iso(s.revoked_at),
                "views": [
                    _iso(ev.at) for ev in s.events.all() if ev.action == ShareEvent.Action.VIEWED
                ],
            }
            for s in shares
        ],
        "claimed_actions": [
            {
                "text": a.text,
                "first_step": getattr(a, "first_step", ""),
                "due_date": _iso(getattr(a, "due_date", None)),
                "status": a.status,
            }
            for a in links.claimed_actions(user)
        ],
    }


def to_json(user: Any) -> bytes:
    return json.dumps(build(user), ensure_ascii=False, indent=2).encode("utf-8")


def to_zip(user: Any) -> bytes:
    buffer = io.BytesIO()
    data = build(user)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("portfolio.json", json.dumps(data, ensure_ascii=False, indent=2))
        for entry in Entry.objects.filter(owner=user).exclude(certificate=""):
            name = str(entry.certificate.name)
            extension = name.rsplit(".", 1)[-1]
            with private_storage.open(name, "rb") as handle:
                archive.writestr(f"attachments/{entry.public_id}.{extension}", handle.read())
    return buffer.getvalue()


def to_pdf(user: Any) -> bytes:
    from weasyprint import HTML

    entries = Entry.objects.filter(owner=user).order_by("kind", "-created_at")
    groups = [(kind, [e for e in entries if e.kind == kind.key]) for kind in KINDS.values()]
    html = render_to_string(
        "portfolio/pdf/portfolio.html",
        {
            "owner": user,
            "groups": [(kind, items) for kind, items in groups if items],
            "conversations": Conversation.objects.filter(owner=user),
            "actions": links.claimed_actions(user),
            "today": timezone.localdate(),
        },
    )

    def refuse(url: str, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("no fetching")

    data: bytes = HTML(string=html, url_fetcher=refuse).write_pdf()
    return data


# --- Import ------------------------------------------------------------------------------


def _bad(message: str) -> DomainError:
    return DomainError(message, code="import_invalid")


def _date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise _bad(_("The file has a date that is not valid.")) from None


def _datetime(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return parsed if timezone.is_aware(parsed) else None


def read_upload(upload: Any) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The JSON and the attachments of an uploaded export (zip or JSON)."""
    size = upload.size or 0
    if size > IMPORT_MAX_BYTES:
        raise DomainError(_("The file is too large."), code="file_too_large", status=413)
    raw = upload.read()
    attachments: dict[str, bytes] = {}
    if raw[:4] == b"PK\x03\x04":
        try:
            archive = zipfile.ZipFile(io.BytesIO(raw))
            infos = archive.infolist()
            if len(infos) > IMPORT_MAX_ITEMS or sum(i.file_size for i in infos) > IMPORT_MAX_BYTES:
                raise _bad(_("The zip file holds too much."))
            names = {i.filename: i for i in infos}
            if "portfolio.json" not in names or names["portfolio.json"].file_size > JSON_MAX_BYTES:
                raise _bad(_("The zip file has no portfolio.json."))
            raw = archive.read("portfolio.json")
            for info in infos:
                if info.filename.startswith("attachments/") and not info.is_dir():
                    if info.file_size > 10 * 1024 * 1024:
                        raise _bad(_("An attachment is larger than 10 MB."))
                    attachments[info.filename] = archive.read(info)
        except (zipfile.BadZipFile, KeyError, OSError, EOFError, NotImplementedError):
            raise _bad(_("The zip file is damaged.")) from None
    if len(raw) > JSON_MAX_BYTES:
        raise _bad(_("The file is too large."))
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _bad(_("This is not a portfolio export (JSON or zip).")) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise _bad(_("This is not a portfolio export (JSON or zip)."))
    if data.get("version") != VERSION:
        raise _bad(_("This export has a version lerend cannot read."))
    return data, attachments


def import_portfolio(user: Any, upload: Any, *, actor: Any) -> dict[str, int]:
    """Add the entries and conversations of an export to `user`'s portfolio."""
    data, attachments = read_upload(upload)
    entries = data.get("entries") or []
    conversations = data.get("conversations") or []
    if not isinstance(entries, list) or not isinstance(conversations, list):
        raise _bad(_("This is not a portfolio export (JSON or zip)."))
    if len(entries) + len(conversations) > IMPORT_MAX_ITEMS:
        raise _bad(_("The file holds too many entries."))
    counts = {"entries": 0, "conversations": 0, "skipped": 0}
    by_old_id: dict[str, Entry] = {}
    with transaction.atomic():
        for item in entries:
            if not isinstance(item, dict):
                raise _bad(_("This is not a portfolio export (JSON or zip)."))
            old_id = str(item.get("id") or "")
            existing = _own_existing(Entry, user, old_id)
            if existing is not None:
                by_old_id[old_id] = existing
                counts["skipped"] += 1
                continue
            kind = str(item.get("kind") or "")
            values = {
                "title": item.get("title"),
                "answers": item.get("answers") or {},
                "occurred_on": _date(item.get("occurred_on")),
                "activity_type": item.get("activity_type") or "",
                "hours": item.get("hours"),
                "first_step": item.get("first_step") or "",
                "due_date": _date(item.get("due_date")),
                "status": item.get("status") or "open",
            }
            try:
                checked = services.check_entry(kind, values)
            except services.FieldError as exc:
                raise _bad(
                    _("Entry “%(title)s”: %(message)s")
                    % {"title": str(item.get("title") or "")[:80], "message": exc.message}
                ) from None
            entry = Entry(owner=user, kind=kind)
            if _free(Entry, old_id):
                entry.public_id = UUID(old_id)
            services._apply(entry, checked)
            entry.created_at = _datetime(item.get("created_at")) or timezone.now()
            entry.updated_at = _datetime(item.get("updated_at")) or entry.created_at
            certificate = item.get("certificate")
            if isinstance(certificate, dict) and certificate.get("path") in attachments:
                path = str(certificate["path"])
                upload_file = SimpleUploadedFile(path.rsplit("/", 1)[-1], attachments[path])
                services._attach(entry, upload_file)
            entry.save()
            by_old_id[old_id] = entry
            counts["entries"] += 1
        for item in conversations:
            if not isinstance(item, dict):
                raise _bad(_("This is not a portfolio export (JSON or zip)."))
            old_id = str(item.get("id") or "")
            if _own_existing(Conversation, user, old_id) is not None:
                counts["skipped"] += 1
                continue
            questions = services._questions(item.get("questions") or [])
            answers = item.get("answers") or []
            if not isinstance(answers, list) or len(answers) > len(questions):
                raise _bad(_("A conversation has more answers than questions."))
            conversation = Conversation(
                owner=user,
                title=services._name("title", item.get("title")),
                questions=questions,
                answers=[services._text("answers", a) for a in answers],
                requested_by_label=services._name(
                    "requested_by", item.get("requested_by") or "", required=False, max_length=254
                ),
                organisation_name=services._name(
                    "organisation", item.get("organisation") or "", required=False
                ),
                planned_on=_date(item.get("planned_on")),
            )
            if _free(Conversation, old_id):
                conversation.public_id = UUID(old_id)
            conversation.created_at = _datetime(item.get("created_at")) or timezone.now()
            conversation.updated_at = _datetime(item.get("updated_at")) or conversation.created_at
            conversation.save()
            linked = [by_old_id[str(i)] for i in item.get("entries") or [] if str(i) in by_old_id]
            conversation.entries.set(linked)
            counts["conversations"] += 1
    return counts


def _valid_uuid(value: str) -> bool:
    try:
        UUID(value)
    except ValueError:
        return False
    return True


def _own_existing(model: Any, user: Any, old_id: str) -> Any:
    if not _valid_uuid(old_id):
        return None
    return model.objects.filter(owner=user, public_id=old_id).first()


def _free(model: Any, old_id: str) -> bool:
    return _valid_uuid(old_id) and not model.objects.filter(public_id=old_id).exists()
