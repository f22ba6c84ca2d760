"""One Web API client per workspace: each call made for a workspace carries that workspace's own bot token.

Public API:

    SlackClients.single(client)                      # SLACK_BOT_TOKEN alone: every workspace gets the one client
    SlackClients.installed(store, make, rotator=…)   # OAuth installs: the token from the installation store
    clients.for_team(team_id) -> WebClient           # raises NoInstallation when the workspace has no usable token
    clients.rate_key(team_id) -> str                 # the key Slack's rate limits are counted under
    clients.forget(team_id)                          # drop the cached client (uninstall, tokens revoked)

Decisions:

* **Bot tokens only, from ``find_bot``.** Sweeps act as the bot, never as a user; Bolt is set up with
  ``installation_store_bot_only`` so listeners and sweeps read and refresh the same rows.
* **A short cache.** The token is read from the database at most every ``ttl`` seconds per workspace (and at once
  after ``forget``); a token Slack has revoked meanwhile comes back as ``token_revoked``, which pauses the workspace
  through its auth breaker, so a stale cache can delay a send but never send with another workspace's token.
* **Token rotation** (refresh tokens): a bot token within ``rotate_minutes`` of expiry is refreshed with
  slack_sdk's ``TokenRotator`` and saved before use, as Bolt's ``InstallationStoreAuthorize`` does for listeners.
* **Never crossed.** The cache is keyed by ``team_id`` and a client is built for exactly one token; there is no
  fallback to another workspace's client.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError, SlackTokenRotationError
from slack_sdk.oauth.installation_store import Bot
from slack_sdk.oauth.token_rotation import TokenRotator

logger = logging.getLogger(__name__)

SINGLE_WORKSPACE_KEY = "*"
NO_INSTALLATION = "not_authed"  # what Slack itself answers a call without a usable token


class NoInstallation(Exception):
    """The workspace has no usable bot token (never installed, uninstalled, or its refresh failed)."""

    def __init__(self, team_id: str | None, error: str = NO_INSTALLATION) -> None:
        super().__init__(f"no usable bot token for team {team_id or '-'}: {error}")
        self.team_id = team_id
        self.error = error


class BotStore(Protocol):
    """The part of slack_sdk's InstallationStore read here (storage.installations.EncryptedInstallationStore)."""

    def find_bot(
        self, *, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None = False
    ) -> Bot | None: ...

    def save_bot(self, bot: Bot) -> None: ...


class SlackClients:
    """Web API clients by workspace; thread-safe."""

    def __init__(
        self,
        make: Callable[[str], WebClient],
        *,
        store: BotStore | None = None,
        single: WebClient | None = None,
        rotator: TokenRotator | None = None,
        rotate_minutes: int = 120,
        ttl: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._make = make
        self._store = store
        self._single = single
        self._rotator = rotator
        self._rotate_minutes = rotate_minutes
        self._ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[float, str, WebClient]] = {}

    @classmethod
    def single(cls, client: WebClient) -> SlackClients:
        """Single-workspace mode: ``client`` (SLACK_BOT_TOKEN) serves whichever workspace is asked for."""
        return cls(lambda _token: client, single=client)

    @classmethod
    def installed(
        cls,
        store: BotStore,
        make: Callable[[str], WebClient],
        *,
        rotator: TokenRotator | None = None,
        rotate_minutes: int = 120,
        ttl: float = 60.0,
    ) -> SlackClients:
        """Multi-workspace mode: each workspace's bot token from ``store``; ``make(token)`` builds its client."""
        return cls(make, store=store, rotator=rotator, rotate_minutes=rotate_minutes, ttl=ttl)

    @property
    def multi_workspace(self) -> bool:
        """True when tokens come from the installation store."""
        return self._single is None

    def rate_key(self, team_id: str | None) -> str:
        """The workspace Slack counts a call against (one key in single-workspace mode: there is one token)."""
        return SINGLE_WORKSPACE_KEY if self._single is not None else team_id or ""

    def for_team(self, team_id: str | None) -> WebClient:
        """The client holding ``team_id``'s bot token; raises NoInstallation when there is none."""
        if self._single is not None:
            return self._single
        if not team_id:
            raise NoInstallation(team_id)
        now = self._clock()
        with self._lock:
            cached = self._cache.get(team_id)
        if cached is not None and cached[0] > now:
            return cached[2]
        token, expires_at = self._token(team_id)
        # A rotating token is read again once it is due for a refresh, whatever the cache's ttl.
        keep = self._ttl if expires_at is None else min(self._ttl, expires_at - self._rotate_minutes * 60 - time.time())
        with self._lock:
            cached = self._cache.get(team_id)
            client = cached[2] if cached is not None and cached[1] == token else self._make(token)
            self._cache[team_id] = (now + max(keep, 0.0), token, client)
        return client

    def forget(self, team_id: str) -> None:
        """Drop the workspace's cached client (its tokens were deleted or replaced)."""
        with self._lock:
            self._cache.pop(team_id, None)

    def _token(self, team_id: str) -> tuple[str, float | None]:
        """The workspace's bot token (refreshed first when it is about to expire) and when it expires."""
        assert self._store is not None
        try:
            bot = self._store.find_bot(enterprise_id=None, team_id=team_id)
        except ValueError as error:  # storage.secrets.EncryptionKeyError: stored under a key no longer configured
            logger.error("the bot token of team %s cannot be read: %s", team_id, error)
            raise NoInstallation(team_id, "invalid_auth") from None
        if bot is None or not bot.bot_token:
            raise NoInstallation(team_id)
        if bot.bot_refresh_token is None or self._rotator is None:
            return bot.bot_token, None
        try:
            refreshed = self._rotator.perform_bot_token_rotation(
                bot=bot, minutes_before_expiration=self._rotate_minutes
            )
        except (SlackTokenRotationError, SlackApiError, SlackClientError, OSError) as error:
            logger.warning("could not refresh the bot token of team %s (%s)", team_id, type(error).__name__)
            raise NoInstallation(team_id, "token_expired") from None
        if refreshed is None:
            return bot.bot_token, bot.bot_token_expires_at
        self._store.save_bot(refreshed)
        logger.info("refreshed the bot token of team %s", team_id)
        return str(refreshed.bot_token), refreshed.bot_token_expires_at
