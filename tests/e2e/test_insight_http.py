"""The Home tab, /network and /prep through the sandbox over real HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.clock import ManualClock
from bot.domain.insight.review import next_review_at
from bot.embedded import EmbeddedBot
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


def test_export_then_forget_me(slack: HttpDriver, fake: FakeSlack) -> None:
    run_met(slack, fake, f"{mention(fake, 'maya')} coffee — secret plans")
    slack.slash_command("lee", "/network", "export", channel=CHANNEL)
    ephemeral(fake, "lee", "Your export is in your DM with me (3 files)")
    names = sorted(f.name for f in fake.files())
    assert names == ["rapport-export.json", "rapport-follow-ups.csv", "rapport-interactions.csv"]
    exported = next(f for f in fake.files() if f.name == "rapport-export.json")
    assert b"secret plans" in (exported.content or b"")
    assert slack.slash_command("lee", "/network", "forget", channel=CHANNEL).ok
    [modal] = wait_for(lambda: fake.views("lee") or None, what="the confirmation")
    assert "cannot be undone" in str(modal["blocks"])
    assert slack.submit_view("lee", modal["id"], {}).ok
    wait_for(
        lambda: [m for m in fake.messages("lee") if "Rapport has forgotten you" in m.text] or None,
        what="the confirmation DM",
    )
    slack.slash_command("lee", "/met", "list", channel=CHANNEL)
    ephemeral(fake, "lee", "haven't logged")


def test_admin_view_is_aggregates_for_admins_only(slack: HttpDriver, fake: FakeSlack) -> None:
    slack.slash_command("maya", "/network", "admin", channel=CHANNEL)
    ephemeral(fake, "maya", "Only workspace admins and owners")
    loggers = ["maya", "sam", "nora", "omar", "priya"]
    for handle in loggers:
        partner = "lee" if handle != "lee" else "maya"
        run_met(slack, fake, f"{mention(fake, partner)} coffee — private {handle}", user=handle)
    slack.slash_command("lee", "/network", "admin", channel=CHANNEL)
    report = ephemeral(fake, "lee", "Networking in this workspace")
    shown = str(report.blocks)
    assert "last 30 days: *5*" in shown
    for handle in loggers:
        assert handle not in shown and fake.user(handle).id not in shown and f"private {handle}" not in shown
    [chart] = wait_for(lambda: [f for f in fake.files() if f.name == "rapport-weekly-trend.png"] or None, what="chart")
    assert (chart.content or b"").startswith(b"\x89PNG")


def test_admin_figures_about_fewer_than_five_people_are_hidden(slack: HttpDriver, fake: FakeSlack) -> None:
    run_met(slack, fake, f"{mention(fake, 'maya')} coffee", user="sam")
    slack.slash_command("grace", "/network", "admin", channel=CHANNEL)
    report = ephemeral(fake, "grace", "Networking in this workspace")
    assert "last 30 days: *—*" in str(report.blocks) and "fewer than 5 people" in str(report.blocks)


def group_dm_with(fake: FakeSlack, *handles: str) -> list[FakeMessage]:
    ids = {fake.user(handle).id for handle in handles}
    for conversation in fake.conversations(fake.user(handles[0]).id):
        if conversation.kind == "mpim" and set(conversation.members) >= ids:
            return fake.messages(conversation.id)
    return []


def test_intro_connects_two_people_and_we_met_logs_for_both(
    slack: HttpDriver, fake: FakeSlack, clock: ManualClock
) -> None:
    maya, sam = mention(fake, "maya"), mention(fake, "sam")
    slack.slash_command("lee", "/intro", f"{maya} {maya} hi", channel=CHANNEL)
    ephemeral(fake, "lee", "same person twice")
    slack.slash_command("lee", "/intro", f"{maya} {mention(fake, 'lee')} hi", channel=CHANNEL)
    ephemeral(fake, "lee", "name the two people")
    slack.slash_command("lee", "/intro", f"{maya} {sam}", channel=CHANNEL)
    ephemeral(fake, "lee", "Tell them why")
    slack.slash_command("lee", "/intro", f"{maya} {sam} you both care about <!channel> payments", channel=CHANNEL)
    ephemeral(fake, "lee", "Introduced")
    [intro] = wait_for(lambda: group_dm_with(fake, "lee", "maya", "sam") or None, what="the group DM")
    assert "thinks you two should meet" in str(intro.blocks) and "<!channel>" not in str(intro.blocks)
    assert slack.click("lee", intro, ids.INTRO_MET_ACTION).ok

    def ephemeral_anywhere(user: str, text: str) -> list[FakeMessage]:
        return [m for m in fake.messages(intro.channel, as_user=fake.user(user).id) if text in m.text]

    wait_for(lambda: ephemeral_anywhere("lee", "Only the two people introduced") or None, what="refusal")
    assert slack.click("maya", intro, ids.INTRO_MET_ACTION).ok
    wait_for(lambda: ephemeral_anywhere("maya", "Logged for both of you") or None, what="logged")
    assert slack.click("sam", intro, ids.INTRO_MET_ACTION).ok
    wait_for(lambda: ephemeral_anywhere("sam", "Already logged") or None, what="no double log")
    slack.slash_command("sam", "/met", "list", channel=CHANNEL)
    ephemeral(fake, "sam", "maya")
    clock.advance(timedelta(days=15))
    assert slack.app_home_opened("lee").ok
    wait_for(
        lambda: ("Follow-ups due" in home_text(fake, "lee") and "maya" in home_text(fake, "lee")) or None, what="due"
    )


def review_dms(fake: FakeSlack, user: str) -> list[FakeMessage]:
    return [m for m in fake.messages(user) if "Your week in networking" in m.text]


def test_weekly_review_on_the_persons_day_once_and_off_when_asked(
    slack: HttpDriver, fake: FakeSlack, bot: EmbeddedBot, clock: ManualClock
) -> None:
    reviews = bot.container.services.reviews
    run_met(slack, fake, f"{mention(fake, 'maya')} coffee")
    slack.slash_command("lee", "/network", "goal 2 new people a month", channel=CHANNEL)
    ephemeral(fake, "lee", "Goal set")
    due = next_review_at(clock.now(), fake.user("lee").tz)
    local = due.astimezone(ZoneInfo(fake.user("lee").tz))
    assert (local.weekday(), local.hour, local.minute) == (0, 9, 0), "Monday 09:00 in lee's own time zone"
    clock.set(due - timedelta(minutes=1))
    assert reviews.sweep(team_id=fake.team_id).claimed == 0, "not due before the person's Monday 09:00"
    clock.set(due + timedelta(minutes=1))
    report = reviews.sweep(team_id=fake.team_id)
    assert report.claimed == 1 and report.done == 1
    [review] = review_dms(fake, "lee")
    shown = str(review.blocks)
    assert "You logged 1 meeting last week, 1 of them new (maya)" in shown and "Goal — meet 2 new people" in shown
    assert reviews.sweep(team_id=fake.team_id).claimed == 0, "once a week"
    slack.slash_command("lee", "/network", "review off", channel=CHANNEL)
    ephemeral(fake, "lee", "Weekly reviews are off")
    clock.advance(timedelta(days=8))
    assert reviews.sweep(team_id=fake.team_id).claimed == 0 and len(review_dms(fake, "lee")) == 1
    slack.slash_command("lee", "/network", "review fri", channel=CHANNEL)
    ephemeral(fake, "lee", "comes on Fridays")
