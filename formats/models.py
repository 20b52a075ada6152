"""Workshop formats and their versions.

A `Format` is one werkvorm in the library: a built-in one (no organisation, loaded from
`formats/builtin/`) or an organisation's own (written from scratch, imported, or copied from
another format). Its content lives in `FormatVersion.data`, validated by `formats.schema`;
every change makes a new version, and `current_version` points at the latest. Changes go
through `formats.services`.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgs.models import Organisation

from . import schema

if TYPE_CHECKING:
    from .timing import TimingWarning


class FormatQuerySet(models.QuerySet["Format"]):
    def builtin(self) -> FormatQuerySet:
        return self.filter(is_builtin=True)

    def of(self, organisation: Organisation) -> FormatQuerySet:
        """The organisation's own formats."""
        return self.filter(organisation=organisation)

    def visible_to(self, organisation: Organisation) -> FormatQuerySet:
        """What an organisation's library shows: the built-in formats and its own."""
        return self.filter(Q(is_builtin=True) | Q(organisation=organisation))


class Format(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="formats",
        help_text=_("Empty for a built-in format."),
    )
    slug = models.SlugField(_("short name"), max_length=80)
    title = models.CharField(_("title"), max_length=200)
    """The current version's title, kept here for lists."""
    is_builtin = models.BooleanField(_("built in"), default=False)
    based_on = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="copies",
        verbose_name=_("copied from"),
    )
    current_version = models.ForeignKey(
        "FormatVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FormatQuerySet.as_manager()

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("format")
        verbose_name_plural = _("formats")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "slug"],
                condition=Q(organisation__isnull=False),
                name="format_slug_unique_per_organisation",
            ),
            models.UniqueConstraint(
                fields=["slug"],
                condition=Q(organisation__isnull=True),
                name="format_builtin_slug_unique",
            ),
            models.CheckConstraint(
                condition=Q(is_builtin=True, organisation__isnull=True)
                | Q(is_builtin=False, organisation__isnull=False),
                name="format_builtin_iff_no_organisation",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def content(self) -> schema.Format:
        """The current version's content, validated."""
        if self.current_version is None:
            raise ValueError(f"format {self.pk} has no version")
        return self.current_version.content

    def timing_warnings(self) -> list[TimingWarning]:
        from .timing import analyse

        return analyse(self.content)


class FormatVersion(models.Model):
    format = models.ForeignKey(Format, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    data = models.JSONField(_("content"))
    """`schema.Format.model_dump(mode="json")`."""
    content_hash = models.CharField(max_length=64, editable=False)
    """sha256 of the canonical JSON of `data`; equal hashes mean equal content."""
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["format", "-number"]
        verbose_name = _("format version")
        verbose_name_plural = _("format versions")
        constraints = [
            models.UniqueConstraint(
                fields=["format", "number"], name="format_version_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.format} v{self.number}"

    @property
    def content(self) -> schema.Format:
        cached = getattr(self, "_content", None)
        if cached is None:
            cached = schema.Format.model_validate(self.data)
            self._content = cached
        return cached
