"""`/intro @ana @ben why`: connect two people."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.services.intros import IntroService
from handlers.after_ack import AfterAck
from handlers.reply import replier


def handle_intro(ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient, context: BoltContext) -> None:
    """Ack, then check the people, open the group DM and record the introduction after the ack."""
    ack()
    reply = replier(respond, client, command)
    intros: IntroService = context["intros"]
    team_id, user_id = str(command.get("team_id", "")), str(command.get("user_id", ""))
    text = str(command.get("text") or "")
    after_ack: AfterAck = context["after_ack"]
    after_ack.submit(command, lambda: reply((intros.introduce(team_id, user_id, text).text, [])))
