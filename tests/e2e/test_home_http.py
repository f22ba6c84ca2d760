"""The Home tab over signed HTTP against the sandbox: redrawn after a /met typed elsewhere, heavy and new users."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.clock import ManualClock
from bot.domain.models import InteractionKind, InteractionSource, NewInteraction
from bot.embedded import EmbeddedBot
from bot.sandbox.client import HttpDriver
from bot.sandbox.slack import FakeSlack
from bot.sandbox.slack.blockkit import MAX_VIEW_BLOCKS
from tests.e2e.conftest import settle, wait_for
from tests.e2e.test_insight_http import home_text
from tests.e2e.test_met_http import mention, run_met

HEAVY_MEETINGS = 2_000


def publishes_for(fake: FakeSlack, user: str) -> int:
    return sum(1 for call in fake.calls("views.publish") if call.args.get("user_id") == fake.user(user).id)


def test_home_is_redrawn_after_a_met_typed_in_a_channel(slack: HttpDriver, fake: FakeSlack, bot: EmbeddedBot) -> None:
    assert slack.app_home_opened("lee").ok
    wait_for(lambda: "Welcome to Rapport" in home_text(fake, "lee") or None, what="the first-run tab")
    run_met(slack, fake, f"{mention(fake, 'maya')} coffee")
    wait_for(lambda: "Welcome to Rapport" not in home_text(fake, "lee") or None, what="the tab redrawn, unopened")
    settle(bot.app, bot.container)
    before = publishes_for(fake, "lee")
    for who in ("sam", "maya", "sam"):  # a burst: the tab is redrawn, not once per command
        slack.slash_command("lee", "/met", f"{mention(fake, who)} lunch", channel="#coffee")
    settle(bot.app, bot.container)
    assert 1 <= publishes_for(fake, "lee") - before <= 3
    assert "Welcome to Rapport" not in home_text(fake, "lee")


def test_a_heavy_user_gets_a_tab_inside_slacks_limits_and_a_new_user_the_first_run(
    slack: HttpDriver, fake: FakeSlack, bot: EmbeddedBot, clock: ManualClock
) -> None:
    team, lee = fake.team_id, fake.user("lee").id
    contacts = [user.id for user in fake.users() if user.id != lee and not user.is_bot and not user.deleted]
    with bot.container.unit_of_work() as uow:
        uow.workspaces.ensure(team, clock.now())
        for index in range(HEAVY_MEETINGS):
            when = clock.now() - timedelta(hours=13 * index + 1)
            new = NewInteraction(
                team, lee, when, InteractionKind.COFFEE, f"note {index}", InteractionSource.COMMAND,
                (contacts[index % len(contacts)],), ("launch",), 7,
            )  # fmt: skip
            uow.interactions.add(new, when)
        uow.commit()
    assert slack.app_home_opened("lee").ok
    wait_for(lambda: "Reach" in home_text(fake, "lee") or None, what="the heavy user's tab", timeout=20)
    view = fake.home("lee")
    assert view is not None and "Welcome to Rapport" not in str(view["blocks"])
    assert len(view["blocks"]) <= MAX_VIEW_BLOCKS
    assert len(json.dumps(view["blocks"])) < 50_000, "well inside a view's size"
    assert slack.app_home_opened("sam").ok
    first_run = wait_for(lambda: fake.home("sam"), what="the new user's tab")
    assert "Welcome to Rapport" in str(first_run["blocks"])
