"""`lerend formats list|validate|export|load`: the format library from the command line.

    lerend formats list [--organisation SLUG]
    lerend formats validate FILE...      problems and timing warnings; exit 1 on a problem
    lerend formats export SLUG [--organisation SLUG] [--version N] [-o FILE]
    lerend formats load                  (re)load the built-in formats; idempotent

`export` writes the YAML to stdout (or a file) and nothing else there, so that
`lerend formats export quickscan-leervoorwaarden > quickscan.yaml` gives an importable file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations

from core.errors import DomainError
from orgs.models import Organisation

from ...library import entry
from ...loader import MAX_YAML_BYTES, parse_format_yaml, questionnaire_problems
from ...models import Format
from ...services import export_yaml, load_builtins
from ...timing import analyse


class Command(BaseCommand):
    help = "List, validate, export and load workshop formats."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        listing = actions.add_parser("list", help="List the formats in the library.")
        listing.add_argument("--organisation", help="Also an organisation's own formats.")
        validate = actions.add_parser("validate", help="Check format files (YAML).")
        validate.add_argument("files", nargs="+", metavar="FILE")
        export = actions.add_parser("export", help="Write a format as YAML.")
        export.add_argument("slug")
        export.add_argument("--organisation", help="The organisation's own format.")
        export.add_argument("--version", type=int, help="An older version.")
        export.add_argument("-o", "--output", help="Write to this file instead of stdout.")
        actions.add_parser("load", help="Load or update the built-in formats.")

    @no_translations  # messages in English, like the rest of the command line
    def handle(self, *args: Any, action: str, **options: Any) -> None:
        getattr(self, f"handle_{action}")(**options)

    def _organisation(self, slug: str | None) -> Organisation | None:
        if not slug:
            return None
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            raise CommandError(f"No organisation with the slug {slug}.")
        return organisation

    def handle_list(self, *, organisation: str | None = None, **options: Any) -> None:
        org = self._organisation(organisation)
        formats = Format.objects.builtin() if org is None else Format.objects.visible_to(org)
        formats = formats.select_related("current_version").filter(current_version__isnull=False)
        for fmt in formats.order_by("is_builtin", "slug"):
            item = entry(fmt)
            declared = item.content.duration_label or "-"
            total = item.timing.total.known
            warnings = item.warning_count
            origin = "built-in" if fmt.is_builtin else "own"
            self.stdout.write(
                f"{fmt.slug}  v{fmt.current_version.number if fmt.current_version else 0}  "
                f"{origin}  {declared} (phases {total or '-'})  "
                f"{warnings} warning{'s' if warnings != 1 else ''}  {fmt.title}"
            )

    def handle_validate(self, *, files: list[str], **options: Any) -> None:
        failed = 0
        for name in files:
            path = Path(name)
            try:
                if path.stat().st_size > MAX_YAML_BYTES:
                    raise CommandError(f"{name}: larger than {MAX_YAML_BYTES // 1024} KB.")
                text = path.read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError) as error:
                self.stderr.write(f"{name}: cannot be read: {error}")
                failed += 1
                continue
            except CommandError as error:
                self.stderr.write(str(error))
                failed += 1
                continue
            content, problems = parse_format_yaml(text)
            if content is not None:
                problems = questionnaire_problems(content)
            if content is None or problems:
                failed += 1
                for problem in problems:
                    self.stderr.write(f"{name}: error: {problem}")
                continue
            warnings = analyse(content)
            for warning in warnings:
                self.stdout.write(f"{name}: {warning.severity}: {warning.message}")
            self.stdout.write(f"{name}: valid ({content.slug}, {len(warnings)} timing remarks)")
        if failed:
            raise CommandError(f"{failed} of {len(files)} file(s) have problems.")

    def handle_export(
        self,
        *,
        slug: str,
        organisation: str | None = None,
        version: int | None = None,
        output: str | None = None,
        **options: Any,
    ) -> None:
        org = self._organisation(organisation)
        formats = Format.objects.builtin() if org is None else Format.objects.of(org)
        fmt = formats.filter(slug=slug).first()
        if fmt is None and org is not None:
            fmt = Format.objects.builtin().filter(slug=slug).first()
        if fmt is None:
            raise CommandError(f"No format with the slug {slug}.")
        try:
            text = export_yaml(fmt, version_number=version)
        except DomainError as error:
            raise CommandError(f"{slug} has no version {version}.") from error
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stderr.write(f"Wrote {fmt.slug} to {output}.")
        else:
            self.stdout.write(text, ending="")

    def handle_load(self, **options: Any) -> None:
        self.stdout.write(str(load_builtins()))
