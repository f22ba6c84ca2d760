"""The replay guard's ledger (storage.repositories.requests) on SQLite and PostgreSQL: alone, and when concurrent
requests share a transaction."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, select

from storage.models import SeenRequestRow
from storage.repositories.requests import MAX_KEY_LENGTH, SqlSeenRequests

LATER = datetime(2999, 1, 1, tzinfo=UTC)


def _key() -> str:
    return uuid.uuid4().hex


def _stored(engine: Engine, *keys: str) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).where(SeenRequestRow.key.in_(keys))).scalar_one()


def _together(guard: SqlSeenRequests, requests: list[list[tuple[str, str, datetime]]]) -> list[bool]:
    """Call ``first_time`` for every request from its own thread, released at once, so they queue and batch."""
    start = threading.Barrier(len(requests))

    def call(keys: list[tuple[str, str, datetime]]) -> bool:
        start.wait()
        return guard.first_time(keys, "T1")

    with ThreadPoolExecutor(len(requests)) as pool:
        return list(pool.map(call, requests))


def test_a_key_is_new_once(engine: Engine) -> None:
    guard, key = SqlSeenRequests(engine), _key()
    assert guard.first_time([("request", key, LATER)], "T1")
    assert not guard.first_time([("request", key, LATER)], "T1")
    assert not SqlSeenRequests(engine).first_time([("request", key, LATER)], "T1"), "a second replica agrees"


def test_a_request_with_two_keys_is_new_only_when_both_are(engine: Engine) -> None:
    guard, request, event = SqlSeenRequests(engine), _key(), _key()
    assert guard.first_time([("request", request, LATER), ("event", event, LATER)], "T1")
    assert not guard.first_time([("request", _key(), LATER), ("event", event, LATER)], "T1"), "an event retry"
    assert not guard.first_time([("request", request, LATER), ("event", _key(), LATER)], "T1"), "a replay"


def test_the_same_request_from_eight_threads_is_new_for_exactly_one(engine: Engine) -> None:
    key = _key()
    outcomes = _together(SqlSeenRequests(engine), [[("request", key, LATER)]] * 8)
    assert sorted(outcomes) == [False] * 7 + [True]
    assert _stored(engine, key) == 1


def test_a_batch_of_new_and_seen_keys_answers_each_request_for_itself(engine: Engine) -> None:
    guard = SqlSeenRequests(engine)
    seen = [_key() for _ in range(4)]
    for key in seen:
        assert guard.first_time([("request", key, LATER)], "T1")
    fresh = [_key() for _ in range(4)]
    requests = [[("request", key, LATER)] for key in seen + fresh]
    assert _together(guard, requests) == [False] * 4 + [True] * 4
    assert _together(guard, requests) == [False] * 8, "and all of them are seen now"


def test_an_event_retried_alongside_its_first_delivery_is_new_once(engine: Engine) -> None:
    event = _key()
    requests = [[("request", _key(), LATER), ("event", event, LATER)] for _ in range(6)]
    assert sorted(_together(SqlSeenRequests(engine), requests)) == [False] * 5 + [True]
    assert _stored(engine, event) == 1


def test_long_keys_are_cut_to_the_column_and_still_recognised(engine: Engine) -> None:
    guard, key = SqlSeenRequests(engine), _key() * 8
    assert len(key) > MAX_KEY_LENGTH
    assert guard.first_time([("request", key, LATER)], "T" * 40)
    assert not guard.first_time([("request", key, LATER)], "T1")


def test_a_batch_the_database_refuses_is_retried_one_request_at_a_time(engine: Engine) -> None:
    # A NULL expiry breaks the NOT NULL constraint: that request fails alone, the others are claimed.
    broken: list[tuple[str, str, datetime]] = [("request", _key(), None)]  # type: ignore[list-item]
    good = [[("request", _key(), LATER)] for _ in range(5)]
    guard = SqlSeenRequests(engine)
    start = threading.Barrier(6)

    def call(keys: list[tuple[str, str, datetime]]) -> bool | str:
        start.wait()
        try:
            return guard.first_time(keys, "T1")
        except Exception as error:
            return type(error).__name__

    with ThreadPoolExecutor(6) as pool:
        outcomes = list(pool.map(call, [broken, *good]))
    assert outcomes[0] == "IntegrityError"
    assert outcomes[1:] == [True] * 5


def test_purge_deletes_only_expired_keys(engine: Engine) -> None:
    guard, old, young = SqlSeenRequests(engine), _key(), _key()
    now = datetime.now(UTC)
    guard.first_time([("request", old, now - timedelta(minutes=1))], "T1")
    guard.first_time([("request", young, now + timedelta(minutes=5))], "T1")
    assert guard.purge(now) >= 1
    assert _stored(engine, old, young) == 1
