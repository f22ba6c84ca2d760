"""Coffee rounds end to end: signed HTTP into the real app, Slack played by the sandbox, the clock moved by hand.

Sweeps are run directly after moving the ManualClock, as the scheduler's periodic job does, restricted to the
test's workspace (tests share a database per worker).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.clock import ManualClock
from bot.embedded import EmbeddedBot
from bot.sandbox.driver import HttpDriver
from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.records import FakeMessage
from bot.settings import Settings
from storage.models import InteractionRow
from tests.e2e.conftest import wait_for

CHANNEL = "#coffee"
# What coffee rounds need beyond the manifest today (the lead adds these to manifest.yml and the README table):
# channels:read / groups:read for conversations.info + conversations.members (and the membership events),
# mpim:write for conversations.open of a group DM.
COFFEE_SCOPES = {"channels:read", "groups:read", "mpim:write"}
COFFEE_EVENTS = {"member_joined_channel", "member_left_channel"}


@pytest.fixture
def bot(fake: FakeSlack, database_url: str, clock: ManualClock) -> Iterator[EmbeddedBot]:
    """The real app as in conftest, with the gateway's post ceiling raised: the fake needs no pacing, and a round
    posts dozens of DMs (production keeps RAPPORT_SLACK_POSTS_PER_SECOND's default)."""
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_bot_token=fake.bot_token,
        slack_signing_secret=fake.signing_secret,
        slack_api_url=fake.api_url,
        database_url=database_url,
        rapport_slack_posts_per_second=100.0,
    )
    with EmbeddedBot(settings, clock=clock) as running:
        yield running


@pytest.fixture(autouse=True)
def coffee_manifest(fake: FakeSlack) -> Iterator[None]:
    """The manifest plus what coffee rounds declare (a no-op once manifest.yml lists them)."""
    fake.scopes = frozenset(fake.scopes | COFFEE_SCOPES)
    fake.escaped_commands.add("/coffee")
    if fake.subscribed_events is not None:
        fake.subscribed_events |= COFFEE_EVENTS
    yield


def replies(fake: FakeSlack, user: str, channel: str = CHANNEL) -> list[FakeMessage]:
    target = fake.channel_id(channel) if channel.startswith("#") else channel
    return fake.messages(target, as_user=fake.user(user).id)


def run_coffee(slack: HttpDriver, fake: FakeSlack, text: str, user: str = "lee", channel: str = CHANNEL) -> FakeMessage:
    """Type `/coffee text` in ``channel`` and return the ephemeral reply."""
    target = fake.channel_id(channel) if channel.startswith("#") else channel
    before = len(replies(fake, user, target))
    response = slack.slash_command(user, "/coffee", text, channel=target)
    assert response.ok, response
    found = wait_for(lambda: replies(fake, user, target)[before:], what=f"a reply to /coffee {text}")
    return found[-1]


def dms(fake: FakeSlack, user: str) -> list[FakeMessage]:
    """The bot's DMs to ``user``."""
    return [m for m in fake.messages(fake.user(user).id) if m.user == fake.bot_user_id]


def set_up(slack: HttpDriver, fake: FakeSlack, channel: str = CHANNEL, user: str = "lee", **inputs: str) -> FakeMessage:
    """Open the settings modal with `/coffee` and submit it; returns the confirmation."""
    target = fake.channel_id(channel)
    before = len(replies(fake, user, target))
    assert slack.slash_command(user, "/coffee", "", channel=target).ok
    view = wait_for(lambda: fake.views(user), what="the settings modal")[-1]
    assert view["callback_id"] == "coffee_settings_modal"
    values = {
        "cadence": "1",
        "weekday": "4",
        "local_time": "10:00",
        "tz": "America/New_York",
        "group_size": "2",
        "pool_mode": "prefer_cross_team",
        "opt_in": "all",
    }
    values.update(inputs)
    assert slack.submit_view(user, view, values).ok
    return wait_for(lambda: replies(fake, user, target)[before:], what="the set-up confirmation")[-1]


def channel_people(fake: FakeSlack, channel: str = CHANNEL) -> list[str]:
    conversation = fake.conversation(fake.channel_id(channel))
    return [m for m in conversation.members if m not in {fake.bot_user_id}]


def test_a_round_from_set_up_to_follow_up(
    slack: HttpDriver, fake: FakeSlack, bot: EmbeddedBot, clock: ManualClock
) -> None:
    services = bot.container.services
    # Wed 25 Nov 17:00 UTC. Rounds every week on Friday 10:00 New York time (15:00 UTC).
    confirmation = set_up(slack, fake)
    assert "Coffee rounds are set up" in confirmation.text and "Fri 27 Nov at 10:00" in confirmation.text

    assert "intro line is set" in run_coffee(slack, fake, "intro Loves sourdough, ask me about @maya's tips").text
    status = run_coffee(slack, fake, "status")
    assert "Every week on Friday at 10:00 (America/New_York)" in str(status.blocks)
    people = channel_people(fake)
    assert f"Pool: *{len(people)}* people" in str(status.blocks)

    # Heads-up one business day before: Thursday 10:00 New York.
    clock.set(clock.now().replace(day=26, hour=15, minute=1))
    services.coffee.sweep(team_id=fake.team_id)
    maya_heads_up = wait_for(lambda: [m for m in dms(fake, "maya") if "Heads-up" in m.text], what="heads-up")[-1]
    assert "tomorrow" in maya_heads_up.text
    assert [b[0] for b in maya_heads_up.buttons()] == ["coffee_skip_round"]
    assert all(any("Heads-up" in m.text for m in dms(fake, fake.user(u).handle)) for u in people)

    # maya skips this round from the heads-up.
    assert slack.click("maya", maya_heads_up, "coffee_skip_round").ok
    wait_for(
        lambda: [m for m in fake.messages(maya_heads_up.channel, as_user=fake.user("maya").id) if "sit out" in m.text],
        what="skip confirmation",
    )
    # arjun pauses until January with the heads-up's date picker.
    arjun_heads_up = [m for m in dms(fake, "arjun") if "Heads-up" in m.text][-1]
    assert slack.click("arjun", arjun_heads_up, "coffee_pause_until", "2027-01-10").ok
    wait_for(
        lambda: [m for m in fake.messages(arjun_heads_up.channel, as_user=fake.user("arjun").id) if "Paused" in m.text],
        what="pause confirmation",
    )

    # The round: Friday 10:00 New York.
    clock.set(clock.now().replace(day=27, hour=15, minute=1))
    report = services.coffee.sweep(team_id=fake.team_id)
    assert report.failed == 0
    group_dms = [c for c in fake.conversations() if c.kind == "mpim"]
    grouped = sorted(m for c in group_dms for m in c.members if m != fake.bot_user_id)
    expected = sorted(u for u in people if u not in {fake.user("maya").id, fake.user("arjun").id})
    assert grouped == expected, "everyone but maya (skipping) and arjun (paused) is in exactly one group"
    assert all(2 <= len(c.members) - 1 <= 3 for c in group_dms)
    intro = fake.messages(group_dms[0].id)[0]
    body = str(intro.blocks)
    assert "Conversation starter" in body and "Why you:" in body and "local time" in body
    assert "A time that suits everyone" in body or "barely overlap" in body
    lee_intro = next(fake.messages(c.id)[0] for c in group_dms if fake.user("lee").id in c.members)
    assert f"_Loves sourdough, ask me about <@{fake.user('maya').id}|maya>'s tips_" in str(lee_intro.blocks)
    maya_notice = wait_for(lambda: [m for m in dms(fake, "maya") if "No coffee group" in m.text], what="notice")
    assert "skip" in maya_notice[-1].text
    arjun_notice = [m for m in dms(fake, "arjun") if "No coffee group" in m.text]
    assert "paused coffee rounds until Sun 10 Jan" in arjun_notice[-1].text

    # Check-in halfway (3 days later, same local time), in every group DM.
    clock.advance(timedelta(days=3))
    services.coffee.sweep(team_id=fake.team_id)
    group = group_dms[0]
    check_in = [m for m in fake.messages(group.id) if m.text == "Did you meet?"][-1]
    assert [b[1] for b in check_in.buttons()] == ["We met", "Scheduled", "Not this time"]
    members = [m for m in group.members if m != fake.bot_user_id]
    clicker = fake.user(members[0]).handle
    assert slack.click(clicker, check_in, "coffee_we_met").ok
    wait_for(lambda: "You met" in fake.message(group.id, check_in.ts).text, what="check-in answered in place")

    # One coffee interaction per member, each with the others as participants.
    with bot.container.session_factory() as session:
        rows = session.scalars(
            select(InteractionRow).where(InteractionRow.team_id == fake.team_id, InteractionRow.source == "coffee")
        ).all()
        logged = {row.author_id: {p.user_id for p in row.participants} for row in rows}
    assert logged == {member: set(members) - {member} for member in members}
    assert all(row.kind == "coffee" for row in rows)

    # The private note offer, then the note (visible only in the author's own log).
    prompt = wait_for(
        lambda: [m for m in fake.messages(group.id, as_user=members[0]) if m.ephemeral_to == members[0]],
        what="note prompt",
    )[-1]
    assert slack.click(clicker, prompt, "coffee_add_note").ok
    note_view = wait_for(lambda: fake.views(clicker), what="note modal")[-1]
    assert slack.submit_view(clicker, note_view, {"note": "talked about <3 climbing"}).ok
    wait_for(lambda: [m for m in dms(fake, clicker) if "private note is saved" in m.text], what="note saved")
    own_log = slack.slash_command(clicker, "/met", "list", channel=CHANNEL)
    assert own_log.ok
    listing = wait_for(
        lambda: [m for m in replies(fake, clicker) if m.text.startswith("Your last meetings")], what="/met list"
    )[-1]
    assert "Coffee with" in str(listing.blocks) and "&lt;3 climbing" in str(listing.blocks)

    # Another group scheduled it (the answer keeps a "We met" button), a third not this time.
    scheduled_group, skipped_group = group_dms[1], group_dms[2]
    first_member = next(m for m in scheduled_group.members if m != fake.bot_user_id)
    ask = [m for m in fake.messages(scheduled_group.id) if m.text == "Did you meet?"][-1]
    assert slack.click(fake.user(first_member).handle, ask, "coffee_scheduled").ok
    answered = wait_for(
        lambda: [m for m in [fake.message(scheduled_group.id, ask.ts)] if "Scheduled" in m.text], what="scheduled"
    )[0]
    assert [b[1] for b in answered.buttons()] == ["We met"]
    other_member = next(m for m in skipped_group.members if m != fake.bot_user_id)
    ask = [m for m in fake.messages(skipped_group.id) if m.text == "Did you meet?"][-1]
    assert slack.click(fake.user(other_member).handle, ask, "coffee_not_this_time").ok
    wait_for(lambda: "Not this time" in fake.message(skipped_group.id, ask.ts).text, what="not this time")

    # The end of the round, Friday 4 Dec: the channel summary (the next round starts in the same sweep).
    clock.set(clock.now().replace(day=4, month=12))
    services.coffee.sweep(team_id=fake.team_id)
    summaries = [m for m in fake.messages(fake.channel_id(CHANNEL)) if "groups met" in m.text or "group met" in m.text]
    assert summaries and summaries[-1].text == f"1 of {len(group_dms)} groups met this round."
    assert "1 more scheduled a chat" in str(summaries[-1].blocks)

    # Follow-up nudges later, from the follow-up engine, because "we met" went through the interaction hooks.
    # A week after the meeting, delivered inside each person's working hours (they are in different zones).
    clock.set(clock.now().replace(day=7, hour=15))  # the Monday a week after the meeting
    for _ in range(24):
        clock.advance(timedelta(hours=1))
        services.followups.sweep()
    for member in members:
        handle = fake.user(member).handle
        other = next(m for m in members if m != member)
        nudges = [m for m in dms(fake, handle) if fake.user(other).handle in m.text or other in str(m.blocks)]
        assert nudges, f"{handle} got a follow-up about the coffee"


def test_coffee_in_a_dm_a_group_dm_and_without_the_bot(slack: HttpDriver, fake: FakeSlack) -> None:
    in_dm = run_coffee(slack, fake, "status", channel=fake.dm_channel("lee"))
    assert "Coffee rounds run in channels" in in_dm.text
    group_dm = fake.dm_channel(["lee", "maya"])
    in_group = run_coffee(slack, fake, "", channel=group_dm)
    assert "not in group DMs" in in_group.text
    without_bot = run_coffee(slack, fake, "", channel="#random", user="maya")
    assert "/invite @Rapport" in without_bot.text
    assert fake.views("maya") == []


def test_coffee_in_an_archived_channel(slack: HttpDriver, fake: FakeSlack) -> None:
    fake.join("#random", "rapport")
    fake.archive("#random")
    reply = run_coffee(slack, fake, "", channel="#random", user="maya")
    assert "archived" in reply.text


def test_a_pool_of_one(slack: HttpDriver, fake: FakeSlack) -> None:
    fake.join("#random", "rapport")
    for user_id in channel_people(fake, "#random"):
        if user_id != fake.user("maya").id:
            fake.leave("#random", user_id)
    set_up(slack, fake, channel="#random", user="maya")
    reply = run_coffee(slack, fake, "now", channel="#random", user="maya")
    assert "Only 1 person is in the pool" in reply.text and "at least 2" in reply.text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pause until 2027-02-30", "isn't a real date"),
        ("pause until 2026-11-01", "isn't in the future"),
        ("pause until blurgh", "couldn't read *blurgh*"),
        ("pause until 2029-01-01", "more than a year away"),
    ],
)
def test_invalid_pause_dates(slack: HttpDriver, fake: FakeSlack, text: str, expected: str) -> None:
    set_up(slack, fake)
    reply = run_coffee(slack, fake, text, user="maya")
    assert expected in reply.text and "/coffee pause until 2027-01-10" in reply.text


def test_personal_commands_and_permissions(slack: HttpDriver, fake: FakeSlack) -> None:
    before_setup = run_coffee(slack, fake, "join", user="maya")
    assert "aren't set up in this channel" in before_setup.text
    set_up(slack, fake, user="maya")  # maya set it up, so she may pause; arjun may not; lee is an admin
    assert "Only <@" in run_coffee(slack, fake, "pause", user="arjun").text
    assert "are paused" in run_coffee(slack, fake, "pause", user="lee").text
    assert "back on" in run_coffee(slack, fake, "resume", user="maya").text
    paused = run_coffee(slack, fake, "pause until 2027-01-10", user="arjun")
    assert "until Sun 10 Jan 2027" in paused.text
    assert "paused until" in str(run_coffee(slack, fake, "status", user="arjun").blocks)
    assert "sit out" in run_coffee(slack, fake, "skip", user="nora").text
    assert "left coffee rounds" in run_coffee(slack, fake, "leave", user="theo").text
    maya = fake.user("maya")
    avoided = run_coffee(slack, fake, f"avoid <@{maya.id}|maya>", user="arjun")
    assert "never be paired" in avoided.text and "private" in avoided.text
    assert maya.id in run_coffee(slack, fake, "avoid", user="arjun").text
    assert maya.id not in run_coffee(slack, fake, "avoid", user="nora").text
    assert "Removed" in run_coffee(slack, fake, f"avoid <@{maya.id}|maya> off", user="arjun").text
    assert "intro line is set" in run_coffee(slack, fake, "intro Loves sourdough", user="arjun").text
    assert "/coffee join" in str(run_coffee(slack, fake, "help").blocks)
    assert "I don't know" in run_coffee(slack, fake, "dance").text
    assert dms(fake, "maya") == [], "nobody is ever told about an avoid list"


def test_newcomer_gets_one_welcome_and_leavers_leave_the_pool(
    slack: HttpDriver, fake: FakeSlack, bot: EmbeddedBot
) -> None:
    set_up(slack, fake)
    assert slack.member_joined_channel("ben", CHANNEL).ok
    welcome = wait_for(lambda: [m for m in dms(fake, "ben") if "Welcome to" in m.text], what="welcome DM")
    assert len(welcome) == 1
    fake.leave(CHANNEL, "ben")
    assert slack.event(
        {"type": "member_left_channel", "user": fake.user("ben").id, "channel": fake.channel_id(CHANNEL)}
    ).ok
    assert slack.member_joined_channel("ben", CHANNEL).ok
    status = run_coffee(slack, fake, "status")  # a round trip, so the second join has been handled
    assert "Pool:" in str(status.blocks)
    assert len([m for m in dms(fake, "ben") if "Welcome to" in m.text]) == 1, "one welcome, ever"


def test_join_only_channels_welcome_with_a_join_button(slack: HttpDriver, fake: FakeSlack) -> None:
    set_up(slack, fake, opt_in="join")
    assert "Pool: *0* people" in str(run_coffee(slack, fake, "status").blocks)
    assert slack.member_joined_channel("ben", CHANNEL).ok
    welcome = wait_for(lambda: [m for m in dms(fake, "ben") if "Welcome to" in m.text], what="welcome DM")[-1]
    assert "Click *Join*" in welcome.text
    assert slack.click("ben", welcome, "coffee_join").ok
    wait_for(lambda: [m for m in fake.messages(welcome.channel, as_user=fake.user("ben").id) if "You're in" in m.text])
    assert "Pool: *1* person" in str(run_coffee(slack, fake, "status").blocks)
