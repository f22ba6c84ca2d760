"""`/network`: goals and the picture of your network (`/network goal …`, `/network map`, `/network help`)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.domain.insight.goals import goal_help
from bot.services.insight import InsightService
from bot.services.reviews import DAY_NAMES, ReviewService
from handlers.admin import send_admin_view
from handlers.after_ack import AfterAck
from handlers.data_rights import forget_modal, send_export
from handlers.home import redraw_home
from handlers.network import send_network_map
from handlers.reply import open_modal, replier

HELP = (
    "*Rapport — your network*\n"
    "• `/network goal 4 new people a month` — set a goal (`/network goal off` stops it); progress is on my Home tab\n"
    "• `/network map` — a picture of who you've met, grouped by team, in your DM\n"
    "• `/prep @dana` — a private brief before you meet someone\n"
    "• `/network export` — everything Rapport holds about you, as files in your DM\n"
    "• `/network forget` — delete your data (you confirm first)\n"
    "• `/network review friday` — your weekly review on another day (`/network review off` stops it)\n"
    "• `/network admin` — workspace aggregates, for admins and owners\n"
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
                    redraw_home(context, team_id, user_id)

            after_ack.submit(command, set_goal)
        case "map" | "picture":
            after_ack.submit(
                command,
                lambda: reply((send_network_map(client, insight, context["people"], team_id, user_id), [])),
            )
        case "admin":
            after_ack.submit(
                command,
                lambda: reply(send_admin_view(client, context["admin"], team_id, user_id, context.get("mentoring"))),
            )
        case "review" | "reviews":
            reply((_review_day(context["reviews"], team_id, user_id, rest), []))
        case "export":
            after_ack.submit(
                command, lambda: reply((send_export(client, context["data_rights"], team_id, user_id), []))
            )
        case "forget":
            if not open_modal(client, str(command.get("trigger_id", "")), forget_modal()):
                reply(("I couldn't open the confirmation just now — please try again in a moment.", []))
        case _:
            reply((f"I don't know `/network {verb[:40]}`.\n\n{HELP}", []))


def _review_day(reviews: ReviewService, team_id: str, user_id: str, text: str) -> str:
    """`/network review monday|…|sunday|on|off`."""
    word = text.strip().lower()
    if word == "off":
        return reviews.set_day(team_id, user_id, None)
    if word in ("", "on"):
        return reviews.set_day(team_id, user_id, 0)
    days = [index for index, name in enumerate(DAY_NAMES) if name.startswith(word[:3])] if len(word) >= 3 else []
    if len(days) != 1:
        return "Which day? `/network review monday` (any weekday), or `/network review off`."
    return reviews.set_day(team_id, user_id, days[0])
