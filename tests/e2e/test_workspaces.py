"""Many workspaces: install through OAuth, use, uninstall, purge — two workspaces at once, over real HTTP.

The sandbox's grid puts two fake workspaces behind one Web API URL and serves Slack's authorize page and
oauth.v2.access; it records the workspace of the token every call carried, so a crossed call shows. Both workspaces
have the same user ids (as if one person id could be in both), so a call made with the wrong token would succeed
quietly in the wrong workspace: only the tokens and what lands where can tell.
"""

from __future__ import annotations

import dataclasses
import os
import uuid
from collections.abc import Iterator
from datetime import time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import String, func, select, text
from sqlalchemy.engine import Engine

from bot.clock import ManualClock
from bot.domain.breaker import UNINSTALLED
from bot.domain.nudges import ALL_DAYS, NudgeKind, NudgeSettings
from bot.embedded import EmbeddedBot
from bot.sandbox.client import HttpDriver
from bot.sandbox.seed import default_workspace
from bot.sandbox.slack import FakeSlack, FakeSlackGrid
from bot.services.workspaces import DEFAULT_RETENTION
from storage.db import make_engine
from storage.models import Base
from storage.secrets import TokenCipher
from tests.e2e.conftest import settle, wait_for
from tests.e2e.test_run_process import ephemeral_replies

PEOPLE = ["maya", "lee", "arjun", "sofia"]


CREATED: set[str] = set()


def workspace(name: str) -> FakeSlack:
    seed = dataclasses.replace(default_workspace(), team_id="T" + uuid.uuid4().hex[:10].upper(), team_name=name)
    CREATED.add(seed.team_id)
    return FakeSlack(seed=seed)


@pytest.fixture(autouse=True)
def no_installs_left_behind(request: pytest.FixtureRequest) -> Iterator[None]:
    """Delete the installs a test made: they are encrypted with its own key, and the database is shared by the
    worker's tests (``rapport keys rotate`` in another test must not meet them)."""
    yield
    if "database_url" not in request.fixturenames:
        return
    engine = make_engine(request.getfixturevalue("database_url"))
    try:
        with engine.begin() as connection:
            for table in ("slack_bots", "slack_installations"):
                connection.execute(
                    Base.metadata.tables[table].delete().where(Base.metadata.tables[table].c.team_id.in_(CREATED))
                )
    finally:
        engine.dispose()


@pytest.fixture
def grid() -> Iterator[FakeSlackGrid]:
    with FakeSlackGrid([workspace("Acme"), workspace("Globex")]) as running:
        yield running


def oauth_settings(grid: FakeSlackGrid, database_url: str, **overrides: object) -> dict[str, object]:
    first = next(iter(grid.fakes.values()))
    return {
        "_env_file": None,
        "slack_client_id": grid.client_id,
        "slack_client_secret": grid.client_secret,
        "rapport_encryption_key": TokenCipher.generate_key(),
        "slack_signing_secret": first.signing_secret,
        "slack_api_url": grid.api_url,
        "database_url": database_url,
        "rapport_slack_posts_per_second": 100.0,
        **overrides,
    }


@pytest.fixture
def bot(grid: FakeSlackGrid, database_url: str, clock: ManualClock) -> Iterator[EmbeddedBot]:
    from bot.settings import Settings

    with EmbeddedBot(Settings(**oauth_settings(grid, database_url)), clock=clock) as running:  # type: ignore[arg-type]
        grid.redirect_uri = f"{running.base_url}/slack/oauth_redirect"
        yield running


def install(bot: EmbeddedBot | str, grid: FakeSlackGrid, team_id: str) -> str:
    """A person in ``team_id`` clicks "Add to Slack", approves, and comes back: the success page."""
    return grid.install(bot if isinstance(bot, str) else bot.base_url, team_id)


def nudges_for(bot: EmbeddedBot, fake: FakeSlack, clock: ManualClock) -> set[int]:
    """One due nudge for each of PEOPLE about the next of them, in ``fake``'s workspace."""
    followups = bot.container.services.followups
    everywhere = NudgeSettings(work_start=time(0), work_end=time(0), work_days=ALL_DAYS, digest_enabled=False)
    now = clock.now()
    ids = set()
    for index, handle in enumerate(PEOPLE):
        user_id = fake.user(handle).id
        followups.save_settings(fake.team_id, user_id, everywhere)
        contact = fake.user(PEOPLE[(index + 1) % len(PEOPLE)]).id
        with bot.container.unit_of_work() as uow:
            ids.add(uow.nudges.add(fake.team_id, user_id, contact, NudgeKind.CADENCE, now, now))
            uow.commit()
    return ids


def delivered(fake: FakeSlack) -> set[int]:
    """Nudge ids in the reminder DMs of ``fake``'s people."""
    found: set[int] = set()
    for handle in PEOPLE:
        for message in fake.messages(fake.user(handle).id):
            if (message.metadata or {}).get("event_type") == "rapport_nudge":
                found.update(message.metadata["event_payload"]["ids"])  # type: ignore[index]
    return found


def rows_mentioning(engine: Engine, team_id: str) -> dict[str, int]:
    """Every table, every text column: how many rows hold ``team_id`` (none anywhere after a purge)."""
    found: dict[str, int] = {}
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            for column in table.c:
                if isinstance(column.type, String):
                    count = connection.execute(select(func.count()).select_from(table).where(column == team_id))
                    found[f"{table.name}.{column.name}"] = int(count.scalar_one())
    return {name: count for name, count in found.items() if count}


def test_two_workspaces_install_use_uninstall_and_purge_without_crossing(
    grid: FakeSlackGrid, bot: EmbeddedBot, clock: ManualClock
) -> None:
    acme, globex = grid.fakes.values()
    for fake in (acme, globex):
        install(bot, grid, fake.team_id)
    assert grid.calls("oauth.v2.access"), "the code was exchanged"
    store = bot.container.installation_store
    assert store is not None
    tokens = {fake.team_id: store.find_bot(enterprise_id=None, team_id=fake.team_id) for fake in (acme, globex)}
    for fake in (acme, globex):
        installed = tokens[fake.team_id]
        assert installed is not None and installed.bot_token in fake.issued_tokens
    with bot.container.engine.connect() as connection:
        stored = " ".join(str(row) for row in connection.execute(text("SELECT bot_token FROM slack_bots")))
    assert "xoxb-" not in stored, "tokens are encrypted at rest"

    # Listeners: a /met in each workspace is answered with that workspace's own token.
    for fake in (acme, globex):
        driver = HttpDriver(fake, bot.events_url)
        before = len(grid.calls())
        answer = driver.slash_command("maya", "/met", "@lee coffee")
        assert answer.status == 200
        settle(bot.app, bot.container)
        teams = {call.team_id for call in grid.calls()[before:]}
        assert teams == {fake.team_id}, f"a request from {fake.team_id} used tokens of {teams}"

    # Sweeps: one sweep holding work for both workspaces posts each with its own token, into its own workspace.
    wanted = {fake.team_id: nudges_for(bot, fake, clock) for fake in (acme, globex)}
    before = len(grid.calls())
    report = bot.container.services.followups.sweep()
    assert report.sent == 8, report
    posts = grid.calls("chat.postMessage")
    assert {call.team_id for call in grid.calls()[before:]} == {acme.team_id, globex.team_id}
    assert all(call.token in grid.fakes[call.team_id or ""].issued_tokens for call in posts)
    assert delivered(acme) == wanted[acme.team_id] and delivered(globex) == wanted[globex.team_id]

    # Uninstall Acme: its work is held (not failed), its tokens deleted; Globex carries on.
    HttpDriver(acme, bot.events_url).uninstall_app()
    settle(bot.app, bot.container)
    with bot.container.unit_of_work() as uow:
        breaker = uow.breakers.get(acme.team_id)
        assert breaker is not None and breaker.is_open and breaker.reason == UNINSTALLED
        assert uow.breakers.get(globex.team_id) is None
    assert store.find_bot(enterprise_id=None, team_id=acme.team_id) is None
    clock.advance(timedelta(days=1))
    held = nudges_for(bot, acme, clock)
    more = nudges_for(bot, globex, clock)
    report = bot.container.services.followups.sweep()
    assert report.failed == 0 and report.sent == 4, report
    assert delivered(globex) == wanted[globex.team_id] | more
    with bot.container.unit_of_work() as uow:
        counts = uow.nudges.status_counts(acme.team_id)
        assert counts.get("pending", 0) >= len(held) and "failed" not in counts, counts

    # Purge after the retention period: nothing of Acme is left in any table; Globex is untouched.
    bot.container.services.workspaces.purge_departed()  # not yet (other tests' workspaces may be)
    assert rows_mentioning(bot.container.engine, acme.team_id)
    clock.advance(DEFAULT_RETENTION)
    assert bot.container.services.workspaces.purge_departed() >= 1
    assert rows_mentioning(bot.container.engine, acme.team_id) == {}
    assert rows_mentioning(bot.container.engine, globex.team_id)
    assert store.find_bot(enterprise_id=None, team_id=globex.team_id) is not None

    # After a purge Acme can install afresh and log a meeting again (the /met workspace memo was dropped).
    install(bot, grid, acme.team_id)
    answer = HttpDriver(acme, bot.events_url).slash_command("maya", "/met", "@lee lunch")
    assert answer.status == 200
    settle(bot.app, bot.container)
    with bot.container.unit_of_work() as uow:
        assert uow.breakers.get(acme.team_id) is None or not uow.breakers.get(acme.team_id).is_open  # type: ignore[union-attr]
    assert {call.team_id for call in grid.calls()} <= {acme.team_id, globex.team_id, None}
    assert all(call.team_id is not None for call in grid.calls() if call.method != "oauth.v2.access")


def test_a_reinstall_inside_the_window_resumes_held_work(
    grid: FakeSlackGrid, bot: EmbeddedBot, clock: ManualClock
) -> None:
    acme, _ = grid.fakes.values()
    install(bot, grid, acme.team_id)
    HttpDriver(acme, bot.events_url).uninstall_app()
    settle(bot.app, bot.container)
    held = nudges_for(bot, acme, clock)
    report = bot.container.services.followups.sweep()
    assert report.sent == 0 and report.failed == 0
    clock.advance(DEFAULT_RETENTION - timedelta(days=1))
    bot.container.services.workspaces.purge_departed()

    install(bot, grid, acme.team_id)
    report = bot.container.services.followups.sweep()
    assert report.sent == 4 and report.failed == 0, report
    assert delivered(acme) == held
    clock.advance(timedelta(days=2))
    bot.container.services.workspaces.purge_departed()
    with bot.container.unit_of_work() as uow:
        assert uow.nudges.status_counts(acme.team_id).get("sent") == 4, "a reinstalled workspace is never purged"


def test_one_sweep_holding_work_for_three_workspaces_uses_three_tokens_and_never_crosses(
    database_url: str, clock: ManualClock
) -> None:
    from bot.settings import Settings

    with FakeSlackGrid([workspace("Acme"), workspace("Globex"), workspace("Initech")]) as grid:
        settings = Settings(**oauth_settings(grid, database_url))  # type: ignore[arg-type]
        with EmbeddedBot(settings, clock=clock) as bot:
            grid.redirect_uri = f"{bot.base_url}/slack/oauth_redirect"
            fakes = list(grid.fakes.values())
            for fake in fakes:
                install(bot, grid, fake.team_id)
            wanted = {fake.team_id: nudges_for(bot, fake, clock) for fake in fakes}
            before = len(grid.calls())
            report = bot.container.services.followups.sweep()
            assert report.sent == 12 and report.failed == 0, report
            calls = grid.calls()[before:]
            posts = [call for call in calls if call.method == "chat.postMessage"]
            assert len({call.token for call in posts}) == 3
            for fake in fakes:
                assert delivered(fake) == wanted[fake.team_id]
                mine = [call for call in posts if call.team_id == fake.team_id]
                assert len(mine) == 4 and {call.token for call in mine} <= set(fake.issued_tokens)
            assert all(call.team_id in grid.fakes for call in calls)


def test_rotating_tokens_are_refreshed_before_use_by_listeners_and_sweeps(
    database_url: str, clock: ManualClock
) -> None:
    from bot.settings import Settings

    with FakeSlackGrid([workspace("Acme")], rotation=True, token_lifetime=60) as grid:
        # Refresh 2 minutes before expiry: a 60-second token is always due, so every use needs a fresh one.
        settings = Settings(**oauth_settings(grid, database_url, rapport_token_rotation_minutes=2))  # type: ignore[arg-type]
        with EmbeddedBot(settings, clock=clock) as bot:
            grid.redirect_uri = f"{bot.base_url}/slack/oauth_redirect"
            (acme,) = grid.fakes.values()
            install(bot, grid, acme.team_id)
            store = bot.container.installation_store
            assert store is not None
            first = store.find_bot(enterprise_id=None, team_id=acme.team_id)
            assert first is not None and first.bot_refresh_token and first.bot_token_expires_at
            acme.expire_tokens()  # time passed: the install's token no longer works

            answer = HttpDriver(acme, bot.events_url).slash_command("maya", "/met", "@lee coffee")
            assert answer.status == 200
            settle(bot.app, bot.container)
            wanted = nudges_for(bot, acme, clock)
            report = bot.container.services.followups.sweep(team_id=acme.team_id)
            assert report.sent == 4 and report.failed == 0 and report.paused == 0, report
            assert delivered(acme) == wanted

            refreshes = [call for call in grid.calls("oauth.v2.access") if call.args["grant_type"] == "refresh_token"]
            assert refreshes, "the expiring token was refreshed"
            used = {call.token for call in grid.calls() if call.method != "oauth.v2.access"}
            assert first.bot_token not in {call.token for call in grid.calls("chat.postMessage")}
            assert used and all(call.team_id == acme.team_id for call in grid.calls() if call.token in used)
            latest = store.find_bot(enterprise_id=None, team_id=acme.team_id)
            assert latest is not None and latest.bot_token != first.bot_token


def test_rapport_run_serves_the_install_flow_and_each_workspaces_commands(grid: FakeSlackGrid, tmp_path: Path) -> None:
    from tests.e2e.test_run_process import free_port, healthy, start, stop

    key = TokenCipher.generate_key()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "RAPPORT_", "DATABASE_URL"))}
    acme, globex = grid.fakes.values()
    port = free_port()
    env.update(
        SLACK_CLIENT_ID=grid.client_id,
        SLACK_CLIENT_SECRET=grid.client_secret,
        RAPPORT_ENCRYPTION_KEY=key,
        SLACK_SIGNING_SECRET=acme.signing_secret,
        SLACK_API_URL=grid.api_url,
        DATABASE_URL=f"sqlite:///{tmp_path / 'rapport.db'}",
        PORT=str(port),
    )
    process = start(env, tmp_path)
    try:
        base = f"http://127.0.0.1:{port}"
        grid.redirect_uri = f"{base}/slack/oauth_redirect"
        wait_for(lambda: healthy(base), timeout=30, what="rapport run to answer /healthz")
        for fake in (acme, globex):
            install(base, grid, fake.team_id)
            maya = fake.user("maya")
            driver = HttpDriver(fake, f"{base}/slack/events")
            assert driver.slash_command("lee", "/met", f"<@{maya.id}|maya> coffee", channel="#coffee").ok
            replies = wait_for(lambda fake=fake: ephemeral_replies(fake, "lee"), what="the /met reply")
            assert replies[0].startswith("Logged: coffee with maya, today")
    finally:
        output = stop(process)
    tokens = [token for fake in (acme, globex) for token in fake.issued_tokens]
    assert len(tokens) == 2 and all(token not in output for token in tokens), "tokens never reach the logs"
    assert grid.client_secret not in output and key not in output
    assert all(call.team_id in grid.fakes for call in grid.calls() if call.method != "oauth.v2.access")


def test_coffee_rounds_in_two_workspaces_read_and_post_each_with_its_own_token(
    grid: FakeSlackGrid, bot: EmbeddedBot, clock: ManualClock
) -> None:
    from tests.e2e.test_coffee_http import COFFEE_EVENTS, COFFEE_SCOPES, channel_people, set_up

    acme, globex = grid.fakes.values()
    for fake in (acme, globex):
        fake.scopes = frozenset(fake.scopes | COFFEE_SCOPES)
        fake.escaped_commands.add("/coffee")
        if fake.subscribed_events is not None:
            fake.subscribed_events |= COFFEE_EVENTS
        install(bot, grid, fake.team_id)
    # Globex's #coffee is smaller (same channel id, same user ids): members read with Acme's token would show.
    for handle in channel_people(globex)[6:]:
        globex.leave("#coffee", handle)
    for fake in (acme, globex):
        assert "Coffee rounds are set up" in set_up(HttpDriver(fake, bot.events_url), fake).text

    coffee = bot.container.services.coffee
    clock.set(clock.now().replace(day=26, hour=15, minute=1))  # heads-ups, Thursday 10:00 New York
    assert coffee.sweep().failed == 0
    clock.set(clock.now().replace(day=27, hour=15, minute=1))  # the rounds, Friday 10:00 New York
    assert coffee.sweep().failed == 0
    for fake in (acme, globex):
        groups = [c for c in fake.conversations() if c.kind == "mpim"]
        grouped = sorted(member for c in groups for member in c.members if member != fake.bot_user_id)
        assert grouped == sorted(channel_people(fake)), fake.seed.team_name
        assert all(fake.messages(group.id) for group in groups), "each group got its intro in its own workspace"
    assert len(channel_people(globex)) == 6 < len(channel_people(acme))
    for method in ("conversations.members", "conversations.open", "chat.postMessage"):
        assert {call.team_id for call in grid.calls(method)} == {acme.team_id, globex.team_id}, method


def test_a_callback_without_the_install_state_stores_nothing(grid: FakeSlackGrid, bot: EmbeddedBot) -> None:
    import urllib.error
    import urllib.request

    acme, _ = grid.fakes.values()
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{bot.base_url}/slack/oauth_redirect?code=forged&state=forged", timeout=10)
    assert refused.value.code == 400
    assert not grid.calls("oauth.v2.access"), "no code was exchanged"
    store = bot.container.installation_store
    assert store is not None and store.find_bot(enterprise_id=None, team_id=acme.team_id) is None
    with pytest.raises(urllib.error.HTTPError) as unknown:
        urllib.request.urlopen(f"{bot.base_url}/slack/elsewhere", timeout=10)
    assert unknown.value.code == 404
