"""users.info → Person, for the people directory cache; each lookup uses the workspace's own client (token)."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.domain.models import Person
from bot.services.ports import DirectoryLookupError
from bot.slack.clients import NoInstallation, SlackClients

logger = logging.getLogger(__name__)

# Profile field labels a workspace may use for the department; read from users.info's profile.fields when present.
DEPARTMENT_LABELS = ("team", "department", "dept", "division")
LIST_PAGE = 200  # Slack's recommended users.list page size
MAX_LIST_PAGES = 1000  # 200,000 people: a guard against a cursor that never ends


def person_from_user(team_id: str, user: dict[str, Any]) -> Person:
    """Map a Slack user object (users.info / users.list) to a Person."""
    profile = user.get("profile") or {}
    department = ""
    for field in (profile.get("fields") or {}).values():
        if isinstance(field, dict) and str(field.get("label", "")).strip().lower() in DEPARTMENT_LABELS:
            department = str(field.get("value", ""))
            break
    return Person(
        team_id=team_id,
        user_id=str(user["id"]),
        name=str(user.get("name", "")),
        real_name=str(profile.get("real_name") or user.get("real_name") or ""),
        display_name=str(profile.get("display_name") or ""),
        tz=str(user.get("tz") or "UTC"),
        title=str(profile.get("title") or ""),
        department=department,
        is_bot=bool(user.get("is_bot")) or user.get("id") == "USLACKBOT",
        deleted=bool(user.get("deleted")),
    )


class SlackUserDirectory:
    """Reads people from Slack's users.info (one person) and users.list (everyone, for bulk refreshes)."""

    def __init__(self, client: WebClient | SlackClients) -> None:
        self._clients = SlackClients.single(client) if isinstance(client, WebClient) else client

    def _client(self, team_id: str) -> WebClient:
        try:
            return self._clients.for_team(team_id)
        except NoInstallation as missing:
            raise DirectoryLookupError(missing.error) from None

    def fetch_person(self, team_id: str, user_id: str) -> Person | None:
        """The person as Slack knows them; None when Slack says the user does not exist."""
        client = self._client(team_id)
        try:
            response = client.users_info(user=user_id)
        except SlackApiError as error:
            code = error.response.get("error") if error.response is not None else None
            if code in {"user_not_found", "users_not_found"}:
                return None
            logger.warning("users.info failed: %s", code)
            raise DirectoryLookupError(str(code)) from error
        except (SlackClientError, OSError) as error:
            logger.warning("users.info unreachable: %s", type(error).__name__)
            raise DirectoryLookupError(type(error).__name__) from error
        user = response.get("user")
        if not isinstance(user, dict):
            return None
        return person_from_user(team_id, user)

    def is_admin(self, team_id: str, user_id: str) -> bool:
        """users.info's is_admin / is_owner; False when Slack can't say (never grant on doubt)."""
        try:
            user = self._client(team_id).users_info(user=user_id).get("user")
        except (SlackApiError, SlackClientError, OSError, DirectoryLookupError) as error:
            logger.warning("could not check whether a user is an admin: %s", type(error).__name__)
            return False
        return isinstance(user, dict) and bool(
            user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner")
        )

    def fetch_all(self, team_id: str) -> list[Person]:
        """Everyone in the workspace (deactivated people and bots included), every page of users.list."""
        people: list[Person] = []
        cursor = ""
        client = self._client(team_id)
        for _ in range(MAX_LIST_PAGES):
            try:
                response = client.users_list(limit=LIST_PAGE, cursor=cursor)
            except SlackApiError as error:
                code = error.response.get("error") if error.response is not None else None
                logger.warning("users.list failed: %s", code)
                raise DirectoryLookupError(str(code)) from error
            except (SlackClientError, OSError) as error:
                logger.warning("users.list unreachable: %s", type(error).__name__)
                raise DirectoryLookupError(type(error).__name__) from error
            people.extend(person_from_user(team_id, user) for user in response.get("members") or [] if user.get("id"))
            cursor = str((response.get("response_metadata") or {}).get("next_cursor") or "")
            if not cursor:
                break
        return people
