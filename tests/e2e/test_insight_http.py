"""The Home tab, /network and /prep through the sandbox over real HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import ManualClock
from bot.sandbox.client import HttpDriver
from bot.sandbox.slack import FakeSlack
from bot.sandbox.slack.records import FakeMessage
from handlers import ids
from tests.e2e.conftest import wait_for
from tests.e2e.test_met_http import mention, run_met

CHANNEL = "#coffee"


def ephemeral(fake: FakeSlack, user: str, containing: str) -> FakeMessage:
    def found() -> FakeMessage | None:
        for message in fake.messages(fake.channel_id(CHANNEL), as_user=fake.user(user).id):
            if containing in message.text or containing in str(message.blocks):
                return message
        return None

    return wait_for(found, what=f"a reply containing {containing!r}")


def home_text(fake: FakeSlack, user: str) -> str:
    view = fake.home(user)
    return str(view["blocks"]) if view else ""


def test_first_visit_then_a_goal_then_progress_on_home(slack: HttpDriver, fake: FakeSlack) -> None:
    assert slack.app_home_opened("lee").ok
    assert "Welcome to Rapport" in wait_for(lambda: home_text(fake, "lee") or None, what="Home published")
    slack.slash_command("lee", "/network", "goal 10,000 new people a month", channel=CHANNEL)
    ephemeral(fake, "lee", "more than a goal can sensibly be")
    slack.slash_command("lee", "/network", "goal 2 new people a month", channel=CHANNEL)
    ephemeral(fake, "lee", "Goal set: meet 2 new people a month")
    wait_for(lambda: "Meet 2 new people a month" in home_text(fake, "lee") or None, what="Home with the goal")
    run_met(slack, fake, f"{mention(fake, 'maya')} coffee")
    assert slack.app_home_opened("lee").ok
    wait_for(lambda: "1 of 2" in home_text(fake, "lee") or None, what="progress on Home")
    assert "Welcome to Rapport" not in home_text(fake, "lee")


def test_a_follow_up_answered_from_home(slack: HttpDriver, fake: FakeSlack, clock: ManualClock) -> None:
    run_met(slack, fake, f"{mention(fake, 'maya')} lunch")
    clock.advance(timedelta(days=8))
    assert slack.app_home_opened("lee").ok
    view = wait_for(lambda: fake.home("lee") if "Follow-ups due" in home_text(fake, "lee") else None, what="due")
    assert "maya" in str(view["blocks"])
    done = next(
        element["action_id"]
        for block in view["blocks"]
        for element in block.get("elements", [])
        if str(element.get("action_id", "")).startswith(ids.NUDGE_DONE_ACTION + ":")
    )
    assert slack.click_in_view("lee", view, done).ok
    wait_for(lambda: "Nothing to follow up on" in home_text(fake, "lee") or None, what="Home redrawn after Done")


def test_prep_brief_is_private_and_refuses_oddities(slack: HttpDriver, fake: FakeSlack) -> None:
    run_met(slack, fake, f"{mention(fake, 'maya')} coffee — budget for Q3 #launch")
    slack.slash_command("lee", "/prep", mention(fake, "maya"), channel=CHANNEL)
    brief = ephemeral(fake, "lee", "Before you meet")
    assert "budget for Q3" in str(brief.blocks) and "#launch" in str(brief.blocks)
    assert not [
        m for m in fake.messages(fake.channel_id(CHANNEL), as_user=fake.user("maya").id) if "Before you meet" in m.text
    ]
    slack.slash_command("lee", "/prep", mention(fake, "lee"), channel=CHANNEL)
    ephemeral(fake, "lee", "That's you!")
    slack.slash_command("lee", "/prep", "", channel=CHANNEL)
    ephemeral(fake, "lee", "Who are you meeting?")


def test_network_map_is_uploaded_to_my_dm(slack: HttpDriver, fake: FakeSlack) -> None:
    slack.slash_command("lee", "/network", "map", channel=CHANNEL)
    ephemeral(fake, "lee", "Nothing to draw yet")
    run_met(slack, fake, f"{mention(fake, 'maya')} and {mention(fake, 'sam')} coffee")
    slack.slash_command("lee", "/network", "map", channel=CHANNEL)
    ephemeral(fake, "lee", "Your network picture is in your DM with me (2 people drawn)")
    [picture] = fake.files()
    assert picture.name == "rapport-network.png" and (picture.content or b"").startswith(b"\x89PNG")
    assert picture.shares, "shared into the DM"
    slack.slash_command("lee", "/network", "dance", channel=CHANNEL)
    ephemeral(fake, "lee", "I don't know `/network dance`")
