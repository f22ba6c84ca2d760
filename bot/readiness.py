"""Is Slack answering with our bot token? One `auth.test`, or a background loop that retries it with backoff.

Decisions:
- Bolt's own start-up `auth.test` is switched off (``token_verification_enabled=False`` in ``bot/app.py``): it made
  a Slack blip at deploy time a crash, and an orchestrator restarting the crash made a crash loop. In HTTP mode the
  web role starts at once, `/healthz` answers 503 ``not ready`` and this loop retries with capped exponential
  backoff until Slack answers; then the process is ready. A token Slack *rejects* is not a blip: the loop stops
  and the process exits with one line naming ``SLACK_BOT_TOKEN``.
- Socket Mode has no health endpoint and needs Slack for everything, so it checks once and stops with one line.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Final
from urllib.parse import urlsplit

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

logger = logging.getLogger(__name__)
# slack_sdk logs an ERROR of its own before raising a connection error; the caller's one line says it better.
_probe_logger = logging.getLogger(f"{__name__}.probe")
_probe_logger.setLevel(logging.CRITICAL)
_probe_logger.propagate = False

# auth.test answers that no retry will fix: the token itself is wrong, revoked or of the wrong kind.
REJECTED: Final = frozenset(
    {"invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive", "not_allowed_token_type"}
)
CHECK_TIMEOUT_SECONDS: Final = 5


class SlackRejected(Exception):
    """Slack answered and refused the token; the message is one line for the operator."""


class SlackUnreachable(Exception):
    """Slack could not be reached (DNS, refused, timeout, not Slack's answer); one line for the operator."""


def describe_unreachable(error: Exception, api_url: str) -> str:
    """One line for a connection failure, naming the host and the setting to check."""
    reason = getattr(error, "reason", None) or error
    cause = str(reason).strip() or type(reason).__name__
    host = urlsplit(api_url).netloc or api_url
    return f"cannot reach Slack at {host} ({cause}): check SLACK_API_URL and the network"


def check_token(
    client: WebClient, api_url: str, setting: str = "SLACK_BOT_TOKEN", timeout: float = CHECK_TIMEOUT_SECONDS
) -> None:
    """One `auth.test` with the client's token; raises SlackRejected or SlackUnreachable with an operator line."""
    # A client of its own: short timeout and no retry handlers, because the caller decides whether to retry.
    probe = WebClient(
        token=client.token,
        base_url=client.base_url,
        timeout=timeout,  # type: ignore[arg-type]  # slack_sdk declares int; urllib takes any number
        retry_handlers=[],
        logger=_probe_logger,
    )
    try:
        probe.auth_test()
    except SlackApiError as error:
        data = error.response.data
        code = data.get("error") if isinstance(data, dict) else None
        if code in REJECTED:
            raise SlackRejected(f"Slack rejected the bot token ({code}): check {setting}") from None
        status = error.response.status_code
        raise SlackUnreachable(
            f"Slack at {urlsplit(api_url).netloc} answered auth.test with {code or f'HTTP {status}'}: "
            "check SLACK_API_URL, or Slack's status"
        ) from None
    except (OSError, SlackClientError) as error:
        raise SlackUnreachable(describe_unreachable(error, api_url)) from None


class SlackReadiness:
    """Retries `auth.test` in a daemon thread until Slack accepts the token; call the object for "ready?"."""

    def __init__(
        self,
        client: WebClient,
        api_url: str,
        on_rejected: Callable[[str], None],
        first_delay: float = 0.5,
        max_delay: float = 30.0,
    ) -> None:
        self._client = client
        self._api_url = api_url
        self._on_rejected = on_rejected
        self._first_delay = first_delay
        self._max_delay = max_delay
        self._ready = threading.Event()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="rapport-readiness", daemon=True)
        self.rejection: str | None = None

    def __call__(self) -> bool:
        """True once Slack has accepted the bot token."""
        return self._ready.is_set()

    def start(self) -> SlackReadiness:
        """Begin checking (the first attempt is immediate)."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop retrying (at shutdown)."""
        self._stopped.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until ready (or timeout); returns readiness."""
        return self._ready.wait(timeout)

    def _loop(self) -> None:
        delay = self._first_delay
        attempt = 1
        while not self._stopped.is_set():
            try:
                check_token(self._client, self._api_url)
            except SlackRejected as error:
                self.rejection = str(error)  # the caller stops the process and prints it as its one line
                self._on_rejected(str(error))
                return
            except SlackUnreachable as error:
                logger.warning("not ready (attempt %d): %s; retrying in %.1f s", attempt, error, delay)
                self._stopped.wait(delay)
                delay = min(delay * 2, self._max_delay)
                attempt += 1
                continue
            logger.info("ready: Slack accepted the bot token")
            self._ready.set()
            return
