"""Auth breakers (``auth_breakers``): one row per workspace, changed only by compare-and-set updates.

Every process reads and writes the same rows, so replicas agree on which workspaces are paused, and at most one of
them probes ``auth.test`` per probe slot (``take_probe`` moves ``next_probe_at`` on before the probe is made).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from bot.domain.breaker import UNINSTALLED, AuthBreaker, BreakerState
from storage.models import AuthBreakerRow
from storage.repositories.common import SqlRepository, rowcount


def _breaker(row: AuthBreakerRow) -> AuthBreaker:
    return AuthBreaker(
        team_id=row.team_id,
        state=BreakerState(row.state),
        reason=row.reason,
        opened_at=row.opened_at,
        next_probe_at=row.next_probe_at,
        failed_probes=row.failed_probes,
    )


class SqlAuthBreakerRepository(SqlRepository):
    """SQLAlchemy implementation of ``AuthBreakerRepository``."""

    def get(self, team_id: str) -> AuthBreaker | None:
        """The workspace's breaker, open or closed (None: never opened)."""
        row = self._session.get(AuthBreakerRow, team_id)
        return _breaker(row) if row else None

    def open_breakers(self, team_id: str | None = None) -> list[AuthBreaker]:
        """Every open breaker (or only ``team_id``'s). The table holds one row per workspace ever paused: small."""
        query = select(AuthBreakerRow).where(AuthBreakerRow.state == BreakerState.OPEN.value)
        if team_id is not None:
            query = query.where(AuthBreakerRow.team_id == team_id)
        return [_breaker(row) for row in self._session.scalars(query)]

    def open(self, breaker: AuthBreaker, now: datetime) -> bool:
        """Open the workspace's breaker unless it is open already; True when this call opened it."""
        values = {
            "state": BreakerState.OPEN.value,
            "reason": breaker.reason[:64],
            "opened_at": breaker.opened_at,
            "next_probe_at": breaker.next_probe_at,
            "failed_probes": breaker.failed_probes,
            "closed_at": None,
            "updated_at": now,
        }
        reopened = self._session.execute(
            update(AuthBreakerRow)
            .where(AuthBreakerRow.team_id == breaker.team_id, AuthBreakerRow.state == BreakerState.CLOSED.value)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if rowcount(reopened):
            return True
        # First time for this workspace: insert, unless another process just did (then it is open: nothing to do).
        dialect = self._session.get_bind().dialect.name
        statement = postgresql.insert if dialect == "postgresql" else sqlite.insert
        row = {"team_id": breaker.team_id, **values}
        inserted = self._session.execute(
            statement(AuthBreakerRow)
            .values(**row)
            .on_conflict_do_nothing(index_elements=["team_id"])
            .returning(AuthBreakerRow.team_id)
        )
        return inserted.first() is not None

    def take_probe(self, expected: AuthBreaker, after: AuthBreaker, now: datetime) -> bool:
        """Claim the probe slot ``expected.next_probe_at``: move the breaker to ``after`` (the failed-probe schedule)
        only if nobody else has; True when this process should probe."""
        result = self._session.execute(
            update(AuthBreakerRow)
            .where(
                AuthBreakerRow.team_id == expected.team_id,
                AuthBreakerRow.state == BreakerState.OPEN.value,
                AuthBreakerRow.next_probe_at == expected.next_probe_at,
            )
            .values(next_probe_at=after.next_probe_at, failed_probes=after.failed_probes, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        return rowcount(result) > 0

    def close(self, team_id: str, opened_at: datetime, now: datetime) -> bool:
        """Close the breaker opened at ``opened_at`` (a newer opening is left alone); True when it closed."""
        result = self._session.execute(
            update(AuthBreakerRow)
            .where(
                AuthBreakerRow.team_id == team_id,
                AuthBreakerRow.state == BreakerState.OPEN.value,
                AuthBreakerRow.opened_at == opened_at,
            )
            .values(state=BreakerState.CLOSED.value, closed_at=now, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        return rowcount(result) > 0

    def mark_uninstalled(self, breaker: AuthBreaker, now: datetime) -> bool:
        """Open the breaker as uninstalled (from closed, or open for another reason); True when this call did it."""
        values = {
            "state": BreakerState.OPEN.value,
            "reason": UNINSTALLED,
            "opened_at": breaker.opened_at,
            "next_probe_at": breaker.next_probe_at,
            "failed_probes": 0,
            "closed_at": None,
            "updated_at": now,
        }
        changed = self._session.execute(
            update(AuthBreakerRow)
            .where(
                AuthBreakerRow.team_id == breaker.team_id,
                (AuthBreakerRow.state == BreakerState.CLOSED.value) | (AuthBreakerRow.reason != UNINSTALLED),
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return bool(rowcount(changed)) or self.open(breaker, now)

    def uninstalled_before(self, cutoff: datetime) -> list[AuthBreaker]:
        """Open uninstall breakers opened before ``cutoff`` (workspaces due to be purged)."""
        query = select(AuthBreakerRow).where(
            AuthBreakerRow.state == BreakerState.OPEN.value,
            AuthBreakerRow.reason == UNINSTALLED,
            AuthBreakerRow.opened_at < cutoff,
        )
        return [_breaker(row) for row in self._session.scalars(query)]

    def discard_uninstalled(self, team_id: str, opened_at: datetime) -> bool:
        """Delete the uninstall breaker opened at ``opened_at`` if it is still open (compare-and-set: the process
        whose delete succeeds purges the workspace; a reinstall since then closed it and nothing happens)."""
        result = self._session.execute(
            delete(AuthBreakerRow)
            .where(
                AuthBreakerRow.team_id == team_id,
                AuthBreakerRow.state == BreakerState.OPEN.value,
                AuthBreakerRow.reason == UNINSTALLED,
                AuthBreakerRow.opened_at == opened_at,
            )
            .execution_options(synchronize_session=False)
        )
        return rowcount(result) > 0
