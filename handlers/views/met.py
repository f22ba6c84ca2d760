"""The `/met` modal submission.

Decisions:

* Slack closes the modal only on an ack within 3 s, and shows field errors only in that ack. So the ack carries
  what the payload alone can tell (nobody picked, more than 20 people, a day after tomorrow everywhere, notes too
  long, a follow-up that is not a choice), and everything that needs Slack or the database (users.info on each
  person, the author's zone, the write) runs after it. Its outcome arrives as an ephemeral message (or a DM),
  with what the person typed when it could not be logged. Rejected: validating everything before the ack, which
  turned a slow users.info into an error shown for an entry that was in fact stored.
* The write is keyed by the view submission (view id + the submitted state), so a retry of the same submission
  (Slack's, or the person's) stores nothing new; the person is told it was already logged.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.domain.models import InteractionKind
from bot.services.interactions import MAX_FOLLOW_UP_DAYS, InteractionService, Logged
from handlers import ids
from handlers.blocks import met as blocks
from handlers.blocks.common import Message, escape
from handlers.boundary import bounded_int, calendar_day
from handlers.reply import field_state, private_metadata, selected_value, team_id_of, tell, user_id_of, view_values

logger = logging.getLogger(__name__)

_BROKE = "something went wrong on my side while saving it."


@dataclass(frozen=True, slots=True)
class LogForm:
    """The modal's state: people, day, kind, notes (Slack-escaped), follow-up days (None = not a valid choice)."""

    people: tuple[str, ...]
    day: date | None
    kind: InteractionKind
    notes: str
    follow_up_days: int | None
    follow_up_valid: bool = True
    day_valid: bool = True


def parse_log_form(values: dict[str, Any]) -> LogForm:
    """Read the modal's state defensively (anything missing or odd gets a default or is flagged)."""
    raw_people = field_state(values, ids.MET_PEOPLE_BLOCK, ids.MET_PEOPLE_ACTION).get("selected_users")
    people = tuple(str(u) for u in raw_people) if isinstance(raw_people, list) else ()
    raw_day = field_state(values, ids.MET_DATE_BLOCK, ids.MET_DATE_ACTION).get("selected_date")
    day = calendar_day(raw_day) if raw_day else None
    day_valid = not raw_day or day is not None
    try:
        kind = InteractionKind(str(selected_value(values, ids.MET_KIND_BLOCK, ids.MET_KIND_ACTION)))
    except ValueError:
        kind = InteractionKind.MEETING
    # Stored notes are Slack-escaped text, like slash-command text, so both render the same way.
    notes = escape(str(field_state(values, ids.MET_NOTES_BLOCK, ids.MET_NOTES_ACTION).get("value") or ""))
    raw_follow = selected_value(values, ids.MET_FOLLOW_UP_BLOCK, ids.MET_FOLLOW_UP_ACTION)
    follow_up_days = bounded_int(raw_follow, 0, MAX_FOLLOW_UP_DAYS) if raw_follow is not None else None
    follow_valid = raw_follow is None or follow_up_days is not None
    return LogForm(people, day, kind, notes, follow_up_days, follow_valid, day_valid)


def submission_key(user_id: str, view: dict[str, Any]) -> str:
    """One key per view submission: the same view submitted with the same state gives the same key."""
    state = json.dumps(view_values(view), sort_keys=True, default=str)
    return hashlib.sha256(f"{user_id}\n{view.get('id', '')}\n{state}".encode()).hexdigest()


def handle_log_submission(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """The log modal: field errors in the ack; the write and its outcome (an ephemeral or a DM) after it."""
    interactions: InteractionService = context["interactions"]
    team_id, user_id = team_id_of(body), user_id_of(body)
    form = parse_log_form(view_values(view))
    errors = interactions.check_form(user_id, form.people, form.day, form.notes, form.follow_up_days)
    if not form.follow_up_valid:
        errors["follow_up"] = "Pick one of the follow-up choices."
    if not form.day_valid:
        errors["date"] = "Pick a day from 2000 on (and not in the future)."
    if errors:
        ack(response_action="errors", errors={ids.MET_FIELD_BLOCKS[name]: text for name, text in errors.items()})
        return
    ack()
    channel_id = private_metadata(view).get("channel_id")

    def not_logged(reason: str) -> Message:
        others = tuple(u for u in dict.fromkeys(form.people) if u != user_id)
        return blocks.not_logged_message(reason, others, form.day, form.kind, form.notes, form.follow_up_days)

    try:
        outcome = interactions.log_from_form(
            team_id,
            user_id,
            form.people,
            form.day,
            form.kind,
            form.notes,
            form.follow_up_days,
            submission_key=submission_key(user_id, view),
        )
    except Exception:
        # The modal is closed by now, so this message is the only place the typed entry survives.
        logger.exception("logging from the form failed team=%s user=%s", team_id, user_id)
        tell(client, channel_id, user_id, *not_logged(_BROKE))
        return
    if not isinstance(outcome, Logged):
        tell(client, channel_id, user_id, *not_logged(outcome.message))
    elif outcome.repeated:
        tell(client, channel_id, user_id, *blocks.already_logged_message(outcome))
    else:
        tell(client, channel_id, user_id, *blocks.logged_message(outcome))
