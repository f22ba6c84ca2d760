"""`/prep @person`: a private brief before a meeting."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.services.prep import PrepRefusal, PrepService
from handlers.after_ack import AfterAck
from handlers.blocks.prep import prep_message
from handlers.reply import replier

# Slack escapes a picked name as <@U…|name> (should_escape); a bare U… id is accepted too.
_MENTION = re.compile(r"<@([UW][A-Z0-9]{2,20})(?:\|[^>]*)?>|^([UW][A-Z0-9]{2,20})$")
USAGE = "Who are you meeting? Try `/prep @dana` — pick the name from Slack's list so it becomes a mention."


def handle_prep(ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient, context: BoltContext) -> None:
    """`/prep @person`: ack, then the brief (only the asker sees it)."""
    ack()
    reply = replier(respond, client, command)
    text = str(command.get("text") or "").strip()
    mentions = [a or b for a, b in _MENTION.findall(text)]
    if len(mentions) != 1:
        reply((USAGE if not mentions else "One person at a time, please: `/prep @dana`.", []))
        return
    team_id, user_id = str(command.get("team_id", "")), str(command.get("user_id", ""))
    prep: PrepService = context["prep"]

    def brief() -> None:
        found = prep.brief(team_id, user_id, mentions[0])
        if isinstance(found, PrepRefusal):
            reply((found.text, []))
        else:
            reply(prep_message(found))

    after_ack: AfterAck = context["after_ack"]
    after_ack.submit(command, brief)
