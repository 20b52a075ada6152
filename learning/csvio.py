"""CSV in and out: the import of training records and the quarter's export.

Import: every row is checked before anything is stored; one problem in any row and nothing
is imported, and the report lists each row's problems. A person is a member (by e-mail) or
a free name; a team is named by its name or its path ("Productie / Bakkerij"); an offer item
by its title or id. Unknown ones are refused per row.

Export: the Federal Learning Account's fields per training (name, duration, start and end
date, followed, certificate), with every text cell that a spreadsheet would run as a
formula neutralised.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from orgs.models import Membership, Organisation, Team
from scans.exports import neutralise

from .models import DurationUnit, Kind, OfferItem, TrainingRecord, settings_for
from .services import TrainingInput, build_record

MAX_ROWS = 5000
MAX_BYTES = 2 * 1024 * 1024

COLUMNS = {
    "email": ("email", "e-mail", "e-mailadres", "mail"),
    "name": ("name", "naam", "person", "persoon"),
    "team": ("team", "afdeling"),
    "offer_item": ("offer_item", "aanbod", "offer"),
    "title": ("title", "opleiding", "training", "titel"),
    "kind": ("kind", "soort"),
    "duration": ("duration", "duur"),
    "unit": ("unit", "eenheid"),
    "start_date": ("start_date", "start", "startdatum", "begindatum"),
    "end_date": ("end_date", "end", "einddatum"),
    "followed": ("followed", "gevolgd"),
    "certificate": ("certificate", "certificaat", "attest"),
    "certificate_valid_until": ("certificate_valid_until", "certificaat_geldig_tot"),
}
KINDS = {
    "formal": Kind.FORMAL,
    "formeel": Kind.FORMAL,
    "non_formal": Kind.NON_FORMAL,
    "non-formal": Kind.NON_FORMAL,
    "niet-formeel": Kind.NON_FORMAL,
    "niet_formeel": Kind.NON_FORMAL,
    "nonformeel": Kind.NON_FORMAL,
    "informal": Kind.INFORMAL,
    "informeel": Kind.INFORMAL,
}
UNITS = {
    "days": DurationUnit.DAYS,
    "day": DurationUnit.DAYS,
    "dagen": DurationUnit.DAYS,
    "dag": DurationUnit.DAYS,
    "hours": DurationUnit.HOURS,
    "hour": DurationUnit.HOURS,
    "uren": DurationUnit.HOURS,
    "uur": DurationUnit.HOURS,
}
YES = {"ja", "yes", "1", "true", "waar", "j", "y", "x"}
NO = {"nee", "no", "0", "false", "onwaar", "n", ""}


@dataclass
class RowProblem:
    line: int
    message: str


@dataclass
class ImportReport:
    rows: int = 0
    records: list[TrainingRecord] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and self.rows > 0


def _date(value: str, label: str) -> date | None:
    value = value.strip()
    if not value:
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(value, pattern).date()  # noqa: DTZ007 - a date only
        except ValueError:
            continue
    raise DomainError(
        _("%(field)s: “%(value)s” is not a date (use 2026-03-15 or 15/03/2026).")
        % {"field": label, "value": value[:40]},
        code="date_invalid",
    )


def _bool(value: str, label: str) -> bool:
    value = value.strip().casefold()
    if value in YES:
        return True
    if value in NO:
        return False
    raise DomainError(
        _("%(field)s: write ja or nee (not “%(value)s”).") % {"field": label, "value": value[:40]},
        code="boolean_invalid",
    )


def _team_index(organisation: Organisation) -> dict[str, list[Team]]:
    teams = list(Team.objects.filter(organisation=organisation).select_related("parent"))
    by_id = {t.pk: t for t in teams}
    index: dict[str, list[Team]] = {}
    for team in teams:
        names = [team.name]
        node = by_id.get(team.parent_id)  # type: ignore[arg-type]
        while node is not None:
            names.insert(0, node.name)
            node = by_id.get(node.parent_id)  # type: ignore[arg-type]
        for key in {team.name.casefold(), " / ".join(names).casefold()}:
            index.setdefault(key, []).append(team)
    return index


def decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise DomainError(
            _("The file is too large (at most 2 MB)."), code="file_too_large", status=413
        )
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DomainError(_("The file is not a text (CSV) file."), code="not_text")  # pragma: no cover


def parse(organisation: Organisation, content: str) -> ImportReport:
    """Check every row; the report holds the unsaved records or every row's problems."""
    report = ImportReport()
    if len(content.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise DomainError(
            _("The file is too large (at most 2 MB)."), code="file_too_large", status=413
        )
    if not content.strip():
        raise DomainError(_("The file is empty."), code="empty")
    sample = content[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(content), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise DomainError(_("The file is empty."), code="empty") from None
    columns: dict[str, int] = {}
    for index, raw in enumerate(header):
        key = raw.strip().lstrip("\ufeff").casefold().replace(" ", "_")
        for column, aliases in COLUMNS.items():
            if key in aliases:
                columns[column] = index
    missing = [c for c in ("duration", "start_date", "end_date") if c not in columns]
    if "email" not in columns and "name" not in columns:
        missing.insert(0, "email / name")
    if "title" not in columns and "offer_item" not in columns:
        missing.append("title / offer_item")
    if missing:
        raise DomainError(
            _("The file has no column for: %(columns)s.") % {"columns": ", ".join(missing)},
            code="columns_missing",
        )
    teams = _team_index(organisation)
    items = list(OfferItem.objects.of(organisation))
    items_by_key: dict[str, list[OfferItem]] = {}
    for item in items:
        items_by_key.setdefault(item.title.casefold(), []).append(item)
        items_by_key.setdefault(str(item.public_id), []).append(item)
    members = {
        m.user.email.casefold(): m
        for m in Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .prefetch_related("teams")
    }
    learning = settings_for(organisation)
    today = timezone.localdate()
    lines: list[int] = []
    try:
        for line, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            report.rows += 1
            if report.rows > MAX_ROWS:
                raise DomainError(
                    _("A file has at most %(n)d rows.") % {"n": MAX_ROWS}, code="too_many_rows"
                )

            def cell(column: str, row: Sequence[str] = row) -> str:
                index = columns.get(column)
                return row[index] if index is not None and index < len(row) else ""

            try:
                report.records.append(
                    build_record(
                        organisation,
                        _row_input(cell, teams, items_by_key),
                        today=today,
                        hours_per_day=learning.hours_per_day,
                        members=members,
                    )
                )
                lines.append(line)
            except DomainError as problem:
                report.problems.append(RowProblem(line, problem.message))
    except csv.Error as error:
        raise DomainError(
            _("The file is not valid CSV: %(problem)s") % {"problem": str(error)[:200]},
            code="csv_invalid",
        ) from None
    if report.rows == 0:
        raise DomainError(_("The file has no rows below its header."), code="empty")
    for line, message in duplicates(organisation, list(zip(lines, report.records, strict=True))):
        report.problems.append(RowProblem(line, message))
    report.problems.sort(key=lambda p: p.line)
    return report


def duplicates(
    organisation: Organisation, numbered: list[tuple[int, TrainingRecord]]
) -> list[tuple[int, str]]:
    """Rows that repeat a stored record or an earlier row (the same person, team, training
    and dates): a file imported twice is refused instead of counted twice."""
    from .services import record_key

    keys = {r.person_key for _line, r in numbered}
    stored = {
        record_key(r)
        for r in TrainingRecord.objects.filter(organisation=organisation, person_key__in=keys)
    }
    found, seen = [], set()
    for line, training in numbered:
        key = record_key(training)
        if key in stored:
            found.append((line, _("This training is already recorded for this person.")))
        elif key in seen:
            found.append((line, _("This row repeats an earlier row.")))
        seen.add(key)
    return found


def _row_input(
    cell: Any, teams: dict[str, list[Team]], items: dict[str, list[OfferItem]]
) -> TrainingInput:
    team = None
    team_name = " ".join(cell("team").split())
    if team_name:
        found = teams.get(team_name.casefold(), [])
        if not found:
            raise DomainError(
                _("Unknown team “%(name)s”.") % {"name": team_name[:150]}, code="team_unknown"
            )
        if len(found) > 1:
            raise DomainError(
                _("Several teams are called “%(name)s”: write its path, such as “Part / Team”.")
                % {"name": team_name[:150]},
                code="team_ambiguous",
            )
        team = found[0]
    item = None
    item_key = cell("offer_item").strip()
    if item_key:
        found_items = items.get(item_key.casefold(), [])
        if len(found_items) != 1:
            raise DomainError(
                _("Unknown offer item “%(name)s”.") % {"name": item_key[:200]},
                code="offer_unknown",
            )
        item = found_items[0]
    kind = cell("kind").strip().casefold()
    if kind and kind not in KINDS:
        raise DomainError(
            _("Kind: write formeel, niet-formeel or informeel (not “%(value)s”).")
            % {"value": kind[:40]},
            code="choice_invalid",
        )
    unit = cell("unit").strip().casefold() or "days"
    if unit not in UNITS:
        raise DomainError(
            _("Unit: write dagen or uren (not “%(value)s”).") % {"value": unit[:40]},
            code="choice_invalid",
        )
    followed = cell("followed")
    return TrainingInput(
        email=cell("email").strip(),
        person_name=cell("name"),
        team=team,
        offer_item=item,
        title=cell("title"),
        kind=KINDS.get(kind, ""),
        duration=cell("duration").strip(),
        unit=UNITS[unit],
        start_date=_date(cell("start_date"), _("Start date")),
        end_date=_date(cell("end_date"), _("End date")),
        followed=_bool(followed, _("Followed")) if followed.strip() else True,
        certificate=_bool(cell("certificate"), _("Certificate")),
        certificate_valid_until=_date(
            cell("certificate_valid_until"), _("Certificate valid until")
        ),
    )


# --- The quarter's export -------------------------------------------------------------------


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    if not 1 <= quarter <= 4 or not 2000 <= year <= 2100:
        raise DomainError(_("Choose a year and a quarter (1 to 4)."), code="quarter_invalid")
    start = date(year, 3 * quarter - 2, 1)
    end = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    from datetime import timedelta

    return start, end - timedelta(days=1)


def fla_kind(kind: str) -> str:
    """The Federal Learning Account knows formal and informal training; a non-formal course
    (organised, outside the school system) is registered as formal."""
    return _("formal") if kind in (Kind.FORMAL, Kind.NON_FORMAL) else _("informal")


def quarter_rows(
    organisation: Organisation, year: int, quarter: int
) -> tuple[list[str], list[list[Any]]]:
    start, end = quarter_bounds(year, quarter)
    header = [
        _("Person"),
        _("E-mail address"),
        _("Team"),
        _("Name of the training"),
        _("Formal or informal (FLA)"),
        _("Kind (lerend)"),
        _("Duration"),
        _("Unit"),
        _("Start date"),
        _("End date"),
        _("Followed"),
        _("Certificate"),
        _("Certificate valid until"),
    ]
    rows = []
    records = (
        TrainingRecord.objects.filter(
            organisation=organisation, end_date__gte=start, end_date__lte=end
        )
        .select_related("team", "membership__user")
        .order_by("end_date", "person_name", "id")
    )
    for r in records:
        rows.append(
            [
                r.person_name,
                r.membership.user.email if r.membership else "",
                r.team.name,
                r.title,
                fla_kind(r.kind),
                r.get_kind_display(),
                f"{r.duration.normalize():f}",
                r.get_unit_display(),
                r.start_date.isoformat(),
                r.end_date.isoformat(),
                _("yes") if r.followed else _("no"),
                _("yes") if r.certificate else _("no"),
                r.certificate_valid_until.isoformat() if r.certificate_valid_until else "",
            ]
        )
    return header, rows


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow(["" if v is None else neutralise(v) for v in row])
    return "\ufeff" + buffer.getvalue()
