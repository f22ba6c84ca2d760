"""Fuzzing the door over real HTTP: thousands of generated requests, unsigned and signed, to every route.

Unsigned: never a 5xx, no write (row counts of every table), no call to Slack (the fake's call log) and no POST to
the response_url every generated payload carries (a local hostile listener). Signed: never a 5xx, no traceback,
and still nothing posted to a foreign response_url. Runs on SQLite and PostgreSQL; the example counts keep both
backends to well under a minute together.
"""

from __future__ import annotations

import json
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.embedded import EmbeddedBot
from bot.sandbox.client import sign
from bot.sandbox.slack import FakeSlack
from bot.server import EVENTS_PATH
from handlers import ids
from tests.e2e.conftest import settle
from tests.e2e.door_helpers import Hostile, hostile_listener, post, row_counts

# Each unsigned example sends its body four times (three unsigned header variants to the events path, one to
# another route), so generation, the slow part, is paid once per four requests.
UNSIGNED_EXAMPLES = 250
REQUESTS_PER_UNSIGNED_EXAMPLE = 4
SIGNED_EXAMPLES = 150
KNOWN_IDS = sorted({value for value in vars(ids).values() if isinstance(value, str)})
TEXT = st.text(max_size=60)
ID_LIKE = st.one_of(st.sampled_from(KNOWN_IDS), TEXT)
SCALAR = st.none() | st.booleans() | st.integers() | TEXT
JSONISH: st.SearchStrategy[Any] = SCALAR | st.lists(SCALAR, max_size=3) | st.dictionaries(TEXT, SCALAR, max_size=3)
CONTENT_TYPES = [
    "application/x-www-form-urlencoded",
    "application/json",
    "application/json; charset=utf-8",
    "text/plain",
    "multipart/form-data; boundary=x",
    "",
]


@pytest.fixture
def hostile() -> Iterator[Hostile]:
    yield from hostile_listener()


@dataclass(frozen=True)
class Where:
    """The fake workspace's ids the generated payloads use (looked up once, not per example)."""

    team_id: str
    user_id: str
    channel_id: str

    @classmethod
    def of(cls, fake: FakeSlack) -> Where:
        return cls(fake.team_id, fake.user("lee").id, fake.channel_id("#coffee"))


@st.composite
def payloads(draw: st.DrawFn, where: Where, response_url: str) -> tuple[bytes, str]:
    """A body and its content type for one route: command, block action, view submission, shortcut, event, …"""
    user = {"id": draw(st.sampled_from([where.user_id, "U0", ""])), "team_id": where.team_id}
    team = draw(st.sampled_from([{"id": where.team_id}, where.team_id, None]))
    kind = draw(
        st.sampled_from(
            ["command", "block_actions", "view_submission", "shortcut", "event", "url_verification", "garbage"]
        )
    )
    extra = draw(st.dictionaries(TEXT, JSONISH, max_size=2))
    if kind == "command":
        fields = {
            "command": draw(st.sampled_from(["/met", "/coffee", "/mentor", "/nope", ""])),
            "text": draw(TEXT),
            "team_id": where.team_id,
            "user_id": user["id"],
            "channel_id": draw(st.sampled_from([where.channel_id, "C0", ""])),
            "response_url": response_url,
            "trigger_id": draw(TEXT),
        }
        return urllib.parse.urlencode({**fields, **{k: str(v) for k, v in extra.items()}}).encode(), draw(
            st.sampled_from(CONTENT_TYPES[:1] * 4 + CONTENT_TYPES)
        )
    if kind == "garbage":
        return draw(st.binary(max_size=200)), draw(st.sampled_from(CONTENT_TYPES))
    body: dict[str, Any]
    if kind == "block_actions":
        body = {
            "type": "block_actions",
            "user": user,
            "team": team,
            "response_url": response_url,
            "container": draw(JSONISH),
            "actions": [{"action_id": draw(ID_LIKE), "block_id": draw(ID_LIKE), "value": draw(TEXT), "type": "button"}],
        }
    elif kind == "view_submission":
        body = {
            "type": "view_submission",
            "user": user,
            "team": team,
            "view": {
                "id": "V1",
                "callback_id": draw(ID_LIKE),
                "private_metadata": draw(TEXT),
                "state": {"values": draw(st.dictionaries(ID_LIKE, st.dictionaries(ID_LIKE, JSONISH, max_size=2)))},
            },
            "response_urls": [{"response_url": response_url, "channel_id": "C1"}],
        }
    elif kind == "shortcut":
        body = {"type": draw(st.sampled_from(["shortcut", "message_action"])), "callback_id": draw(ID_LIKE)}
        body |= {"user": user, "team": team, "response_url": response_url, "trigger_id": draw(TEXT)}
    elif kind == "event":
        event = {"type": draw(st.sampled_from(["member_joined_channel", "app_home_opened", "message", "x"]))}
        event |= {"user": user["id"], "channel": draw(TEXT), "text": draw(TEXT)}
        body = {"type": "event_callback", "team_id": where.team_id, "event": event}
        body["event_id"] = draw(st.one_of(TEXT, st.integers()))
    else:
        body = {"type": "url_verification", "challenge": draw(TEXT), "token": draw(TEXT)}
    body |= extra
    if draw(st.booleans()) and kind != "event" and kind != "url_verification":
        return urllib.parse.urlencode({"payload": json.dumps(body)}).encode(), "application/x-www-form-urlencoded"
    return json.dumps(body).encode(), draw(st.sampled_from(CONTENT_TYPES[1:3] * 3 + CONTENT_TYPES))


@st.composite
def unsigned_headers(draw: st.DrawFn, secret: str, body: bytes) -> dict[str, str]:
    """Headers that do not carry a valid signature of ``body`` (missing, malformed, stale, or another secret's)."""
    now = str(int(time.time()))
    choice = draw(st.sampled_from(["none", "garbage", "wrong secret", "stale", "signature only"]))
    if choice == "none":
        return {}
    if choice == "garbage":
        printable = st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=80)
        return {"X-Slack-Request-Timestamp": draw(printable), "X-Slack-Signature": draw(printable)}
    if choice == "wrong secret":
        return {"X-Slack-Request-Timestamp": now, "X-Slack-Signature": sign(secret + "x", now, body)}
    if choice == "stale":
        stale = str(int(time.time()) - draw(st.integers(min_value=301, max_value=10**9)))
        return {"X-Slack-Request-Timestamp": stale, "X-Slack-Signature": sign(secret, stale, body)}
    return {"X-Slack-Signature": sign(secret, now, body)}


OTHER_ROUTES = st.sampled_from(
    [("/healthz", "GET"), ("/healthz", "POST"), ("/", "POST"), ("/slack/events/x", "POST"), (EVENTS_PATH, "GET")]
)


@pytest.mark.slow
def test_unsigned_fuzz_gets_no_5xx_and_does_nothing(bot: EmbeddedBot, fake: FakeSlack, hostile: Hostile) -> None:
    fake.reset_calls()
    where = Where.of(fake)
    before = row_counts(bot.container.engine)
    statuses: dict[int, int] = {}

    @settings(max_examples=UNSIGNED_EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def one_request(data: st.DataObject) -> None:
        body, content_type = data.draw(payloads(where, hostile.url))
        variants = data.draw(st.lists(unsigned_headers(fake.signing_secret, body), min_size=3, max_size=3))
        routes = [(EVENTS_PATH, "POST")] * 3 + [data.draw(OTHER_ROUTES)]
        for headers, (path, method) in zip([*variants, variants[0]], routes, strict=True):
            answer = post(bot, body, content_type, headers=headers, path=path, method=method)
            statuses[answer.status] = statuses.get(answer.status, 0) + 1
            assert answer.status < 500
            assert b"Traceback" not in answer.body
            if (path, method) == (EVENTS_PATH, "POST"):
                # 400 only from waitress itself, for a header HTTP does not allow (e.g. a DEL), before the app runs.
                assert answer.status == 401 or (answer.status == 400 and b"generated by rapport" in answer.body)

    one_request()
    settle(bot.app, bot.container)
    assert sum(statuses.values()) >= UNSIGNED_EXAMPLES * REQUESTS_PER_UNSIGNED_EXAMPLE
    assert hostile.hits == [], "no POST to any response_url"
    assert fake.calls() == [], "no call to Slack"
    assert row_counts(bot.container.engine) == before, "no write"


def test_signed_fuzz_gets_no_5xx_and_never_posts_to_a_foreign_url(
    bot: EmbeddedBot, fake: FakeSlack, hostile: Hostile
) -> None:
    statuses: dict[int, int] = {}
    where = Where.of(fake)

    @settings(max_examples=SIGNED_EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def one_request(data: st.DataObject) -> None:
        body, content_type = data.draw(payloads(where, hostile.url))
        answer = post(bot, body, content_type, secret=fake.signing_secret)
        statuses[answer.status] = statuses.get(answer.status, 0) + 1
        assert answer.status < 500
        if answer.status == 401:  # slack_sdk's verifier reads bodies as UTF-8; Slack never sends anything else
            assert not _is_utf8(body)
        else:
            assert answer.status in {200, 400, 404}, answer  # 404: Bolt's answer when no listener matches
        assert b"Traceback" not in answer.body

    one_request()
    settle(bot.app, bot.container)
    assert hostile.hits == [], "a response_url that is not Slack's is never posted to"
    assert statuses.get(400, 0) > 0 and statuses.get(200, 0) > 0, statuses


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
