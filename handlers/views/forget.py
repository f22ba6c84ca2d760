"""The "forget me" confirmation: forget after the ack, then say so and redraw Home."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.services.data_rights import DataRightsService
from handlers.after_ack import AfterAck
from handlers.home import redraw_home
from handlers.reply import team_id_of, tell, user_id_of


def handle_forget_submission(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """Confirmed: delete and anonymise (idempotent), then tell the person."""
    ack()
    team_id, user_id = team_id_of(body), user_id_of(body)
    data_rights: DataRightsService = context["data_rights"]

    def forget() -> None:
        data_rights.forget(team_id, user_id)
        tell(client, None, user_id, "Done: Rapport has forgotten you. Nothing you logged or set is kept.")
        redraw_home(context, team_id, user_id)

    after_ack: AfterAck = context["after_ack"]
    after_ack.submit(body, forget)
