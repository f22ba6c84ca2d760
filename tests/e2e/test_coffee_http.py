"""Coffee rounds end to end: signed HTTP into the real app, Slack played by the sandbox, the clock moved by hand.

Sweeps are run directly after moving the ManualClock, as the scheduler's periodic job does, restricted to the
test's workspace (tests share a database per worker).
"""

from __future__ import annotations

import json
import time as real_time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.clock import ManualClock
from bot.domain.coffee import ProgramStatus, RoundStatus
from bot.embedded import EmbeddedBot
from bot.sandbox.client import HttpDriver
from bot.sandbox.slack import FakeSlack
from bot.sandbox.slack.faults import Fault
from bot.sandbox.slack.records import FakeMessage
from storage.models import CoffeeProgramRow, InteractionRow
from tests.e2e.conftest import bot_settings, post_interactive, view_submission, wait_for

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
    settings = bot_settings(fake, database_url, rapport_slack_posts_per_second=100.0)
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


def mrkdwn_of(message: FakeMessage) -> str:
    """Every mrkdwn string in a message's blocks, as posted (str() of the blocks would escape invisible characters)."""
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                found.append(str(node.get("text", "")))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(message.blocks)
    return "\n".join(found)


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
    # maya (skipping) is not in lee's group: her mention is shown as plain text, which notifies nobody.
    assert "_Loves sourdough, ask me about @\u2060maya's tips_" in mrkdwn_of(lee_intro)
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


def test_an_intro_line_reaches_the_group_inert(
    slack: HttpDriver, fake: FakeSlack, bot: EmbeddedBot, clock: ManualClock
) -> None:
    """Broadcasts, a mention of someone outside the group and a disguised link, typed as Slack sends them."""
    set_up(slack, fake)
    jack = fake.user("jack").id  # not in #coffee, so in no group
    attack = f"Ask me <!channel> <!here> <@{jack}|x> <https://evil.example|payroll>"
    assert "intro line is set" in run_coffee(slack, fake, f"intro {attack}").text

    clock.set(clock.now().replace(day=27, hour=15, minute=1))  # the round: Friday 10:00 New York
    assert bot.container.services.coffee.sweep(team_id=fake.team_id).failed == 0
    lee = fake.user("lee").id
    group = next(c for c in fake.conversations() if c.kind == "mpim" and lee in c.members)
    intro = fake.messages(group.id)[0]
    shown = intro.text + "\n" + mrkdwn_of(intro)
    assert "_Ask me @\u2060channel @\u2060here @\u2060x <https://evil.example>_" in shown
    assert "<!" not in shown and f"<@{jack}" not in shown and "payroll" not in shown
    partner = next(m for m in group.members if m not in {lee, fake.bot_user_id})
    assert f"<@{partner}>" in shown and f"<@{lee}>" in shown, "the group's own members are still mentioned"


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


def test_invalid_auth_for_3_seconds_pauses_a_round_step_and_it_completes_after(
    slack: HttpDriver, fake: FakeSlack, bot: EmbeddedBot, clock: ManualClock
) -> None:
    services = bot.container.services
    set_up(slack, fake)
    clock.set(clock.now().replace(day=26, hour=15, minute=1))  # the heads-up goes out normally
    assert services.coffee.sweep(team_id=fake.team_id).failed == 0
    with bot.container.unit_of_work() as uow:
        program = uow.coffee_programmes.program_for_channel(fake.team_id, fake.channel_id(CHANNEL))
        assert program is not None
        round_ = uow.coffee_rounds.next_scheduled_round(fake.team_id, program.id)
        assert round_ is not None

    clock.set(clock.now().replace(day=27, hour=15, minute=1))  # the round starts... while Slack refuses the token
    outage = fake.faults.add(Fault(method="*", kind="invalid_auth", until=fake.faults.now() + 3.0))
    started = real_time.monotonic()
    report = services.coffee.sweep(team_id=fake.team_id)
    assert report.failed == 0 and report.paused == 1 and report.errors == {"invalid_auth": 1}, report
    with bot.container.unit_of_work() as uow:
        assert uow.coffee_programmes.program(fake.team_id, program.id).status == ProgramStatus.ACTIVE  # type: ignore[union-attr]
        assert uow.coffee_rounds.round(fake.team_id, round_.id).status == RoundStatus.SCHEDULED  # type: ignore[union-attr]
        assert uow.coffee_jobs.statuses(fake.team_id, round_.id)["start"] == "pending"
    assert not [m for m in dms(fake, "lee") if "coffee" in m.text.lower() and "paused" in m.text.lower()]
    clock.advance(timedelta(seconds=10))
    assert services.coffee.sweep(team_id=fake.team_id).claimed == 0, "paused: the step is not even claimed"

    real_time.sleep(max(0.0, 3.0 - (real_time.monotonic() - started)) + 0.1)
    assert outage not in fake.faults.active()
    clock.advance(timedelta(seconds=21))  # the breaker's first probe: auth.test works again
    report = services.coffee.sweep(team_id=fake.team_id)
    assert (report.done, report.failed, report.paused) == (1, 0, 0), report
    with bot.container.unit_of_work() as uow:
        assert uow.coffee_programmes.program(fake.team_id, program.id).status == ProgramStatus.ACTIVE  # type: ignore[union-attr]
        assert uow.coffee_rounds.round(fake.team_id, round_.id).status == RoundStatus.STARTED  # type: ignore[union-attr]
        assert uow.coffee_jobs.statuses(fake.team_id, round_.id)["start"] == "done"
    group_dms = [c for c in fake.conversations() if c.kind == "mpim"]
    grouped = sorted(m for c in group_dms for m in c.members if m != fake.bot_user_id)
    assert grouped == sorted(channel_people(fake)), "everyone is grouped, once"
    assert all(len(fake.messages(c.id)) == 1 for c in group_dms), "one intro per group"


def test_someone_deactivated_after_the_heads_up_is_not_grouped_or_named(
    slack: HttpDriver, fake: FakeSlack, bot: EmbeddedBot, clock: ManualClock
) -> None:
    services = bot.container.services
    set_up(slack, fake)
    clock.set(clock.now().replace(day=26, hour=15, minute=1))  # the heads-up looks everyone up (and caches them)
    services.coffee.sweep(team_id=fake.team_id)
    maya = fake.user("maya")
    assert [m for m in dms(fake, "maya") if "Heads-up" in m.text]
    fake.deactivate("maya")
    sent_to_maya = len(dms(fake, "maya"))

    clock.set(clock.now().replace(day=27, hour=15, minute=1))  # a day later: past the 12-hour directory TTL
    assert services.coffee.sweep(team_id=fake.team_id).failed == 0
    group_dms = [c for c in fake.conversations() if c.kind == "mpim"]
    assert group_dms and all(maya.id not in c.members for c in group_dms)
    intros = [m for c in group_dms for m in fake.messages(c.id)]
    assert all(maya.id not in str(m.blocks) and "Maya" not in str(m.blocks) for m in intros)
    assert len(dms(fake, "maya")) == sent_to_maya, "nothing more goes to maya"


# --- issue #8: settings re-checked on submit, /coffee now on a day with a round, the first heads-up -------------


def _submit_settings_for(slack: HttpDriver, fake: FakeSlack, bot: EmbeddedBot, user: str, channel_id: str) -> None:
    """Submit lee's settings form as ``user`` with ``channel_id`` in its metadata (the channel may have changed
    since the form opened, or the client sent another id)."""
    before = len(fake.views("lee"))
    assert slack.slash_command("lee", "/coffee", "", channel=CHANNEL).ok
    view = wait_for(lambda: fake.views("lee")[before:], what="the settings modal")[-1]
    state = slack.view_state(view, {"local_time": "10:00", "tz": "America/New_York"})
    metadata = json.dumps({"channel_id": channel_id})
    payload = view_submission(fake, user, view, state=state, private_metadata=metadata)
    status, body, _ = post_interactive(bot, fake, payload)
    assert status == 200 and not body.strip()


@pytest.mark.parametrize(
    ("user", "channel", "expected"),
    [
        ("ben", "#coffee", "not a member of that channel"),  # the bot is there, ben is not
        ("lee", "#leadership", "I'm not in this channel yet"),  # private, without the bot
        ("lee", "DM", "Coffee rounds run in channels"),
        ("lee", "", "couldn't tell which channel"),
    ],
)
def test_settings_are_rechecked_on_submit(
    slack: HttpDriver, fake: FakeSlack, bot: EmbeddedBot, user: str, channel: str, expected: str
) -> None:
    special = {"DM": fake.dm_channel(fake.user(user).id), "": ""}
    target = special[channel] if channel in special else fake.channel_id(channel)
    _submit_settings_for(slack, fake, bot, user, target)
    uid = fake.user(user).id
    visible = (uid, fake.channel_id(CHANNEL))  # the bot's DM (ephemerals too) and the channel the form came from
    seen = wait_for(
        lambda: [m for where in visible for m in fake.messages(where, as_user=uid) if expected in m.text],
        what="a friendly refusal",
    )
    assert ":warning:" in str(seen[-1].blocks)
    with bot.container.session_factory() as session:
        programmes = session.scalars(select(CoffeeProgramRow).where(CoffeeProgramRow.team_id == fake.team_id)).all()
    assert programmes == [], "nothing was set up"


def _intros_per_person(fake: FakeSlack) -> Counter[str]:
    counts: Counter[str] = Counter()
    for conversation in fake.conversations():
        if conversation.kind != "mpim":
            continue
        intros = [m for m in fake.messages(conversation.id) if "Conversation starter" in str(m.blocks)]
        for member in conversation.members:
            if member != fake.bot_user_id:
                counts[member] += len(intros)
    return counts


def test_coffee_now_on_a_day_with_a_round_asks_first(
    slack: HttpDriver, fake: FakeSlack, bot: EmbeddedBot, clock: ManualClock
) -> None:
    set_up(slack, fake)  # Fridays 10:00 New York; set up on Wed 25 Nov
    clock.set(clock.now().replace(day=27, hour=12, minute=0))  # Friday 07:00 in New York: today's round at 10:00
    bot.container.services.coffee.sweep(team_id=fake.team_id)

    asked = run_coffee(slack, fake, "now")
    assert "already a coffee round" in asked.text and "Fri 27 Nov at 10:00" in asked.text
    assert [label for _, label, _ in asked.buttons()] == ["Replace today's round", "Extra round"]
    assert _intros_per_person(fake) == Counter(), "nothing started without a choice"

    assert slack.click("lee", asked, "coffee_now_replace").ok
    # A whole round (group DMs for everyone) runs before the answer: give it time on a loaded machine.
    wait_for(lambda: "has started" in fake.message(asked.channel, asked.ts).text, timeout=30, what="replaced in place")
    people = channel_people(fake)
    assert sorted(_intros_per_person(fake)) == sorted(people)
    assert set(_intros_per_person(fake).values()) == {1}

    # 10:00: the replaced round does not run as well; nobody gets a second group this morning.
    clock.set(clock.now().replace(hour=15, minute=1))
    bot.container.services.coffee.sweep(team_id=fake.team_id)
    assert set(_intros_per_person(fake).values()) == {1}

    # Asked again the same day: the round is under way, so only an extra round is offered.
    again = run_coffee(slack, fake, "now")
    assert "already started" in again.text
    assert [label for _, label, _ in again.buttons()] == ["Extra round"]
    assert slack.click("lee", again, "coffee_now_extra").ok
    wait_for(lambda: "has started" in fake.message(again.channel, again.ts).text, timeout=30, what="the extra round")
    assert set(_intros_per_person(fake).values()) == {2}, "an extra round is a choice the organiser made"

    # The schedule goes on from the replaced round: next Friday.
    status = run_coffee(slack, fake, "status")
    assert "Fri 4 Dec" in str(status.blocks)


def test_the_first_round_after_set_up_gets_its_heads_up_a_business_day_before(
    slack: HttpDriver, fake: FakeSlack, clock: ManualClock
) -> None:
    clock.set(clock.now().replace(day=27, hour=14, minute=0))  # Friday 09:00 in New York
    confirmation = set_up(slack, fake)  # Fridays at 10:00: in one hour, too soon for a heads-up
    assert "Fri 4 Dec at 10:00" in confirmation.text
