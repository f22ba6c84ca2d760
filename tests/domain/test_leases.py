"""Leased work: back-off schedules, attempt limits and what each Slack outcome means for the claimed rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.breaker import AUTH_ERRORS
from bot.domain.leases import AMBIGUOUS, RATE_LIMITED, RetryPolicy, Settlement, Verdict, interleave, past_share, settle
from bot.domain.nudges import NUDGE_RETRIES
from bot.domain.outcomes import SendOutcome

COFFEE = RetryPolicy(base=timedelta(minutes=2), cap=None, max_attempts=8)


def test_nudge_retries_back_off_and_honour_retry_after() -> None:
    assert NUDGE_RETRIES.delay(1) == timedelta(seconds=30)
    assert NUDGE_RETRIES.delay(3) == timedelta(seconds=120)
    assert NUDGE_RETRIES.delay(50) == timedelta(hours=1)
    assert NUDGE_RETRIES.delay(1, retry_after=90) == timedelta(seconds=90)
    with pytest.raises(ValueError):
        NUDGE_RETRIES.delay(0)


def test_an_uncapped_policy_keeps_doubling() -> None:
    assert [COFFEE.delay(attempt) for attempt in (1, 2, 7)] == [
        timedelta(minutes=2),
        timedelta(minutes=4),
        timedelta(minutes=128),
    ]


def test_policies_refuse_nonsense() -> None:
    with pytest.raises(ValueError):
        RetryPolicy(base=timedelta(0))
    with pytest.raises(ValueError):
        RetryPolicy(base=timedelta(minutes=2), cap=timedelta(minutes=1))
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)


def test_the_attempt_limit_counts_the_attempt_just_made() -> None:
    assert COFFEE.allows_retry(7) and not COFFEE.allows_retry(8)
    assert NUDGE_RETRIES.allows_retry(10_000), "no limit: nudges retry until they work or fail for good"
    retryable = SendOutcome.retry_later("internal_error")
    assert settle(retryable, 7, COFFEE).verdict is Verdict.RETRY
    assert settle(retryable, 8, COFFEE) == Settlement(Verdict.FAIL, "internal_error")


def test_each_outcome_has_its_verdict() -> None:
    assert settle(SendOutcome.success("1.0", "D1"), 1, NUDGE_RETRIES) == Settlement(Verdict.DONE)
    assert settle(SendOutcome.failed("channel_not_found"), 1, NUDGE_RETRIES) == Settlement(
        Verdict.FAIL, "channel_not_found"
    )
    assert settle(SendOutcome.retry_later("fatal_error"), 2, NUDGE_RETRIES) == Settlement(
        Verdict.RETRY, "fatal_error", timedelta(seconds=60), in_doubt=False
    )
    assert settle(SendOutcome.retry_later("timeout"), 1, NUDGE_RETRIES) == Settlement(
        Verdict.RETRY, "timeout", timedelta(seconds=30), in_doubt=True
    )


def test_a_rate_limit_waits_for_retry_after_and_costs_no_attempt() -> None:
    assert settle(SendOutcome.retry_later("ratelimited", 7), 1, COFFEE) == Settlement(
        Verdict.WAIT, "ratelimited", timedelta(seconds=7)
    )
    assert settle(SendOutcome.retry_later("rate_limited_locally", 0.2), 99, COFFEE).wait == timedelta(seconds=1)
    assert settle(SendOutcome.retry_later("ratelimited"), 8, COFFEE).verdict is Verdict.WAIT, "not even at the limit"


@pytest.mark.parametrize("error", sorted(AUTH_ERRORS))
def test_an_auth_error_pauses_whatever_the_attempt(error: str) -> None:
    assert settle(SendOutcome.refused(error), 1, COFFEE) == Settlement(Verdict.PAUSE, error)
    assert settle(SendOutcome.failed(error), 8, COFFEE).verdict is Verdict.PAUSE


@given(
    ok=st.booleans(),
    retryable=st.booleans(),
    error=st.sampled_from(sorted(AUTH_ERRORS | RATE_LIMITED | AMBIGUOUS | {"fatal_error", "not_in_channel", ""})),
    retry_after=st.none() | st.floats(min_value=0, max_value=3600),
    attempt=st.integers(min_value=1, max_value=100),
)
def test_settle_never_waits_less_than_retry_after(
    ok: bool, retryable: bool, error: str, retry_after: float | None, attempt: int
) -> None:
    outcome = SendOutcome(ok=ok, retryable=retryable, error=error or None, retry_after=retry_after)
    settlement = settle(outcome, attempt, COFFEE)
    if settlement.verdict in (Verdict.WAIT, Verdict.RETRY):
        assert settlement.wait >= timedelta(seconds=retry_after or 0)
        assert settlement.wait >= timedelta(seconds=1)
    else:
        assert settlement.wait == timedelta(0)
    assert (settlement.verdict is Verdict.DONE) == ok
    assert settlement.in_doubt == (settlement.verdict is Verdict.RETRY and error in AMBIGUOUS)


def test_past_share_of_a_lease() -> None:
    lease = timedelta(minutes=5)
    assert not past_share(100.0, 250.0, lease, 0.5)
    assert past_share(100.0, 250.1, lease, 0.5)
    assert past_share(100.0, 100.001, timedelta(0), 0.5), "a zero lease is always past its share"


def test_interleave_takes_each_group_in_turn_and_keeps_its_order() -> None:
    assert interleave([["a1", "a2", "a3"], ["b1"], [], ["c1", "c2"]]) == ["a1", "b1", "c1", "a2", "c2", "a3"]
    assert interleave([]) == []
    assert interleave([[None, 0], [False]]) == [None, False, 0], "falsy items are items"
