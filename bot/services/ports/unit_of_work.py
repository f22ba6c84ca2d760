"""The transaction boundary that hands out every repository.

A use case that needs only a few repositories may declare its own narrower unit (``class MyUnit(Transaction,
Protocol)`` with just those properties) and take a ``Callable[[], MyUnit]``: the full :class:`UnitOfWork` fits
it, and the type checker then holds the use case to what it declared.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Protocol, Self

from bot.services.ports.admin import WorkspaceInsight
from bot.services.ports.coffee import CoffeeJobRepository, CoffeeProgrammeRepository, CoffeeRoundRepository
from bot.services.ports.door import AuthBreakerRepository
from bot.services.ports.followups import CadenceRepository, ContactHistory, NudgeRepository, NudgeSettingsRepository
from bot.services.ports.insight import InsightRepository
from bot.services.ports.interactions import InteractionRepository
from bot.services.ports.mentoring import MentorJobRepository, MentorMatchRepository, MentorProfileRepository
from bot.services.ports.people import PeopleRepository, WorkspaceRepository
from bot.services.ports.personal_data import PersonalData
from bot.services.ports.reviews import ReviewRepository


class Transaction(Protocol):
    """A transaction boundary: rolls back on exit unless ``commit()`` was called."""

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None:
        """Commit the work done so far."""
        ...


class UnitOfWork(Transaction, Protocol):
    """A transaction boundary handing out every repository."""

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once this unit's next ``commit()`` has succeeded (never if it rolls back)."""
        ...

    @property
    def workspaces(self) -> WorkspaceRepository: ...

    @property
    def people(self) -> PeopleRepository: ...

    @property
    def interactions(self) -> InteractionRepository: ...

    @property
    def nudges(self) -> NudgeRepository: ...

    @property
    def cadences(self) -> CadenceRepository: ...

    @property
    def nudge_settings(self) -> NudgeSettingsRepository: ...

    @property
    def contact_history(self) -> ContactHistory: ...

    @property
    def coffee_programmes(self) -> CoffeeProgrammeRepository: ...

    @property
    def coffee_rounds(self) -> CoffeeRoundRepository: ...

    @property
    def coffee_jobs(self) -> CoffeeJobRepository: ...

    @property
    def breakers(self) -> AuthBreakerRepository: ...

    @property
    def insight(self) -> InsightRepository: ...

    @property
    def personal_data(self) -> PersonalData: ...

    @property
    def workspace_insight(self) -> WorkspaceInsight: ...

    @property
    def reviews(self) -> ReviewRepository: ...

    @property
    def mentor_profiles(self) -> MentorProfileRepository: ...

    @property
    def mentor_matches(self) -> MentorMatchRepository: ...

    @property
    def mentor_jobs(self) -> MentorJobRepository: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]
