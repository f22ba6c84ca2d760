"""The port for logged interactions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from bot.domain.models import Interaction, NewInteraction


class InteractionRepository(Protocol):
    """Logged interactions; notes are only ever returned to their author."""

    def add(self, new: NewInteraction, created_at: datetime) -> Interaction:
        """Record an interaction and return it with its id."""
        ...

    def add_many(self, news: Sequence[NewInteraction], created_at: datetime) -> list[Interaction]:
        """Record several interactions in one go; returned in the order given, with their ids."""
        ...

    def add_once(self, new: NewInteraction, created_at: datetime, submission_key: str) -> Interaction | None:
        """Record an interaction unless one with this submission key exists (a retried modal): None then."""
        ...

    def by_submission_key(self, team_id: str, author_id: str, submission_key: str) -> Interaction | None:
        """The author's interaction stored from this submission, if any."""
        ...

    def list_for_author(
        self, team_id: str, author_id: str, *, with_user: str | None = None, limit: int = 10
    ) -> list[Interaction]:
        """The author's most recent interactions, newest first, optionally only those with ``with_user``."""
        ...

    def latest_for_author(self, team_id: str, author_id: str) -> Interaction | None:
        """The author's most recently *logged* interaction."""
        ...

    def delete_for_author(self, team_id: str, author_id: str, interaction_id: int) -> Interaction | None:
        """Delete one of the author's own interactions; None when it is not theirs or is gone."""
        ...

    def set_notes_for_author(self, team_id: str, author_id: str, interaction_id: int, notes: str) -> bool:
        """Replace the notes of one of the author's own interactions (the "We met" note); False when not theirs."""
        ...

    def last_met_pairs(self, team_id: str, since: datetime) -> dict[frozenset[str], datetime]:
        """The latest interaction per pair of people (author or participant) since ``since``; notes are not read."""
        ...

    def introduction(self, team_id: str, interaction_id: int) -> Interaction | None: ...
