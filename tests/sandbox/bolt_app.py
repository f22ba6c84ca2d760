"""A tiny Bolt app used to exercise the fake Slack's drivers end to end (HTTP via wsgiref, and Socket Mode)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt import Ack, App, Respond
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from bot.sandbox.slack import FakeSlack

UNDO_BLOCKS: list[dict[str, Any]] = [
    {
        "type": "section",
        "block_id": "logged",
        "text": {"type": "mrkdwn", "text": "Logged."},
        "accessory": {
            "type": "button",
            "action_id": "met_undo",
            "text": {"type": "plain_text", "text": "Undo"},
            "value": "meeting-1",
        },
    },
    {
        "type": "actions",
        "block_id": "more",
        "elements": [
            {
                "type": "static_select",
                "action_id": "pick_kind",
                "options": [
                    {"text": {"type": "plain_text", "text": "Coffee"}, "value": "coffee"},
                    {"text": {"type": "plain_text", "text": "Lunch"}, "value": "lunch"},
                ],
            }
        ],
    },
]


def form_view(callback_id: str = "met_form", notify_on_close: bool = False) -> dict[str, Any]:
    """A modal with one input of each common type."""
    return {
        "type": "modal",
        "callback_id": callback_id,
        "notify_on_close": notify_on_close,
        "private_metadata": "meta-1",
        "title": {"type": "plain_text", "text": "Log a meeting"},
        "submit": {"type": "plain_text", "text": "Save"},
        "blocks": [
            {
                "type": "input",
                "block_id": "who",
                "label": {"type": "plain_text", "text": "Who"},
                "element": {"type": "users_select", "action_id": "person"},
            },
            {
                "type": "input",
                "block_id": "others",
                "optional": True,
                "label": {"type": "plain_text", "text": "Others"},
                "element": {"type": "multi_users_select", "action_id": "people"},
            },
            {
                "type": "input",
                "block_id": "when",
                "label": {"type": "plain_text", "text": "When"},
                "element": {"type": "datepicker", "action_id": "date", "initial_date": "2026-11-24"},
            },
            {
                "type": "input",
                "block_id": "kind",
                "label": {"type": "plain_text", "text": "Kind"},
                "element": {
                    "type": "static_select",
                    "action_id": "kind",
                    "options": [
                        {"text": {"type": "plain_text", "text": "Coffee"}, "value": "coffee"},
                        {"text": {"type": "plain_text", "text": "Lunch"}, "value": "lunch"},
                    ],
                },
            },
            {
                "type": "input",
                "block_id": "notes",
                "optional": True,
                "label": {"type": "plain_text", "text": "Notes"},
                "element": {"type": "plain_text_input", "action_id": "note", "multiline": True},
            },
            {
                "type": "actions",
                "block_id": "tools",
                "elements": [
                    {"type": "button", "action_id": "add_more", "text": {"type": "plain_text", "text": "More"}}
                ],
            },
        ],
    }


class Recorder:
    """What the Bolt listeners saw (thread-safe list)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.items: list[tuple[str, dict[str, Any]]] = []

    def add(self, kind: str, body: dict[str, Any]) -> None:
        with self._lock:
            self.items.append((kind, body))

    def of(self, kind: str) -> list[dict[str, Any]]:
        with self._lock:
            return [body for seen, body in self.items if seen == kind]


def build_app(fake: FakeSlack, recorder: Recorder) -> App:
    """A Bolt app wired to the fake with the listeners the driver tests exercise."""
    app = App(client=WebClient(base_url=fake.api_url, token=fake.bot_token), signing_secret=fake.signing_secret)

    @app.command("/met")
    def met(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        recorder.add("command", body)
        respond(text=f"Logged: {body['text']}")
        client.chat_postMessage(channel=body["user_id"], text="Logged.", blocks=UNDO_BLOCKS)

    @app.command("/met-inchannel")
    def met_in_channel(ack: Ack, body: dict[str, Any]) -> None:
        ack(response_type="in_channel", text="Everyone sees this")

    @app.command("/met-ack")
    def met_ack(ack: Ack) -> None:
        ack("Noted.")

    @app.command("/slow")
    def slow(ack: Ack, body: dict[str, Any]) -> None:
        time.sleep(float(body["text"] or "3.4"))
        ack()

    @app.command("/form")
    def form(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=form_view(notify_on_close=body["text"] == "notify"))

    @app.action("met_undo")
    def undo(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        recorder.add("action", body)
        respond(replace_original=True, text="Undone.")

    @app.action("pick_kind")
    def pick(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        recorder.add("pick", body)

    @app.action("add_more")
    def add_more(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        recorder.add("view_action", body)
        client.views_push(trigger_id=body["trigger_id"], view=form_view("second"))

    @app.view("met_form")
    def submit(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        recorder.add("submission", body)
        values = view["state"]["values"]
        if values["kind"]["kind"]["selected_option"] is None:
            ack(response_action="errors", errors={"kind": "Pick a kind"})
            return
        if (values["notes"]["note"]["value"] or "") == "update":
            ack(response_action="update", view=form_view("updated"))
            return
        ack()

    @app.view("second")
    def submit_second(ack: Ack) -> None:
        ack(response_action="clear")

    @app.view_closed("met_form")
    def closed(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        recorder.add("closed", body)

    @app.shortcut("log_meeting")
    def shortcut(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        recorder.add("shortcut", body)
        client.views_open(trigger_id=body["trigger_id"], view=form_view())

    @app.shortcut("log_from_message")
    def message_shortcut(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        recorder.add("message_shortcut", body)

    @app.event("app_home_opened")
    def home(event: dict[str, Any], client: WebClient) -> None:
        recorder.add("home", event)
        client.views_publish(
            user_id=event["user"],
            view={"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Welcome"}}]},
        )

    @app.event("message")
    def message(event: dict[str, Any], say: Any) -> None:
        recorder.add("message", event)
        if str(event.get("text", "")).startswith("slow"):
            time.sleep(float(str(event["text"]).split()[-1]))
        if event.get("text") == "boom":
            raise RuntimeError("listener failure on purpose")
        say(text=f"echo: {event.get('text')}")

    return app


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        logging.getLogger(__name__).debug(format, *args)


@contextmanager
def serve_http(app: App) -> Iterator[str]:
    """Serve the Bolt app (WSGI, one thread per request) on a free loopback port; yields the events URL."""
    server = make_server(
        "127.0.0.1", 0, SlackRequestHandler(app), server_class=_ThreadingWSGIServer, handler_class=_QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/slack/events"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextmanager
def serve_socket_mode(app: App, fake: FakeSlack) -> Iterator[SocketModeHandler]:
    """Connect the Bolt app to the fake over Socket Mode (the client finds the URL via apps.connections.open)."""
    handler = SocketModeHandler(app, app_token=fake.app_token)  # its web client is app.client: base_url = the fake
    handler.connect()
    try:
        yield handler
    finally:
        # The SDK client's close() joins interval threads for ~3 s; nothing waits on it, so let it finish aside.
        threading.Thread(target=handler.close, name="bolt-socket-close", daemon=True).start()
