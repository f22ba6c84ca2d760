"""`/network`: goals and the picture of your network (`/network goal …`, `/network map`, `/network help`)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.domain.insight.goals import goal_help
from bot.services.insight import InsightService
from handlers.after_ack import AfterAck
from handlers.home import publish_home
from handlers.network import send_network_map
from handlers.reply import replier

HELP = (
    "*Rapport — your network*\n"
    "• `/network goal 4 new people a month` — set a goal (`/network goal off` stops it); progress is on my Home tab\n"
    "• `/network map` — a picture of who you've met, grouped by team, in your DM\n"
    "• `/prep @dana` — a private brief before you meet someone\n"
    "Everything here comes from your own log and is visible only to you."
)


def handle_network(
    ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient, context: BoltContext
) -> None:
    """`/network …`: ack, then the answer after the ack (drawing a picture takes a moment)."""
    ack()
    reply = replier(respond, client, command)
    team_id, user_id = str(command.get("team_id", "")), str(command.get("user_id", ""))
    verb, _, rest = " ".join(str(command.get("text") or "").split()).partition(" ")
    insight: InsightService = context["insight"]
    after_ack: AfterAck = context["after_ack"]
    match verb.lower():
        case "" | "help":
            reply((HELP, []))
        case "goal" | "goals":
            if not rest:
                reply((goal_help(), []))
                return

            def set_goal() -> None:
                changed = insight.change_goal(team_id, user_id, rest)
                reply((changed.text, []))
                if changed.ok:
                    publish_home(client, context["home"], team_id, user_id)

            after_ack.submit(command, set_goal)
        case "map" | "picture":
            after_ack.submit(
                command,
                lambda: reply((send_network_map(client, insight, context["people"], team_id, user_id), [])),
            )
        case _:
            reply((f"I don't know `/network {verb[:40]}`.\n\n{HELP}", []))
