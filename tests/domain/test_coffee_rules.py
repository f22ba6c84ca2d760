"""Coffee rules about one person: their standing for a round (status and pool), and the set-aside rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.coffee import IGNORED_ROUNDS_LIMIT, MemberState, OptIn
from bot.domain.coffee_rules import Standing, after_ignored_round, pool_standing, standing

NOW = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)
ROUND = 7
LATER = NOW + timedelta(days=3)


@pytest.mark.parametrize(
    ("member", "opt_in", "expected"),
    [
        (MemberState("U"), OptIn.ALL_MEMBERS, Standing.IN),
        (MemberState("U"), OptIn.JOIN, Standing.NOT_JOINED),
        (MemberState("U", opted_in=True), OptIn.JOIN, Standing.IN),
        (MemberState("U", left=True, set_aside=True, paused_until=LATER), OptIn.ALL_MEMBERS, Standing.LEFT),
        (MemberState("U", set_aside=True, paused_until=LATER), OptIn.ALL_MEMBERS, Standing.SET_ASIDE),
        (MemberState("U", paused_until=LATER, skip_round_id=ROUND), OptIn.ALL_MEMBERS, Standing.PAUSED),
        (MemberState("U", paused_until=NOW), OptIn.ALL_MEMBERS, Standing.IN),  # a pause ends as its day begins
        (MemberState("U", skip_round_id=ROUND), OptIn.ALL_MEMBERS, Standing.SKIPPING),
        (MemberState("U", skip_round_id=ROUND - 1), OptIn.ALL_MEMBERS, Standing.IN),  # an earlier round's skip
        (MemberState("U", paused_until=LATER), OptIn.JOIN, Standing.PAUSED),  # status tells them of the pause
    ],
)
def test_standing_is_the_first_that_applies(member: MemberState, opt_in: OptIn, expected: Standing) -> None:
    assert standing(member, opt_in, ROUND, NOW) == expected


def test_without_a_round_in_view_nobody_is_skipping() -> None:
    assert standing(MemberState("U", skip_round_id=ROUND), OptIn.ALL_MEMBERS, None, NOW) == Standing.IN


def test_the_pool_leaves_out_who_never_joined_before_telling_them_of_a_pause_or_skip() -> None:
    paused = MemberState("U", paused_until=LATER)
    skipping = MemberState("U", skip_round_id=ROUND)
    assert pool_standing(paused, OptIn.JOIN, ROUND, NOW) == Standing.NOT_JOINED
    assert pool_standing(skipping, OptIn.JOIN, ROUND, NOW) == Standing.NOT_JOINED
    assert pool_standing(paused, OptIn.ALL_MEMBERS, ROUND, NOW) == Standing.PAUSED
    joined = MemberState("U", opted_in=True, skip_round_id=ROUND)
    assert pool_standing(joined, OptIn.JOIN, ROUND, NOW) == Standing.SKIPPING


members = st.builds(
    MemberState,
    user_id=st.just("U"),
    in_channel=st.booleans(),
    opted_in=st.booleans(),
    left=st.booleans(),
    paused_until=st.none() | st.sampled_from([NOW - timedelta(days=1), NOW, LATER]),
    skip_round_id=st.none() | st.sampled_from([ROUND - 1, ROUND]),
    ignored_rounds=st.integers(0, 5),
    set_aside=st.booleans(),
)


@given(members, st.sampled_from(list(OptIn)), st.none() | st.just(ROUND))
def test_pool_and_status_differ_only_for_a_pause_or_skip_of_someone_who_never_joined(
    member: MemberState, opt_in: OptIn, round_id: int | None
) -> None:
    status, pool = standing(member, opt_in, round_id, NOW), pool_standing(member, opt_in, round_id, NOW)
    if status != pool:
        assert status in (Standing.PAUSED, Standing.SKIPPING) and pool == Standing.NOT_JOINED
        assert opt_in == OptIn.JOIN and not member.opted_in


def test_the_third_ignored_round_in_a_row_sets_someone_aside_once() -> None:
    first = after_ignored_round(MemberState("U"))
    assert (first.ignored_rounds, first.set_aside, first.newly_set_aside) == (1, False, False)
    limit = after_ignored_round(MemberState("U", ignored_rounds=IGNORED_ROUNDS_LIMIT - 1))
    assert (limit.ignored_rounds, limit.set_aside, limit.newly_set_aside) == (IGNORED_ROUNDS_LIMIT, True, True)
    again = after_ignored_round(MemberState("U", ignored_rounds=IGNORED_ROUNDS_LIMIT, set_aside=True))
    assert (again.ignored_rounds, again.set_aside, again.newly_set_aside) == (IGNORED_ROUNDS_LIMIT + 1, True, False)


@given(st.integers(0, 10), st.booleans())
def test_set_aside_never_clears_and_is_told_only_when_it_happens(ignored: int, aside: bool) -> None:
    after = after_ignored_round(MemberState("U", ignored_rounds=ignored, set_aside=aside))
    assert after.ignored_rounds == ignored + 1
    assert after.set_aside == (aside or ignored + 1 >= IGNORED_ROUNDS_LIMIT)
    assert after.newly_set_aside == (after.set_aside and not aside)
