"""The people directory: Slack's users.info, cached in the database."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.models import Person
from bot.services.ports import Clock, DirectoryLookupError, SlackDirectory, UnitOfWorkFactory

logger = logging.getLogger(__name__)

DEFAULT_TTL = timedelta(hours=12)
# People kept in memory; past this the oldest entries are dropped (a few hundred bytes each).
MEMO_SIZE = 10_000


@dataclass(frozen=True, slots=True)
class PersonProblem:
    """Why a person cannot be used (for a user-facing message)."""

    user_id: str
    code: str  # "not_found" | "bot" | "deleted" | "unavailable"


class PeopleService:
    """Looks people up through the cache, refreshing stale entries from Slack outside any transaction.

    Decision: entries read from the database cache (or just fetched) are also kept in memory until the same TTL
    runs out, so a `/met` reads no person from the database while their entry is fresh: those two reads were a
    fifth of a command's CPU (docs/benchmarks.md). It answers exactly what the database cache would within its
    TTL; a refresh made by another process is seen here once this process's copy expires.
    """

    def __init__(
        self, uow_factory: UnitOfWorkFactory, directory: SlackDirectory, clock: Clock, ttl: timedelta = DEFAULT_TTL
    ) -> None:
        self._uow_factory = uow_factory
        self._directory = directory
        self._clock = clock
        self._ttl = ttl
        self._memo: dict[tuple[str, str], tuple[Person, datetime]] = {}
        self._memo_lock = threading.Lock()

    def _remember(self, person: Person, refreshed_at: datetime) -> None:
        with self._memo_lock:
            self._memo.pop((person.team_id, person.user_id), None)
            self._memo[(person.team_id, person.user_id)] = (person, refreshed_at)
            if len(self._memo) > MEMO_SIZE:
                del self._memo[next(iter(self._memo))]

    def get(self, team_id: str, user_id: str) -> Person | None:
        """The person, or None when Slack says they do not exist; raises DirectoryLookupError if Slack is down
        and nothing is cached."""
        now = self._clock.now()
        with self._memo_lock:
            remembered = self._memo.get((team_id, user_id))
        if remembered is not None and now - remembered[1] < self._ttl:
            return remembered[0]
        with self._uow_factory() as uow:
            cached = uow.people.get(team_id, user_id)
        if cached is not None and now - cached[1] < self._ttl:
            self._remember(*cached)
            return cached[0]
        try:
            fresh = self._directory.fetch_person(team_id, user_id)
        except DirectoryLookupError:
            if cached is not None:
                logger.warning("using stale directory entry for %s: Slack lookup failed", user_id)
                return cached[0]
            raise
        if fresh is None:
            return None
        with self._uow_factory() as uow:
            uow.workspaces.ensure(team_id, now)
            uow.people.upsert(fresh, now)
            uow.commit()
        self._remember(fresh, now)
        return fresh

    def resolve(self, team_id: str, user_ids: tuple[str, ...]) -> tuple[dict[str, Person], list[PersonProblem]]:
        """Look up several people; report each one that cannot be met (unknown, bot, deactivated)."""
        found: dict[str, Person] = {}
        problems: list[PersonProblem] = []
        for user_id in user_ids:
            try:
                person = self.get(team_id, user_id)
            except DirectoryLookupError:
                problems.append(PersonProblem(user_id, "unavailable"))
                continue
            if person is None:
                problems.append(PersonProblem(user_id, "not_found"))
            elif person.is_bot:
                problems.append(PersonProblem(user_id, "bot"))
            elif person.deleted:
                problems.append(PersonProblem(user_id, "deleted"))
            else:
                found[user_id] = person
        return found, problems

    def labels(self, team_id: str, user_ids: tuple[str, ...]) -> dict[str, str]:
        """Best-effort display names for rendering; people Slack cannot tell us about are left out."""
        labels: dict[str, str] = {}
        for user_id in user_ids:
            try:
                person = self.get(team_id, user_id)
            except DirectoryLookupError:
                person = None
            if person is not None:
                labels[user_id] = person.label
        return labels
