"""The API of an `action_review` step: pick the agreements to review, then review them.

Kept apart from workshops.api (which it builds on) so that neither module grows past what
one person reads at once; mounted beside it in lerend/api.py.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from core.api_errors import error_responses

from . import services
from .api import _facilitator
from .api_schemas import ReviewIn, ReviewOut, ReviewPickIn, ReviewPickOut

review_router = Router(tags=["live sessions"])


@review_router.post(
    "/sessions/{code}/review",
    response={200: ReviewPickOut, **error_responses(400, 403, 404, 409)},
    summary="Pick the open agreements an action_review step reviews (replaces the pick)",
)
def post_review_pick(request: HttpRequest, code: str, payload: ReviewPickIn) -> Any:
    session = _facilitator(request, code)
    picked = services.pick_for_review(
        session,
        step_id=payload.step,
        team=payload.team,
        theme=payload.theme,
        from_session=payload.from_session,
        actor=request.auth,  # type: ignore[attr-defined]
    )
    return {"count": len(picked), "actions": [str(a.public_id) for a in picked]}


@review_router.post(
    "/sessions/{code}/review/{action_id}",
    response={200: ReviewOut, **error_responses(400, 403, 404, 409)},
    summary="Change a picked agreement's status and/or add a note (into the register)",
)
def post_review(request: HttpRequest, code: str, action_id: str, payload: ReviewIn) -> Any:
    session = _facilitator(request, code)
    action = services.review_action(
        session,
        step_id=payload.step,
        action_id=action_id,
        status=payload.status,
        note=payload.note,
        actor=request.auth,  # type: ignore[attr-defined]
    )
    return {"id": str(action.public_id), "status": action.status}
