"""Every change to formats goes through here: loading the built-ins, copying, saving a new
version, reverting, importing and exporting.

Each change runs in a transaction, checks the rules (raising DomainError with a message for
people; `FormatInvalid` carries one message per problem, where + what) and writes an audit
event for the organisation. Built-in formats are read-only: an organisation adapts a copy.
The editor role is checked here as well as by the caller: only facilitators and
administrators of the organisation change its formats.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from core.errors import DomainError
from orgs.models import Membership, Organisation, Role
from orgs.services import record

from . import schema
from .loader import (
    LoadReport,
    Problem,
    canonical_data,
    content_hash,
    format_to_yaml,
    parse_format_yaml,
    questionnaire_problems,
    sync_builtin_formats,
    validate_data,
)
from .models import Format, FormatVersion

__all__ = [
    "FormatInvalid",
    "copy_format",
    "create_format",
    "export_yaml",
    "import_yaml",
    "load_builtins",
    "parse_format_yaml",
    "revert_to",
    "save_version",
]

logger = logging.getLogger(__name__)

SLUG_MAX_LENGTH = 80


class FormatInvalid(DomainError):
    """The content does not pass the schema; `problems` says where and what, one by one."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        self.messages = [str(problem) for problem in problems]
        super().__init__("\n".join(self.messages), code="format_invalid", status=400)


# --- Built-ins ------------------------------------------------------------------------


def load_builtins() -> LoadReport:
    """Create or update the built-in formats from formats/builtin/; idempotent.

    Called by the data migration and at every start of `lerend serve`. Two processes that
    start together may race; the loser's transaction rolls back and it loads again.
    """
    for attempt in range(2):
        try:
            with transaction.atomic():
                report = sync_builtin_formats(Format, FormatVersion)
        except IntegrityError:
            if attempt:
                raise
            continue
        if report.created or report.updated:
            logger.info("%s", report)
        return report
    raise AssertionError("unreachable")


# --- Rules ----------------------------------------------------------------------------


def _require_editor(actor: Any, organisation: Organisation) -> None:
    if getattr(actor, "pk", None) is None:
        membership = None
    else:
        membership = Membership.objects.filter(
            user_id=actor.pk, organisation=organisation, user__is_active=True
        ).first()
    if membership is None or not membership.has_role(Role.FACILITATOR):
        raise DomainError(
            _("Only facilitators and administrators of the organisation can change its formats."),
            code="forbidden",
            status=403,
        )


def _require_editable(fmt: Format) -> Organisation:
    if fmt.is_builtin or fmt.organisation is None:
        raise DomainError(
            _("Built-in formats cannot be changed. Make a copy to adapt it."),
            code="builtin_read_only",
        )
    return fmt.organisation


def _validate(data: Any) -> schema.Format:
    if isinstance(data, schema.Format):
        data = canonical_data(data)
    content, problems = validate_data(schema.Format, data)
    if content is not None:
        problems = questionnaire_problems(content)
    if problems or content is None:
        raise FormatInvalid(problems)
    return content


def _free_slug(organisation: Organisation, wanted: str, *, exclude: Format | None = None) -> str:
    """`wanted`, or `wanted-2`, `wanted-3`, … whichever is free in the organisation."""
    taken_qs = Format.objects.of(organisation)
    if exclude is not None:
        taken_qs = taken_qs.exclude(pk=exclude.pk)
    taken = set(taken_qs.filter(slug__startswith=wanted[:60]).values_list("slug", flat=True))
    if wanted not in taken:
        return wanted
    number = 2
    while True:
        suffix = f"-{number}"
        candidate = wanted[: SLUG_MAX_LENGTH - len(suffix)].rstrip("-") + suffix
        if candidate not in taken:
            return candidate
        number += 1


def _add_version(fmt: Format, content: schema.Format, *, actor: Any, note: str) -> FormatVersion:
    data = canonical_data(content)
    last = fmt.versions.order_by("-number").values_list("number", flat=True).first()
    version = FormatVersion.objects.create(
        format=fmt,
        number=(last or 0) + 1,
        data=data,
        content_hash=content_hash(data),
        created_by=actor if getattr(actor, "pk", None) else None,
        note=note[:200],
    )
    fmt.current_version = version
    fmt.title = content.title
    fmt.slug = content.slug
    fmt.save(update_fields=["current_version", "title", "slug", "updated_at"])
    return version


def _audit(fmt: Format, *, actor: Any, action: str, **data: Any) -> None:
    if fmt.organisation is not None:
        record(
            fmt.organisation,
            actor=actor,
            action=action,
            target_label=fmt.title,
            format=str(fmt.public_id),
            **data,
        )


# --- Changes --------------------------------------------------------------------------


def create_format(*, organisation: Organisation, data: Any, actor: Any, note: str = "") -> Format:
    """A new format of the organisation; its slug gets a suffix when already taken."""
    _require_editor(actor, organisation)
    content = _validate(data)
    with transaction.atomic():
        slug = _free_slug(organisation, content.slug)
        content = content.model_copy(update={"slug": slug})
        fmt = Format.objects.create(
            organisation=organisation,
            slug=slug,
            title=content.title,
            created_by=actor,
        )
        version = _add_version(fmt, content, actor=actor, note=note)
        _audit(fmt, actor=actor, action="format.created", version=version.number)
    return fmt


def _copy_title(organisation: Organisation, title: str, language: str) -> str:
    """`Title (kopie)` in the format's language, or `Title (kopie 2)`, … whichever no
    format in the organisation's library has, so lists never show two identical entries."""
    with translation.override(language):
        first = _("%(title)s (copy)")
        numbered = _("%(title)s (copy %(number)s)")
    taken = set(Format.objects.visible_to(organisation).values_list("title", flat=True))
    number = 1
    while True:
        pattern = first if number == 1 else numbered
        suffix = pattern % {"title": "", "number": number}
        candidate = pattern % {"title": title[: 200 - len(suffix)].rstrip(), "number": number}
        if candidate not in taken:
            return candidate
        number += 1


def copy_format(source: Format, *, organisation: Organisation, actor: Any) -> Format:
    """A copy of a built-in format or of one of the organisation's own, to adapt."""
    _require_editor(actor, organisation)
    if not source.is_builtin and source.organisation_id != organisation.pk:
        raise DomainError(_("This format does not exist."), code="not_found", status=404)
    if source.current_version is None:
        raise DomainError(_("This format has no content yet."), code="empty")
    origin = source.current_version
    with transaction.atomic():
        slug = _free_slug(organisation, source.slug)
        title = _copy_title(organisation, origin.content.title, origin.content.language)
        content = origin.content.model_copy(update={"slug": slug, "title": title})
        fmt = Format.objects.create(
            organisation=organisation,
            slug=slug,
            title=content.title,
            based_on=source,
            created_by=actor,
        )
        note = _("Copy of “%(title)s”, version %(number)s") % {
            "title": source.title,
            "number": origin.number,
        }
        _add_version(fmt, content, actor=actor, note=note)
        _audit(
            fmt,
            actor=actor,
            action="format.copied",
            based_on=str(source.public_id),
            based_on_version=origin.number,
        )
    return fmt


def save_version(fmt: Format, *, data: Any, actor: Any, note: str = "") -> FormatVersion:
    """Validate `data` (a dict or a schema.Format) and make it the format's new version.

    Content equal to the current version makes no new version; the current one is returned.
    A changed slug renames the format, if the new slug is free in the organisation.
    """
    organisation = _require_editable(fmt)
    _require_editor(actor, organisation)
    content = _validate(data)
    with transaction.atomic():
        locked = (
            Format.objects.select_for_update(of=("self",))
            .select_related("current_version")
            .get(pk=fmt.pk)
        )
        current = locked.current_version
        if current is not None and current.content_hash == content_hash(canonical_data(content)):
            return current
        if (
            content.slug != locked.slug
            and _free_slug(organisation, content.slug, exclude=locked) != content.slug
        ):
            message = _("Another format of the organisation already has the short name “%(slug)s”.")
            raise FormatInvalid([Problem("slug", message % {"slug": content.slug}, code="taken")])
        version = _add_version(locked, content, actor=actor, note=note)
        _audit(locked, actor=actor, action="format.version_saved", version=version.number)
    fmt.refresh_from_db()
    return version


def revert_to(fmt: Format, *, version_number: int, actor: Any) -> FormatVersion:
    """Make an earlier version's content current again, as a new version (history stays)."""
    organisation = _require_editable(fmt)
    _require_editor(actor, organisation)
    old = fmt.versions.filter(number=version_number).first()
    if old is None:
        raise DomainError(_("This version does not exist."), code="not_found", status=404)
    # The slug names the format, it is not content: a revert keeps the current one.
    content = old.content.model_copy(update={"slug": fmt.slug})
    note = _("Reverted to version %(number)s") % {"number": version_number}
    return save_version(fmt, data=content, actor=actor, note=note)


def import_yaml(
    text: str, *, organisation: Organisation, actor: Any, into: Format | None = None
) -> Format:
    """A format from a YAML file: a new format, or a new version of `into`.

    A file with problems changes nothing; FormatInvalid lists them.
    """
    _require_editor(actor, organisation)
    content, problems = parse_format_yaml(text)
    if content is None:
        raise FormatInvalid(problems)
    note = _("Imported from a file")
    if into is None:
        return create_format(organisation=organisation, data=content, actor=actor, note=note)
    if into.organisation_id != organisation.pk:
        raise DomainError(_("This format does not exist."), code="not_found", status=404)
    save_version(into, data=content.model_copy(update={"slug": into.slug}), actor=actor, note=note)
    return into


def export_yaml(fmt: Format, *, version_number: int | None = None) -> str:
    """The format's current (or given) version as a YAML file that `import_yaml` reads back."""
    if version_number is None:
        version = fmt.current_version
    else:
        version = fmt.versions.filter(number=version_number).first()
    if version is None:
        raise DomainError(_("This version does not exist."), code="not_found", status=404)
    return format_to_yaml(version.content)
