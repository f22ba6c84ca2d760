"""Follow-ups, scheduling: nudges are created when meetings are logged, and when keep-in-touch cadences fall due.

Decisions:

* A follow-up is scheduled per contact at ``happened_at + days`` (the interaction's ``follow_up_days``; None = the
  person's default, 0 = none). It is only scheduled when the interaction is the latest with that contact (a
  back-filled older meeting does not nag), and it retires older pending follow-ups for the same contact.
* Any logged interaction resets the contact's cadence clock to ``max(happened_at)`` and retires pending cadence
  nudges for that contact.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.domain.models import Interaction
from bot.domain.nudges import NudgeKind, NudgeSettings, cadence_due, follow_up_due
from bot.services.ports import Clock, UnitOfWork, UnitOfWorkFactory

logger = logging.getLogger(__name__)

# Retiring "every pending cadence nudge" is a supersede with a horizon no cadence reaches.
FOREVER = timedelta(days=3650)


class NudgeScheduling:
    """Creates nudges: follow-ups when a meeting is logged, keep-in-touch reminders when a cadence falls due."""

    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._clock = clock

    def on_interaction_logged(self, uow: UnitOfWork, interaction: Interaction, now: datetime) -> None:
        """Schedule the follow-up(s) and reset cadence clocks, inside the transaction storing ``interaction``."""
        team_id, author_id = interaction.team_id, interaction.author_id
        settings = uow.nudge_settings.get(team_id, author_id) or NudgeSettings()
        days = interaction.follow_up_days
        if days is None:
            days = settings.default_follow_up_days
        contacts = [user_id for user_id in dict.fromkeys(interaction.participant_ids) if user_id != author_id]
        cadences = uow.cadences.for_contacts(team_id, author_id, contacts)
        for contact_id in contacts:
            latest = uow.contact_history.latest_with(team_id, author_id, contact_id) or interaction.happened_at
            is_latest = interaction.happened_at >= latest
            if days > 0 and is_latest:
                due = follow_up_due(interaction.happened_at, days)
                uow.nudges.supersede_pending(team_id, author_id, contact_id, NudgeKind.FOLLOW_UP, now, due_before=due)
                uow.nudges.add(
                    team_id, author_id, contact_id, NudgeKind.FOLLOW_UP, due, now, interaction_id=interaction.id
                )
            cadence = cadences.get(contact_id)
            if (
                cadence is not None
                and cadence.active
                and (cadence.last_interaction_at is None or latest > cadence.last_interaction_at)
            ):
                next_due = cadence_due(
                    latest, cadence.created_at, cadence.every_days, last_nudged_at=cadence.last_nudged_at
                )
                uow.cadences.update_clock(cadence.id, latest, next_due, now)
                uow.nudges.supersede_pending(
                    team_id, author_id, contact_id, NudgeKind.CADENCE, now, due_before=now + FOREVER
                )

    def sweep_cadences(self, limit: int = 500, team_id: str | None = None) -> int:
        """Turn cadences that fell due into nudges (compare-and-set per cadence, so concurrent sweeps agree).

        ``team_id`` limits the sweep to one workspace (tests and the sandbox); by default every workspace is served.
        """
        now = self._clock.now()
        created = 0
        with self._uow_factory() as uow:
            for cadence in uow.cadences.due(now, limit, team_id):
                assert cadence.next_due_at is not None
                following = cadence_due(
                    cadence.last_interaction_at, cadence.created_at, cadence.every_days, last_nudged_at=now
                )
                if uow.cadences.advance(cadence.id, cadence.next_due_at, following, now):
                    uow.nudges.add(
                        cadence.team_id,
                        cadence.user_id,
                        cadence.contact_id,
                        NudgeKind.CADENCE,
                        cadence.next_due_at,
                        now,
                    )
                    created += 1
            uow.commit()
        if created:
            logger.info("cadence sweep scheduled %d keep-in-touch nudges", created)
        return created
