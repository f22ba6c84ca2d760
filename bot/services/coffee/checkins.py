"""A group's answer to "Did you meet?", and the private note on one's own logged coffee.

Decision: "We met" logs one interaction per member (kind coffee, source coffee) with the others as participants,
in one transaction running the interaction hooks, so follow-ups are scheduled exactly like a `/met`. "Met" is
final: a second click changes nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime

from bot.domain.coffee import CheckIn, GroupRecord
from bot.domain.models import InteractionKind, InteractionSource, NewInteraction
from bot.services.coffee.results import CheckInResult, Reply
from bot.services.interactions import InteractionHook
from bot.services.ports import Clock, UnitOfWork, UnitOfWorkFactory

logger = logging.getLogger(__name__)

MAX_NOTE = 3000


class CheckIns:
    """Check-in answers and their notes."""

    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        # The whole unit of work, not a narrower one: the hooks (follow-ups) write in the same transaction.
        self._uow_factory = uow_factory
        self._clock = clock
        self._hooks: list[InteractionHook] = []

    def add_hook(self, hook: InteractionHook) -> None:
        """Run ``hook`` in the transaction that stores each interaction "We met" logs (follow-ups use this)."""
        self._hooks.append(hook)

    def check_in(self, team_id: str, group_id: int, user_id: str, outcome: CheckIn) -> CheckInResult | Reply:
        """Record a group's answer; "We met" logs one coffee interaction per member (running the hooks)."""
        now = self._clock.now()
        with self._uow_factory() as uow:
            group = uow.coffee_rounds.group(team_id, group_id)
            if group is None or user_id not in group.member_ids:
                return Reply("Only the people in this group can answer for it.", ok=False)
            changed = uow.coffee_rounds.answer_group(team_id, group_id, outcome, user_id, now)
            if not changed:
                return CheckInResult(group_id, CheckIn.MET, False, group.answered_by or user_id, None, group.member_ids)
            own = self._log_meeting(uow, group, user_id, now) if outcome == CheckIn.MET else None
            uow.commit()
        logger.info("coffee group %s checked in: %s", group_id, outcome.value)
        return CheckInResult(group_id, outcome, True, user_id, own, group.member_ids)

    def _log_meeting(self, uow: UnitOfWork, group: GroupRecord, user_id: str, now: datetime) -> int | None:
        """One coffee interaction per member, with the others as participants; the id of ``user_id``'s own."""
        uow.workspaces.ensure(group.team_id, now)
        own: int | None = None
        for author in group.member_ids:
            others = tuple(member for member in group.member_ids if member != author)
            stored = uow.interactions.add(
                NewInteraction(
                    team_id=group.team_id,
                    author_id=author,
                    happened_at=now,
                    kind=InteractionKind.COFFEE,
                    notes="",
                    source=InteractionSource.COFFEE,
                    participant_ids=others,
                ),
                created_at=now,
            )
            for hook in self._hooks:
                hook(uow, stored, now)
            if author == user_id:
                own = stored.id
        return own

    def add_note(self, team_id: str, user_id: str, interaction_id: int, note: str) -> bool:
        """Attach a private note to the person's own coffee interaction."""
        with self._uow_factory() as uow:
            changed = uow.interactions.set_notes_for_author(team_id, user_id, interaction_id, note.strip()[:MAX_NOTE])
            uow.commit()
        return changed
