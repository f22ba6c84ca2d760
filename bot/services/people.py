"""The people directory: Slack's users.info, cached in the database."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.breaker import is_auth_error
from bot.domain.models import Person
from bot.services.ports import Clock, DirectoryLookupError, SlackDirectory, UnitOfWorkFactory

logger = logging.getLogger(__name__)

DEFAULT_TTL = timedelta(hours=12)
# More stale people than this in one sweep batch: refresh the whole directory with users.list (see ``fresh``).
BULK_REFRESH_AT = 50
# People kept in memory; past this the oldest entries are dropped (a few hundred bytes each).
MEMO_SIZE = 10_000


@dataclass(frozen=True, slots=True)
class PersonProblem:
    """Why a person cannot be used (for a user-facing message)."""

    user_id: str
    code: str  # "not_found" | "bot" | "deleted" | "unavailable"


@dataclass(frozen=True, slots=True)
class FreshPeople:
    """People as a sweep may act on them: ``people`` within the TTL (or refreshed just now), ``missing`` = Slack says
    they do not exist, ``refused`` = Slack refused the token (nothing else is known: pause the workspace)."""

    people: dict[str, Person]
    missing: frozenset[str] = frozenset()
    refused: str | None = None


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

    def forget_workspace(self, team_id: str) -> None:
        """The workspace was purged: drop its people from this process's memo."""
        with self._memo_lock:
            for key in [key for key in self._memo if key[0] == team_id]:
                del self._memo[key]

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

    def find(self, team_id: str, user_id: str) -> Person | None:
        """The person for display, or None when Slack says they do not exist or can't say right now."""
        try:
            return self.get(team_id, user_id)
        except DirectoryLookupError:
            return None

    def tz_of(self, team_id: str, user_id: str) -> str:
        """The person's time zone: "UTC" when they are unknown or Slack can't say right now."""
        person = self.find(team_id, user_id)
        return person.tz if person else "UTC"

    def fresh(self, team_id: str, user_ids: list[str]) -> FreshPeople:
        """People for scheduled work, none older than the TTL: stale and uncached entries are refreshed first.

        A few stale people: one users.info each (Tier 4, 100+ a minute). More than ``BULK_REFRESH_AT``: users.list
        (Tier 2, 20+ a minute, but 200 people a page), which refreshes the whole workspace's cache at once, so the
        rest of the day's sweeps find everyone fresh; with daily reminders and a 12-hour TTL most recipients are
        stale each day, and one users.info per person would spend the Tier-4 budget a page at a time. When Slack
        can't be asked (network, rate limit), the stale entry is used, as ``get`` does; when it refuses the token,
        nothing more is asked.
        """
        now = self._clock.now()
        wanted = list(dict.fromkeys(user_ids))
        with self._uow_factory() as uow:
            cached = uow.people.get_many_refreshed(team_id, wanted)
        people = {user_id: person for user_id, (person, at) in cached.items() if now - at < self._ttl}
        stale = [user_id for user_id in wanted if user_id not in people]
        refreshed: dict[str, Person] = {}
        if len(stale) > BULK_REFRESH_AT:
            try:
                refreshed = {person.user_id: person for person in self._directory.fetch_all(team_id)}
            except DirectoryLookupError as error:
                if is_auth_error(error.code):
                    return FreshPeople({}, refused=error.code)
                logger.warning("users.list failed (%s): refreshing people one by one", error.code)
        missing: set[str] = set()
        for user_id in stale:
            if user_id in refreshed:
                people[user_id] = refreshed[user_id]
                continue
            try:
                person = self._directory.fetch_person(team_id, user_id)
            except DirectoryLookupError as error:
                if is_auth_error(error.code):
                    return FreshPeople({}, refused=error.code)
                if user_id in cached:
                    logger.warning("using stale directory entry for %s: Slack lookup failed", user_id)
                    people[user_id] = cached[user_id][0]
                continue
            if person is None:
                missing.add(user_id)
            else:
                people[user_id] = refreshed[user_id] = person
        if refreshed:
            with self._uow_factory() as uow:
                uow.workspaces.ensure(team_id, now)
                for person in refreshed.values():
                    uow.people.upsert(person, now)
                uow.commit()
            for person in refreshed.values():
                self._remember(person, now)
        return FreshPeople(people, frozenset(missing))

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
