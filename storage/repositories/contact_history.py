"""What follow-ups need to know of a person's own log: when they last met a contact, and summaries of meetings.

Notes are read only for their author.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import Table, bindparam, select

from storage.models import ContactRollupRow, InteractionRow
from storage.repositories.common import SqlRepository, pair_params

_ROLLUPS: Table = ContactRollupRow.__table__  # type: ignore[assignment]

# "When did they last meet" is the roll-up's ``last_met_at`` (kept in step with the log in the same transaction,
# storage/repositories/interactions.py): a primary-key read. Joining the log instead read every meeting the author
# ever logged with the contact — 4 ms of PostgreSQL's CPU per `/met` in a busy workspace (bench/met_profile.py).
_LATEST_WITH = select(_ROLLUPS.c.last_met_at).where(
    _ROLLUPS.c.team_id == bindparam("team_id"),
    _ROLLUPS.c.author_id == bindparam("author_id"),
    _ROLLUPS.c.contact_id == bindparam("contact_id"),
)

_LATEST_FOR_PAIRS = select(_ROLLUPS.c.author_id, _ROLLUPS.c.contact_id, _ROLLUPS.c.last_met_at).where(
    _ROLLUPS.c.team_id == bindparam("team_id"),
    _ROLLUPS.c.author_id.in_(bindparam("user_ids", expanding=True)),
    _ROLLUPS.c.contact_id.in_(bindparam("contact_ids", expanding=True)),
)


class SqlContactHistory(SqlRepository):
    """Read-only views of the author's interactions that follow-ups need (notes only to their author)."""

    def latest_with(self, team_id: str, author_id: str, contact_id: str) -> datetime | None:
        """The latest ``happened_at`` of the author's interactions with the contact (from the roll-up)."""
        params = {"team_id": team_id, "author_id": author_id, "contact_id": contact_id}
        latest: datetime | None = self._session.execute(_LATEST_WITH, params).scalar()
        return latest

    def latest_for_pairs(self, team_id: str, pairs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], datetime]:
        """``latest_with`` for several (author, contact) pairs in one query, by pair (pairs never met are absent)."""
        wanted = set(pairs)
        if not wanted:
            return {}
        rows = self._session.execute(_LATEST_FOR_PAIRS, pair_params(team_id, wanted))
        return {
            (row.author_id, row.contact_id): row.last_met_at
            for row in rows
            if (row.author_id, row.contact_id) in wanted
        }

    def summaries_by_author(self, team_id: str, authors: Mapping[int, str]) -> dict[int, tuple[datetime, str, str]]:
        """(happened_at, kind, notes) by interaction id, each only if written by the author given for it."""
        if not authors:
            return {}
        rows = self._session.execute(
            select(
                InteractionRow.id,
                InteractionRow.author_id,
                InteractionRow.happened_at,
                InteractionRow.kind,
                InteractionRow.notes,
            ).where(InteractionRow.team_id == team_id, InteractionRow.id.in_(sorted(authors)))
        )
        return {
            int(row.id): (row.happened_at, str(row.kind), str(row.notes))
            for row in rows
            if authors.get(int(row.id)) == row.author_id
        }

    def summaries(self, team_id: str, author_id: str, ids: Sequence[int]) -> dict[int, tuple[datetime, str, str]]:
        """(happened_at, kind, notes) of the author's own interactions by id."""
        if not ids:
            return {}
        rows = self._session.execute(
            select(InteractionRow.id, InteractionRow.happened_at, InteractionRow.kind, InteractionRow.notes).where(
                InteractionRow.team_id == team_id,
                InteractionRow.author_id == author_id,
                InteractionRow.id.in_(list(ids)),
            )
        )
        return {int(row.id): (row.happened_at, str(row.kind), str(row.notes)) for row in rows}
