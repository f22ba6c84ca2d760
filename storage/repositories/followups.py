"""Follow-up storage: nudge rows, claimed by sweeps with a lease (cadences and settings: cadences.py; what was
logged: contact_history.py).

Every query is scoped by ``team_id`` except the sweep's claim, which serves every workspace at once and is what the
partial index ``ix_nudges_claimable`` (``available_at`` of pending and claimed rows only) exists for: due rows and
rows whose lease expired are both "claimable with available_at <= now", so one index range scan finds them.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, func, insert, or_, select, text, union_all, update

from bot.domain.leases import Claim
from bot.domain.nudges import (
    OPEN_STATUSES,
    NudgeKind,
    NudgeStatus,
    ScheduledNudge,
)
from bot.services.ports.followups import NewNudge
from storage.leases import claim_statement, update_held
from storage.models import (
    NUDGE_UNCLAIMED_SQL,
    NudgeRow,
)
from storage.repositories.common import SqlRepository, rowcount

_CLAIM_COLUMNS = (
    "id",
    "team_id",
    "user_id",
    "contact_id",
    "kind",
    "interaction_id",
    "due_at",
    "attempts",
    "in_doubt",
    "updated_at",
)


def _nudge(row: Any) -> ScheduledNudge:
    # An ORM NudgeRow or a Core row of the nudges table: the same attribute names.
    return ScheduledNudge(
        id=row.id,
        team_id=row.team_id,
        user_id=row.user_id,
        contact_id=row.contact_id,
        kind=NudgeKind(row.kind),
        due_at=row.due_at,
        available_at=row.available_at,
        status=NudgeStatus(row.status),
        interaction_id=row.interaction_id,
        attempts=row.attempts,
        in_doubt=row.in_doubt,
        last_error=row.last_error,
        sent_channel=row.sent_channel,
        sent_ts=row.sent_ts,
        updated_at=row.updated_at,
    )


_NUDGES: Table = NudgeRow.__table__  # type: ignore[assignment]

# Built once: every logged meeting runs the statements below (scheduling its follow-up), and building an ORM
# statement per call cost several times the database's own work. Core, on the tables, values bound at execution.
_ADD_NUDGE = insert(_NUDGES).returning(_NUDGES.c.id)
_SUPERSEDE_PENDING = (
    update(_NUDGES)
    .where(
        _NUDGES.c.team_id == bindparam("p_team_id"),
        _NUDGES.c.user_id == bindparam("p_user_id"),
        _NUDGES.c.contact_id == bindparam("p_contact_id"),
        _NUDGES.c.kind == bindparam("p_kind"),
        _NUDGES.c.status == NudgeStatus.PENDING.value,
        text(NUDGE_UNCLAIMED_SQL),  # matches the partial index's predicate on PostgreSQL
        _NUDGES.c.in_doubt.is_(False),
        # At or before: two meetings with one person at the same moment (both "today") must leave one follow-up.
        _NUDGES.c.due_at <= bindparam("p_due_by", type_=_NUDGES.c.due_at.type),
    )
    .values(
        status=NudgeStatus.SUPERSEDED.value,
        resolved_at=bindparam("p_now", type_=_NUDGES.c.resolved_at.type),
        updated_at=bindparam("p_now", type_=_NUDGES.c.updated_at.type),
    )
)
_OPEN_DUE = (
    _NUDGES.c.team_id == bindparam("team_id"),
    _NUDGES.c.user_id == bindparam("user_id"),
    _NUDGES.c.status.in_([status.value for status in OPEN_STATUSES]),
    or_(_NUDGES.c.due_at <= bindparam("now"), _NUDGES.c.status == NudgeStatus.SENT.value),
)
_DUE_COUNT = (
    select(func.count())
    .select_from(select(_NUDGES.c.id).where(*_OPEN_DUE).limit(bindparam("count_up_to")).subquery())
    .scalar_subquery()
    .label("due_count")
)


def _first_due(status: NudgeStatus) -> Any:
    """The first ``shown`` open nudges of one status, oldest due first: an ordered range of the (team, user, status,
    due_at) index that stops at ``shown`` (a sent one is listed whenever it came due)."""
    due = [] if status is NudgeStatus.SENT else [_NUDGES.c.due_at <= bindparam("now")]
    return (
        select(_NUDGES)
        .where(_NUDGES.c.team_id == bindparam("team_id"), _NUDGES.c.user_id == bindparam("user_id"))
        .where(_NUDGES.c.status == status.value, *due)
        .order_by(_NUDGES.c.due_at, _NUDGES.c.id)
        .limit(bindparam("shown"))
        .subquery()
    )


# The Home tab's due list and how many are due (capped), in one statement built once. One ordered branch per open
# status, merged: an IN list over the statuses made PostgreSQL read and sort every open nudge to show five.
_FIRST_DUE = union_all(*(select(branch) for branch in map(_first_due, OPEN_STATUSES))).subquery()
_DUE_WITH_COUNT = (
    select(_FIRST_DUE, _DUE_COUNT).order_by(_FIRST_DUE.c.due_at, _FIRST_DUE.c.id).limit(bindparam("shown"))
)


class SqlNudgeRepository(SqlRepository):
    """Nudge rows. Outcome updates only touch rows the caller still holds (status claimed, claimed_by = worker)."""

    def add(
        self,
        team_id: str,
        user_id: str,
        contact_id: str,
        kind: NudgeKind,
        due_at: datetime,
        now: datetime,
        *,
        interaction_id: int | None = None,
    ) -> int:
        """Schedule a nudge; it becomes claimable at ``due_at``."""
        values = {
            "team_id": team_id,
            "user_id": user_id,
            "contact_id": contact_id,
            "kind": kind.value,
            "interaction_id": interaction_id,
            "in_doubt": False,
            # As storage.leases.add_pending: pending, no attempt yet, claimable from due_at.
            "due_at": due_at,
            "available_at": due_at,
            "status": NudgeStatus.PENDING.value,
            "attempts": 0,
            "created_at": now,
            "updated_at": now,
        }
        return int(self._session.execute(_ADD_NUDGE, values).scalar_one())

    def add_many(self, team_id: str, kind: NudgeKind, now: datetime, rows: Sequence[NewNudge]) -> None:
        """Schedule several nudges of one kind in one statement (a batch of meetings; see ``add``)."""
        if not rows:
            return
        values = [
            {"team_id": team_id, "user_id": user_id, "contact_id": contact_id, "kind": kind.value,
             "interaction_id": interaction_id, "in_doubt": False, "due_at": due_at, "available_at": due_at,
             "status": NudgeStatus.PENDING.value, "attempts": 0, "created_at": now, "updated_at": now}
            for user_id, contact_id, due_at, interaction_id in rows
        ]  # fmt: skip
        self._session.connection().execute(insert(_NUDGES), values)

    def supersede_pending_many(
        self, team_id: str, kind: NudgeKind, now: datetime, pairs: Sequence[tuple[str, str, datetime]]
    ) -> None:
        """``supersede_pending`` for several (user, contact, due_by) at once, as one executemany."""
        if not pairs:
            return
        # The one-pair statement, compiled once, with a parameter set per pair: cheaper than compiling an OR of
        # pairs for every batch size, and both drivers send the sets together (psycopg in one pipeline).
        params = [
            {"p_team_id": team_id, "p_user_id": user, "p_contact_id": contact, "p_kind": kind.value,
             "p_due_by": due_by, "p_now": now}
            for user, contact, due_by in pairs
        ]  # fmt: skip
        self._session.execute(_SUPERSEDE_PENDING, params)

    def supersede_pending(
        self, team_id: str, user_id: str, contact_id: str, kind: NudgeKind, now: datetime, *, due_by: datetime
    ) -> int:
        """Retire not-yet-claimed nudges of ``kind`` for this contact that fall due at or before ``due_by``."""
        params = {
            "p_team_id": team_id,
            "p_user_id": user_id,
            "p_contact_id": contact_id,
            "p_kind": kind.value,
            "p_due_by": due_by,
            "p_now": now,
        }
        return rowcount(self._session.execute(_SUPERSEDE_PENDING, params))

    def claim(
        self,
        worker_id: str,
        now: datetime,
        lease_until: datetime,
        limit: int,
        team_id: str | None = None,
        exclude_teams: Collection[str] = (),
    ) -> list[ScheduledNudge]:
        """Atomically take up to ``limit`` claimable rows (due, or with an expired lease), oldest first.

        One statement: ``UPDATE … WHERE id IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED) RETURNING …``. PostgreSQL
        skips rows another sweep is claiming; SQLite takes its single write lock when the statement starts, so
        concurrent sweeps serialise and never see the same row as claimable. ``team_id`` limits the claim to one
        workspace (tests and the sandbox share databases); production sweeps serve every workspace except
        ``exclude_teams`` (paused by their auth breaker: their rows are not touched at all).
        """
        claim = Claim(worker_id, now, lease_until, limit, team_id, frozenset(exclude_teams))
        # Core, not ORM entities, and only the columns a sweep needs: the claim's cost stays close to a bare SELECT.
        # updated_at is left alone: for an in-doubt row it dates the attempt that may have reached Slack.
        statement = claim_statement(_NUDGES, claim, returning=[_NUDGES.c[name] for name in _CLAIM_COLUMNS])
        claimed = [
            ScheduledNudge(
                id=row.id,
                team_id=row.team_id,
                user_id=row.user_id,
                contact_id=row.contact_id,
                kind=NudgeKind(row.kind),
                due_at=row.due_at,
                available_at=lease_until,
                status=NudgeStatus.CLAIMED,
                interaction_id=row.interaction_id,
                attempts=row.attempts,
                in_doubt=row.in_doubt,
                updated_at=row.updated_at,
            )
            for row in self._session.execute(statement)
        ]
        return sorted(claimed, key=lambda nudge: (nudge.due_at, nudge.id))

    def _update_held(self, ids: Sequence[int], worker_id: str, **values: object) -> int:
        return update_held(self._session, _NUDGES, ids, worker_id, values)

    def mark_attempt(self, ids: Sequence[int], worker_id: str, now: datetime, lease_until: datetime) -> int:
        """Before a post: count the attempt, mark the rows as possibly delivered (the outcome clears it) and renew
        the lease — only while the lease has not expired, so no other sweep can be re-claiming them meanwhile."""
        values = {"attempts": NudgeRow.attempts + 1, "in_doubt": True, "available_at": lease_until, "updated_at": now}
        return update_held(self._session, _NUDGES, ids, worker_id, values, _NUDGES.c.available_at > now)

    def release(self, ids: Sequence[int], worker_id: str, available_at: datetime, now: datetime) -> int:
        """Give rows back unperformed (not deliverable yet): claimable again at ``available_at``."""
        return self._update_held(
            ids, worker_id, status=NudgeStatus.PENDING.value, claimed_by=None, available_at=available_at, updated_at=now
        )

    def mark_refused(
        self, ids: Sequence[int], worker_id: str, error: str, available_at: datetime, now: datetime
    ) -> int:
        """Slack refused the token for this post: nothing was sent, so take back the attempt ``mark_attempt`` counted
        and the in-doubt mark; the rows wait (pending, from ``available_at``: the breaker's next probe) for the
        workspace's auth breaker to close."""
        return self._update_held(
            ids,
            worker_id,
            status=NudgeStatus.PENDING.value,
            claimed_by=None,
            available_at=available_at,
            attempts=NudgeRow.attempts - 1,
            in_doubt=False,
            last_error=error[:64],
            updated_at=now,
        )

    def mark_sent(self, ids: Sequence[int], worker_id: str, channel: str | None, ts: str | None, now: datetime) -> int:
        """Record a delivery: the message's channel and ts (for updates in place)."""
        return self._update_held(
            ids,
            worker_id,
            status=NudgeStatus.SENT.value,
            claimed_by=None,
            in_doubt=False,
            last_error=None,
            sent_channel=channel,
            sent_ts=ts,
            sent_at=now,
            updated_at=now,
        )

    def mark_retry(
        self, ids: Sequence[int], worker_id: str, available_at: datetime, error: str, in_doubt: bool, now: datetime
    ) -> int:
        """Record a retryable failure: claimable again at ``available_at``; ``in_doubt`` if Slack may have it."""
        return self._update_held(
            ids,
            worker_id,
            status=NudgeStatus.PENDING.value,
            claimed_by=None,
            available_at=available_at,
            last_error=error[:64],
            in_doubt=in_doubt,
            updated_at=now,
        )

    def mark_failed(self, ids: Sequence[int], worker_id: str, error: str, now: datetime) -> int:
        """End rows for good with the reason."""
        return self._update_held(
            ids,
            worker_id,
            status=NudgeStatus.FAILED.value,
            claimed_by=None,
            in_doubt=False,
            last_error=error[:64],
            resolved_at=now,
            updated_at=now,
        )

    def get(self, team_id: str, user_id: str, nudge_id: int) -> ScheduledNudge | None:
        """One of the person's own nudges."""
        row = self._session.scalars(
            select(NudgeRow).where(NudgeRow.team_id == team_id, NudgeRow.user_id == user_id, NudgeRow.id == nudge_id)
        ).first()
        return _nudge(row) if row else None

    def resolve(
        self, team_id: str, user_id: str, nudge_id: int, status: NudgeStatus, now: datetime
    ) -> ScheduledNudge | None:
        """Close an open nudge of the person's (sent, or still pending); None when it is not open or not theirs."""
        result = self._session.execute(
            update(NudgeRow)
            .where(
                NudgeRow.team_id == team_id,
                NudgeRow.user_id == user_id,
                NudgeRow.id == nudge_id,
                NudgeRow.status.in_([NudgeStatus.SENT.value, NudgeStatus.PENDING.value]),
            )
            .values(status=status.value, resolved_at=now, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if not getattr(result, "rowcount", 0):
            return None
        return self.get(team_id, user_id, nudge_id)

    def dm_channel(self, team_id: str, user_id: str) -> str | None:
        """The bot's DM channel with the person, as learnt from an earlier delivery."""
        return self._session.scalars(
            select(NudgeRow.sent_channel)
            .where(
                NudgeRow.team_id == team_id,
                NudgeRow.user_id == user_id,
                text(NUDGE_UNCLAIMED_SQL),  # a claimed row never carries a channel; matches the partial index
                NudgeRow.sent_channel.is_not(None),
            )
            .order_by(NudgeRow.id.desc())
            .limit(1)
        ).first()

    def list_for_user(self, team_id: str, user_id: str, statuses: Sequence[NudgeStatus] = ()) -> list[ScheduledNudge]:
        """The person's nudges (optionally only some statuses), oldest due first."""
        query = select(NudgeRow).where(NudgeRow.team_id == team_id, NudgeRow.user_id == user_id)
        if statuses:
            query = query.where(NudgeRow.status.in_([status.value for status in statuses]))
        return [_nudge(row) for row in self._session.scalars(query.order_by(NudgeRow.due_at, NudgeRow.id))]

    def due_for_user(
        self, team_id: str, user_id: str, now: datetime, limit: int, count_up_to: int
    ) -> tuple[list[ScheduledNudge], int]:
        """The person's open nudges that are due (or sent and unanswered), oldest first, at most ``limit``; and how
        many there are, counted up to ``count_up_to`` (a COUNT over a LIMITed range of the (team, user, status,
        due_at) index: a backlog of thousands costs what a hundred does)."""
        rows = self._run(
            _DUE_WITH_COUNT, team_id=team_id, user_id=user_id, now=now, shown=limit, count_up_to=count_up_to
        ).all()
        # The count rides on every row (a scalar subquery); no row due means none to count.
        total = rows[0].due_count if rows else 0
        return [_nudge(row) for row in rows], int(total or 0)

    def status_counts(self, team_id: str) -> dict[str, int]:
        """How many of the workspace's nudges are in each status (diagnostics and tests)."""
        rows = self._session.execute(
            select(NudgeRow.status, func.count()).where(NudgeRow.team_id == team_id).group_by(NudgeRow.status)
        )
        return {str(status): int(count) for status, count in rows}
