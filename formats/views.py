"""The format library's pages: the list, a format's script, copy, edit, history, import and
export. Every page is under /o/<slug>/formats/ and goes through orgs.access: another
organisation's format (and anything of an organisation one is not in) answers 404; members
read, facilitators and administrators change. Built-in formats are read-only.

Views are thin: access, the form, a call to formats.services, render or redirect.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import DomainError
from orgs.access import org_view
from orgs.models import Membership, Role

from . import editor, library, schema, services
from .loader import (
    MAX_YAML_BYTES,
    Problem,
    canonical_data,
    parse_format_yaml,
    questionnaire_problems,
)
from .models import Format
from .timing import analyse, overview

# --- Helpers --------------------------------------------------------------------------


def _membership(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined,no-any-return]


def _can_edit(request: HttpRequest) -> bool:
    return _membership(request).has_role(Role.FACILITATOR)


def _editable(request: HttpRequest, ref: str) -> Format:
    """The organisation's own format, for a facilitator or admin; a built-in is read-only."""
    organisation = _membership(request).organisation
    fmt = library.get_format(organisation, ref)
    if fmt.is_builtin:
        raise PermissionDenied(_("Built-in formats cannot be changed. Make a copy to adapt it."))
    return fmt


def _url(request: HttpRequest, name: str, fmt: Format | None = None, *extra: Any) -> str:
    slug = _membership(request).organisation.slug
    args: list[Any] = [slug]
    if fmt is not None:
        args.append(str(fmt.public_id))
    return reverse(name, args=[*args, *extra])


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


# --- Library --------------------------------------------------------------------------


@org_view()
@require_http_methods(["GET"])
def format_library(request: HttpRequest) -> HttpResponse:
    organisation = _membership(request).organisation
    filters = library.Filters.from_query(request.GET)
    entries, total = library.library(organisation, filters)
    context = {
        "section": "formats",
        "filters": filters,
        "entries": entries,
        "total": total,
        "audiences": [(a.value, a.label) for a in schema.Audience],
        "durations": [(k, v[0]) for k, v in library.DURATION_FILTERS.items()],
        "kinds": [(k, schema.STEP_KIND_LABELS[k]) for k in schema.STEP_KINDS],
        "languages": list(library.LANGUAGE_FILTERS.items()),
        "origins": list(library.ORIGIN_FILTERS.items()),
        "can_edit": _can_edit(request),
    }
    template = "formats/library.html"
    if _is_htmx(request) and request.headers.get("HX-Target") == "format-results":
        template += "#results"
    return render(request, template, context)


@org_view()
@require_http_methods(["GET"])
def format_detail(request: HttpRequest, ref: str) -> HttpResponse:
    organisation = _membership(request).organisation
    fmt = library.get_format(organisation, ref)
    content = fmt.content
    return render(
        request,
        "formats/detail.html",
        {
            "section": "formats",
            "format": fmt,
            "content": content,
            "timing": overview(content),
            "timeline": library.timeline(content),
            "warnings": analyse(content),
            "statements": library.statements(content),
            "flipcharts": library.flipchart_headers(content),
            "questionnaires": _questionnaires(content),
            "can_edit": _can_edit(request),
            "is_own": fmt.organisation_id == organisation.pk,
        },
    )


def _questionnaires(content: schema.Format) -> dict[str, Any]:
    from .loader import get_questionnaire

    found = {}
    for _p, _s, step in content.steps():
        if step.kind == "questionnaire":
            found[step.questionnaire] = get_questionnaire(step.questionnaire)
    return found


@org_view(Role.FACILITATOR)
@require_POST
def format_copy(request: HttpRequest, ref: str) -> HttpResponse:
    organisation = _membership(request).organisation
    source = library.get_format(organisation, ref)
    try:
        copy = services.copy_format(source, organisation=organisation, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(_url(request, "format_detail", source))
    messages.success(
        request,
        _("“%(title)s” is now in your organisation's library. Adapt it here.")
        % {"title": copy.title},
    )
    return redirect(_url(request, "format_edit", copy))


# --- Editor ---------------------------------------------------------------------------


def _editor_context(
    request: HttpRequest, fmt: Format, draft: dict[str, Any], result: editor.Check
) -> dict[str, Any]:
    general, phases = editor.build_forms(draft)
    fields = editor.all_fields(general, phases)
    summary = editor.attach_problems(fields, result.problems)
    by_phase: dict[int, list[Any]] = {p.index: [] for p in phases}
    for warning in result.warnings:
        if warning.phase_index is not None and warning.phase_index in by_phase:
            by_phase[warning.phase_index].append(warning)
    for phase in phases:
        phase.warnings = by_phase[phase.index]  # type: ignore[attr-defined]
    return {
        "section": "formats",
        "format": fmt,
        "general": general,
        "phases": phases,
        "draft": editor.dump_draft(draft),
        "result": result,
        "fields": fields,
        "problem_links": summary,
        "addable_kinds": [(k, schema.STEP_KIND_LABELS[k]) for k in editor.ADDABLE_KINDS],
        "base_version": fmt.current_version.number if fmt.current_version else 0,
        "yaml_url": _url(request, "format_yaml", fmt),
    }


def _save(
    request: HttpRequest, fmt: Format, result: editor.Check, note: str
) -> tuple[HttpResponse | None, editor.Check]:
    """Store checked content as a new version: a redirect, or the problems found."""
    try:
        version = services.save_version(fmt, data=result.content, actor=request.user, note=note)
    except services.FormatInvalid as error:
        return None, editor.Check(None, error.problems, [], None)
    except DomainError as error:
        messages.error(request, error.message)
        return None, result
    messages.success(request, _("Saved as version %(number)s.") % {"number": version.number})
    return redirect(_url(request, "format_detail", fmt)), result


@org_view(Role.FACILITATOR)
@require_http_methods(["GET", "POST"])
def format_edit(request: HttpRequest, ref: str) -> HttpResponse:
    fmt = _editable(request, ref)
    stored = canonical_data(fmt.content)
    if request.method == "GET":
        return render(
            request,
            "formats/edit.html",
            _editor_context(request, fmt, stored, editor.check(stored)),
        )
    op = str(request.POST.get("op", "check"))
    try:
        draft = editor.read_draft(request.POST.get("draft"), stored)
        draft = editor.apply_post(draft, request.POST)
        draft = editor.apply_operation(draft, op, request.POST)
        result = editor.check(draft)
    except editor.DraftError:
        messages.error(
            request, _("The editor could not read what was sent. It shows the stored version.")
        )
        return redirect(_url(request, "format_edit", fmt))
    status = 200
    if op == "save":
        base = str(request.POST.get("base_version", ""))
        current = str(fmt.current_version.number if fmt.current_version else 0)
        if base != current:
            messages.error(
                request,
                _(
                    "Someone saved a new version while you were editing (version %(number)s). "
                    "Your changes are still here; look at the history before saving again."
                )
                % {"number": current},
            )
            status = 409
        elif result.content is not None:
            note = str(request.POST.get("note", "")).strip()[:200]
            saved, result = _save(request, fmt, result, note)
            if saved is not None:
                return saved
            status = 400
        else:
            status = 400
    context = _editor_context(request, fmt, draft, result)
    if op == "save" and status == 400 and result.problems:
        messages.error(request, _("Nothing was saved: fix the problems listed below first."))
    return render(request, "formats/edit.html", context, status=status)


@org_view(Role.FACILITATOR)
@require_POST
def format_edit_check(request: HttpRequest, ref: str) -> HttpResponse:
    """The check panel for the editor's form as it is now (htmx, while typing)."""
    fmt = _editable(request, ref)
    stored = canonical_data(fmt.content)
    try:
        draft = editor.read_draft(request.POST.get("draft"), stored)
        draft = editor.apply_post(draft, request.POST)
    except editor.DraftError:
        return HttpResponseBadRequest(_("The editor could not read what was sent."))
    context = _editor_context(request, fmt, draft, editor.check(draft))
    context["oob"] = True
    return render(request, "formats/edit.html#check-panel", context)


class YamlForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("The format as YAML"),
        widget=forms.Textarea(attrs={"rows": 30, "spellcheck": "false"}),
        max_length=MAX_YAML_BYTES,
        strip=False,
    )


def _yaml_check(text: str) -> editor.Check:
    content, problems = parse_format_yaml(text)
    if content is not None:
        problems = questionnaire_problems(content)
    if content is None or problems:
        return editor.Check(None, problems, [], None)
    return editor.Check(content, [], analyse(content), overview(content))


@org_view(Role.FACILITATOR)
@require_http_methods(["GET", "POST"])
def format_yaml(request: HttpRequest, ref: str) -> HttpResponse:
    fmt = _editable(request, ref)
    if request.method == "GET":
        form = YamlForm(initial={"text": services.export_yaml(fmt)})
        result = editor.check(canonical_data(fmt.content))
        return render(
            request,
            "formats/yaml.html",
            {"section": "formats", "format": fmt, "form": form, "result": result},
        )
    form = YamlForm(request.POST)
    status = 400
    result = editor.Check(None, [], [], None)
    if form.is_valid():
        result = _yaml_check(form.cleaned_data["text"])
        if request.POST.get("op") == "save" and result.content is not None:
            saved, result = _save(request, fmt, result, _("Edited as YAML"))
            if saved is not None:
                return saved
        elif result.content is not None:
            status = 200
    template = "formats/yaml.html"
    if _is_htmx(request):
        template += "#check-panel"
        status = 200
    return render(
        request,
        template,
        {"section": "formats", "format": fmt, "form": form, "result": result},
        status=status,
    )


# --- History --------------------------------------------------------------------------


@org_view()
@require_http_methods(["GET"])
def format_history(request: HttpRequest, ref: str) -> HttpResponse:
    organisation = _membership(request).organisation
    fmt = library.get_format(organisation, ref)
    versions = fmt.versions.select_related("created_by").order_by("-number")
    return render(
        request,
        "formats/history.html",
        {
            "section": "formats",
            "format": fmt,
            "versions": versions,
            "can_revert": _can_edit(request) and not fmt.is_builtin,
        },
    )


@org_view(Role.FACILITATOR)
@require_POST
def format_revert(request: HttpRequest, ref: str, number: int) -> HttpResponse:
    fmt = _editable(request, ref)
    try:
        version = services.revert_to(fmt, version_number=number, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(_url(request, "format_history", fmt))
    messages.success(
        request,
        _("Version %(old)s is current again, as version %(new)s.")
        % {"old": number, "new": version.number},
    )
    return redirect(_url(request, "format_history", fmt))


# --- Import and export ----------------------------------------------------------------


class ImportForm(forms.Form):
    file = forms.FileField(
        allow_empty_file=True,
        label=gettext_lazy("YAML file"),
        help_text=gettext_lazy("A format exported from lerend, or written by hand (.yaml)."),
    )


@org_view(Role.FACILITATOR)
@require_http_methods(["GET", "POST"])
def format_import(request: HttpRequest) -> HttpResponse:
    organisation = _membership(request).organisation
    problems: list[Problem] = []
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            text = None
            if upload.size > MAX_YAML_BYTES:
                message = _("The file is too large (at most %(size)s KB).") % {
                    "size": MAX_YAML_BYTES // 1024
                }
                problems = [Problem("", message, code="too_large")]
            else:
                try:
                    text = upload.read().decode("utf-8-sig")
                except UnicodeDecodeError:
                    message = _("The file is not text in UTF-8.")
                    problems = [Problem("", message, code="encoding")]
            if text is not None:
                try:
                    fmt = services.import_yaml(text, organisation=organisation, actor=request.user)
                except services.FormatInvalid as error:
                    problems = error.problems
                except DomainError as error:
                    problems = [Problem("", error.message, code=error.code)]
                else:
                    messages.success(request, _("Imported “%(title)s”.") % {"title": fmt.title})
                    return redirect(_url(request, "format_detail", fmt))
    else:
        form = ImportForm()
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "formats/import.html",
        {"section": "formats", "form": form, "problems": problems},
        status=status,
    )


@org_view()
@require_http_methods(["GET"])
def format_export(request: HttpRequest, ref: str) -> HttpResponse:
    organisation = _membership(request).organisation
    fmt = library.get_format(organisation, ref)
    number = request.GET.get("version")
    version_number = int(number) if number and number.isascii() and number.isdigit() else None
    try:
        text = services.export_yaml(fmt, version_number=version_number)
    except DomainError as error:
        raise Http404 from error
    response = HttpResponse(text, content_type="application/yaml; charset=utf-8")
    suffix = f"-v{version_number}" if version_number else ""
    disposition = content_disposition_header(
        as_attachment=True, filename=f"{fmt.slug}{suffix}.yaml"
    )
    response["Content-Disposition"] = disposition or "attachment"
    return response
