"""Ports introductions use: Slack for the group DM, and the renderer for its message."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from bot.domain.models import Person
from bot.domain.outcomes import SendOutcome

Message = tuple[str, list[dict[str, Any]]]


class IntroSlack(Protocol):
    """Group DMs and posts (bot.slack.coffee.SlackCoffeeAdapter satisfies it)."""

    def open_group(self, user_ids: Sequence[str], *, team_id: str) -> tuple[SendOutcome, str | None]: ...

    def post_message(
        self, channel: str, text: str, blocks: list[dict[str, Any]] | None = None, *, team_id: str, **kwargs: Any
    ) -> SendOutcome: ...


class IntroRenderer(Protocol):
    """Block Kit for the introduction (handlers.blocks.intro)."""

    def introduction(
        self, introduction_id: int, introducer: str, people: Sequence[Person], intros: dict[str, str], reason: str
    ) -> Message: ...
