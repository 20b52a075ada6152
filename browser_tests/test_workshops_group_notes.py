"""A phone on a groups step and on a world-café (rotation) step applies note events to
the notes it lists, without a reload (live.js used to drop them there)."""

from __future__ import annotations

import uuid

import pytest

from browser_tests.conftest import check_accessible
from browser_tests.test_workshops_live import PHONE, WAIT_MS, open_context
from conftest import make_user
from orgs.models import Membership, Organisation, Role
from workshops import queries, services
from workshops.models import Note
from workshops.queries import participant_group
from workshops.tests.conftest import mini

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api").expect
expect.set_options(timeout=WAIT_MS)


def go(session, kind, actor):
    ref = next(r for r in session.steps() if r.kind == kind)
    services.go_to_step(session, step_id=ref.id, actor=actor)
    return ref


def test_group_and_rotation_phones_apply_note_events(browser, live_server, transactional_db):
    organisation = Organisation.objects.create(name="Bakkerij", slug="bakkerij")
    fien = make_user("fien@bakkerij.test")
    Membership.objects.create(user=fien, organisation=organisation, role=Role.FACILITATOR)
    session = services.start_session(organisation=organisation, fmt=mini(), actor=fien)
    ann, token = services.join_session(code=session.code, name="Ann")
    board = go(session, "board", fien)
    for question in range(len(board.step.questions)):
        services.add_note(
            session,
            participant=None,
            step_id=board.id,
            question=question,
            text=f"board note {question}",
            key=uuid.uuid4(),
        )
    groups = go(session, "groups", fien)
    services.make_groups(session, actor=fien)
    group = participant_group(session, groups, ann)
    assert group is not None and group.question is not None
    mine = Note.objects.get(step_id=board.id, question=group.question)

    context, phone = open_context(
        browser,
        live_server,
        PHONE,
        [{"name": f"lp_{session.code}", "value": token, "url": live_server.url}],
    )
    try:
        phone.goto(f"/j/{session.code}/")
        notes = phone.locator(f"[data-notes][data-step='{board.id}'] .note")
        expect(notes).to_have_text([mine.text])
        check_accessible(phone)
        phone.evaluate("window.__notReloaded = true")

        services.hide_note(session, note_id=mine.public_id, hidden=True, actor=fien)
        expect(notes).to_have_count(0)
        services.hide_note(session, note_id=mine.public_id, hidden=False, actor=fien)
        expect(notes).to_have_text([mine.text])
        assert phone.evaluate("window.__notReloaded === true")

        rotation = go(session, "rotation", fien)
        services.make_groups(session, actor=fien)
        phone.reload()
        group = participant_group(session, rotation, ann)
        assert group is not None
        question = queries.rotation(session, rotation).schedule[0][group.number - 1]
        phone.evaluate("window.__notReloaded = true")
        services.add_note(
            session,
            participant=None,
            step_id=rotation.id,
            question=question,
            text="written at this table",
            key=uuid.uuid4(),
        )
        listed = phone.locator(f"[data-notes='{question}'][data-step='{rotation.id}'] .note")
        expect(listed).to_have_text(["written at this table"])
        assert phone.evaluate("window.__notReloaded === true")
        assert phone.errors == []
    finally:
        context.close()
