"""The workspace the fake Slack holds: users, conversations, messages, files, scheduled messages, ids and calls.

Every method takes the state's lock. Methods named ``*_record`` (and ``messages_in``) hand out the live stored
objects for the Web API to change; they are meant for callers that hold ``state.lock`` across the whole change.
Everything a test inspects goes through FakeSlack, which hands out copies.

Decisions: one object with public methods, shared by the Web API, the response_url hooks and the drivers, rather
than FakeSlack's private dictionaries that each of them reached into. Rejected: a repository per kind of record
(users, conversations, ...); they change together under one lock, and one object keeps that lock in one place.
"""

from __future__ import annotations

import copy
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace

from bot.sandbox.seed import APP_ID, SeedChannel, SeedUser, WorkspaceSeed
from bot.sandbox.slack import manifest
from bot.sandbox.slack.calls import CallLog
from bot.sandbox.slack.errors import SlackApiFailure
from bot.sandbox.slack.ids import IdMint
from bot.sandbox.slack.modals import ModalStacks
from bot.sandbox.slack.records import Conversation, FakeFile, FakeMessage

TRIGGER_TTL_SECONDS = 3.0
SLACKBOT = SeedUser(handle="slackbot", id="USLACKBOT", real_name="Slackbot", display_name="Slackbot", is_bot=True)


class _AllScopes(frozenset[str]):
    """Stands for 'every scope granted' (no manifest, or ALL_SCOPES passed explicitly)."""

    def __contains__(self, item: object) -> bool:
        return True


ALL_SCOPES: frozenset[str] = _AllScopes()


@dataclass(frozen=True)
class AppHome:
    """The App Home switches of the app (manifest features.app_home); Slack enforces them."""

    home_tab_enabled: bool = True
    messages_tab_enabled: bool = True
    messages_tab_read_only_enabled: bool = False

    @classmethod
    def from_manifest(cls) -> AppHome:
        """The repository manifest's settings (manifest defaults when absent); all enabled without a manifest."""
        declared = manifest.manifest_app_home()
        if declared is None:
            return cls()
        return cls(
            home_tab_enabled=declared.get("home_tab_enabled", False),
            messages_tab_enabled=declared.get("messages_tab_enabled", False),
            messages_tab_read_only_enabled=declared.get("messages_tab_read_only_enabled", False),
        )


@dataclass
class Trigger:
    """A trigger_id minted by a driver: single use, valid 3 s."""

    user: str
    minted_at: float
    used: bool = False


class SlackState:
    """One workspace as Slack stores it, with the app installed in it."""

    def __init__(
        self,
        seed: WorkspaceSeed,
        *,
        scopes: frozenset[str],
        app_home: AppHome,
        clock: Callable[[], float],
        wall_clock: Callable[[], float],
    ) -> None:
        self.seed = seed
        self.team_id = seed.team_id
        self.bot_user_id = seed.bot.id
        self.bot_id = seed.bot.bot_id
        self.app_id = APP_ID
        self.scopes = scopes
        self.app_home = app_home
        self.clock = clock  # monotonic: trigger and response_url lifetimes
        self.wall_clock = wall_clock  # message timestamps, scheduled messages
        self.lock = threading.RLock()
        self.ids = IdMint(wall_clock)
        self.log = CallLog()
        self.modals = ModalStacks(
            self.ids, self.log, self.lock, team_id=self.team_id, app_id=self.app_id, bot_id=self.bot_id
        )
        self.revoked = False
        self._users: dict[str, SeedUser] = {user.id: user for user in seed.users}
        self._users.setdefault(SLACKBOT.id, SLACKBOT)
        self._conversations: dict[str, Conversation] = {}
        for channel in seed.channels:
            self._add_channel(channel)
        self._messages: dict[str, list[FakeMessage]] = {}
        self._scheduled: dict[str, tuple[int, int, FakeMessage]] = {}  # id -> (post_at, created, message)
        self._files: dict[str, FakeFile] = {}
        self._triggers: dict[str, Trigger] = {}

    # ---- the app -------------------------------------------------------------------------------------------

    def has_scope(self, scope: str) -> bool:
        """True when the app was granted this scope."""
        if scope == "chat:write.public" and self.scopes is ALL_SCOPES:
            # Only an explicit grant lets the bot post where it is not a member; tests want not_in_channel by default.
            return False
        return scope in self.scopes

    # ---- users ---------------------------------------------------------------------------------------------

    def user(self, handle: str) -> SeedUser:
        """The user with this handle or id (KeyError when there is none)."""
        with self.lock:
            found = self._users.get(handle)
            if found is not None:
                return found
            for user in self._users.values():
                if user.handle == handle:
                    return user
        raise KeyError(handle)

    def find_user(self, user_id: str) -> SeedUser | None:
        """The user with exactly this id, or None."""
        with self.lock:
            return self._users.get(user_id)

    def users(self) -> list[SeedUser]:
        """All users, including bots and deactivated users."""
        with self.lock:
            return list(self._users.values())

    def add_user(self, make: Callable[[int], SeedUser]) -> SeedUser:
        """Add the user ``make(serial)`` builds (the serial makes its ids unique)."""
        with self.lock:
            user = make(self.ids.number())
            self._users[user.id] = user
            return user

    def deactivate(self, user: str) -> None:
        """Mark a member deleted (users.info then says deleted: true)."""
        with self.lock:
            found = self.user(user)
            self._users[found.id] = replace(found, deleted=True)

    # ---- conversations -------------------------------------------------------------------------------------

    def find_conversation_record(self, channel_id: str) -> Conversation | None:
        """The live conversation with this id, or None."""
        with self.lock:
            return self._conversations.get(channel_id)

    def conversation_records(self) -> list[Conversation]:
        """Every live conversation (channels, DMs, group DMs)."""
        with self.lock:
            return list(self._conversations.values())

    def channel_id(self, name: str) -> str:
        """The id of the channel with this name ('#coffee' or 'coffee')."""
        with self.lock:
            for conversation in self._conversations.values():
                if conversation.is_channel_like and conversation.name == name.lstrip("#"):
                    return conversation.id
        raise KeyError(name)

    def channel_record(self, channel: str) -> Conversation:
        """The live channel with this id or name (KeyError when there is none)."""
        with self.lock:
            return self._conversations.get(channel) or self._conversations[self.channel_id(channel)]

    def im_of(self, user_id: str) -> Conversation | None:
        """The live DM between the bot and this user, if it was opened."""
        with self.lock:
            for conversation in self._conversations.values():
                if conversation.kind == "im" and conversation.im_user == user_id:
                    return conversation
            return None

    def open_im(self, user_id: str) -> tuple[Conversation, bool]:
        """The bot's DM with this user (live) and whether it already existed."""
        with self.lock:
            existing = self.im_of(user_id)
            if existing is not None:
                return existing, True
            conversation = Conversation(
                id=self.ids.next_id("D"),
                name=user_id,
                kind="im",
                members=[user_id, self.bot_user_id],
                created=int(self.wall_clock()),
                im_user=user_id,
            )
            self._conversations[conversation.id] = conversation
            return conversation, False

    def open_mpim(self, user_ids: list[str]) -> tuple[Conversation, bool]:
        """The group DM of the bot and these users (live) and whether it already existed."""
        with self.lock:
            wanted = {*user_ids, self.bot_user_id}
            for conversation in self._conversations.values():
                if conversation.kind == "mpim" and set(conversation.members) == wanted:
                    return conversation, True
            handles = sorted(self._users[user_id].handle for user_id in wanted)
            conversation = Conversation(
                id=self.ids.next_id("G"),
                name="mpdm-" + "--".join(handles) + "-1",
                kind="mpim",
                members=[self.bot_user_id, *user_ids],
                created=int(self.wall_clock()),
            )
            self._conversations[conversation.id] = conversation
            return conversation, False

    def join(self, channel: str, user: str) -> None:
        """Add a user (handle or id) to a channel (name or id)."""
        with self.lock:
            conversation = self.channel_record(channel)
            user_id = self.user(user).id
            if user_id not in conversation.members:
                conversation.members.append(user_id)

    def leave(self, channel: str, user: str) -> None:
        """Remove a user from a channel."""
        with self.lock:
            conversation = self.channel_record(channel)
            user_id = self.user(user).id
            if user_id in conversation.members:
                conversation.members.remove(user_id)

    def archive(self, channel: str) -> None:
        """Archive a channel (posting there then answers is_archived)."""
        with self.lock:
            self.channel_record(channel).is_archived = True

    def resolve(self, channel_or_user: str) -> str | None:
        """A conversation id from an id, '#name', or a user (handle or id: their DM with the bot)."""
        with self.lock:
            if channel_or_user in self._conversations:
                return channel_or_user
            if channel_or_user.startswith("#"):
                return self.channel_id(channel_or_user)
            try:
                user = self.user(channel_or_user)
            except KeyError:
                return None
            im = self.im_of(user.id)
            return im.id if im is not None else None

    def _add_channel(self, channel: SeedChannel) -> None:
        self._conversations[channel.id] = Conversation(
            id=channel.id,
            name=channel.name,
            kind="private" if channel.is_private else "public",
            members=list(channel.members),
            created=1_600_000_000,
            is_general=channel.is_general,
            topic=channel.topic,
            purpose=channel.purpose,
        )

    # ---- messages ------------------------------------------------------------------------------------------

    def store_message(self, message: FakeMessage) -> None:
        """Add a message to its conversation."""
        with self.lock:
            self._messages.setdefault(message.channel, []).append(message)

    def messages_in(self, channel_id: str) -> list[FakeMessage]:
        """The live messages of a conversation, oldest first (a copy of the list, not of the messages)."""
        with self.lock:
            return list(self._messages.get(channel_id, []))

    def find_message_record(self, channel_id: str, ts: str) -> FakeMessage | None:
        """The live message with this ts in the conversation (any visibility), or None."""
        with self.lock:
            return next((m for m in self._messages.get(channel_id, []) if m.ts == ts), None)

    def remove_message(self, message: FakeMessage) -> None:
        """Delete a stored message."""
        with self.lock:
            self._messages[message.channel].remove(message)

    # ---- scheduled messages --------------------------------------------------------------------------------

    def schedule(self, post_at: int, message: FakeMessage) -> str:
        """Keep a message to post once the wall clock reaches post_at; its scheduled_message_id."""
        with self.lock:
            scheduled_id = self.ids.next_id("Q")
            self._scheduled[scheduled_id] = (post_at, int(self.wall_clock()), message)
            return scheduled_id

    def scheduled(self) -> list[tuple[str, int, int, FakeMessage]]:
        """(id, post_at, created, message) of every pending scheduled message, by id."""
        with self.lock:
            return [
                (key, post_at, created, message) for key, (post_at, created, message) in sorted(self._scheduled.items())
            ]

    def unschedule(self, scheduled_id: str) -> None:
        """Drop a pending scheduled message."""
        with self.lock:
            del self._scheduled[scheduled_id]

    def deliver_due(self) -> int:
        """Post every scheduled message whose post_at the wall clock has reached; how many."""
        with self.lock:
            now = self.wall_clock()
            due = sorted((post_at, key) for key, (post_at, _, _) in self._scheduled.items() if post_at <= now)
            for _, key in due:
                message = self._scheduled.pop(key)[2]
                message.ts = self.ids.ts()
                self.store_message(message)
            return len(due)

    # ---- files ---------------------------------------------------------------------------------------------

    def new_file(self, name: str, length: int) -> FakeFile:
        """A file waiting for its upload (live)."""
        with self.lock:
            file = FakeFile(id=self.ids.next_id("F"), name=name, length=length)
            self._files[file.id] = file
            return file

    def find_file_record(self, file_id: str) -> FakeFile | None:
        """The live file with this id, or None."""
        with self.lock:
            return self._files.get(file_id)

    def files(self) -> list[FakeFile]:
        """Copies of every file."""
        with self.lock:
            return [copy.deepcopy(file) for file in self._files.values()]

    def upload(self, file_id: str, content: bytes) -> bool:
        """Store the bytes of a file waiting for its upload; False when there is no such file or it has content."""
        with self.lock:
            file = self._files.get(file_id)
            if file is None or file.content is not None:
                return False
            file.content = content
            return True

    # ---- triggers ------------------------------------------------------------------------------------------

    def mint_trigger(self, user_id: str) -> str:
        """A fresh trigger_id for the user (what Slack sends with every interaction)."""
        with self.lock:
            trigger_id = f"{self.ids.number()}.{int(self.wall_clock())}.{secrets.token_hex(16)}"
            self._triggers[trigger_id] = Trigger(user=user_id, minted_at=self.clock())
            return trigger_id

    def trigger_user(self, trigger_id: str) -> str | None:
        """The user a trigger was minted for (used or not), or None."""
        with self.lock:
            trigger = self._triggers.get(trigger_id)
            return trigger.user if trigger is not None else None

    def consume_trigger(self, trigger_id: str) -> str:
        """The user a trigger_id was minted for; refused when unknown, used or older than 3 s."""
        with self.lock:
            trigger = self._triggers.get(trigger_id)
            if trigger is None:
                raise SlackApiFailure("invalid_trigger_id")
            if trigger.used:
                raise SlackApiFailure("exchanged_trigger_id")
            if self.clock() - trigger.minted_at > TRIGGER_TTL_SECONDS:
                raise SlackApiFailure("expired_trigger_id")
            trigger.used = True
            return trigger.user
