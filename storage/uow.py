"""The SQL unit of work: one session per unit, rolled back unless committed."""

from __future__ import annotations

import logging
from collections.abc import Callable
from types import TracebackType
from typing import Self

from sqlalchemy.orm import Session, sessionmaker

from storage.repositories.breakers import SqlAuthBreakerRepository
from storage.repositories.cadences import SqlCadenceRepository, SqlNudgeSettingsRepository
from storage.repositories.coffee import (
    SqlCoffeeJobRepository,
    SqlCoffeeProgrammeRepository,
    SqlCoffeeRoundRepository,
)
from storage.repositories.contact_history import SqlContactHistory
from storage.repositories.followups import SqlNudgeRepository
from storage.repositories.insight import SqlInsightRepository, SqlWorkspaceInsight
from storage.repositories.interactions import SqlInteractionRepository
from storage.repositories.mentoring import (
    SqlMentorJobRepository,
    SqlMentorMatchRepository,
    SqlMentorProfileRepository,
)
from storage.repositories.people import SqlPeopleRepository, SqlWorkspaceRepository
from storage.repositories.personal_data import SqlPersonalData
from storage.repositories.reviews import SqlReviewRepository

logger = logging.getLogger(__name__)


class SqlUnitOfWork:
    """Opens a fresh session on ``__enter__`` and closes it on ``__exit__``."""

    session: Session
    workspaces: SqlWorkspaceRepository
    people: SqlPeopleRepository
    interactions: SqlInteractionRepository
    nudges: SqlNudgeRepository
    cadences: SqlCadenceRepository
    nudge_settings: SqlNudgeSettingsRepository
    contact_history: SqlContactHistory
    coffee_programmes: SqlCoffeeProgrammeRepository
    coffee_rounds: SqlCoffeeRoundRepository
    coffee_jobs: SqlCoffeeJobRepository
    breakers: SqlAuthBreakerRepository
    insight: SqlInsightRepository
    personal_data: SqlPersonalData
    workspace_insight: SqlWorkspaceInsight
    reviews: SqlReviewRepository
    mentor_profiles: SqlMentorProfileRepository
    mentor_matches: SqlMentorMatchRepository
    mentor_jobs: SqlMentorJobRepository

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory
        self._after_commit: list[Callable[[], None]] = []

    def __enter__(self) -> Self:
        self.session = self._session_factory()
        self.workspaces = SqlWorkspaceRepository(self.session)
        self.people = SqlPeopleRepository(self.session)
        self.interactions = SqlInteractionRepository(self.session)
        self.nudges = SqlNudgeRepository(self.session)
        self.cadences = SqlCadenceRepository(self.session)
        self.nudge_settings = SqlNudgeSettingsRepository(self.session)
        self.contact_history = SqlContactHistory(self.session)
        self.coffee_programmes = SqlCoffeeProgrammeRepository(self.session)
        self.coffee_rounds = SqlCoffeeRoundRepository(self.session)
        self.coffee_jobs = SqlCoffeeJobRepository(self.session)
        self.breakers = SqlAuthBreakerRepository(self.session)
        self.insight = SqlInsightRepository(self.session)
        self.personal_data = SqlPersonalData(self.session)
        self.workspace_insight = SqlWorkspaceInsight(self.session)
        self.reviews = SqlReviewRepository(self.session)
        self.mentor_profiles = SqlMentorProfileRepository(self.session)
        self.mentor_matches = SqlMentorMatchRepository(self.session)
        self.mentor_jobs = SqlMentorJobRepository(self.session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._after_commit = []
        self.session.rollback()
        self.session.close()

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once the next ``commit()`` has succeeded (dropped if the unit rolls back)."""
        self._after_commit.append(callback)

    def commit(self) -> None:
        """Commit the work done so far, then run what waited for it (a failing callback is logged, not raised:
        the data is committed either way)."""
        self.session.commit()
        callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            try:
                callback()
            except Exception:
                logger.exception("after-commit callback failed")
