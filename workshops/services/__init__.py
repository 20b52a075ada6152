"""Every change to a live session goes through here.

Each function runs in one transaction, locks the session row, checks the rules (raising
DomainError with a message for people: 400 bad input, 404 unknown, 409 not now, 429 too
often), changes the rows and stores the events that report the change (`events.emit`);
the events are published after commit. Access (who may call what) is checked by the
caller, see workshops.access. The modules, by what changes:

- `lifecycle`: starting, joining, ending, purging a session;
- `flow`: steps, items and rounds, the timer;
- `contributions`: the one contribution path (notes, votes, actions, group summaries);
- `facilitation`: groups, the scribe, the presenter screen, action points, photos;
- `review`: the `action_review` step (open agreements of the register reviewed live);
- `recap`: the facilitator's own summary of the session.

What a kind of step means (its questions, choices, groups) is in `workshops.activities`.
"""

from core.errors import DomainError

from ..queries import participant_group, vote_counts
from .common import Result, atomic
from .contributions import (
    CONTRIBUTIONS_PER_MINUTE,
    Contribution,
    action,
    add_note,
    cast_vote,
    contribute,
    delete_note,
    edit_note,
    group_summary,
    note,
    submit_action,
    vote,
    write_group_summary,
)
from .facilitation import (
    PHOTO_MAX_BYTES,
    add_action_point,
    add_photo,
    hide_note,
    make_groups,
    move_participant,
    set_hands_up,
    set_scribe,
    show_action,
    show_scan_results,
)
from .flow import (
    extend_timer,
    go_to_step,
    next_step,
    pause_timer,
    planned_seconds,
    previous_step,
    set_item,
    start_timer,
)
from .lifecycle import (
    NAME_MAX_LENGTH,
    WRONG_CODES_PER_MINUTE,
    can_delete,
    delete_waiting_session,
    email_summary,
    end_idle_sessions,
    end_session,
    join_session,
    purge_expired,
    start_session,
)
from .recap import clean_recap, write_recap
from .review import MAX_REVIEWED, pick_for_review, review_action

__all__ = [
    "CONTRIBUTIONS_PER_MINUTE",
    "MAX_REVIEWED",
    "NAME_MAX_LENGTH",
    "PHOTO_MAX_BYTES",
    "WRONG_CODES_PER_MINUTE",
    "Contribution",
    "DomainError",
    "Result",
    "action",
    "add_action_point",
    "add_note",
    "add_photo",
    "atomic",
    "can_delete",
    "cast_vote",
    "clean_recap",
    "contribute",
    "delete_note",
    "delete_waiting_session",
    "edit_note",
    "email_summary",
    "end_idle_sessions",
    "end_session",
    "extend_timer",
    "go_to_step",
    "group_summary",
    "hide_note",
    "join_session",
    "make_groups",
    "move_participant",
    "next_step",
    "note",
    "participant_group",
    "pause_timer",
    "pick_for_review",
    "planned_seconds",
    "previous_step",
    "purge_expired",
    "review_action",
    "set_hands_up",
    "set_item",
    "set_scribe",
    "show_action",
    "show_scan_results",
    "start_session",
    "start_timer",
    "submit_action",
    "vote",
    "vote_counts",
    "write_group_summary",
    "write_recap",
]
