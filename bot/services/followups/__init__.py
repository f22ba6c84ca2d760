"""Follow-ups: schedule nudges when meetings are logged, deliver them exactly once, act on the person's answer.

One module per use case, behind the ``FollowUpService`` facade that handlers, the container and the scheduler use:

* ``scheduling``: follow-ups when a meeting is logged, keep-in-touch nudges when a cadence falls due;
* ``delivery``: the sweep on the leased-job runner (bot.services.leased): exactly once, doubt settlement, pauses;
* ``answers``: Done, Snooze, Not needed, Keep in touch; cadences; nudge settings.

Public API (every method opens its own units of work):

    FollowUpService(uow_factory, people, clock, sender, render, *, lease=timedelta(minutes=5), batch=200,
                    threads=8, max_batches=50, max_per_digest=DEFAULT_MAX_PER_DIGEST, worker_id=None, breakers=None)
    on_interaction_logged(uow, interaction, now) -> None         # InteractionService hook (same transaction)
    sweep(worker_id=None, batch=None, team_id=None) -> SweepReport  # claim due nudges, deliver, record outcomes
    sweep_cadences(limit=500, team_id=None) -> int                 # create keep-in-touch nudges that fell due
    complete(team_id, user_id, nudge_id) -> NudgeOutcome | None   # Done: logs a follow-up touch, resolves
    snooze(team_id, user_id, nudge_id, days) -> NudgeOutcome | None
    dismiss(team_id, user_id, nudge_id) -> NudgeOutcome | None    # Not needed
    keep_in_touch(team_id, user_id, nudge_id, every_days) -> NudgeOutcome | None  # cadence from a nudge button
    set_cadence(team_id, user_id, contact_id, every_days) -> CadenceInfo
    stop_cadence(team_id, user_id, contact_id) -> bool
    list_cadences(team_id, user_id) -> list[CadenceInfo]
    get_settings(team_id, user_id) -> NudgeSettings
    save_settings(team_id, user_id, settings: NudgeSettings) -> NudgeSettings
    pending(team_id, user_id) -> list[ScheduledNudge]
    close() -> None                                                # stop the delivery threads
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.domain.models import Interaction
from bot.domain.nudges import DEFAULT_MAX_PER_DIGEST, CadenceInfo, NudgeSettings, ScheduledNudge
from bot.services.breakers import AuthBreakers
from bot.services.followups.answers import MAX_DAYS, NudgeAnswers, NudgeOutcome
from bot.services.followups.delivery import METADATA_EVENT, NudgeDelivery, Renderer, SweepLimits, SweepReport
from bot.services.followups.scheduling import NudgeScheduling
from bot.services.people import PeopleService
from bot.services.ports import Clock, MessageSender, UnitOfWork, UnitOfWorkFactory
from bot.services.workers import default_worker_id

__all__ = [
    "MAX_DAYS",
    "METADATA_EVENT",
    "FollowUpService",
    "NudgeOutcome",
    "Renderer",
    "SweepReport",
]


class FollowUpService:
    """Nudges, cadences and nudge settings: the use cases of this package behind one object."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        people: PeopleService,
        clock: Clock,
        sender: MessageSender,
        render: Renderer,
        *,
        lease: timedelta = timedelta(minutes=5),
        batch: int = 200,
        threads: int = 8,
        max_batches: int = 50,
        max_per_digest: int = DEFAULT_MAX_PER_DIGEST,
        worker_id: str | None = None,
        breakers: AuthBreakers | None = None,
    ) -> None:
        self.worker_id = worker_id or default_worker_id()
        self._scheduling = NudgeScheduling(uow_factory, clock)
        self._answers = NudgeAnswers(uow_factory, people, clock, self._scheduling)
        limits = SweepLimits(lease, batch, threads, max_batches, max_per_digest)
        breakers = breakers or AuthBreakers(uow_factory, sender, clock)
        self._delivery = NudgeDelivery(uow_factory, people, clock, sender, render, breakers, limits, self.worker_id)

    # --- scheduling ---------------------------------------------------------------------------------------------

    def on_interaction_logged(self, uow: UnitOfWork, interaction: Interaction, now: datetime) -> None:
        """Schedule the follow-up(s) and reset cadence clocks, inside the transaction storing ``interaction``."""
        self._scheduling.on_interaction_logged(uow, interaction, now)

    def on_interactions_logged(self, uow: UnitOfWork, interactions: Sequence[Interaction], now: datetime) -> None:
        """``on_interaction_logged`` for a batch stored in one transaction (one statement per step)."""
        self._scheduling.on_interactions_logged(uow, interactions, now)

    def sweep_cadences(self, limit: int = 500, team_id: str | None = None) -> int:
        """Turn cadences that fell due into nudges."""
        return self._scheduling.sweep_cadences(limit, team_id)

    # --- delivery -----------------------------------------------------------------------------------------------

    def sweep(self, worker_id: str | None = None, batch: int | None = None, team_id: str | None = None) -> SweepReport:
        """Claim due nudges, deliver them and record the outcomes."""
        return self._delivery.sweep(worker_id, batch, team_id)

    def close(self) -> None:
        """Stop the delivery threads."""
        self._delivery.close()

    # --- answers, cadences, settings ----------------------------------------------------------------------------

    def complete(self, team_id: str, user_id: str, nudge_id: int) -> NudgeOutcome | None:
        """Done: log a follow-up touch with the contact (now) and resolve the nudge. None if it is not theirs."""
        return self._answers.complete(team_id, user_id, nudge_id)

    def snooze(self, team_id: str, user_id: str, nudge_id: int, days: int) -> NudgeOutcome | None:
        """Snooze: retire this nudge and schedule the same reminder ``days`` from now."""
        return self._answers.snooze(team_id, user_id, nudge_id, days)

    def dismiss(self, team_id: str, user_id: str, nudge_id: int) -> NudgeOutcome | None:
        """Not needed: resolve the nudge without logging anything."""
        return self._answers.dismiss(team_id, user_id, nudge_id)

    def keep_in_touch(self, team_id: str, user_id: str, nudge_id: int, every_days: int) -> NudgeOutcome | None:
        """The nudge's "Keep in touch" menu: set a cadence with its contact (the nudge itself stays open)."""
        return self._answers.keep_in_touch(team_id, user_id, nudge_id, every_days)

    def set_cadence(self, team_id: str, user_id: str, contact_id: str, every_days: int) -> CadenceInfo:
        """Keep in touch with ``contact_id`` every ``every_days`` (1–365), counted from the last interaction."""
        return self._answers.set_cadence(team_id, user_id, contact_id, every_days)

    def stop_cadence(self, team_id: str, user_id: str, contact_id: str) -> bool:
        """Stop keeping in touch with ``contact_id``; False when there was no active cadence."""
        return self._answers.stop_cadence(team_id, user_id, contact_id)

    def list_cadences(self, team_id: str, user_id: str) -> list[CadenceInfo]:
        """The person's active cadences, soonest due first."""
        return self._answers.list_cadences(team_id, user_id)

    def get_settings(self, team_id: str, user_id: str) -> NudgeSettings:
        """The person's nudge settings (defaults until they save some)."""
        return self._answers.get_settings(team_id, user_id)

    def save_settings(self, team_id: str, user_id: str, settings: NudgeSettings) -> NudgeSettings:
        """Save the person's nudge settings; pending nudges follow them at their next sweep."""
        return self._answers.save_settings(team_id, user_id, settings)

    def due(self, team_id: str, user_id: str, limit: int, count_up_to: int) -> tuple[list[ScheduledNudge], int]:
        """The person's first ``limit`` due (or sent, unanswered) nudges, oldest first, and how many are due
        (counted up to ``count_up_to``)."""
        return self._answers.due(team_id, user_id, limit, count_up_to)

    def pending(self, team_id: str, user_id: str) -> list[ScheduledNudge]:
        """The person's open nudges (pending, claimed or sent and unanswered), oldest due first."""
        return self._answers.pending(team_id, user_id)
