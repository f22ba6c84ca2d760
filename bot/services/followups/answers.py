"""Follow-ups, answers: what the person does with a nudge (Done, Snooze, Not needed, Keep in touch), their
keep-in-touch cadences and their nudge settings.

Decisions:

* "Done" logs a follow-up touch: an interaction with the contact at ``now``, kind ``other``, source ``nudge``,
  ``follow_up_days=0`` (no new follow-up), through the scheduling hook, so it resets the cadence clock.
* Snooze retires the nudge (status ``snoozed``) and schedules a new one ``days`` later (so its message is not "late").
* An answer to a nudge that is not open (a double click, another device) changes nothing and says so (``changed``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.domain.models import InteractionKind, InteractionSource, NewInteraction
from bot.domain.nudges import (
    CadenceInfo,
    NudgeKind,
    NudgeSettings,
    NudgeStatus,
    ScheduledNudge,
    cadence_due,
    cadence_info,
    next_delivery_time,
)
from bot.services.followups.scheduling import FOREVER, NudgeScheduling
from bot.services.people import PeopleService
from bot.services.ports import Clock, UnitOfWorkFactory

logger = logging.getLogger(__name__)

MAX_DAYS = 365


@dataclass(frozen=True, slots=True)
class NudgeOutcome:
    """What a button did to a nudge (for updating the DM in place)."""

    nudge_id: int
    contact_id: str
    kind: NudgeKind
    status: NudgeStatus
    changed: bool  # False when the nudge had already been answered (a double click, another device)
    tz: str = "UTC"
    snoozed_until: datetime | None = None
    cadence: CadenceInfo | None = None


class NudgeAnswers:
    """The person's answers to nudges, their cadences and their settings."""

    def __init__(
        self, uow_factory: UnitOfWorkFactory, people: PeopleService, clock: Clock, scheduling: NudgeScheduling
    ) -> None:
        self._uow_factory = uow_factory
        self._people = people
        self._clock = clock
        self._scheduling = scheduling

    def complete(self, team_id: str, user_id: str, nudge_id: int) -> NudgeOutcome | None:
        """Done: log a follow-up touch with the contact (now) and resolve the nudge. None if it is not theirs."""
        now = self._clock.now()
        with self._uow_factory() as uow:
            resolved = uow.nudges.resolve(team_id, user_id, nudge_id, NudgeStatus.DONE, now)
            if resolved is None:
                return self._unchanged(uow.nudges.get(team_id, user_id, nudge_id), team_id, user_id)
            touch = uow.interactions.add(
                NewInteraction(
                    team_id=team_id,
                    author_id=user_id,
                    happened_at=now,
                    kind=InteractionKind.OTHER,
                    notes="",
                    source=InteractionSource.NUDGE,
                    participant_ids=(resolved.contact_id,),
                    follow_up_days=0,
                ),
                created_at=now,
            )
            self._scheduling.on_interaction_logged(uow, touch, now)
            uow.commit()
        logger.info("nudge %s done team=%s", nudge_id, team_id)
        return self._outcome(resolved, True, team_id, user_id)

    def snooze(self, team_id: str, user_id: str, nudge_id: int, days: int) -> NudgeOutcome | None:
        """Snooze: retire this nudge and schedule the same reminder ``days`` from now."""
        if not 1 <= days <= MAX_DAYS:
            raise ValueError(f"snooze days must be between 1 and {MAX_DAYS}")
        now = self._clock.now()
        until = now + timedelta(days=days)
        with self._uow_factory() as uow:
            resolved = uow.nudges.resolve(team_id, user_id, nudge_id, NudgeStatus.SNOOZED, now)
            if resolved is None:
                return self._unchanged(uow.nudges.get(team_id, user_id, nudge_id), team_id, user_id)
            uow.nudges.add(
                team_id,
                user_id,
                resolved.contact_id,
                resolved.kind,
                until,
                now,
                interaction_id=resolved.interaction_id,
            )
            settings = uow.nudge_settings.get(team_id, user_id) or NudgeSettings()
            uow.commit()
        tz = self._people.tz_of(team_id, user_id)
        deliver_at = next_delivery_time(until, settings.hours(tz))
        logger.info("nudge %s snoozed %d days team=%s", nudge_id, days, team_id)
        return replace(self._outcome(resolved, True, team_id, user_id, tz), snoozed_until=deliver_at)

    def dismiss(self, team_id: str, user_id: str, nudge_id: int) -> NudgeOutcome | None:
        """Not needed: resolve the nudge without logging anything."""
        with self._uow_factory() as uow:
            resolved = uow.nudges.resolve(team_id, user_id, nudge_id, NudgeStatus.DISMISSED, self._clock.now())
            if resolved is None:
                return self._unchanged(uow.nudges.get(team_id, user_id, nudge_id), team_id, user_id)
            uow.commit()
        logger.info("nudge %s dismissed team=%s", nudge_id, team_id)
        return self._outcome(resolved, True, team_id, user_id)

    def keep_in_touch(self, team_id: str, user_id: str, nudge_id: int, every_days: int) -> NudgeOutcome | None:
        """The nudge's "Keep in touch" menu: set a cadence with its contact (the nudge itself stays open)."""
        with self._uow_factory() as uow:
            nudge = uow.nudges.get(team_id, user_id, nudge_id)
        if nudge is None:
            return None
        cadence = self.set_cadence(team_id, user_id, nudge.contact_id, every_days)
        return replace(self._outcome(nudge, True, team_id, user_id), cadence=cadence)

    def _unchanged(self, current: ScheduledNudge | None, team_id: str, user_id: str) -> NudgeOutcome | None:
        return None if current is None else self._outcome(current, False, team_id, user_id)

    def _outcome(
        self, nudge: ScheduledNudge, changed: bool, team_id: str, user_id: str, tz: str | None = None
    ) -> NudgeOutcome:
        return NudgeOutcome(
            nudge_id=nudge.id,
            contact_id=nudge.contact_id,
            kind=nudge.kind,
            status=nudge.status,
            changed=changed,
            tz=tz or self._people.tz_of(team_id, user_id),
        )

    # --- cadences and settings ----------------------------------------------------------------------------------

    def set_cadence(self, team_id: str, user_id: str, contact_id: str, every_days: int) -> CadenceInfo:
        """Keep in touch with ``contact_id`` every ``every_days`` (1–365), counted from the last interaction."""
        if not 1 <= every_days <= MAX_DAYS:
            raise ValueError(f"every_days must be between 1 and {MAX_DAYS}")
        if contact_id == user_id:
            raise ValueError("a cadence is with someone else")
        now = self._clock.now()
        with self._uow_factory() as uow:
            uow.workspaces.ensure(team_id, now)
            latest = uow.contact_history.latest_with(team_id, user_id, contact_id)
            next_due = cadence_due(latest, now, every_days)
            uow.cadences.upsert(team_id, user_id, contact_id, every_days, latest, next_due, now)
            uow.nudges.supersede_pending(team_id, user_id, contact_id, NudgeKind.CADENCE, now, due_by=now + FOREVER)
            uow.commit()
        logger.info("cadence set team=%s every=%dd", team_id, every_days)
        return CadenceInfo(contact_id, every_days, latest, next_due)

    def stop_cadence(self, team_id: str, user_id: str, contact_id: str) -> bool:
        """Stop keeping in touch with ``contact_id``; False when there was no active cadence."""
        now = self._clock.now()
        with self._uow_factory() as uow:
            stopped = uow.cadences.deactivate(team_id, user_id, contact_id, now)
            if stopped:
                uow.nudges.supersede_pending(team_id, user_id, contact_id, NudgeKind.CADENCE, now, due_by=now + FOREVER)
            uow.commit()
        return stopped

    def list_cadences(self, team_id: str, user_id: str) -> list[CadenceInfo]:
        """The person's active cadences, soonest due first."""
        with self._uow_factory() as uow:
            return [cadence_info(cadence) for cadence in uow.cadences.list_active(team_id, user_id)]

    def get_settings(self, team_id: str, user_id: str) -> NudgeSettings:
        """The person's nudge settings (defaults until they save some)."""
        with self._uow_factory() as uow:
            return uow.nudge_settings.get(team_id, user_id) or NudgeSettings()

    def save_settings(self, team_id: str, user_id: str, settings: NudgeSettings) -> NudgeSettings:
        """Save the person's nudge settings; pending nudges follow them at their next sweep."""
        now = self._clock.now()
        with self._uow_factory() as uow:
            uow.workspaces.ensure(team_id, now)
            uow.nudge_settings.save(team_id, user_id, settings, now)
            uow.commit()
        logger.info("nudge settings saved team=%s", team_id)
        return settings

    def due(self, team_id: str, user_id: str, limit: int, count_up_to: int) -> tuple[list[ScheduledNudge], int]:
        """The person's first ``limit`` due (or sent, unanswered) nudges, oldest first, and how many are due
        (counted up to ``count_up_to``)."""
        with self._uow_factory() as uow:
            return uow.nudges.due_for_user(team_id, user_id, self._clock.now(), limit, count_up_to)

    def pending(self, team_id: str, user_id: str) -> list[ScheduledNudge]:
        """The person's open nudges (pending, claimed or sent and unanswered), oldest due first."""
        with self._uow_factory() as uow:
            return uow.nudges.list_for_user(
                team_id, user_id, (NudgeStatus.PENDING, NudgeStatus.CLAIMED, NudgeStatus.SENT)
            )
