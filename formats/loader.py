"""Reading formats and questionnaires from YAML, and loading the built-in ones.

`parse_format_yaml(text)` never raises for a bad file: it answers `(format, [])` or
`(None, problems)`, each problem saying where (a path such as `phases[2].steps[0].duration`
and the line in the file) and what, in a sentence for people. The YAML reader is strict:
no aliases (no "billion laughs"), no duplicate keys, a size limit.

`sync_builtin_formats(Format, FormatVersion)` creates or updates the built-in formats from
`formats/builtin/*.yaml`. It takes the model classes as arguments so that the data
migration can pass its historical models (`apps.get_model`); it uses only the fields of the
first migration. A new version is made only when a file's content changed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import yaml
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from pydantic import BaseModel, ValidationError

from .questionnaire import QUESTION_KINDS, Questionnaire
from .schema import STEP_KINDS, Format, Location

BUILTIN_DIR = Path(__file__).resolve().parent / "builtin"
QUESTIONNAIRE_DIR = BUILTIN_DIR / "questionnaires"
MAX_YAML_BYTES = 256 * 1024

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file or with submitted data."""

    location: str
    """Where, as a path: `phases[2].steps[0].duration`; empty for the file as a whole."""
    message: str
    """What, translated."""
    line: int | None = None
    code: str = "invalid"

    def __str__(self) -> str:
        where = self.location
        if self.line is not None:
            line = _("line %(line)s") % {"line": self.line}
            where = f"{where} ({line})" if where else line
        return f"{where}: {self.message}" if where else self.message


class BuiltinError(Exception):
    """A built-in file in the repository is invalid: a bug, so it fails loudly."""


# --- YAML -----------------------------------------------------------------------------


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader without aliases and without duplicate keys."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed", event.start_mark
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen: set[Any] = set()
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool):
                continue  # the SafeLoader refuses unhashable keys itself
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key “{key}”", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _load_yaml(text: str) -> tuple[Any, dict[Location, int], list[Problem]]:
    """The data, the line of each path in it, and problems (a syntax error)."""
    if len(text.encode("utf-8", errors="replace")) > MAX_YAML_BYTES:
        message = _("The file is too large (at most %(size)s KB).") % {
            "size": MAX_YAML_BYTES // 1024
        }
        return None, {}, [Problem("", message, code="too_large")]
    loader = None
    try:
        loader = _StrictLoader(text)
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        return None, {}, [_yaml_problem(error.problem or error.context or str(error), mark)]
    except yaml.reader.ReaderError as error:
        problem = f"unacceptable character #x{error.character:04x}"
        return None, {}, [_yaml_problem(problem, None)]
    except yaml.YAMLError as error:
        return None, {}, [_yaml_problem(str(error), None)]
    except RecursionError:
        return None, {}, [_yaml_problem("nested too deeply", None)]
    finally:
        if loader is not None:
            loader.dispose()
    lines: dict[Location, int] = {}
    if node is not None:
        _collect_lines(node, (), lines)
    return data, lines, []


def _yaml_problem(problem: str, mark: Any) -> Problem:
    message = _("This is not valid YAML: %(problem)s.") % {"problem": problem}
    line = mark.line + 1 if mark is not None else None
    return Problem("", message, line=line, code="yaml_syntax")


def _collect_lines(node: yaml.Node, path: Location, lines: dict[Location, int]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                lines[(*path, key_node.value)] = key_node.start_mark.line + 1
                _collect_lines(value_node, (*path, key_node.value), lines)
                # The key's own line wins over the value's (a block value starts below it).
                lines[(*path, key_node.value)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _collect_lines(item, (*path, index), lines)


# --- Validation errors in words -------------------------------------------------------

_UNION_TAGS = frozenset(STEP_KINDS) | frozenset(QUESTION_KINDS)


def _clean_location(loc: Iterable[Any]) -> Location:
    """Pydantic puts the union tag in the path (`steps, 0, 'board', 'questions'`): drop it."""
    cleaned: list[str | int] = []
    previous: Any = None
    for part in loc:
        if isinstance(previous, int) and isinstance(part, str) and part in _UNION_TAGS:
            previous = part
            continue
        cleaned.append(part)
        previous = part
    return tuple(cleaned)


def format_location(loc: Iterable[Any]) -> str:
    """`('phases', 2, 'steps', 0, 'duration')` -> `phases[2].steps[0].duration`."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _line_for(loc: Location, lines: dict[Location, int]) -> int | None:
    path = loc
    while path not in lines and path:
        path = path[:-1]
    return lines.get(path)


def _message(error: Any) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind == "extra_forbidden":
        return _("Unknown field “%(field)s”.") % {"field": error["loc"][-1]}
    if kind == "union_tag_invalid":
        return _("Unknown kind “%(kind)s”; known kinds: %(kinds)s.") % {
            "kind": ctx.get("tag", ""),
            "kinds": ctx.get("expected_tags", ""),
        }
    if kind == "union_tag_not_found":
        return _("Say which kind this is (kind: …).")
    if kind in {"int_type", "int_parsing", "int_from_float"}:
        return _("Expected a whole number.")
    if kind == "string_type":
        return _("Expected text.")
    if kind in {"bool_type", "bool_parsing"}:
        return _("Expected true or false.")
    if kind == "list_type":
        return _("Expected a list.")
    if kind in {"dict_type", "model_type", "model_attributes_type"}:
        return _("Expected fields (name: value).")
    if kind == "string_too_short":
        return _("This must not be empty.")
    if kind == "string_too_long":
        limit = ctx.get("max_length", 0)
        return ngettext(
            "This is too long (at most %(count)s character).",
            "This is too long (at most %(count)s characters).",
            limit,
        ) % {"count": limit}
    if kind == "too_short":
        limit = ctx.get("min_length", 0)
        return ngettext(
            "At least %(count)s item is needed.", "At least %(count)s items are needed.", limit
        ) % {"count": limit}
    if kind == "too_long":
        limit = ctx.get("max_length", 0)
        return ngettext(
            "At most %(count)s item is allowed.", "At most %(count)s items are allowed.", limit
        ) % {"count": limit}
    if kind == "greater_than_equal":
        return _("This must be at least %(limit)s.") % {"limit": ctx.get("ge")}
    if kind == "less_than_equal":
        return _("This must be at most %(limit)s.") % {"limit": ctx.get("le")}
    if kind == "string_pattern_mismatch":
        if str(ctx.get("pattern", "")).startswith("^https?"):
            return _("Enter a web address starting with http:// or https://.")
        return _("Use lowercase letters, digits and single hyphens only (like “my-format”).")
    if kind in {"literal_error", "enum"}:
        return _("Expected one of: %(expected)s.") % {"expected": ctx.get("expected", "")}
    if kind == "duration_type":
        return _("Expected minutes (15) or a range of minutes (30-35).")
    if kind == "duration_order":
        return _("A range of minutes goes from low to high (30-35).")
    if kind == "control_character":
        return _("This text contains a control character.")
    if kind == "value_error":
        return str(ctx.get("error", error.get("msg", "")))
    return str(error.get("msg", ""))


def validation_problems(
    error: ValidationError, lines: dict[Location, int] | None = None
) -> list[Problem]:
    lines = lines or {}
    problems: list[Problem] = []
    for item in error.errors(include_url=False):
        base = _clean_location(item["loc"])
        if item["type"] == "format_references":
            for loc, message in item["ctx"]["problems"]:
                where = (*base, *loc)
                problems.append(
                    Problem(
                        format_location(where),
                        message,
                        line=_line_for(where, lines),
                        code="reference",
                    )
                )
            continue
        problems.append(
            Problem(
                format_location(base),
                _message(item),
                line=_line_for(base, lines),
                code=item["type"],
            )
        )
    return problems


def validate_data(
    model: type[M], data: Any, lines: dict[Location, int] | None = None
) -> tuple[M | None, list[Problem]]:
    if not isinstance(data, dict):
        message = _("Expected fields (name: value) at the top level, such as “title: …”.")
        return None, [Problem("", message, line=1 if lines else None, code="not_a_mapping")]
    try:
        return model.model_validate(data), []
    except ValidationError as error:
        return None, validation_problems(error, lines)


def _parse(model: type[M], text: str) -> tuple[M | None, list[Problem]]:
    if not isinstance(text, str) or not text.strip():
        return None, [Problem("", _("The file is empty."), code="empty")]
    data, lines, problems = _load_yaml(text)
    if problems:
        return None, problems
    return validate_data(model, data, lines)


def parse_format_yaml(text: str) -> tuple[Format | None, list[Problem]]:
    return _parse(Format, text)


def parse_questionnaire_yaml(text: str) -> tuple[Questionnaire | None, list[Problem]]:
    return _parse(Questionnaire, text)


# --- Writing YAML ---------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> Any:
        return super().increase_indent(flow, False)  # lists indented under their key


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def dump_yaml(data: Any) -> str:
    return yaml.dump(
        data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1_000_000, indent=2
    )


def _kind_first(data: Any) -> Any:
    """Steps and questions read best with their kind on the first line."""
    if isinstance(data, dict):
        ordered = {"kind": data["kind"]} if "kind" in data else {}
        ordered.update((k, _kind_first(v)) for k, v in data.items() if k != "kind")
        return ordered
    if isinstance(data, list):
        return [_kind_first(item) for item in data]
    return data


def format_to_yaml(fmt: Format) -> str:
    """The format as a file: fields at their defaults are left out, `schema_version` first."""
    data = fmt.model_dump(mode="json", exclude_defaults=True)
    data.pop("schema_version", None)
    return dump_yaml(_kind_first({"schema_version": fmt.schema_version, **data}))


def canonical_data(fmt: Format) -> dict[str, Any]:
    """What is stored in `FormatVersion.data`: every field, defaults included."""
    return fmt.model_dump(mode="json")


def content_hash(data: Any) -> str:
    encoded = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


# --- Built-in files -------------------------------------------------------------------


def _load_dir(
    directory: Path, parse: Callable[[str], tuple[M | None, list[Problem]]]
) -> list[tuple[Path, M]]:
    loaded: list[tuple[Path, M]] = []
    slugs: dict[str, Path] = {}
    for path in sorted(directory.glob("*.yaml")):
        document, problems = parse(path.read_text(encoding="utf-8"))
        if document is None:
            details = "\n".join(f"  {p}" for p in problems)
            raise BuiltinError(f"{path.name} is not valid:\n{details}")
        slug = document.slug  # type: ignore[attr-defined]
        if slug in slugs:
            raise BuiltinError(f"{path.name} and {slugs[slug].name} have the same slug {slug}")
        slugs[slug] = path
        loaded.append((path, document))
    return loaded


@cache
def builtin_formats() -> tuple[tuple[Path, Format], ...]:
    """Every built-in format file with its validated content, in file-name order."""
    return tuple(_load_dir(BUILTIN_DIR, parse_format_yaml))


@cache
def builtin_questionnaires() -> dict[str, Questionnaire]:
    """The built-in questionnaires by slug (the scan module reads them from here)."""
    return {q.slug: q for _path, q in _load_dir(QUESTIONNAIRE_DIR, parse_questionnaire_yaml)}


def get_questionnaire(slug: str) -> Questionnaire | None:
    return builtin_questionnaires().get(slug)


def questionnaire_problems(fmt: Format) -> list[Problem]:
    """Questionnaire steps must name a questionnaire that exists."""
    known = builtin_questionnaires()
    problems = []
    for p, s, step in fmt.steps():
        if step.kind == "questionnaire" and step.questionnaire not in known:
            message = _("There is no questionnaire “%(slug)s”.") % {"slug": step.questionnaire}
            location = format_location(("phases", p, "steps", s, "questionnaire"))
            problems.append(Problem(location, message, code="unknown_questionnaire"))
    return problems


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"built-in formats: {len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged"
        )


def sync_builtin_formats(format_model: Any, version_model: Any) -> LoadReport:
    """Create or update the built-in formats; call inside a transaction.

    Idempotent: a format whose file did not change gets no new version and no write.
    """
    report = LoadReport()
    for path, fmt in builtin_formats():
        data = canonical_data(fmt)
        digest = content_hash(data)
        row = (
            format_model.objects.select_for_update()
            .filter(organisation__isnull=True, slug=fmt.slug)
            .first()
        )
        if row is None:
            row = format_model.objects.create(
                organisation=None, slug=fmt.slug, title=fmt.title, is_builtin=True
            )
            report.created.append(fmt.slug)
        else:
            current = version_model.objects.filter(pk=row.current_version_id).first()
            if current is not None and current.content_hash == digest:
                report.unchanged.append(fmt.slug)
                continue
            report.updated.append(fmt.slug)
        last = version_model.objects.filter(format=row).order_by("-number").first()
        version = version_model.objects.create(
            format=row,
            number=(last.number + 1) if last is not None else 1,
            data=data,
            content_hash=digest,
            note=f"builtin/{path.name}",
        )
        row.current_version = version
        row.title = fmt.title
        row.save(update_fields=["current_version", "title", "updated_at"])
    return report
