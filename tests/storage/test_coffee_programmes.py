"""The coffee programmes repository on SQLite and PostgreSQL: member state, avoid lists, intro lines."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from bot.domain.coffee import MemberState
from bot.services.ports import UnitOfWork
from tests.storage.coffee_setup import NOW, scheduled_round


def test_avoid_lists_are_private_and_blocked_pairs_anonymous(
    uow_factory: Callable[[], UnitOfWork], team_id: str
) -> None:
    with uow_factory() as uow:
        uow.workspaces.ensure(team_id, NOW)
        assert uow.coffee_programmes.add_avoid(team_id, "UA", "UB", NOW)
        assert not uow.coffee_programmes.add_avoid(team_id, "UA", "UB", NOW)
        uow.coffee_programmes.add_avoid(team_id, "UC", "UA", NOW)
        uow.commit()
    with uow_factory() as uow:
        assert uow.coffee_programmes.avoids_of(team_id, "UA") == ["UB"]
        assert uow.coffee_programmes.avoids_of(team_id, "UB") == []
        assert uow.coffee_programmes.blocked_pairs(team_id, ["UA", "UB", "UC"]) == {
            frozenset({"UA", "UB"}),
            frozenset({"UA", "UC"}),
        }
        assert uow.coffee_programmes.blocked_pairs(team_id, ["UA", "UD"]) == set()
        removed = uow.coffee_programmes.remove_avoid(team_id, "UA", "UB")
        assert removed and not uow.coffee_programmes.remove_avoid(team_id, "UA", "UB")


def test_member_state_defaults_and_channel_membership(uow_factory: Callable[[], UnitOfWork], team_id: str) -> None:
    with uow_factory() as uow:
        program_id, _ = scheduled_round(uow, team_id)
        assert uow.coffee_programmes.member(team_id, program_id, "UA").in_channel
        uow.coffee_programmes.leave(team_id, program_id, "UA", NOW)
        uow.coffee_programmes.mark_in_channel(team_id, program_id, ["UB", "UC"], NOW)
        uow.commit()
    with uow_factory() as uow:
        states = uow.coffee_programmes.members(team_id, program_id)
        assert {u: (s.in_channel, s.left) for u, s in states.items()} == {
            "UA": (False, True),
            "UB": (True, False),
            "UC": (True, False),
        }
        assert uow.coffee_programmes.members(team_id + "X", program_id) == {}


def test_each_member_update_sets_only_its_own_fields(uow_factory: Callable[[], UnitOfWork], team_id: str) -> None:
    until = NOW + timedelta(days=9)
    with uow_factory() as uow:
        program_id, round_id = scheduled_round(uow, team_id)
        members = uow.coffee_programmes
        members.skip_round(team_id, program_id, "UA", round_id, NOW)
        members.pause_until(team_id, program_id, "UA", until, NOW)
        members.mark_heads_up(team_id, program_id, "UA", round_id, NOW)
        members.record_ignored_round(team_id, program_id, "UA", 3, True, NOW)
        assert members.claim_welcome(team_id, program_id, "UA", NOW)
        assert not members.claim_welcome(team_id, program_id, "UA", NOW), "one welcome, ever"
        uow.commit()
    with uow_factory() as uow:
        assert uow.coffee_programmes.member(team_id, program_id, "UA") == MemberState(
            "UA",
            paused_until=until,
            skip_round_id=round_id,
            ignored_rounds=3,
            set_aside=True,
            welcomed=True,
            heads_up_round_id=round_id,
        )
        uow.coffee_programmes.release_welcome(team_id, program_id, "UA", NOW)
        uow.coffee_programmes.join(team_id, program_id, "UA", NOW)
        uow.coffee_programmes.reset_ignored_rounds(team_id, program_id, "UB", NOW)
        uow.commit()
    with uow_factory() as uow:
        joined = uow.coffee_programmes.member(team_id, program_id, "UA")
        assert joined == MemberState("UA", opted_in=True, skip_round_id=round_id, heads_up_round_id=round_id), (
            "join clears leave, set-aside, the count and the pause; the skip and heads-up stay"
        )
        assert uow.coffee_programmes.member(team_id, program_id, "UB") == MemberState("UB")


def test_intro_lines_are_set_and_cleared(uow_factory: Callable[[], UnitOfWork], team_id: str) -> None:
    with uow_factory() as uow:
        uow.workspaces.ensure(team_id, NOW)
        uow.coffee_programmes.set_intro(team_id, "UA", "Ask me about sourdough", NOW)
        uow.coffee_programmes.set_intro(team_id, "UB", "gone soon", NOW)
        uow.coffee_programmes.set_intro(team_id, "UB", "", NOW)
        uow.commit()
    with uow_factory() as uow:
        assert uow.coffee_programmes.intros(team_id, ["UA", "UB", "UC"]) == {"UA": "Ask me about sourdough"}
        assert uow.coffee_programmes.intros(team_id + "X", ["UA"]) == {}
