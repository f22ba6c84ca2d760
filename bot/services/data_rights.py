"""Data rights: a person takes out everything Rapport holds about them, or has Rapport forget them."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.domain.export import export_files
from bot.services.ports import Clock, UnitOfWorkFactory

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Export:
    """The files of one person's export, and how many rows they hold."""

    files: dict[str, bytes]
    rows: int


class DataRightsService:
    """Export and forget, for the person asking and only about them."""

    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._clock = clock

    def export(self, team_id: str, user_id: str) -> Export:
        """Everything Rapport holds about the person, as files."""
        with self._uow_factory() as uow:
            sections = uow.personal_data.export(team_id, user_id)
        rows = sum(len(section) for section in sections.values())
        return Export(export_files(sections, self._clock.now(), team_id, user_id), rows)

    def forget(self, team_id: str, user_id: str) -> int:
        """Delete the person's data and anonymise them in others' (idempotent); returns rows touched."""
        with self._uow_factory() as uow:
            touched = uow.personal_data.forget(team_id, user_id)
            uow.commit()
        logger.info("forgot a person in team %s: %d rows deleted or anonymised", team_id, touched)
        return touched
