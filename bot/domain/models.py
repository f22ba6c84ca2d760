"""Domain value objects shared by services, storage and handlers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class InteractionKind(StrEnum):
    """How two people met."""

    COFFEE = "coffee"
    LUNCH = "lunch"
    MEETING = "meeting"
    CALL = "call"
    EVENT = "event"
    ONLINE = "online"
    OTHER = "other"
    INTRODUCTION = "introduction"  # the introducer's record of connecting two people (/intro)


DEFAULT_KIND = InteractionKind.MEETING


class InteractionSource(StrEnum):
    """Where a logged interaction came from."""

    COMMAND = "command"
    MODAL = "modal"
    COFFEE = "coffee"
    NUDGE = "nudge"  # "Done" on a follow-up reminder: the person followed up
    INTRO = "intro"  # /intro, and "We met" on an introduction
    MENTORING = "mentoring"  # "We met" on a mentoring check-in


@dataclass(frozen=True, slots=True)
class Person:
    """A workspace member as cached from Slack's directory."""

    team_id: str
    user_id: str
    name: str
    real_name: str = ""
    display_name: str = ""
    tz: str = "UTC"
    title: str = ""
    department: str = ""
    is_bot: bool = False
    deleted: bool = False

    @property
    def label(self) -> str:
        """The name a person would recognise: display name, then real name, then handle."""
        return self.display_name or self.real_name or self.name or self.user_id


@dataclass(frozen=True, slots=True)
class Interaction:
    """One logged meeting between the author and one or more participants."""

    id: int
    team_id: str
    author_id: str
    happened_at: datetime
    kind: InteractionKind
    notes: str
    source: InteractionSource
    participant_ids: tuple[str, ...]
    tags: tuple[str, ...] = ()
    follow_up_days: int | None = None
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class NewInteraction:
    """What a service asks storage to record."""

    team_id: str
    author_id: str
    happened_at: datetime
    kind: InteractionKind
    notes: str
    source: InteractionSource
    participant_ids: tuple[str, ...]
    tags: tuple[str, ...] = field(default=())
    follow_up_days: int | None = None
