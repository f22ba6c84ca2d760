"""The transaction boundary that hands out every repository."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Protocol, Self

from bot.services.ports.coffee import CoffeeRepository
from bot.services.ports.door import AuthBreakerRepository
from bot.services.ports.followups import CadenceRepository, ContactHistory, NudgeRepository, NudgeSettingsRepository
from bot.services.ports.insight import InsightRepository
from bot.services.ports.interactions import InteractionRepository
from bot.services.ports.people import PeopleRepository, WorkspaceRepository


class UnitOfWork(Protocol):
    """A transaction boundary: rolls back on exit unless ``commit()`` was called."""

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
    def coffee(self) -> CoffeeRepository: ...

    @property
    def breakers(self) -> AuthBreakerRepository: ...

    @property
    def insight(self) -> InsightRepository: ...

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


UnitOfWorkFactory = Callable[[], UnitOfWork]
