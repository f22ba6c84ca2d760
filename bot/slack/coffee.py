"""Slack for coffee rounds: channel reads (conversations.info/members), admin checks, group DMs and posts.

Posts, conversations.open and users.info go through the shared SlackGateway (paced, classified). The two channel
reads are not in the gateway yet, so they are made here on the workspace's own client and classified the same
way (``classify_api_error`` / ``classify_network_error``); conversations.members is paginated to the end.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from http.client import HTTPException
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.services.ports import ChannelInfo
from bot.slack.clients import NoInstallation, SlackClients
from bot.slack.errors import SendOutcome, SlackGatewayError, classify_api_error, classify_network_error
from bot.slack.gateway import SlackGateway

logger = logging.getLogger(__name__)

MEMBERS_PAGE = 200
MAX_MEMBER_PAGES = 500  # 100,000 members: a guard against a cursor that never ends


class SlackCoffeeAdapter:
    """Implements the CoffeeSlack port: each call is made for the workspace ``team_id`` names, with its token (only
    single-workspace mode has a token for a call that names none)."""

    def __init__(self, gateway: SlackGateway, client: WebClient | SlackClients) -> None:
        self._gateway = gateway
        self._clients = SlackClients.single(client) if isinstance(client, WebClient) else client

    def channel_info(self, channel_id: str, *, team_id: str | None = None) -> tuple[SendOutcome, ChannelInfo | None]:
        """conversations.info."""
        try:
            response = self._clients.for_team(team_id).conversations_info(channel=channel_id)
        except NoInstallation as missing:
            return SendOutcome.refused(missing.error), None
        except SlackApiError as error:
            return classify_api_error(error), None
        except (OSError, HTTPException) as error:
            return classify_network_error(error), None
        channel: dict[str, Any] = response.get("channel") or {}
        return SendOutcome.success(), ChannelInfo(
            id=str(channel.get("id", channel_id)),
            name=str(channel.get("name") or ""),
            is_im=bool(channel.get("is_im")),
            is_mpim=bool(channel.get("is_mpim")),
            is_archived=bool(channel.get("is_archived")),
            is_member=bool(channel.get("is_member", True)),
            is_private=bool(channel.get("is_private")),
        )

    def channel_members(self, channel_id: str, *, team_id: str | None = None) -> tuple[SendOutcome, list[str]]:
        """conversations.members, following next_cursor to the last page."""
        members: list[str] = []
        cursor = ""
        try:
            client = self._clients.for_team(team_id)
        except NoInstallation as missing:
            return SendOutcome.refused(missing.error), []
        for _ in range(MAX_MEMBER_PAGES):
            try:
                response = client.conversations_members(channel=channel_id, limit=MEMBERS_PAGE, cursor=cursor)
            except SlackApiError as error:
                return classify_api_error(error), []
            except (OSError, HTTPException) as error:
                return classify_network_error(error), []
            members.extend(str(member) for member in response.get("members") or [])
            cursor = str((response.get("response_metadata") or {}).get("next_cursor") or "")
            if not cursor:
                break
        return SendOutcome.success(), list(dict.fromkeys(members))

    def is_admin(self, user_id: str, *, team_id: str | None = None) -> bool:
        """users.info's is_admin / is_owner (False when Slack can't say)."""
        try:
            user = self._gateway.user_info(user_id, team_id=team_id)
        except SlackGatewayError:
            logger.warning("could not check whether %s is an admin", user_id)
            return False
        return bool(user and (user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner")))

    def open_group(self, user_ids: Sequence[str], *, team_id: str | None = None) -> tuple[SendOutcome, str | None]:
        """conversations.open for a DM or group DM."""
        try:
            return SendOutcome.success(), self._gateway.open_conversation(list(user_ids), team_id=team_id)
        except SlackGatewayError as error:
            return error.result, None

    def check_auth(self, team_id: str) -> SendOutcome:
        """auth.test through the gateway."""
        return self._gateway.check_auth(team_id)

    def post_message(
        self,
        channel: str,
        text: str,
        blocks: list[dict[str, Any]] | None = None,
        *,
        team_id: str | None = None,
        **kwargs: Any,
    ) -> SendOutcome:
        """chat.postMessage through the gateway."""
        return self._gateway.post_message(channel, text, blocks, team_id=team_id, **kwargs)
