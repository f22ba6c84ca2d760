"""Interactions repository. Every query is scoped by team, and reads that return notes by author."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, case, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from bot.domain.models import Interaction, InteractionKind, InteractionSource, NewInteraction
from storage.models import ContactRollupRow, InteractionRow, ParticipantRow, TagRow
from storage.repositories.common import SqlRepository, rowcount
from storage.upsert import insert_if_missing


def _to_domain(row: InteractionRow) -> Interaction:
    return Interaction(
        id=row.id,
        team_id=row.team_id,
        author_id=row.author_id,
        happened_at=row.happened_at,
        kind=InteractionKind(row.kind),
        notes=row.notes,
        source=InteractionSource(row.source),
        participant_ids=tuple(sorted(p.user_id for p in row.participants)),
        tags=tuple(sorted(t.tag for t in row.tags)),
        follow_up_days=row.follow_up_days,
        created_at=row.created_at,
    )


def _values(new: NewInteraction, created_at: datetime, submission_key: str | None) -> dict[str, Any]:
    return {
        "team_id": new.team_id,
        "author_id": new.author_id,
        "happened_at": new.happened_at,
        "kind": new.kind.value,
        "notes": new.notes,
        "source": new.source.value,
        "follow_up_days": new.follow_up_days,
        "created_at": created_at,
        "submission_key": submission_key,
    }


_INTERACTIONS: Table = InteractionRow.__table__  # type: ignore[assignment]
# Built once: every /met runs these, and building an ORM insert (and flushing it) per call cost several times the
# database's own work. Core statements, values bound at execution; participants and tags as one executemany each.
_PARTICIPANTS: Table = ParticipantRow.__table__  # type: ignore[assignment]
_TAGS: Table = TagRow.__table__  # type: ignore[assignment]
_INSERT_INTERACTION = insert(_INTERACTIONS).returning(_INTERACTIONS.c.id)
# Several meetings in one statement (a group commit). Each id comes back with its (team, author), which is unique in
# a batch: asking for the rows' order instead (sort_by_parameter_order) makes SQLAlchemy insert one row at a time
# on SQLite.
_INSERT_INTERACTIONS = insert(_INTERACTIONS).returning(
    _INTERACTIONS.c.id, _INTERACTIONS.c.team_id, _INTERACTIONS.c.author_id
)
_INSERT_PARTICIPANT = insert(_PARTICIPANTS)
_INSERT_TAG = insert(_TAGS)
_ROLLUPS: Table = ContactRollupRow.__table__  # type: ignore[assignment]


def _rollup_upsert(dialect_insert: Any) -> Any:
    """One meeting more with each contact: an executemany-friendly upsert (no RETURNING), min/max by CASE so the
    same text runs on SQLite and PostgreSQL."""
    statement = dialect_insert(_ROLLUPS)
    new, old = statement.excluded, _ROLLUPS.c
    return statement.on_conflict_do_update(
        index_elements=[old.team_id, old.author_id, old.contact_id],
        set_={
            "first_met_at": case((new.first_met_at < old.first_met_at, new.first_met_at), else_=old.first_met_at),
            "last_met_at": case((new.last_met_at > old.last_met_at, new.last_met_at), else_=old.last_met_at),
            "meetings": old.meetings + new.meetings,
        },
    )


_UPSERT_ROLLUP = {"sqlite": _rollup_upsert(sqlite.insert), "postgresql": _rollup_upsert(postgresql.insert)}


def _stored(
    new: NewInteraction, interaction_id: int, created_at: datetime, participants: tuple[str, ...], tags: tuple[str, ...]
) -> Interaction:
    return Interaction(
        id=interaction_id,
        team_id=new.team_id,
        author_id=new.author_id,
        happened_at=new.happened_at,
        kind=new.kind,
        notes=new.notes,
        source=new.source,
        participant_ids=tuple(sorted(participants)),
        tags=tuple(sorted(tags)),
        follow_up_days=new.follow_up_days,
        created_at=created_at,
    )


class SqlInteractionRepository(SqlRepository):
    """SQLAlchemy implementation of ``InteractionRepository``."""

    def add(self, new: NewInteraction, created_at: datetime) -> Interaction:
        """Record an interaction and return it with its id."""
        values = _values(new, created_at, None)
        interaction_id = self._session.execute(_INSERT_INTERACTION, values).scalar_one()
        participants = tuple(dict.fromkeys(new.participant_ids))
        tags = tuple(dict.fromkeys(new.tags))
        if participants:
            rows = [{"interaction_id": interaction_id, "user_id": u, "team_id": new.team_id} for u in participants]
            self._session.execute(_INSERT_PARTICIPANT, rows)
        if tags:
            rows = [{"interaction_id": interaction_id, "tag": t, "team_id": new.team_id} for t in tags]
            self._session.execute(_INSERT_TAG, rows)
        self._count_meeting(new, participants)
        return _stored(new, interaction_id, created_at, participants, tags)

    def add_many(self, news: Sequence[NewInteraction], created_at: datetime) -> list[Interaction]:
        """Record several interactions with one statement per table; returned in the order given, with ids."""
        if len({(new.team_id, new.author_id) for new in news}) < len(news) or len(news) == 1:
            return [self.add(new, created_at) for new in news]
        connection = self._session.connection()
        returned = connection.execute(_INSERT_INTERACTIONS, [_values(new, created_at, None) for new in news])
        id_of = {(row.team_id, row.author_id): int(row.id) for row in returned}
        ids = [id_of[new.team_id, new.author_id] for new in news]
        stored = [
            _stored(
                new,
                interaction_id,
                created_at,
                tuple(dict.fromkeys(new.participant_ids)),
                tuple(dict.fromkeys(new.tags)),
            )
            for new, interaction_id in zip(news, ids, strict=True)
        ]
        participants = [
            {"interaction_id": i.id, "user_id": user_id, "team_id": i.team_id}
            for i in stored
            for user_id in i.participant_ids
        ]
        tags = [{"interaction_id": i.id, "tag": tag, "team_id": i.team_id} for i in stored for tag in i.tags]
        if participants:
            connection.execute(_INSERT_PARTICIPANT, participants)
        if tags:
            connection.execute(_INSERT_TAG, tags)
        self._count_meetings(stored)
        return stored

    def add_once(self, new: NewInteraction, created_at: datetime, submission_key: str) -> Interaction | None:
        """Record an interaction unless one with this submission key exists (a retried modal): None then."""
        values = _values(new, created_at, submission_key)
        # ON CONFLICT DO NOTHING: a concurrent retry waits for this transaction and then inserts nothing.
        interaction_id = insert_if_missing(self._session, InteractionRow, values)
        if interaction_id is None:
            return None
        self._session.add_all(
            ParticipantRow(interaction_id=interaction_id, user_id=u, team_id=new.team_id)
            for u in dict.fromkeys(new.participant_ids)
        )
        self._session.add_all(
            TagRow(interaction_id=interaction_id, tag=t, team_id=new.team_id) for t in dict.fromkeys(new.tags)
        )
        self._session.flush()
        self._count_meeting(new, tuple(dict.fromkeys(new.participant_ids)))
        row = self._session.get(InteractionRow, interaction_id, populate_existing=True)
        assert row is not None
        return _to_domain(row)

    def _count_meetings(self, stored: Sequence[Interaction]) -> None:
        """The roll-up for a batch: one row per (author, contact), so one upsert statement never meets a key twice
        (PostgreSQL refuses that)."""
        counted: dict[tuple[str, str, str], dict[str, Any]] = {}
        for interaction in stored:
            at = interaction.happened_at
            for contact in interaction.participant_ids:
                key = (interaction.team_id, interaction.author_id, contact)
                row = counted.get(key)
                if row is None:
                    counted[key] = {"team_id": key[0], "author_id": key[1], "contact_id": contact,
                                    "first_met_at": at, "last_met_at": at, "meetings": 1}  # fmt: skip
                else:
                    row["first_met_at"] = min(row["first_met_at"], at)
                    row["last_met_at"] = max(row["last_met_at"], at)
                    row["meetings"] += 1
        if counted:
            self._session.execute(_UPSERT_ROLLUP[self._session.get_bind().dialect.name], list(counted.values()))

    def _count_meeting(self, new: NewInteraction, participants: tuple[str, ...]) -> None:
        """Keep the per-contact roll-up in step with a new meeting, in the same transaction (one statement)."""
        if not participants:
            return
        statement = _UPSERT_ROLLUP[self._session.get_bind().dialect.name]
        at = new.happened_at
        rows = [
            {"team_id": new.team_id, "author_id": new.author_id, "contact_id": contact, "first_met_at": at,
             "last_met_at": at, "meetings": 1}
            for contact in participants
        ]  # fmt: skip
        self._session.execute(statement, rows)

    def recount(self, team_id: str, author_id: str, contacts: tuple[str, ...]) -> None:
        """Rebuild the roll-up rows of these contacts from the author's log (what is left after a delete; or a log
        loaded in bulk, as the benchmarks do)."""
        for contact in contacts:
            self._session.execute(
                delete(_ROLLUPS).where(
                    _ROLLUPS.c.team_id == team_id, _ROLLUPS.c.author_id == author_id, _ROLLUPS.c.contact_id == contact
                )
            )
        if not contacts:
            return
        remaining = (
            select(
                InteractionRow.team_id,
                InteractionRow.author_id,
                ParticipantRow.user_id,
                func.min(InteractionRow.happened_at),
                func.max(InteractionRow.happened_at),
                func.count(),
            )
            .join(ParticipantRow, ParticipantRow.interaction_id == InteractionRow.id)
            .where(
                InteractionRow.team_id == team_id,
                InteractionRow.author_id == author_id,
                ParticipantRow.team_id == team_id,
                ParticipantRow.user_id.in_(contacts),
            )
            .group_by(InteractionRow.team_id, InteractionRow.author_id, ParticipantRow.user_id)
        )
        columns = ["team_id", "author_id", "contact_id", "first_met_at", "last_met_at", "meetings"]
        self._session.execute(insert(_ROLLUPS).from_select(columns, remaining))

    def introduction(self, team_id: str, interaction_id: int) -> Interaction | None:
        """An introduction by id (whoever made it): its people are what a "We met" click checks against."""
        row = self._session.get(InteractionRow, interaction_id)
        if row is None or row.team_id != team_id or row.kind != InteractionKind.INTRODUCTION.value:
            return None
        return _to_domain(row)

    def by_submission_key(self, team_id: str, author_id: str, submission_key: str) -> Interaction | None:
        """The author's interaction stored from this submission, if any."""
        row = self._session.scalars(
            select(InteractionRow).where(
                InteractionRow.team_id == team_id,
                InteractionRow.author_id == author_id,
                InteractionRow.submission_key == submission_key,
            )
        ).first()
        return _to_domain(row) if row else None

    def list_for_author(
        self, team_id: str, author_id: str, *, with_user: str | None = None, limit: int = 10
    ) -> list[Interaction]:
        """The author's most recent interactions, newest first, optionally only those with ``with_user``."""
        query = select(InteractionRow).where(InteractionRow.team_id == team_id, InteractionRow.author_id == author_id)
        if with_user is not None:
            query = query.where(
                InteractionRow.id.in_(
                    select(ParticipantRow.interaction_id).where(
                        ParticipantRow.team_id == team_id, ParticipantRow.user_id == with_user
                    )
                )
            )
        query = query.order_by(InteractionRow.happened_at.desc(), InteractionRow.id.desc()).limit(limit)
        return [_to_domain(row) for row in self._session.scalars(query)]

    def latest_for_author(self, team_id: str, author_id: str) -> Interaction | None:
        """The author's most recently *logged* interaction."""
        row = self._session.scalars(
            select(InteractionRow)
            .where(InteractionRow.team_id == team_id, InteractionRow.author_id == author_id)
            .order_by(InteractionRow.created_at.desc(), InteractionRow.id.desc())
            .limit(1)
        ).first()
        return _to_domain(row) if row else None

    def delete_for_author(self, team_id: str, author_id: str, interaction_id: int) -> Interaction | None:
        """Delete one of the author's own interactions; None when it is not theirs or is gone."""
        row = self._session.scalars(
            select(InteractionRow).where(
                InteractionRow.team_id == team_id,
                InteractionRow.author_id == author_id,
                InteractionRow.id == interaction_id,
            )
        ).first()
        if row is None:
            return None
        deleted = _to_domain(row)
        # Children first, explicitly: SQLite only cascades with PRAGMA foreign_keys, which we set,
        # but an explicit delete keeps the behaviour identical on every backend.
        self._session.execute(delete(ParticipantRow).where(ParticipantRow.interaction_id == row.id))
        self._session.execute(delete(TagRow).where(TagRow.interaction_id == row.id))
        self._session.execute(delete(InteractionRow).where(InteractionRow.id == row.id))
        self.recount(team_id, author_id, deleted.participant_ids)
        self._session.expunge(row)
        return deleted

    def set_notes_for_author(self, team_id: str, author_id: str, interaction_id: int, notes: str) -> bool:
        """Replace the notes of one of the author's own interactions (the "We met" note); False when not theirs."""
        result = self._session.execute(
            update(InteractionRow)
            .where(
                InteractionRow.team_id == team_id,
                InteractionRow.author_id == author_id,
                InteractionRow.id == interaction_id,
            )
            .values(notes=notes)
        )
        return rowcount(result) > 0

    def last_met_pairs(self, team_id: str, since: datetime) -> dict[frozenset[str], datetime]:
        """The latest interaction per pair of people (author or participant) since ``since``; notes are not read."""
        rows = self._session.execute(
            select(InteractionRow.id, InteractionRow.author_id, InteractionRow.happened_at, ParticipantRow.user_id)
            .join(ParticipantRow, ParticipantRow.interaction_id == InteractionRow.id)
            .where(InteractionRow.team_id == team_id, InteractionRow.happened_at >= since)
        )
        people: dict[int, tuple[datetime, set[str]]] = {}
        for interaction_id, author_id, happened_at, participant_id in rows:
            entry = people.setdefault(interaction_id, (happened_at, {author_id}))
            entry[1].add(participant_id)
        latest: dict[frozenset[str], datetime] = {}
        for happened_at, members in people.values():
            ordered = sorted(members)
            for index, first in enumerate(ordered):
                for second in ordered[index + 1 :]:
                    pair = frozenset((first, second))
                    if pair not in latest or latest[pair] < happened_at:
                        latest[pair] = happened_at
        return latest
