"""Workspaces come and go: an uninstall holds all their work at once, a reinstall resumes it, and a workspace gone for
longer than the retention period is purged.

Public API:

    WorkspaceService(uow_factory, breakers, tokens, clock, retention, on_forget=[...])
    uninstalled(team_id)   # app_uninstalled, or tokens_revoked naming the bot: hold its work, delete its tokens
    installed(team_id)     # an OAuth install finished: its held work resumes where it left off
    purge_departed() -> int  # periodic sweep: purge workspaces uninstalled longer than ``retention`` ago

Decisions:

* **The auth breaker holds the work.** An uninstall opens the workspace's breaker (reason ``app_uninstalled``,
  bot.domain.breaker), which every sweep already consults before claiming: pending nudges, coffee steps and weekly
  reviews stay pending, none fails or counts an attempt. Its probe finds no token (``not_authed`` without a call to
  Slack) until a reinstall closes it; in single-workspace mode a probe that finds the configured token working again
  closes it the same way.
* **Purge once, across processes.** The sweep deletes the breaker row with a compare-and-set in the same
  transaction as the data, so one process purges each workspace, and a reinstall that closed the breaker first
  wins: nothing is purged.
* **Process memos are dropped** (``on_forget``: the directory memo, the "workspace row exists" memo of /met, the
  gateway's clients and user cache) in the purging process; the memos of other processes expire on their own,
  far sooner than any retention period.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import timedelta

from bot.services.breakers import AuthBreakers
from bot.services.ports import Clock, InstalledTokens, UnitOfWorkFactory

logger = logging.getLogger(__name__)

DEFAULT_RETENTION = timedelta(days=30)


class WorkspaceService:
    """Uninstall, reinstall and purge of whole workspaces."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        breakers: AuthBreakers,
        tokens: InstalledTokens,
        clock: Clock,
        retention: timedelta = DEFAULT_RETENTION,
        *,
        on_forget: Iterable[Callable[[str], None]] = (),
    ) -> None:
        self._uow_factory = uow_factory
        self._breakers = breakers
        self._tokens = tokens
        self._clock = clock
        self._retention = retention
        self._on_forget = list(on_forget)

    def add_forget_hook(self, hook: Callable[[str], None]) -> None:
        """Call ``hook(team_id)`` whenever a workspace's tokens or data go (to drop per-process caches)."""
        self._on_forget.append(hook)

    def uninstalled(self, team_id: str) -> None:
        """The app was uninstalled (or its bot token revoked): hold all the workspace's work and delete its tokens."""
        breaker = self._breakers.uninstalled(team_id)
        self._tokens.delete(team_id)
        self._forget(team_id)
        logger.warning(
            "Rapport was uninstalled from team %s: its work is held; its data is purged after %s unless it is "
            "reinstalled",
            team_id,
            (breaker.opened_at + self._retention).date().isoformat(),
        )

    def installed(self, team_id: str) -> None:
        """A (re)install finished: close an open breaker so the held work resumes where it left off."""
        resumed = self._breakers.reinstalled(team_id)
        with self._uow_factory() as uow:
            uow.workspaces.ensure(team_id, self._clock.now())
            uow.commit()
        self._forget(team_id)
        if resumed:
            logger.warning("Rapport was reinstalled in team %s: its held work resumes", team_id)
        else:
            logger.info("Rapport was installed in team %s", team_id)

    def purge_departed(self) -> int:
        """Purge every workspace uninstalled longer than the retention period ago; returns how many."""
        cutoff = self._clock.now() - self._retention
        with self._uow_factory() as uow:
            departed = uow.breakers.uninstalled_before(cutoff)
        purged = 0
        for breaker in departed:
            with self._uow_factory() as uow:
                if not uow.breakers.discard_uninstalled(breaker.team_id, breaker.opened_at):
                    continue  # reinstalled meanwhile, or another process purged it
                rows = uow.personal_data.purge_workspace(breaker.team_id)
                uow.commit()
            self._forget(breaker.team_id)
            purged += 1
            logger.warning("purged team %s (uninstalled since %s): %d rows", breaker.team_id, breaker.opened_at, rows)
        return purged

    def _forget(self, team_id: str) -> None:
        for hook in self._on_forget:
            hook(team_id)
