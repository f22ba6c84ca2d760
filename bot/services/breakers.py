"""Auth errors pause, they never fail: per-workspace breakers that every sweep consults before claiming work.

Public API:

    AuthBreakers(uow_factory, probe, clock, policy=ProbePolicy())
    paused_teams(team_id=None) -> frozenset[str]   # open breakers, after probing those whose probe is due
    trip(team_id, error) -> datetime                # Slack refused the token: pause the workspace (until when)
    resume_at(team_id) -> datetime                  # the earliest a paused workspace's work may be tried again
    uninstalled(team_id) -> AuthBreaker             # the app was uninstalled: paused until a reinstall
    reinstalled(team_id) -> bool                    # an install finished: resume at once (True if it was paused)

A sweep calls ``paused_teams`` before it claims, leaves those workspaces' rows alone, and calls ``trip`` when a call
comes back with an auth error (bot.domain.breaker.AUTH_ERRORS), handing the work back without counting an attempt,
to become due at the breaker's next probe (``trip``'s answer, or ``resume_at``): not sooner, or a sweep claiming with
an older view of the open breakers could take it again at once.
The state is in the database, so every process pauses and resumes together, and the probe slot is claimed with a
compare-and-set so one process probes ``auth.test`` per slot. Probing happens inside ``paused_teams``: each sweep
tick is a chance to resume, with no job of its own to schedule.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime

from bot.domain.breaker import AuthBreaker, ProbePolicy, after_auth_error, after_probe, after_uninstall, probe_due
from bot.services.ports import AuthProbe, Clock, UnitOfWorkFactory

logger = logging.getLogger(__name__)

# How long one process reuses its read of the open breakers (every sweep asks before each claim). Another process's
# change is seen within this; this process's own changes clear it at once, and probes are compare-and-set anyway.
READ_SECONDS = 1.0


class AuthBreakers:
    """Opens, probes and closes the per-workspace auth breakers."""

    def __init__(
        self, uow_factory: UnitOfWorkFactory, probe: AuthProbe, clock: Clock, policy: ProbePolicy | None = None
    ) -> None:
        self._uow_factory = uow_factory
        self._probe = probe
        self._clock = clock
        self._policy = policy or ProbePolicy()
        self._lock = threading.Lock()
        self._read: tuple[float, list[AuthBreaker]] | None = None

    def _open_breakers(self) -> list[AuthBreaker]:
        with self._lock:
            if self._read is not None and time.monotonic() - self._read[0] < READ_SECONDS:
                return self._read[1]
        with self._uow_factory() as uow:
            breakers = uow.breakers.open_breakers()
        with self._lock:
            self._read = (time.monotonic(), breakers)
        return breakers

    def _forget(self) -> None:
        with self._lock:
            self._read = None

    def paused_teams(self, team_id: str | None = None) -> frozenset[str]:
        """Workspaces whose sending is paused (or only ``team_id``, if it is), probing those that are due first."""
        now = self._clock.now()
        breakers = [b for b in self._open_breakers() if team_id is None or b.team_id == team_id]
        paused: set[str] = set()
        for breaker in breakers:
            if probe_due(breaker, now) and self._probe_once(breaker):
                continue
            paused.add(breaker.team_id)
        return frozenset(paused)

    def _probe_once(self, breaker: AuthBreaker) -> bool:
        """Probe a due breaker if no other process took this slot; True when the token works again."""
        now = self._clock.now()
        # Take the slot first, assuming failure (the next probe backed off): a crash mid-probe then costs one slot.
        scheduled = after_probe(breaker, False, now, self._policy)
        with self._uow_factory() as uow:
            taken = uow.breakers.take_probe(breaker, scheduled, now)
            uow.commit()
        self._forget()
        if not taken:
            return False  # another process is probing this slot; stay paused until it says otherwise
        outcome = self._probe.check_auth(breaker.team_id)
        if not outcome.ok:
            logger.info(
                "auth.test for team %s still fails (%s); next probe at %s",
                breaker.team_id,
                outcome.error,
                scheduled.next_probe_at.isoformat(),
            )
            return False
        with self._uow_factory() as uow:
            closed = uow.breakers.close(breaker.team_id, breaker.opened_at, self._clock.now())
            uow.commit()
        self._forget()
        if closed:
            logger.warning("Slack accepts the token of team %s again: sending resumes", breaker.team_id)
        return True

    def resume_at(self, team_id: str) -> datetime:
        """When work handed back for a paused workspace may be tried again: its breaker's next probe (now if it is
        not paused, or the probe is already due)."""
        now = self._clock.now()
        for breaker in self._open_breakers():
            if breaker.team_id == team_id:
                return max(breaker.next_probe_at, now)
        return now

    def trip(self, team_id: str, error: str) -> datetime:
        """Slack refused the workspace's token: pause sending to it until ``auth.test`` succeeds.

        Returns when its work may be tried again: the breaker's next probe."""
        now = self._clock.now()
        with self._uow_factory() as uow:
            current = uow.breakers.get(team_id)
            breaker = after_auth_error(current, team_id, error, now, self._policy)
            opened = breaker is not current and uow.breakers.open(breaker, now)
            uow.commit()
        self._forget()
        if opened:
            logger.warning(
                "Slack refused the token of team %s (%s): sending to it is paused and its work kept until auth.test "
                "succeeds",
                team_id,
                error,
            )
        return max(breaker.next_probe_at, now)

    def uninstalled(self, team_id: str) -> AuthBreaker:
        """The app was uninstalled from the workspace: pause it (kept open since the first uninstall notice)."""
        now = self._clock.now()
        with self._uow_factory() as uow:
            current = uow.breakers.get(team_id)
            breaker = after_uninstall(current, team_id, now, self._policy)
            if breaker is not current:
                uow.workspaces.ensure(team_id, now)  # a workspace uninstalled before it stored anything
                uow.breakers.mark_uninstalled(breaker, now)
            uow.commit()
        self._forget()
        return breaker

    def reinstalled(self, team_id: str) -> bool:
        """An install of the workspace finished: close its breaker now; True when it was paused."""
        now = self._clock.now()
        with self._uow_factory() as uow:
            current = uow.breakers.get(team_id)
            closed = current is not None and current.is_open and uow.breakers.close(team_id, current.opened_at, now)
            uow.commit()
        self._forget()
        return closed
