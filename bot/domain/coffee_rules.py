"""Coffee rules about one person: where they stand for a round, and what a round without an answer does to them.

Pure: ``now`` is an argument.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.domain.coffee import IGNORED_ROUNDS_LIMIT, MemberState, OptIn


class Standing(StrEnum):
    """Where someone stands for a round."""

    LEFT = "left"  # `/coffee leave`
    SET_ASIDE = "set_aside"  # after IGNORED_ROUNDS_LIMIT quiet rounds in a row
    PAUSED = "paused"  # `/coffee pause until …`, not over yet
    SKIPPING = "skipping"  # this round
    NOT_JOINED = "not_joined"  # an opt-in channel they never joined
    IN = "in"


def standing(member: MemberState, opt_in: OptIn, round_id: int | None, now: datetime) -> Standing:
    """Where ``member`` stands for round ``round_id`` (None: no round in view), as `/coffee status` tells them.

    The first that applies: left, set aside, paused, skipping this round, never joined an opt-in channel, in.
    """
    if member.left:
        return Standing.LEFT
    if member.set_aside:
        return Standing.SET_ASIDE
    if member.paused_until is not None and member.paused_until > now:
        return Standing.PAUSED
    if round_id is not None and member.skip_round_id == round_id:
        return Standing.SKIPPING
    if opt_in == OptIn.JOIN and not member.opted_in:
        return Standing.NOT_JOINED
    return Standing.IN


def pool_standing(member: MemberState, opt_in: OptIn, round_id: int | None, now: datetime) -> Standing:
    """:func:`standing` as a round's pool sees it: someone who never joined an opt-in channel is simply not in it,
    whatever they paused or skipped, so they are not told they sit out a round they were never part of."""
    found = standing(member, opt_in, round_id, now)
    if found in (Standing.PAUSED, Standing.SKIPPING) and opt_in == OptIn.JOIN and not member.opted_in:
        return Standing.NOT_JOINED
    return found


@dataclass(frozen=True, slots=True)
class Attendance:
    """A member's record after a round their group never answered."""

    ignored_rounds: int
    set_aside: bool
    newly_set_aside: bool  # set aside by this round: tell them how to come back


def after_ignored_round(member: MemberState) -> Attendance:
    """One more round without a check-in answer; the IGNORED_ROUNDS_LIMIT-th in a row sets them aside (once)."""
    ignored = member.ignored_rounds + 1
    newly = ignored >= IGNORED_ROUNDS_LIMIT and not member.set_aside
    return Attendance(ignored, member.set_aside or newly, newly)
