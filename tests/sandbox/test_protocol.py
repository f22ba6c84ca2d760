"""Slack's side of the protocols in detail: signing, url_verification, event retries, response_url rules,
ephemeral clicks, Socket Mode hello/ack/retry — against a raw recording endpoint rather than Bolt."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from websockets.sync.client import connect

from bot.sandbox.client import HttpDriver, SlackWouldNotDeliver, SocketDriver
from bot.sandbox.slack import ALL_SCOPES, FakeSlack
from tests.sandbox.bolt_app import Recorder, build_app, serve_http

Reply = tuple[int, str, float]  # status, body, delay before answering


class RecordingBot:
    """An HTTP endpoint that records what Slack sends and answers from a script (then 200 '')."""

    def __init__(self, replies: list[Reply] | None = None) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.replies = list(replies or [])
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                recorder.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                status, text, delay = recorder.replies.pop(0) if recorder.replies else (200, "", 0.0)
                time.sleep(delay)
                data = text.encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/slack/events"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def payload(self, index: int) -> dict[str, Any]:
        headers, body = self.requests[index]
        if headers["content-type"] == "application/json":
            return dict(json.loads(body))
        form = dict(urllib.parse.parse_qsl(body.decode()))
        return dict(json.loads(form["payload"])) if "payload" in form else form


@pytest.fixture
def bot() -> Iterator[RecordingBot]:
    recording = RecordingBot()
    yield recording
    recording.close()


def post_json(url: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_requests_are_signed_like_slack(fake: FakeSlack, bot: RecordingBot) -> None:
    driver = HttpDriver(fake, bot.url)
    driver.slash_command(user="maya", command="/met", text="lee")
    headers, body = bot.requests[0]
    verifier = SignatureVerifier(fake.signing_secret)
    assert verifier.is_valid(body, headers["x-slack-request-timestamp"], headers["x-slack-signature"])
    assert headers["content-type"] == "application/x-www-form-urlencoded"
    form = dict(urllib.parse.parse_qsl(body.decode()))
    assert list(form) == [
        "token",
        "team_id",
        "team_domain",
        "channel_id",
        "channel_name",
        "user_id",
        "user_name",
        "command",
        "text",
        "api_app_id",
        "is_enterprise_install",
        "response_url",
        "trigger_id",
    ]
    assert form["channel_id"] == fake.dm_channel("maya")
    assert form["channel_name"] == "directmessage"


def test_url_verification_with_bolt(fake: FakeSlack) -> None:
    with serve_http(build_app(fake, Recorder())) as events_url:
        response = HttpDriver(fake, events_url).url_verification(challenge="abc123")
    assert response.ok
    assert response.json() == {"challenge": "abc123"}


def test_event_retried_after_timeout_and_5xx(fake: FakeSlack) -> None:
    bot = RecordingBot(replies=[(200, "", 1.5), (500, "oops", 0.0), (200, "", 0.0)])
    try:
        driver = HttpDriver(fake, bot.url, ack_timeout=0.7)
        response = driver.event({"type": "app_mention", "user": fake.user("maya").id, "text": "hi", "channel": "C1"})
    finally:
        bot.close()
    assert response.ok
    assert response.attempts == 3
    retry_headers = [(h.get("x-slack-retry-num"), h.get("x-slack-retry-reason")) for h, _ in bot.requests]
    assert retry_headers == [(None, None), ("1", "http_timeout"), ("2", "http_error")]
    assert len({bot.payload(i)["event_id"] for i in range(3)}) == 1


def test_event_gives_up_after_three_retries(fake: FakeSlack) -> None:
    bot = RecordingBot(replies=[(503, "", 0.0)] * 5)
    try:
        response = HttpDriver(fake, bot.url).event({"type": "app_mention", "text": "hi"})
    finally:
        bot.close()
    assert response.attempts == 4
    assert response.status == 503
    assert len(bot.requests) == 4


def test_event_wrapper_shape(fake: FakeSlack, bot: RecordingBot) -> None:
    HttpDriver(fake, bot.url).app_home_opened("maya")
    payload = bot.payload(0)
    assert payload["type"] == "event_callback"
    assert payload["team_id"] == fake.team_id
    assert payload["api_app_id"] == fake.app_id
    assert payload["event_id"].startswith("Ev")
    assert payload["authorizations"][0]["user_id"] == fake.bot_user_id
    assert payload["event"]["type"] == "app_home_opened"
    assert payload["event"]["channel"] == fake.dm_channel("maya")


def test_click_on_ephemeral_message(fake: FakeSlack, client: WebClient, bot: RecordingBot) -> None:
    coffee = fake.channel_id("coffee")
    blocks = [
        {
            "type": "actions",
            "block_id": "b",
            "elements": [
                {"type": "button", "action_id": "yes", "text": {"type": "plain_text", "text": "Yes"}, "value": "1"}
            ],
        }
    ]
    client.chat_postEphemeral(channel=coffee, user=fake.user("maya").id, text="Confirm?", blocks=blocks)
    [message] = fake.messages(coffee, as_user="maya")
    driver = HttpDriver(fake, bot.url)
    with pytest.raises(PermissionError):
        driver.click(user="lee", message=message, action_id="yes")
    driver.click(user="maya", message=message, action_id="yes")
    payload = bot.payload(0)
    assert payload["container"]["is_ephemeral"] is True
    assert "message" not in payload
    assert payload["actions"][0]["value"] == "1"
    status, _ = post_json(payload["response_url"], {"replace_original": True, "text": "Done"})
    assert status == 200
    assert [m.text for m in fake.messages(coffee, as_user="maya")] == ["Done"]


def test_response_url_five_uses(fake: FakeSlack, bot: RecordingBot) -> None:
    HttpDriver(fake, bot.url).slash_command(user="maya", command="/met", channel="#coffee")
    url = bot.payload(0)["response_url"]
    for number in range(5):
        assert post_json(url, {"text": f"reply {number}"})[0] == 200
    assert post_json(url, {"text": "one too many"}) == (404, {"ok": False, "error": "used_url"})
    coffee = fake.channel_id("coffee")
    assert len(fake.messages(coffee, as_user="maya")) == 5
    assert fake.messages(coffee, as_user="lee") == []


def test_response_url_in_channel_and_delete_original(fake: FakeSlack, bot: RecordingBot) -> None:
    driver = HttpDriver(fake, bot.url)
    driver.slash_command(user="maya", command="/met", channel="#coffee")
    post_json(bot.payload(0)["response_url"], {"response_type": "in_channel", "text": "for all"})
    coffee = fake.channel_id("coffee")
    [public] = fake.messages(coffee, as_user="lee")
    assert public.text == "for all"
    assert public.buttons() == []
    client = WebClient(base_url=fake.api_url, token=fake.bot_token)
    blocks = [
        {
            "type": "actions",
            "elements": [{"type": "button", "action_id": "x", "text": {"type": "plain_text", "text": "X"}}],
        }
    ]
    posted = client.chat_postMessage(channel=coffee, text="card", blocks=blocks)
    driver.click(user="lee", message=fake.message(coffee, posted["ts"]), action_id="x")
    assert post_json(bot.payload(1)["response_url"], {"delete_original": True})[0] == 200
    assert [m.text for m in fake.messages(coffee)] == ["for all"]


def test_response_url_expires_after_30_minutes(bot: RecordingBot) -> None:
    now = [0.0]
    with FakeSlack(scopes=ALL_SCOPES, clock=lambda: now[0]) as fake:
        HttpDriver(fake, bot.url).slash_command(user="maya", command="/met")
        now[0] += 30 * 60 + 1
        assert post_json(bot.payload(0)["response_url"], {"text": "late"}) == (
            404,
            {"ok": False, "error": "expired_url"},
        )


def raw_socket_bot(fake: FakeSlack, on_envelope: Callable[[Any, dict[str, Any]], None]) -> threading.Thread:
    """A minimal Socket Mode client: apps.connections.open, then hand every envelope to on_envelope."""
    url = WebClient(base_url=fake.api_url, token=fake.app_token).apps_connections_open(app_token=fake.app_token)["url"]
    hello: list[dict[str, Any]] = []

    def run() -> None:
        with connect(url) as websocket:
            hello.append(json.loads(websocket.recv()))
            for raw in websocket:
                on_envelope(websocket, json.loads(raw))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    SocketDriver(fake).wait_connected()
    deadline = time.monotonic() + 2
    while not hello and time.monotonic() < deadline:
        time.sleep(0.01)
    assert hello[0]["type"] == "hello"
    assert hello[0]["connection_info"]["app_id"] == fake.app_id
    return thread


def test_socket_mode_envelopes_and_event_retry(fake: FakeSlack) -> None:
    envelopes: list[dict[str, Any]] = []

    def on_envelope(websocket: Any, envelope: dict[str, Any]) -> None:
        envelopes.append(envelope)
        if envelope["type"] == "events_api" and "retry_attempt" not in envelope:
            return  # no ack: Slack retries
        answer: dict[str, Any] = {"envelope_id": envelope["envelope_id"]}
        if envelope["type"] == "slash_commands":
            answer["payload"] = {"text": "ack text"}
        websocket.send(json.dumps(answer))

    raw_socket_bot(fake, on_envelope)
    driver = SocketDriver(fake, ack_timeout=0.8)
    command = driver.slash_command(user="maya", command="/met", text="lee")
    assert command.json() == {"text": "ack text"}
    assert envelopes[0]["type"] == "slash_commands"
    assert envelopes[0]["accepts_response_payload"] is True
    assert envelopes[0]["payload"]["command"] == "/met"
    event = driver.event({"type": "app_mention", "text": "hi"})
    assert event.ok
    assert event.attempts == 2
    assert envelopes[2]["retry_attempt"] == 1
    assert envelopes[2]["retry_reason"] == "timeout"
    assert envelopes[1]["payload"]["event_id"] == envelopes[2]["payload"]["event_id"]


def test_socket_mode_disconnect_moves_envelopes_to_the_new_connection(fake: FakeSlack) -> None:
    seen: list[tuple[int, str]] = []
    generation = [0]

    def on_envelope(websocket: Any, envelope: dict[str, Any]) -> None:
        if envelope.get("type") == "disconnect":
            generation[0] += 1
            raw_socket_bot(fake, on_envelope)  # reconnect, as Slack asks
            return
        seen.append((generation[0], envelope["type"]))
        websocket.send(json.dumps({"envelope_id": envelope["envelope_id"]}))

    raw_socket_bot(fake, on_envelope)
    driver = SocketDriver(fake, ack_timeout=1.0)
    assert driver.slash_command(user="maya", command="/met").ok
    fake.socket_server().disconnect(reason="refresh_requested")
    deadline = time.monotonic() + 2
    while len(fake.calls("apps.connections.open")) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    driver.wait_connected()
    assert driver.slash_command(user="maya", command="/met").ok
    assert seen == [(0, "slash_commands"), (1, "slash_commands")]


def test_app_mention_and_member_joined(fake: FakeSlack, bot: RecordingBot) -> None:
    driver = HttpDriver(fake, bot.url)
    driver.app_mention("maya", "#coffee", f"<@{fake.bot_user_id}> pair me up")
    mention = bot.payload(0)["event"]
    assert mention["type"] == "app_mention"
    assert mention["channel"] == fake.channel_id("coffee")
    assert fake.messages("#coffee")[0].text.endswith("pair me up")
    driver.member_joined_channel("ben", "#coffee", inviter="maya")
    joined = bot.payload(1)["event"]
    assert joined["type"] == "member_joined_channel"
    assert joined["channel_type"] == "C"
    assert joined["inviter"] == fake.user("maya").id
    assert fake.user("ben").id in fake.conversation(fake.channel_id("coffee")).members


def test_recorded_calls_show_decoded_blocks(fake: FakeSlack) -> None:
    form = urllib.parse.urlencode(
        {"token": fake.bot_token, "channel": fake.channel_id("coffee"), "blocks": json.dumps([{"type": "divider"}])}
    ).encode()
    with urllib.request.urlopen(f"{fake.api_url}chat.postMessage", data=form, timeout=5) as answer:
        assert json.loads(answer.read())["ok"] is True
    assert fake.calls("chat.postMessage")[0].args["blocks"] == [{"type": "divider"}]


def test_should_escape_commands_get_escaped_mentions(fake: FakeSlack, bot: RecordingBot) -> None:
    fake.escaped_commands = {"/met"}
    driver = HttpDriver(fake, bot.url)
    driver.slash_command(user="maya", command="/met", text="@lee and @nobody, #coffee chat; mail a@b.example.")
    lee = fake.user("lee").id
    coffee = fake.channel_id("coffee")
    expected = f"<@{lee}|lee> and @nobody, <#{coffee}|coffee> chat; mail a@b.example."
    assert bot.payload(0)["text"] == expected
    driver.slash_command(user="maya", command="/met", text=f"<@{lee}|lee> again")
    assert bot.payload(1)["text"] == f"<@{lee}|lee> again"
    driver.slash_command(user="maya", command="/other", text="@lee")
    assert bot.payload(2)["text"] == "@lee"


def test_escaped_commands_default_to_the_manifest() -> None:
    from bot.sandbox.slack.manifest import manifest_escaped_commands

    with FakeSlack() as fake:
        assert fake.escaped_commands == (manifest_escaped_commands() or set())


def test_events_slack_would_not_deliver(fake: FakeSlack, bot: RecordingBot) -> None:
    driver = HttpDriver(fake, bot.url)
    fake.subscribed_events = {"message.im", "app_mention"}
    with pytest.raises(SlackWouldNotDeliver, match="app_home_opened"):
        driver.app_home_opened("maya")
    with pytest.raises(SlackWouldNotDeliver, match=r"message\.channels"):
        driver.message("maya", "#coffee", "hello")
    assert driver.message("maya", "maya", "hello bot").ok
    with pytest.raises(SlackWouldNotDeliver, match="not a member"):
        driver.app_mention("maya", "#random", "hey bot")
    assert len(bot.requests) == 1


def test_subscribed_events_default_to_the_manifest() -> None:
    from bot.sandbox.slack.manifest import manifest_bot_events

    with FakeSlack() as fake:
        assert fake.subscribed_events == manifest_bot_events()


def test_uninstall_revokes_tokens_and_sends_both_events(fake: FakeSlack, bot: RecordingBot) -> None:
    client = WebClient(base_url=fake.api_url, token=fake.bot_token)
    responses = HttpDriver(fake, bot.url).uninstall_app()
    assert all(response.ok for response in responses)
    assert [bot.payload(i)["event"]["type"] for i in range(2)] == ["tokens_revoked", "app_uninstalled"]
    assert bot.payload(0)["event"]["tokens"]["bot"] == [fake.bot_user_id]
    with pytest.raises(SlackApiError) as raised:
        client.auth_test()
    assert raised.value.response["error"] == "token_revoked"
    fake.restore_tokens()
    assert client.auth_test()["ok"]


def test_invalid_view_in_response_action_leaves_the_modal(fake: FakeSlack, client: WebClient) -> None:
    from tests.sandbox.bolt_app import form_view

    long_title = dict(form_view("updated"), title={"type": "plain_text", "text": "x" * 30})
    bot = RecordingBot(replies=[(200, json.dumps({"response_action": "update", "view": long_title}), 0.0)])
    try:
        client.views_open(trigger_id=fake.mint_trigger("maya"), view=form_view())
        [view] = fake.views("maya")
        assert HttpDriver(fake, bot.url).submit_view("maya", view, {"kind": "coffee"}).ok
    finally:
        bot.close()
    [still] = fake.views("maya")
    assert still["callback_id"] == "met_form"
    assert fake.calls("response_action")[0].args["response_action"] == "update"
