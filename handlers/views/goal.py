"""The goal form (from the Home tab): a bad goal is answered on the field; a good one updates the tab."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.domain.insight.goals import GoalError, parse_goal
from bot.services.insight import InsightService
from handlers import ids
from handlers.after_ack import AfterAck
from handlers.blocks.home import goal_text_from_form
from handlers.home import redraw_home
from handlers.reply import field_state, team_id_of, user_id_of, view_values


def handle_goal_submission(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Check the goal from the payload alone (errors in the ack), then save it and redraw Home after the ack."""
    values = view_values(view)
    kind = (field_state(values, ids.GOAL_KIND_BLOCK, ids.GOAL_KIND_ACTION).get("selected_option") or {}).get("value")
    target = field_state(values, ids.GOAL_TARGET_BLOCK, ids.GOAL_TARGET_ACTION).get("value")
    text = goal_text_from_form(str(kind or ""), str(target) if target else None)
    parsed = parse_goal(text)
    if isinstance(parsed, GoalError):
        ack(response_action="errors", errors={ids.GOAL_TARGET_BLOCK: parsed.message[:150]})
        return
    ack()
    team_id, user_id = team_id_of(body), user_id_of(body)
    insight: InsightService = context["insight"]

    def save() -> None:
        insight.change_goal(team_id, user_id, text)
        redraw_home(context, team_id, user_id)

    after_ack: AfterAck = context["after_ack"]
    after_ack.submit(body, save)
