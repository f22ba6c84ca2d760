"""Creates the Bolt App and registers every listener."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltResponse
from slack_bolt.error import BoltError
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot import logs
from bot.container import Container
from handlers import register_all

logger = logging.getLogger(__name__)

SORRY = (
    ":face_with_head_bandage: Sorry — something went wrong on my side and I couldn't finish that. "
    "Nothing you typed was lost; please try again in a moment."
)


class StartupError(Exception):
    """The app cannot start (e.g. Slack rejected the token); the message is one line for the operator."""


def _tell_user_something_broke(body: dict[str, Any]) -> None:
    response_url = body.get("response_url")
    if not response_url:
        urls = body.get("response_urls") or []
        response_url = urls[0].get("response_url") if urls else None
    if not response_url:
        return
    text = SORRY
    if body.get("command"):
        # Command text arrives escaped by Slack, so it can be echoed as-is.
        text += f"\nYou typed: {body['command']} {str(body.get('text') or '')[:2500]}"
    try:
        WebhookClient(response_url, timeout=5).send(text=text, response_type="ephemeral", replace_original=False)
    except (SlackApiError, OSError):
        logger.warning("could not tell the user about an error", exc_info=True)


def create_app(container: Container) -> App:
    """The Bolt app for this container; signature verification stays on (Bolt's default)."""
    settings = container.settings
    signing_secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else ""
    try:
        app = App(
            client=container.client,
            signing_secret=signing_secret,
            listener_executor=logs.listener_executor(settings.rapport_http_threads),
            logger=logs.bolt_logger(),
            raise_error_for_unhandled_request=False,
            # No auth.test at construction: a Slack blip must not stop start-up (see bot/readiness.py).
            token_verification_enabled=False,
        )
    except BoltError as error:
        raise StartupError(f"the Slack app could not be set up: {error}") from None

    @app.error
    def handle_listener_error(error: Exception, body: dict[str, Any]) -> BoltResponse | None:
        logger.error("listener failed", exc_info=error)
        _tell_user_something_broke(body)
        return None

    logs.install(app)
    register_all(app, container.services)
    return app
