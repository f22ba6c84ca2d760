"""Sending a person their export (files.uploadV2 into their DM), and the "forget me" confirmation."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.services.data_rights import DataRightsService
from handlers import ids
from handlers.blocks.common import plain, section

logger = logging.getLogger(__name__)


def send_export(client: WebClient, data_rights: DataRightsService, team_id: str, user_id: str) -> str:
    """Build and upload the person's export; returns what to tell them."""
    export = data_rights.export(team_id, user_id)
    try:
        channel = str(client.conversations_open(users=user_id)["channel"]["id"])
        client.files_upload_v2(
            channel=channel,
            file_uploads=[{"file": content, "filename": name, "title": name} for name, content in export.files.items()],
            initial_comment=(
                f"Everything Rapport holds about you: {export.rows} records. The JSON has all of it; the CSV files "
                "open in a spreadsheet. Only you can see these files."
            ),
        )
    except SlackApiError as error:
        logger.warning("export upload failed: %s", error.response.get("error"))
        return "I couldn't upload your export just now — please try again in a minute."
    return f"Your export is in your DM with me ({len(export.files)} files)."


def forget_modal() -> dict[str, Any]:
    """The confirmation before forgetting someone."""
    return {
        "type": "modal",
        "callback_id": ids.FORGET_CALLBACK,
        "title": plain("Forget me"),
        "submit": plain("Forget me"),
        "close": plain("Keep my data"),
        "blocks": [
            section(
                "*Rapport will delete everything you logged and set:* your meetings and notes, follow-ups, "
                "keep-in-touch cadences, settings, goals, coffee memberships, intro line and avoid list.\n\n"
                "Where you appear in other people's coffee history or logs, your name is replaced by an anonymous "
                "token, so their rounds still avoid repeats without knowing who.\n\n"
                "This cannot be undone. `/network export` first if you want a copy."
            )
        ],
    }
