"""The drivers end to end: a real Bolt app, served over HTTP (wsgiref) and over Socket Mode, driven by the fake."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

from bot.sandbox.client import Driver, HttpDriver, SocketDriver
from bot.sandbox.slack import FakeSlack
from tests.sandbox.bolt_app import Recorder, build_app, serve_http, serve_socket_mode


def wait_until(condition: Callable[[], object], timeout: float = 5.0) -> None:
    """Poll until the condition holds (listeners run after the ack, in Bolt's thread pool)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture(params=["http", "socket"])
def driver(request: pytest.FixtureRequest, fake: FakeSlack, recorder: Recorder) -> Iterator[Driver]:
    """The same tests run against the Bolt app over HTTP and over Socket Mode."""
    app = build_app(fake, recorder)
    if request.param == "http":
        with serve_http(app) as events_url:
            yield HttpDriver(fake, events_url)
    else:
        with serve_socket_mode(app, fake):
            socket_driver = SocketDriver(fake)
            socket_driver.wait_connected()
            yield socket_driver


def test_slash_command_payload_and_ephemeral_response(fake: FakeSlack, driver: Driver, recorder: Recorder) -> None:
    maya = fake.user("maya")
    coffee = fake.channel_id("coffee")
    response = driver.slash_command(user="maya", command="/met", text="<@U0RPT00002|lee> yesterday", channel=coffee)
    assert response.ok
    assert not response.timed_out
    wait_until(lambda: fake.messages(coffee, as_user="maya"))
    [body] = recorder.of("command")
    assert body["user_id"] == maya.id
    assert body["channel_id"] == coffee
    assert body["channel_name"] == "coffee"
    assert body["command"] == "/met"
    assert body["text"] == "<@U0RPT00002|lee> yesterday"
    assert body["team_id"] == fake.team_id
    assert body["response_url"].startswith(fake.base_url + "/hooks/commands/")
    [ephemeral] = fake.messages(coffee, as_user="maya")
    assert ephemeral.text == "Logged: <@U0RPT00002|lee> yesterday"
    assert ephemeral.ephemeral_to == maya.id
    assert fake.messages(coffee, as_user="lee") == []


def test_in_channel_ack_is_returned_and_shown(fake: FakeSlack, driver: Driver) -> None:
    response = driver.slash_command(user="maya", command="/met-inchannel", channel="#coffee")
    assert response.json() == {"response_type": "in_channel", "text": "Everyone sees this"}
    [shown] = fake.messages("#coffee", as_user="lee")
    assert shown.text == "Everyone sees this"
    assert shown.ephemeral_to is None


def test_plain_ack_text_is_an_ephemeral_message(fake: FakeSlack, driver: Driver) -> None:
    driver.slash_command(user="maya", command="/met-ack", channel="#coffee")
    assert [m.text for m in fake.messages("#coffee", as_user="maya")] == ["Noted."]
    assert fake.messages("#coffee", as_user="lee") == []


def test_ack_deadline(fake: FakeSlack, driver: Driver) -> None:
    assert driver.ack_timeout == 3.0
    driver.ack_timeout = 0.3  # the same rule as Slack's 3 s, scaled down to keep the suite fast
    response = driver.slash_command(user="maya", command="/slow", text="0.8")
    assert response.timed_out
    assert not response.ok
    driver.ack_timeout = 3.0
    assert driver.slash_command(user="maya", command="/slow", text="0.0").ok


def test_click_button_in_dm_and_replace_original(fake: FakeSlack, driver: Driver, recorder: Recorder) -> None:
    driver.slash_command(user="maya", command="/met", text="lee")
    wait_until(lambda: fake.messages("maya"))
    [message] = [m for m in fake.messages("maya") if m.ephemeral_to is None]
    assert message.buttons() == [("met_undo", "Undo", "meeting-1")]
    assert driver.click(user="maya", message=message, action_id="met_undo").ok
    wait_until(lambda: fake.message("maya", message.ts).text == "Undone.")
    [body] = recorder.of("action")
    assert body["actions"][0]["value"] == "meeting-1"
    assert body["actions"][0]["block_id"] == "logged"
    assert body["container"] == {
        "type": "message",
        "message_ts": message.ts,
        "channel_id": message.channel,
        "is_ephemeral": False,
    }
    assert body["message"]["ts"] == message.ts
    assert body["response_url"].startswith(fake.base_url + "/hooks/actions/")


def test_select_in_message(fake: FakeSlack, driver: Driver, recorder: Recorder) -> None:
    driver.slash_command(user="maya", command="/met", text="lee")
    wait_until(lambda: [m for m in fake.messages("maya") if m.ephemeral_to is None])
    [message] = [m for m in fake.messages("maya") if m.ephemeral_to is None]
    driver.click(user="maya", message=message, action_id="pick_kind", value="lunch")
    wait_until(lambda: recorder.of("pick"))
    assert recorder.of("pick")[0]["actions"][0]["selected_option"]["value"] == "lunch"


def test_modal_submission_with_typed_state(fake: FakeSlack, driver: Driver, recorder: Recorder) -> None:
    driver.slash_command(user="maya", command="/form")
    wait_until(lambda: fake.views("maya"))
    [view] = fake.views("maya")
    lee, arjun = fake.user("lee").id, fake.user("arjun").id
    response = driver.submit_view(
        user="maya", view=view, inputs={"person": lee, "people": [arjun], "kind": "coffee", "note": "launch"}
    )
    assert response.ok
    values = recorder.of("submission")[0]["view"]["state"]["values"]
    assert values["who"]["person"] == {"type": "users_select", "selected_user": lee}
    assert values["others"]["people"] == {"type": "multi_users_select", "selected_users": [arjun]}
    assert values["when"]["date"] == {"type": "datepicker", "selected_date": "2026-11-24"}
    assert values["kind"]["kind"]["selected_option"]["value"] == "coffee"
    assert values["notes"]["note"] == {"type": "plain_text_input", "value": "launch"}
    assert recorder.of("submission")[0]["view"]["private_metadata"] == "meta-1"
    assert fake.views("maya") == []


def test_submission_errors_keep_the_modal(fake: FakeSlack, driver: Driver) -> None:
    driver.slash_command(user="maya", command="/form")
    wait_until(lambda: fake.views("maya"))
    [view] = fake.views("maya")
    response = driver.submit_view(user="maya", view=view, inputs={"person": fake.user("lee").id})
    assert response.json() == {"response_action": "errors", "errors": {"kind": "Pick a kind"}}
    assert [v["id"] for v in fake.views("maya")] == [view["id"]]


def test_submission_update_replaces_the_view(fake: FakeSlack, driver: Driver) -> None:
    driver.slash_command(user="maya", command="/form")
    wait_until(lambda: fake.views("maya"))
    [view] = fake.views("maya")
    driver.submit_view(user="maya", view=view, inputs={"kind": "lunch", "note": "update"})
    [updated] = fake.views("maya")
    assert updated["id"] == view["id"]
    assert updated["callback_id"] == "updated"


def test_click_in_view_pushes_and_clear_empties_the_stack(fake: FakeSlack, driver: Driver, recorder: Recorder) -> None:
    driver.slash_command(user="maya", command="/form")
    wait_until(lambda: fake.views("maya"))
    [root] = fake.views("maya")
    driver.click_in_view(user="maya", view=root, action_id="add_more")
    wait_until(lambda: len(fake.views("maya")) == 2)
    assert recorder.of("view_action")[0]["container"] == {"type": "view", "view_id": root["id"]}
    second = fake.views("maya")[1]
    assert second["callback_id"] == "second"
    driver.submit_view(user="maya", view=second, inputs={"kind": "coffee"})
    assert fake.views("maya") == []


def test_close_view_notifies_when_asked(fake: FakeSlack, driver: Driver, recorder: Recorder) -> None:
    driver.slash_command(user="maya", command="/form", text="notify")
    wait_until(lambda: fake.views("maya"))
    [view] = fake.views("maya")
    response = driver.close_view(user="maya", view=view)
    assert response is not None and response.ok
    wait_until(lambda: recorder.of("closed"))
    assert recorder.of("closed")[0]["is_cleared"] is False
    assert fake.views("maya") == []


def test_shortcuts(fake: FakeSlack, driver: Driver, recorder: Recorder) -> None:
    assert driver.shortcut(user="lee", callback_id="log_meeting").ok
    wait_until(lambda: fake.views("lee"))
    message = fake.post_as_user("maya", fake.channel_id("coffee"), "met lee today")
    assert driver.message_shortcut(user="lee", message=message, callback_id="log_from_message").ok
    wait_until(lambda: recorder.of("message_shortcut"))
    body = recorder.of("message_shortcut")[0]
    assert body["message"]["text"] == "met lee today"
    assert body["channel"]["id"] == fake.channel_id("coffee")


def test_app_home_opened_publishes_home(fake: FakeSlack, driver: Driver, recorder: Recorder) -> None:
    assert driver.app_home_opened(user="maya").ok
    wait_until(lambda: fake.home("maya") is not None)
    event = recorder.of("home")[0]
    assert event["channel"] == fake.dm_channel("maya")
    assert event["tab"] == "home"


def test_message_event_and_say(fake: FakeSlack, driver: Driver) -> None:
    assert driver.message(user="maya", channel="#coffee", text="hello").ok
    wait_until(lambda: any(m.text == "echo: hello" for m in fake.messages("#coffee")))
    assert [m.text for m in fake.messages("#coffee")] == ["hello", "echo: hello"]
