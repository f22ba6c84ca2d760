"""One listener at a time: called with a fake ``ack``/``respond``/``client`` and a context holding fake services,
the way Bolt calls it once ``handlers.inject`` has put the real ones there."""

from __future__ import annotations

from typing import Any

import pytest
from slack_bolt import BoltContext

from bot.domain.coffee import ProgramStatus
from bot.services.coffee import ChannelProblem, Reply
from handlers.actions.nudges import Done, KeepInTouch, NotNeeded, Refused, Snooze, handle_nudge_button, read_click
from handlers.commands.coffee import handle_coffee
from handlers.commands.met import handle_met
from handlers.events.coffee import handle_joined
from tests.fakes import FakeAck, FakeRespond, FakeService, FakeWebClient, InlineAfterAck

TEAM, LEE, CHANNEL = "T0TEAM0001", "U0LEE00001", "C0COFFEE01"


def slash(text: str, channel_id: str = CHANNEL, channel_name: str = "coffee") -> dict[str, Any]:
    """A slash command payload from Lee."""
    return {
        "team_id": TEAM,
        "user_id": LEE,
        "channel_id": channel_id,
        "channel_name": channel_name,
        "text": text,
        "trigger_id": "1.2.trigger",
    }


def run_coffee(text: str, coffee: FakeService, **where: str) -> tuple[FakeAck, FakeRespond]:
    ack, respond = FakeAck(), FakeRespond()
    handle_coffee(ack, slash(text, **where), respond, FakeWebClient(), BoltContext({"coffee": coffee}))
    assert ack.calls == [{}], "acked once, with nothing in the ack"
    return ack, respond


def test_coffee_help_answers_privately_and_calls_no_service() -> None:
    coffee = FakeService()
    _, respond = run_coffee("help", coffee)
    assert respond.texts == ["How /coffee works"]
    assert respond.sent[0]["response_type"] == "ephemeral"
    assert coffee.calls == []


def test_coffee_join_is_one_service_call_and_its_reply() -> None:
    coffee = FakeService(join=Reply("You're in."))
    _, respond = run_coffee("join", coffee)
    assert coffee.calls == [("problem_from_payload", (CHANNEL, "coffee")), ("join", (TEAM, CHANNEL, LEE))]
    assert respond.texts == ["You're in."]


def test_coffee_pause_pauses_the_channel() -> None:
    coffee = FakeService(set_program_status=Reply("Paused."))
    run_coffee("pause", coffee)
    assert coffee.calls[-1] == ("set_program_status", (TEAM, CHANNEL, LEE, ProgramStatus.PAUSED))


def test_a_channel_command_in_a_dm_is_refused_before_any_work() -> None:
    coffee = FakeService(problem_from_payload=ChannelProblem("dm", "Coffee rounds run in a channel."))
    _, respond = run_coffee("status", coffee, channel_id="D0DM000001", channel_name="directmessage")
    assert [name for name, _ in coffee.calls] == ["problem_from_payload"]
    assert respond.texts == ["Coffee rounds run in a channel."]
    assert respond.sent[0]["blocks"][0]["text"]["text"] == ":warning: Coffee rounds run in a channel."


@pytest.mark.parametrize(
    ("text", "call"),
    [
        ("avoid <@U0DANA0001|dana>", ("avoid", (TEAM, LEE, "U0DANA0001"))),
        ("avoid <@U0DANA0001|dana> off", ("unavoid", (TEAM, LEE, "U0DANA0001"))),
        ("intro off", ("set_intro", (TEAM, LEE, ""))),
    ],
)
def test_personal_commands_work_in_a_dm_too(text: str, call: tuple[str, tuple[str, ...]]) -> None:
    coffee = FakeService(avoid=Reply("ok"), unavoid=Reply("ok"), set_intro=Reply("ok"))
    run_coffee(text, coffee, channel_id="D0DM000001", channel_name="directmessage")
    assert coffee.calls == [call]


def test_an_unknown_coffee_command_is_echoed_with_a_warning() -> None:
    coffee = FakeService()
    _, respond = run_coffee("brew me one", coffee)
    assert respond.texts == ["I don't know `/coffee brew me one`. Try `/coffee help`."]
    assert coffee.calls == []


def test_met_work_runs_on_the_after_ack_pool() -> None:
    ack, respond, pool = FakeAck(), FakeRespond(), InlineAfterAck()
    context = BoltContext({"after_ack": pool, "interactions": FakeService(), "preferences": FakeService()})
    command = slash("help")
    handle_met(ack, command, respond, FakeWebClient(), context)
    assert ack.calls == [{}]
    assert pool.bodies == [command]
    assert respond.texts == ["How to use /met"]


@pytest.mark.parametrize(
    ("action", "click"),
    [
        ({"action_id": "nudge_done:7"}, Done(7)),
        ({"action_id": "nudge_dismiss:7"}, NotNeeded(7)),
        ({"action_id": "nudge_snooze:7", "selected_option": {"value": "3"}}, Snooze(7, 3)),
        ({"action_id": "nudge_cadence:7", "selected_option": {"value": "30"}}, KeepInTouch(7, 30)),
    ],
)
def test_a_nudge_click_is_read_into_its_type(action: dict[str, Any], click: object) -> None:
    assert read_click(action) == click


@pytest.mark.parametrize(
    "action",
    [
        {"action_id": "nudge_done:0"},
        {"action_id": "nudge_done:x"},
        {"action_id": "other:7"},
        {"action_id": "nudge_snooze:7", "selected_option": {"value": "9999"}},
        {"action_id": "nudge_cadence:7"},
    ],
)
def test_a_malformed_nudge_click_is_refused(action: dict[str, Any]) -> None:
    assert isinstance(read_click(action), Refused)


def nudge_body() -> dict[str, Any]:
    line = {"type": "section", "block_id": "nudge_text:42", "text": {"type": "mrkdwn", "text": "You met maya."}}
    buttons = {"type": "actions", "block_id": "nudge:42", "elements": []}
    return {
        "team": {"id": TEAM},
        "user": {"id": LEE},
        "message": {"text": "You met maya 7 days ago", "blocks": [line, buttons]},
    }


def test_done_on_a_reminder_that_is_gone_says_so_in_place() -> None:
    ack, respond, followups, home = FakeAck(), FakeRespond(), FakeService(complete=None), FakeService()
    context = BoltContext({"followups": followups, "home_refresh": home})
    handle_nudge_button(ack, nudge_body(), {"action_id": "nudge_done:42"}, respond, FakeWebClient(), context)
    assert ack.calls == [{}]
    assert followups.calls == [("complete", (TEAM, LEE, 42))]
    assert home.calls == [("changed", (TEAM, LEE))], "the Home tab lists the same reminders: queued for a redraw"
    [sent] = respond.sent
    assert sent["replace_original"] is True and sent["text"] == "You met maya 7 days ago"
    assert sent["blocks"] == [
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": "This reminder no longer exists."},
            "block_id": "nudge_text:42",
        }
    ]


def test_a_snooze_without_a_usable_choice_changes_nothing() -> None:
    respond, followups = FakeRespond(), FakeService()
    action = {"action_id": "nudge_snooze:42", "selected_option": {"value": "soon"}}
    handle_nudge_button(
        FakeAck(), nudge_body(), action, respond, FakeWebClient(), BoltContext({"followups": followups})
    )
    assert followups.calls == []
    assert respond.texts == ["I didn't understand that choice — please pick one from the menu."]


def test_a_membership_event_reaches_the_service_only_with_real_ids() -> None:
    coffee = FakeService()
    context = BoltContext({"coffee": coffee})
    handle_joined({"team_id": TEAM}, {"channel": "not-an-id", "user": LEE}, context)
    assert coffee.calls == []
    handle_joined({"team_id": TEAM}, {"channel": CHANNEL, "user": LEE}, context)
    assert coffee.calls == [("member_joined", (TEAM, CHANNEL, LEE))]
