"""The request and response bodies of the live-session API (workshops.api)."""

from __future__ import annotations

import datetime as dt
import re
from datetime import date
from typing import Any
from uuid import UUID

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import ConfigDict, StrictBool, field_validator

from core.text import name_type

# --- Schemas --------------------------------------------------------------------------------


class Input(Schema):
    model_config = ConfigDict(extra="forbid")


class JoinIn(Input):
    code: str = Field(description="The join code, e.g. ABC234.", max_length=40)
    name: str | None = Field(None, description="Optional display name.")


class JoinOut(Schema):
    participant: str
    token: str = Field(description="Send as `Authorization: Bearer <token>`; shown once.")
    name: str
    session: dict[str, Any]


class NoteIn(Input):
    step: str
    question: int = 0
    text: Any = Field(description="At most 500 characters.")
    key: UUID


class NoteEdit(Input):
    text: Any


class NoteOut(Schema):
    id: str
    step: str
    question: int
    text: str
    hidden: bool


class HideIn(Input):
    hidden: StrictBool = True


class VoteIn(Input):
    step: str
    choice: str
    key: UUID
    item: str = Field("", description="The statement: '' for a poll, an index or item key.")


class VoteOut(Schema):
    step: str
    item: str
    choice: str


class ActionIn(Input):
    text: Any
    email: str | None = None
    show_name: StrictBool = False
    key: UUID


class RecapIn(Input):
    recap: Any = Field(
        description="The facilitator's summary in Markdown, at most 20000 characters; "
        "empty removes it."
    )


class ActionOut(Schema):
    id: str
    text: str
    show_name: bool
    email_given: bool


class SummaryIn(Input):
    text: Any
    key: UUID


ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class SessionIn(Input):
    format: str = Field(description="The format's slug or id.")
    organisation: str | None = Field(None, description="Slug; needed if you are in several.")
    title: name_type(200) | None = Field(  # type: ignore[valid-type]
        None, description="The session's title (one line); the format's title by default."
    )
    date: str | None = Field(
        None,
        description="The day of the session, an ISO date (2026-12-01).",
        json_schema_extra={"format": "date"},
    )

    @field_validator("date")
    @classmethod
    def _iso_date(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            if not ISO_DATE.match(value):
                raise ValueError
            day = dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(_("Enter a real date as YYYY-MM-DD, e.g. 2026-12-01.")) from None
        return day.isoformat()


class SessionOut(Schema):
    code: str
    id: UUID
    status: str
    title: str
    date: dt.date | None = Field(None, description="The day the facilitator gave.")
    join_url: str
    console_url: str


class GotoIn(Input):
    step: str


class ItemIn(Input):
    index: int


class TimerIn(Input):
    action: str = Field(description="start, pause or extend")
    seconds: int | None = None


class GroupsIn(Input):
    count: int | None = Field(None, description="Number of groups; the step's own by default.")


class MoveIn(Input):
    participant: str
    group: UUID


class ShowActionIn(Input):
    action: UUID | None = None


class ActionPointIn(Input):
    text: Any
    owner: str = ""
    first_step: str = ""
    due_date: date | None = None
    evaluation_date: date | None = None
    key: UUID


class ReviewPickIn(Input):
    step: str = Field(max_length=40, description="The current `action_review` step's id.")
    team: str = Field("", max_length=40, description="A team's id (empty: every team).")
    theme: str = Field("", max_length=20, description="budget, time, securing, route or other.")
    from_session: str = Field("", max_length=40, description="An earlier session's id.")


class ReviewPickOut(Schema):
    count: int
    actions: list[str]


class ReviewIn(Input):
    step: str = Field(max_length=40, description="The current `action_review` step's id.")
    status: str | None = Field(None, max_length=20, description="open, in_progress, done, dropped.")
    note: Any = Field("", description="A progress note (at most 2000 characters).")


class ReviewOut(Schema):
    id: str
    status: str


class Ok(Schema):
    status: str
    seq: int


def note_out(note: Any) -> dict[str, Any]:
    return {
        "id": str(note.public_id),
        "step": note.step_id,
        "question": note.question,
        "text": note.text,
        "hidden": note.hidden,
    }
