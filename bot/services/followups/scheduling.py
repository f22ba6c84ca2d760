"""Follow-ups, scheduling: nudges are created when meetings are logged, and when keep-in-touch cadences fall due.

Decisions:

* A follow-up is scheduled per contact at ``happened_at + days`` (the interaction's ``follow_up_days``; None = the
  person's default, 0 = none). It is only scheduled when the interaction is the latest with that contact (a
  back-filled older meeting does not nag), and it retires older pending follow-ups for the same contact.
* Any logged interaction resets the contact's cadence clock to ``max(happened_at)`` and retires pending cadence
  nudges for that contact.
* Typed meetings stored together (a group commit, bot/services/group_commit.py) are scheduled together: one read
  each of settings, cadences and latest meetings, one UPDATE retiring older follow-ups and one INSERT of the new
  ones for the whole batch. A batch never holds two meetings of one author, so no (author, contact) pair occurs
  twice and the result equals scheduling them one at a time (tests/services/test_meeting_batches.py).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.domain.models import Interaction
from bot.domain.nudges import Cadence, NudgeKind, NudgeSettings, cadence_due, follow_up_due
from bot.services.ports import Clock, UnitOfWork, UnitOfWorkFactory
from bot.services.ports.followups import NewNudge

logger = logging.getLogger(__name__)

# Retiring "every pending cadence nudge" is a supersede with a horizon no cadence reaches.
FOREVER = timedelta(days=3650)


def _contacts(interaction: Interaction) -> list[str]:
    """The people a meeting's follow-ups are about: its participants other than the author, once each."""
    return [user_id for user_id in dict.fromkeys(interaction.participant_ids) if user_id != interaction.author_id]


def _reset_cadence(
    uow: UnitOfWork,
    team_id: str,
    author_id: str,
    contact_id: str,
    cadence: Cadence | None,
    latest: datetime,
    now: datetime,
) -> None:
    """A meeting with the contact restarts an active cadence's clock from ``latest`` and retires its pending nudges."""
    if cadence is None or not cadence.active:
        return
    if cadence.last_interaction_at is not None and latest <= cadence.last_interaction_at:
        return
    next_due = cadence_due(latest, cadence.created_at, cadence.every_days, last_nudged_at=cadence.last_nudged_at)
    uow.cadences.update_clock(cadence.id, latest, next_due, now)
    uow.nudges.supersede_pending(team_id, author_id, contact_id, NudgeKind.CADENCE, now, due_by=now + FOREVER)


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
        contacts = _contacts(interaction)
        cadences = uow.cadences.for_contacts(team_id, author_id, contacts)
        for contact_id in contacts:
            latest = uow.contact_history.latest_with(team_id, author_id, contact_id) or interaction.happened_at
            is_latest = interaction.happened_at >= latest
            if days > 0 and is_latest:
                due = follow_up_due(interaction.happened_at, days)
                uow.nudges.supersede_pending(team_id, author_id, contact_id, NudgeKind.FOLLOW_UP, now, due_by=due)
                uow.nudges.add(
                    team_id, author_id, contact_id, NudgeKind.FOLLOW_UP, due, now, interaction_id=interaction.id
                )
            _reset_cadence(uow, team_id, author_id, contact_id, cadences.get(contact_id), latest, now)

    def on_interactions_logged(self, uow: UnitOfWork, interactions: Sequence[Interaction], now: datetime) -> None:
        """``on_interaction_logged`` for a batch stored in one transaction, with one statement per step.

        Equal to calling it once per interaction as long as no (author, contact) pair occurs twice (the meeting
        store's batches never hold two meetings of one author); otherwise it does just that.
        """
        pairs = [(i.team_id, i.author_id, c) for i in interactions for c in _contacts(i)]
        if len(interactions) == 1 or len(set(pairs)) != len(pairs):
            for interaction in interactions:
                self.on_interaction_logged(uow, interaction, now)
            return
        by_team: dict[str, list[Interaction]] = {}
        for interaction in interactions:
            by_team.setdefault(interaction.team_id, []).append(interaction)
        for team_id, logged in by_team.items():
            self._schedule_team(uow, team_id, logged, now)

    def _schedule_team(self, uow: UnitOfWork, team_id: str, logged: list[Interaction], now: datetime) -> None:
        settings = uow.nudge_settings.get_many(team_id, sorted({i.author_id for i in logged}))
        pairs = [(i.author_id, contact) for i in logged for contact in _contacts(i)]
        cadences = uow.cadences.for_pairs(team_id, pairs)
        latest_of = uow.contact_history.latest_for_pairs(team_id, pairs)
        supersede: list[tuple[str, str, datetime]] = []
        follow_ups: list[NewNudge] = []
        for interaction in logged:
            author_id = interaction.author_id
            days = interaction.follow_up_days
            if days is None:
                days = settings.get(author_id, NudgeSettings()).default_follow_up_days
            for contact_id in _contacts(interaction):
                latest = latest_of.get((author_id, contact_id)) or interaction.happened_at
                if days > 0 and interaction.happened_at >= latest:
                    due = follow_up_due(interaction.happened_at, days)
                    supersede.append((author_id, contact_id, due))
                    follow_ups.append((author_id, contact_id, due, interaction.id))
                cadence = cadences.get((author_id, contact_id))
                _reset_cadence(uow, team_id, author_id, contact_id, cadence, latest, now)
        uow.nudges.supersede_pending_many(team_id, NudgeKind.FOLLOW_UP, now, supersede)
        uow.nudges.add_many(team_id, NudgeKind.FOLLOW_UP, now, follow_ups)

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
