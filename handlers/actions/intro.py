""" "We met" on an introduction: logged for both people introduced."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.services.intros import IntroService
from handlers.boundary import record_id
from handlers.reply import answer, team_id_of, user_id_of


def handle_we_met(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient, context: BoltContext
) -> None:
    """Either of the two pressed We met: log it for both (once), tell the clicker privately."""
    ack()
    introduction_id = record_id(action.get("value"))
    if introduction_id is None:
        answer(respond, client, body, "That button is out of date. Nothing was changed.")
        return
    intros: IntroService = context["intros"]
    outcome = intros.we_met(team_id_of(body), user_id_of(body), introduction_id)
    answer(respond, client, body, outcome.text)
