"""Per-workspace clients on a real installation store, and the gateway using them: each call carries its own
workspace's token, each workspace has its own rate-limit buckets, a workspace without a token gets nothing sent."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Bot
from sqlalchemy import Engine

from bot.slack.clients import SINGLE_WORKSPACE_KEY, NoInstallation, SlackClients
from bot.slack.errors import LOCALLY_RATE_LIMITED
from bot.slack.gateway import SlackGateway
from bot.slack.ratelimit import Rate, RateLimits
from storage.installations import EncryptedInstallationStore
from storage.secrets import TokenCipher
from tests.fakes import FakeMonotonic

from .conftest import Reply, ScriptedSlack

KEY = TokenCipher.generate_key()


def bot(team_id: str, token: str) -> Bot:
    return Bot(
        app_id="A0RAPPORT1",
        team_id=team_id,
        bot_token=token,
        bot_id="B0RAPPORT1",
        bot_user_id="U0RAPPORTB",
        bot_scopes="chat:write",
        installed_at=time.time(),
    )


@pytest.fixture
def teams(engine: Engine, team_id: str) -> Iterator[tuple[EncryptedInstallationStore, str, str]]:
    """Two installed workspaces (deleted after the test: the database is shared, and the key is this module's)."""
    store = EncryptedInstallationStore("111.222", engine, TokenCipher([KEY]))
    first, second = team_id + "A", team_id + "B"
    store.save_bot(bot(first, f"xoxb-{first}-token"))
    store.save_bot(bot(second, f"xoxb-{second}-token"))
    yield store, first, second
    for team in (first, second):
        store.delete_all(enterprise_id=None, team_id=team)


def installed(store: EncryptedInstallationStore, slack: ScriptedSlack) -> SlackClients:
    return SlackClients.installed(store, lambda token: WebClient(token=token, base_url=slack.url, timeout=5))


def test_each_workspace_gets_a_client_with_its_own_token(
    slack: ScriptedSlack, teams: tuple[EncryptedInstallationStore, str, str]
) -> None:
    store, first, second = teams
    clients = installed(store, slack)
    assert clients.for_team(first).token == f"xoxb-{first}-token"
    assert clients.for_team(second).token == f"xoxb-{second}-token"
    assert clients.for_team(first) is clients.for_team(first), "cached"
    assert clients.rate_key(first) == first != clients.rate_key(second)
    for unknown in (first + "X", None, ""):
        with pytest.raises(NoInstallation):
            clients.for_team(unknown)

    store.delete_all(enterprise_id=None, team_id=first)
    clients.forget(first)
    with pytest.raises(NoInstallation):
        clients.for_team(first)
    assert clients.for_team(second).token == f"xoxb-{second}-token"


def test_single_workspace_mode_has_one_client_for_every_team(client: WebClient) -> None:
    clients = SlackClients.single(client)
    assert clients.for_team("T1") is clients.for_team(None) is client
    assert clients.rate_key("T1") == clients.rate_key("T2") == SINGLE_WORKSPACE_KEY
    assert not clients.multi_workspace


def test_the_gateway_sends_each_call_with_its_workspaces_token(
    slack: ScriptedSlack, teams: tuple[EncryptedInstallationStore, str, str], clock: FakeMonotonic
) -> None:
    store, first, second = teams
    gateway = SlackGateway(installed(store, slack), clock=clock, sleep=clock.sleep)
    assert gateway.post_message("U0DANA", "hello", team_id=first).ok
    assert gateway.open_dm("U0DANA", team_id=second)[0].ok
    assert gateway.check_auth(second).ok
    assert gateway.user_info("U0DANA", team_id=first) is not None
    assert slack.tokens == [
        ("chat.postMessage", f"xoxb-{first}-token"),
        ("conversations.open", f"xoxb-{second}-token"),
        ("auth.test", f"xoxb-{second}-token"),
        ("users.info", f"xoxb-{first}-token"),
    ]
    gateway.user_info("U0DANA", team_id=second)
    assert slack.tokens[-1] == ("users.info", f"xoxb-{second}-token"), "the user cache is per workspace"


def test_a_workspace_without_a_token_is_refused_without_a_call(
    slack: ScriptedSlack, teams: tuple[EncryptedInstallationStore, str, str], clock: FakeMonotonic
) -> None:
    store, first, _ = teams
    gateway = SlackGateway(installed(store, slack), clock=clock, sleep=clock.sleep)
    for result in (gateway.post_message("U0DANA", "hello", team_id=first + "X"), gateway.check_auth(first + "X")):
        assert result.auth_refused and not result.permanent, result
    assert gateway.post_message("U0DANA", "hello").auth_refused, "no team named: nothing is sent"
    assert slack.tokens == []


def test_rate_limits_are_counted_per_workspace(
    slack: ScriptedSlack, teams: tuple[EncryptedInstallationStore, str, str], clock: FakeMonotonic
) -> None:
    store, first, second = teams
    limits = RateLimits(posts=Rate(per_second=10.0, burst=1))
    gateway = SlackGateway(installed(store, slack), clock=clock, sleep=clock.sleep, limits=limits)
    for index in range(3):
        assert gateway.post_message(f"U{index}", "hello", team_id=first).ok
        assert gateway.post_message(f"U{index}", "hello", team_id=second).ok
    assert clock.sleeps == pytest.approx([0.1, 0.1]), "each workspace paced alone, as Slack counts"

    # A 429 with a long Retry-After holds that workspace's posts only.
    slack.script(
        "chat.postMessage", Reply(status=429, body={"ok": False, "error": "ratelimited"}, headers={"Retry-After": "30"})
    )
    clock.advance(1)
    assert gateway.post_message("U0DANA", "hello", team_id=first).retryable
    held = gateway.post_message("U0LEE", "hello", team_id=first)
    assert (held.retryable, held.error) == (True, LOCALLY_RATE_LIMITED)
    assert gateway.post_message("U0LEE", "hello", team_id=second).ok
