"""Every step kind has one activity module, found through the registry, and every module
does its part for the steps of the built-in formats: the screens, results and summary."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import get_args

import pytest

from formats import schema
from formats.models import Format
from workshops import activities, services
from workshops.models import Note
from workshops.state import participant_state, results, step_view
from workshops.summary import build_summary

from .conftest import key

APP = Path(__file__).resolve().parent.parent


def schema_kinds() -> set[str]:
    union = get_args(schema.Step)[0] if hasattr(schema, "Step") else None
    kinds = set()
    for cls in get_args(union) if union else []:
        kinds.add(get_args(cls.model_fields["kind"].annotation)[0])
    if not kinds:
        kinds = set(schema.STEP_KIND_LABELS)
    return kinds


def test_every_kind_has_exactly_one_module():
    assert set(activities.REGISTRY) == schema_kinds()
    for kind in activities.MODULES:
        activity = activities.get(kind)
        assert activity.kind == kind
        assert type(activity).__module__ == f"workshops.activities.{kind}"
        assert (APP / "activities" / f"{kind}.py").exists()
    with pytest.raises(KeyError):
        activities.get("no_such_kind")


@pytest.mark.parametrize("kind", activities.MODULES)
def test_each_activity_on_the_built_in_formats(kind, org, facilitator_user):
    """Go to every step of this kind in the built-in formats and ask the module for its
    screens, results and summary; what a participant contributes there is stored."""
    activity = activities.get(kind)
    found = 0
    for fmt in Format.objects.filter(is_builtin=True).order_by("slug"):
        session = services.start_session(organisation=org, fmt=fmt, actor=facilitator_user)
        people = [services.join_session(code=session.code)[0] for _i in range(3)]
        for ref in session.steps():
            if ref.kind != kind:
                continue
            found += 1
            services.go_to_step(session, step_id=ref.id, actor=facilitator_user)
            if activity.has_groups:
                services.make_groups(session, actor=facilitator_user)
            view = step_view(session, ref, facilitator=True)
            assert view["kind"] == kind and view["id"] == ref.id
            assert set(activity.view(session, ref, facilitator=False)) <= set(view)
            state = participant_state(session, people[0])
            assert state["step"]["id"] == ref.id
            json.dumps(results(session, ref), default=str)
            questions = activity.questions(session, ref)
            if activity.takes_notes and kind in ("board", "groups"):
                before = Note.objects.filter(session=session).count()
                services.add_note(
                    session,
                    participant=None,
                    step_id=ref.id,
                    question=0,
                    text=f"about {kind}",
                    key=key(),
                )
                assert Note.objects.filter(session=session).count() == before + 1
                assert activity.question_count(session, ref) == max(1, len(questions))
            options = activity.vote_options(ref, "" if kind == "statement_poll" else "0")
            if kind == "checklist":
                options = activity.vote_options(ref, ref.step.items[0].key)
            if options:
                item = {
                    "statement_poll": "",
                    "checklist": ref.step.items[0].key if kind == "checklist" else "",
                }.get(kind, "0")
                vote = services.cast_vote(
                    session,
                    participant=people[0],
                    step_id=ref.id,
                    choice=options[0],
                    key=key(),
                    item=item,
                )
                assert vote.created and vote.value.choice == options[0]
        summary = build_summary(session)
        for entry in summary["steps"]:
            assert entry["kind"] in activities.REGISTRY
        services.end_session(session, actor=facilitator_user)
    if found == 0:
        pytest.skip(f"no built-in format has a {kind} step")


def _imports(path: Path) -> set[str]:
    """The workshops modules a file imports (also inside functions)."""
    tree = ast.parse(path.read_text())
    package = ".".join(path.relative_to(APP.parent).with_suffix("").parts)
    if path.name == "__init__.py":
        package += ".__init__"
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: -node.level]
                name = ".".join([*base, *(node.module.split(".") if node.module else [])])
            else:
                name = node.module or ""
            found.add(name)
            for alias in node.names:
                found.add(f"{name}.{alias.name}")
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {n for n in found if n.startswith("workshops.")}


def test_no_import_circle_between_services_state_summary_tasks():
    modules: dict[str, set[str]] = {}
    for path in APP.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        name = ".".join(path.relative_to(APP.parent).with_suffix("").parts)
        modules[name.removesuffix(".__init__")] = _imports(path)
    graph = {m: {n for n in deps if n in modules and n != m} for m, deps in modules.items()}

    def reaches(start: str, goal: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            current = todo.pop()
            for nxt in graph.get(current, ()):
                if nxt == goal:
                    return True
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return False

    for a in ("workshops.state", "workshops.summary", "workshops.tasks", "workshops.queries"):
        assert not reaches(a, "workshops.services"), a
    for module in graph:
        if module.startswith("workshops.activities"):
            assert not reaches(module, "workshops.state"), module
            assert not reaches(module, "workshops.services"), module


def test_no_module_is_far_past_500_lines():
    for path in APP.rglob("*.py"):
        if "migrations" in path.parts or "tests" in path.parts:
            continue
        assert len(path.read_text().splitlines()) <= 600, path
