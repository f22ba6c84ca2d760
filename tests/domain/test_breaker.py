"""The auth breaker's policy: pure functions of the breaker, the event and the clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.breaker import (
    AUTH_ERRORS,
    BreakerState,
    ProbePolicy,
    after_auth_error,
    after_probe,
    is_auth_error,
    probe_due,
)

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
POLICY = ProbePolicy()


def test_an_auth_error_opens_a_closed_breaker_with_the_first_probe_after_30_seconds() -> None:
    breaker = after_auth_error(None, "T1", "invalid_auth", NOW, POLICY)
    assert breaker.is_open and breaker.reason == "invalid_auth" and breaker.opened_at == NOW
    assert breaker.next_probe_at == NOW + timedelta(seconds=30)
    assert not probe_due(breaker, NOW + timedelta(seconds=29))
    assert probe_due(breaker, NOW + timedelta(seconds=30))


def test_more_auth_errors_leave_an_open_breaker_and_its_probe_schedule_alone() -> None:
    breaker = after_auth_error(None, "T1", "invalid_auth", NOW, POLICY)
    again = after_auth_error(breaker, "T1", "token_revoked", NOW + timedelta(seconds=20), POLICY)
    assert again is breaker


def test_a_closed_breaker_opens_afresh() -> None:
    breaker = after_auth_error(None, "T1", "invalid_auth", NOW, POLICY)
    closed = after_probe(breaker, True, NOW + timedelta(minutes=1), POLICY)
    assert closed.state is BreakerState.CLOSED and not probe_due(closed, NOW + timedelta(days=1))
    later = NOW + timedelta(hours=1)
    reopened = after_auth_error(closed, "T1", "token_revoked", later, POLICY)
    assert reopened.is_open and reopened.opened_at == later and reopened.failed_probes == 0


def test_failed_probes_back_off_doubling_up_to_15_minutes() -> None:
    breaker = after_auth_error(None, "T1", "invalid_auth", NOW, POLICY)
    waits = []
    at = breaker.next_probe_at
    for _ in range(8):
        breaker = after_probe(breaker, False, at, POLICY)
        waits.append((breaker.next_probe_at - at).total_seconds())
        at = breaker.next_probe_at
    assert waits == [60, 120, 240, 480, 900, 900, 900, 900]
    assert breaker.is_open and breaker.failed_probes == 8


@given(st.integers(min_value=-5, max_value=10_000))
def test_the_wait_is_always_between_first_and_longest(failed: int) -> None:
    assert POLICY.first <= POLICY.wait(failed) <= POLICY.longest


def test_a_policy_must_make_sense() -> None:
    with pytest.raises(ValueError):
        ProbePolicy(first=timedelta(0))
    with pytest.raises(ValueError):
        ProbePolicy(first=timedelta(minutes=5), longest=timedelta(minutes=1))


def test_auth_errors_are_the_token_refusals_and_nothing_else() -> None:
    assert {"invalid_auth", "token_revoked", "account_inactive", "not_authed", "token_expired"} <= AUTH_ERRORS
    for code in ("channel_not_found", "user_not_found", "ratelimited", "missing_scope", None, ""):
        assert not is_auth_error(code)
