"""`/network admin`: the aggregates as an ephemeral message, the weekly chart as a PNG in the admin's DM."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.services.admin import AdminInsightService, AdminRefusal
from bot.services.mentoring import MentoringService
from handlers.blocks.admin import admin_message
from handlers.blocks.common import Message

logger = logging.getLogger(__name__)


def send_admin_view(
    client: WebClient,
    admin: AdminInsightService,
    team_id: str,
    user_id: str,
    mentoring: MentoringService | None = None,
) -> Message:
    """The report for an admin (and its chart, uploaded to their DM), or the refusal; with the mentoring
    programme's coverage when it is about enough people."""
    report = admin.report(team_id, user_id)
    if isinstance(report, AdminRefusal):
        return report.text, []
    from handlers.pictures.trend import draw_weekly_trend  # matplotlib only when a chart is drawn

    try:
        channel = str(client.conversations_open(users=user_id)["channel"]["id"])
        client.files_upload_v2(
            channel=channel,
            file=draw_weekly_trend(list(report.weeks)),
            filename="rapport-weekly-trend.png",
            title="Meetings logged per week",
        )
    except SlackApiError as error:
        logger.warning("admin chart upload failed: %s", error.response.get("error"))
    return admin_message(report, mentoring.coverage(team_id) if mentoring is not None else None)
