"""Web API method implementations of the fake Slack: each reads and changes the workspace state (SlackState).

The handlers know nothing of HTTP, tokens, faults or rate limits (FakeSlack applies those first); they are called
with the state's lock held and return the success body or raise SlackApiFailure.
"""

from __future__ import annotations

import base64
import json
import logging
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.sandbox.seed import SeedUser
from bot.sandbox.slack.errors import SlackApiFailure, as_bool, require_valid_blocks, require_valid_view
from bot.sandbox.slack.records import Conversation, FakeMessage
from bot.sandbox.slack.state import SlackState

logger = logging.getLogger(__name__)

MAX_TEXT_LENGTH = 40_000
MAX_VIEW_BYTES = 250_000
EMOJI_NAME = re.compile(r"^[a-z0-9_+'\-]+(::skin-tone-[2-6])?$")


def encode_cursor(offset: int) -> str:
    """An opaque cursor like Slack's (base64)."""
    return base64.b64encode(f"offset:{offset}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    """Offset inside an opaque cursor; invalid_cursor when it is not ours."""
    try:
        kind, _, number = base64.b64decode(cursor.encode(), validate=True).decode().partition(":")
        if kind != "offset":
            raise ValueError(kind)
        return int(number)
    except ValueError as error:
        raise SlackApiFailure("invalid_cursor") from error


def paginate(items: list[Any], args: dict[str, Any], default_limit: int, max_limit: int) -> tuple[list[Any], str]:
    """One page of items and the next_cursor ('' on the last page)."""
    raw_limit = args.get("limit")
    try:
        limit = int(raw_limit) if raw_limit not in (None, "") else default_limit
    except (TypeError, ValueError) as error:
        raise SlackApiFailure("invalid_limit") from error
    if limit <= 0:
        limit = len(items) or 1
    limit = min(limit, max_limit)
    cursor = str(args.get("cursor") or "")
    offset = decode_cursor(cursor) if cursor else 0
    page = items[offset : offset + limit]
    next_offset = offset + limit
    return page, encode_cursor(next_offset) if next_offset < len(items) else ""


class WebApi:
    """The Web API methods; every handler is called with the fake's lock held and returns the success body."""

    def __init__(
        self, state: SlackState, upload_url: Callable[[str], str], socket_mode_url: Callable[[], str | None]
    ) -> None:
        self.state = state
        self.upload_url = upload_url  # file id → the URL its bytes are POSTed to
        self.socket_mode_url = socket_mode_url
        self.handlers: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "api.test": lambda args: {"args": args},
            "auth.test": self.auth_test,
            "team.info": self.team_info,
            "users.info": self.users_info,
            "users.list": self.users_list,
            "users.lookupByEmail": self.users_lookup_by_email,
            "conversations.info": self.conversations_info,
            "conversations.members": self.conversations_members,
            "conversations.open": self.conversations_open,
            "conversations.history": self.conversations_history,
            "conversations.replies": self.conversations_replies,
            "chat.postMessage": self.chat_post_message,
            "chat.postEphemeral": self.chat_post_ephemeral,
            "chat.update": self.chat_update,
            "chat.delete": self.chat_delete,
            "reactions.add": self.reactions_add,
            "views.open": self.views_open,
            "views.push": self.views_push,
            "views.update": self.views_update,
            "views.publish": self.views_publish,
            "apps.connections.open": self.apps_connections_open,
            "conversations.list": self.conversations_list,
            "users.conversations": self.users_conversations,
            "conversations.join": self.conversations_join,
            "reactions.remove": self.reactions_remove,
            "chat.getPermalink": self.chat_get_permalink,
            "chat.scheduleMessage": self.chat_schedule_message,
            "chat.scheduledMessages.list": self.chat_scheduled_messages_list,
            "chat.deleteScheduledMessage": self.chat_delete_scheduled_message,
            "files.getUploadURLExternal": self.files_get_upload_url_external,
            "files.completeUploadExternal": self.files_complete_upload_external,
        }

    # ---- helpers -------------------------------------------------------------------------------------------

    @staticmethod
    def require(args: dict[str, Any], *names: str) -> None:
        """invalid_arguments-style refusal for a missing required argument (when no catalog checks it)."""
        for name in names:
            if args.get(name) in (None, ""):
                raise SlackApiFailure("invalid_arguments", response_metadata={"messages": [f"missing {name}"]})

    def user_or_fail(self, user_id: Any, error: str = "user_not_found") -> SeedUser:
        """The user with this id, else the given Slack error."""
        user = self.state.find_user(str(user_id or ""))
        if user is None:
            raise SlackApiFailure(error)
        return user

    def visible_conversation(self, channel_id: Any) -> Conversation:
        """The conversation the bot can see (channel_not_found for unknown ids and private ones it is not in)."""
        conversation = self.state.find_conversation_record(str(channel_id or ""))
        if conversation is None:
            raise SlackApiFailure("channel_not_found")
        if conversation.kind != "public" and self.state.bot_user_id not in conversation.members:
            raise SlackApiFailure("channel_not_found")
        return conversation

    def postable_conversation(self, channel: Any) -> Conversation:
        """Resolve a chat.* channel argument (a user id means the bot's DM) and check the bot may post."""
        channel_id = str(channel or "")
        if channel_id[:1] in {"U", "W"}:
            user = self.user_or_fail(channel_id, error="channel_not_found")
            if user.deleted:
                raise SlackApiFailure("channel_not_found")
            conversation = self.state.open_im(user.id)[0]
        else:
            conversation = self.visible_conversation(channel_id)
        if conversation.kind == "im" and not self.state.app_home.messages_tab_enabled:
            raise SlackApiFailure("messages_tab_disabled")
        if conversation.is_archived:
            raise SlackApiFailure("is_archived")
        if self.state.bot_user_id not in conversation.members and not self.state.has_scope("chat:write.public"):
            raise SlackApiFailure("not_in_channel")
        return conversation

    def check_message_content(self, method: str, args: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
        """The text and blocks of a chat.* call, checked like Slack (no_text, msg_too_long, invalid_blocks).

        chat.postMessage truncates an over-long text instead of refusing it (its error list has no msg_too_long).
        """
        text = str(args.get("text") or "")
        blocks = args.get("blocks") or []
        attachments = args.get("attachments") or []
        if not isinstance(blocks, list):
            raise SlackApiFailure("invalid_blocks_format")
        if not text and not blocks and not attachments:
            raise SlackApiFailure("no_text")
        if len(text) > MAX_TEXT_LENGTH:
            if method != "chat.postMessage":
                raise SlackApiFailure("msg_too_long")
            text = text[:MAX_TEXT_LENGTH]
        if blocks:
            require_valid_blocks(blocks)
        return text, blocks

    def message_in(self, conversation: Conversation, ts: Any) -> FakeMessage:
        """The (non-ephemeral) message with this ts, else message_not_found."""
        for message in self.state.messages_in(conversation.id):
            if message.ts == str(ts) and message.ephemeral_to is None:
                return message
        raise SlackApiFailure("message_not_found")

    def user_object(self, user: SeedUser) -> dict[str, Any]:
        """users.info's user object."""
        fake = self.state
        profile: dict[str, Any] = {
            "title": user.title,
            "phone": "",
            "skype": "",
            "real_name": user.real_name,
            "real_name_normalized": user.real_name,
            "display_name": user.display_name,
            "display_name_normalized": user.display_name,
            "fields": (
                {"Xf0RPTDEPT": {"value": user.department, "alt": "", "label": "Department"}} if user.department else {}
            ),
            "status_text": "",
            "status_emoji": "",
            "status_expiration": 0,
            "avatar_hash": "g" + user.id[-11:].lower(),
            "first_name": user.real_name.split(" ")[0],
            "last_name": " ".join(user.real_name.split(" ")[1:]),
            "team": fake.team_id,
        }
        for size in (24, 32, 48, 72, 192, 512):
            profile[f"image_{size}"] = f"https://avatars.rapport.example/{user.id}_{size}.png"
        if user.email and not user.is_bot and fake.has_scope("users:read.email"):
            profile["email"] = user.email
        if user.is_bot:
            profile.update({"bot_id": user.bot_id, "api_app_id": fake.app_id if user.id == fake.bot_user_id else ""})
            profile["always_active"] = True
        data: dict[str, Any] = {
            "id": user.id,
            "team_id": fake.team_id,
            "name": user.handle,
            "deleted": user.deleted,
            "color": "9f69e7",
            "real_name": user.real_name,
            "profile": profile,
            "is_bot": user.is_bot,
            "is_app_user": False,
            "updated": 1_700_000_000,
            "is_email_confirmed": not user.is_bot,
            "who_can_share_contact_card": "EVERYONE",
        }
        if not user.deleted:
            zone = ZoneInfo(user.tz)
            local = datetime.fromtimestamp(fake.wall_clock(), tz=zone)
            offset = local.utcoffset()
            data.update(
                {
                    "tz": user.tz,
                    "tz_label": local.tzname() or user.tz,
                    "tz_offset": int(offset.total_seconds()) if offset is not None else 0,
                    "is_admin": user.is_admin,
                    "is_owner": False,
                    "is_primary_owner": False,
                    "is_restricted": False,
                    "is_ultra_restricted": False,
                }
            )
        return data

    def conversation_object(self, conversation: Conversation, include_num_members: bool = False) -> dict[str, Any]:
        """conversations.info's channel object."""
        fake = self.state
        if conversation.kind == "im":
            return {
                "id": conversation.id,
                "created": conversation.created,
                "is_archived": False,
                "is_im": True,
                "is_org_shared": False,
                "context_team_id": fake.team_id,
                "updated": conversation.created * 1000,
                "user": conversation.im_user,
                "is_user_deleted": bool(conversation.im_user and fake.user(conversation.im_user).deleted),
                "priority": 0,
                "last_read": "0000000000.000000",
            }
        is_channel = conversation.kind == "public"
        data: dict[str, Any] = {
            "id": conversation.id,
            "name": conversation.name,
            "is_channel": is_channel,
            "is_group": conversation.kind in {"private", "mpim"},
            "is_im": False,
            "is_mpim": conversation.kind == "mpim",
            "is_private": conversation.kind != "public",
            "created": conversation.created,
            "is_archived": conversation.is_archived,
            "is_general": conversation.is_general,
            "unlinked": 0,
            "name_normalized": conversation.name,
            "is_shared": False,
            "is_org_shared": False,
            "is_ext_shared": False,
            "is_pending_ext_shared": False,
            "pending_shared": [],
            "context_team_id": fake.team_id,
            "updated": conversation.created * 1000,
            "parent_conversation": None,
            "creator": conversation.members[0] if conversation.members else "",
            "shared_team_ids": [fake.team_id],
            "is_member": fake.bot_user_id in conversation.members,
            "topic": {"value": conversation.topic, "creator": "", "last_set": 0},
            "purpose": {"value": conversation.purpose, "creator": "", "last_set": 0},
            "previous_names": [],
            "last_read": "0000000000.000000",
        }
        if include_num_members:
            data["num_members"] = len(conversation.members)
        return data

    def bot_message(
        self, conversation: Conversation, text: str, blocks: list[dict[str, Any]], args: dict[str, Any]
    ) -> FakeMessage:
        """A new message from the bot (not stored yet)."""
        fake = self.state
        return FakeMessage(
            ts=fake.ids.ts(),
            channel=conversation.id,
            user=fake.bot_user_id,
            text=text,
            blocks=blocks,
            thread_ts=str(args["thread_ts"]) if args.get("thread_ts") else None,
            bot_id=fake.bot_id,
            app_id=fake.app_id,
            team=fake.team_id,
            attachments=list(args.get("attachments") or []),
            metadata=args.get("metadata") if isinstance(args.get("metadata"), dict) else None,
        )

    # ---- auth / team / users ------------------------------------------------------------------------------

    def auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        """auth.test for the bot token."""
        fake = self.state
        return {
            "url": f"https://{fake.seed.domain}.slack.com/",
            "team": fake.seed.team_name,
            "user": fake.seed.bot_handle,
            "team_id": fake.team_id,
            "user_id": fake.bot_user_id,
            "bot_id": fake.bot_id,
            "is_enterprise_install": False,
        }

    def team_info(self, args: dict[str, Any]) -> dict[str, Any]:
        """team.info of the sandbox workspace."""
        fake = self.state
        team_arg = args.get("team")
        if team_arg and team_arg != fake.team_id:
            raise SlackApiFailure("team_not_found")
        icon = {f"image_{size}": f"https://avatars.rapport.example/team_{size}.png" for size in (34, 44, 68, 88, 102)}
        icon["image_default"] = True  # type: ignore[assignment]
        return {
            "team": {
                "id": fake.team_id,
                "name": fake.seed.team_name,
                "url": f"https://{fake.seed.domain}.slack.com/",
                "domain": fake.seed.domain,
                "email_domain": "rapport.example",
                "icon": icon,
                "avatar_base_url": "https://avatars.rapport.example/",
                "is_verified": False,
                "lob_sales_home_enabled": False,
            }
        }

    def users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        """users.info."""
        self.require(args, "user")
        user = self.user_object(self.user_or_fail(args["user"]))
        if as_bool(args.get("include_locale")):
            user["locale"] = "en-US"
        return {"user": user}

    def users_lookup_by_email(self, args: dict[str, Any]) -> dict[str, Any]:
        """users.lookupByEmail."""
        self.require(args, "email")
        for user in self.state.users():
            if user.email and user.email.lower() == str(args["email"]).lower():
                return {"user": self.user_object(user)}
        raise SlackApiFailure("users_not_found")

    def users_list(self, args: dict[str, Any]) -> dict[str, Any]:
        """users.list with cursor pagination (includes deleted users and bots, like Slack)."""
        users = list(self.state.users())
        page, next_cursor = paginate(users, args, default_limit=0, max_limit=1000)
        return {
            "members": [self.user_object(user) for user in page],
            "cache_ts": int(self.state.wall_clock()),
            "response_metadata": {"next_cursor": next_cursor},
        }

    # ---- conversations -------------------------------------------------------------------------------------

    def conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        """conversations.info."""
        self.require(args, "channel")
        conversation = self.visible_conversation(args["channel"])
        return {"channel": self.conversation_object(conversation, as_bool(args.get("include_num_members")))}

    def conversations_members(self, args: dict[str, Any]) -> dict[str, Any]:
        """conversations.members with cursor pagination."""
        self.require(args, "channel")
        conversation = self.visible_conversation(args["channel"])
        page, next_cursor = paginate(list(conversation.members), args, default_limit=100, max_limit=1000)
        return {"members": page, "response_metadata": {"next_cursor": next_cursor}}

    def conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        """conversations.open: one user → the bot's DM (D…), 2–8 users → a group DM (G…)."""
        fake = self.state
        if args.get("channel"):
            conversation = self.visible_conversation(args["channel"])
            return {"channel": self.conversation_object(conversation)}
        raw_users = args.get("users")
        if isinstance(raw_users, list):
            requested = [str(user) for user in raw_users]
        else:
            requested = [part.strip() for part in str(raw_users or "").split(",") if part.strip()]
        if not requested:
            raise SlackApiFailure("users_list_not_supplied")
        user_ids = [user_id for user_id in dict.fromkeys(requested) if user_id != fake.bot_user_id]
        if len(user_ids) > 8:
            raise SlackApiFailure("too_many_users")
        if not user_ids:
            raise SlackApiFailure("not_enough_users")
        for user_id in user_ids:
            if self.user_or_fail(user_id).deleted:
                raise SlackApiFailure("user_disabled")
        if len(user_ids) == 1:
            conversation, existed = fake.open_im(user_ids[0])
            body: dict[str, Any] = {}
            if existed:
                body.update({"no_op": True, "already_open": True})
            if as_bool(args.get("return_im")):
                body["channel"] = self.conversation_object(conversation)
            else:
                body["channel"] = {"id": conversation.id}
            return body
        conversation, existed = fake.open_mpim(user_ids)
        body = {"channel": self.conversation_object(conversation)}
        if existed:
            body.update({"no_op": True, "already_open": True})
        return body

    def conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        """conversations.history (top-level messages, newest first)."""
        self.require(args, "channel")
        conversation = self.visible_conversation(args["channel"])
        messages = [
            message
            for message in self.state.messages_in(conversation.id)
            if message.ephemeral_to is None and (message.thread_ts is None or message.thread_ts == message.ts)
        ]
        messages.reverse()
        page, next_cursor = paginate(messages, args, default_limit=100, max_limit=999)
        return {
            "messages": [message.to_api() for message in page],
            "has_more": bool(next_cursor),
            "response_metadata": {"next_cursor": next_cursor},
        }

    def conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        """conversations.replies (parent then replies, oldest first)."""
        self.require(args, "channel", "ts")
        conversation = self.visible_conversation(args["channel"])
        parent = self.message_in(conversation, args["ts"])
        thread = [parent] + [
            message
            for message in self.state.messages_in(conversation.id)
            if message.thread_ts == parent.ts and message.ts != parent.ts and message.ephemeral_to is None
        ]
        page, next_cursor = paginate(thread, args, default_limit=100, max_limit=999)
        return {
            "messages": [message.to_api() for message in page],
            "has_more": bool(next_cursor),
            "response_metadata": {"next_cursor": next_cursor},
        }

    # ---- chat ----------------------------------------------------------------------------------------------

    def chat_post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        """chat.postMessage (channel may be a user id: the bot's DM with that user)."""
        self.require(args, "channel")
        conversation = self.postable_conversation(args["channel"])
        text, blocks = self.check_message_content("chat.postMessage", args)
        message = self.bot_message(conversation, text, blocks, args)
        self.state.store_message(message)
        return {"channel": conversation.id, "ts": message.ts, "message": message.to_api()}

    def chat_post_ephemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        """chat.postEphemeral: a message only `user` sees in `channel`."""
        self.require(args, "channel", "user")
        conversation = self.postable_conversation(args["channel"])
        user = self.user_or_fail(args["user"])
        if user.id not in conversation.members:
            raise SlackApiFailure("user_not_in_channel")
        text, blocks = self.check_message_content("chat.postEphemeral", args)
        message = self.bot_message(conversation, text, blocks, args)
        message.ephemeral_to = user.id
        self.state.store_message(message)
        return {"message_ts": message.ts}

    def chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        """chat.update of a message the bot posted."""
        self.require(args, "channel", "ts")
        conversation = self.visible_conversation(args["channel"])
        message = self.message_in(conversation, args["ts"])
        if message.user != self.state.bot_user_id:
            raise SlackApiFailure("cant_update_message")
        text = str(args.get("text") or "")
        blocks = args.get("blocks")
        if blocks is not None and not isinstance(blocks, list):
            raise SlackApiFailure("invalid_blocks_format")
        if not text and not blocks and not args.get("attachments"):
            raise SlackApiFailure("no_text")
        if len(text) > MAX_TEXT_LENGTH:
            raise SlackApiFailure("msg_too_long")
        if blocks:
            require_valid_blocks(blocks)
        message.text = text
        if blocks is not None:
            message.blocks = blocks
        if args.get("attachments") is not None:
            message.attachments = list(args.get("attachments") or [])
        message.edited = True
        return {"channel": conversation.id, "ts": message.ts, "text": message.text, "message": message.to_api()}

    def chat_delete(self, args: dict[str, Any]) -> dict[str, Any]:
        """chat.delete of a message the bot posted."""
        self.require(args, "channel", "ts")
        conversation = self.visible_conversation(args["channel"])
        message = self.message_in(conversation, args["ts"])
        if message.user != self.state.bot_user_id:
            raise SlackApiFailure("cant_delete_message")
        self.state.remove_message(message)
        return {"channel": conversation.id, "ts": message.ts}

    def reactions_add(self, args: dict[str, Any]) -> dict[str, Any]:
        """reactions.add by the bot."""
        if not args.get("channel") or not args.get("timestamp"):
            raise SlackApiFailure("no_item_specified")
        self.require(args, "name")
        name = str(args["name"]).strip(":")
        if not EMOJI_NAME.match(name):
            raise SlackApiFailure("invalid_name")
        conversation = self.visible_conversation(args["channel"])
        message = self.message_in(conversation, args["timestamp"])
        users = message.reactions.setdefault(name, [])
        if self.state.bot_user_id in users:
            raise SlackApiFailure("already_reacted")
        users.append(self.state.bot_user_id)
        return {}

    # ---- views ---------------------------------------------------------------------------------------------

    def view_arg(self, args: dict[str, Any], expected_type: str) -> dict[str, Any]:
        """The `view` argument, checked (type, size, Block Kit)."""
        self.require(args, "view")
        view = args["view"]
        if not isinstance(view, dict):
            raise SlackApiFailure("invalid_arguments")
        if view.get("type") != expected_type:
            raise SlackApiFailure(
                "invalid_arguments", response_metadata={"messages": [f"[ERROR] view type must be {expected_type}"]}
            )
        if len(json.dumps(view)) > MAX_VIEW_BYTES:
            raise SlackApiFailure("view_too_large")
        require_valid_view(view)
        external_id = view.get("external_id")
        if external_id and self.state.modals.id_of_external(str(external_id), besides=view.get("id")) is not None:
            raise SlackApiFailure("duplicate_external_id")
        return view

    def views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        """views.open: a new modal stack for the trigger's user."""
        self.require(args, "trigger_id")
        view = self.view_arg(args, "modal")
        user_id = self.state.consume_trigger(str(args["trigger_id"]))
        return {"view": self.state.modals.open(user_id, view)}

    def views_push(self, args: dict[str, Any]) -> dict[str, Any]:
        """views.push onto the user's modal stack (at most 3 views)."""
        self.require(args, "trigger_id")
        view = self.view_arg(args, "modal")
        owner = self.state.trigger_user(str(args["trigger_id"]))
        if owner is not None and self.state.modals.is_full(owner):
            raise SlackApiFailure("push_limit_reached")
        user_id = self.state.consume_trigger(str(args["trigger_id"]))
        return {"view": self.state.modals.push(user_id, view)}

    def views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        """views.update by view_id or external_id (hash checked when given)."""
        fake = self.state
        view_id = str(args.get("view_id") or "")
        external_id = str(args.get("external_id") or "")
        if not view_id and not external_id:
            raise SlackApiFailure("invalid_arguments", response_metadata={"messages": ["view_id or external_id"]})
        if not view_id:
            view_id = fake.modals.id_of_external(external_id) or ""
        current = fake.modals.find(view_id)
        if current is None:
            raise SlackApiFailure("not_found")
        view = self.view_arg(dict(args, view=dict(args.get("view") or {}, id=view_id)), current["type"])
        if args.get("hash") and args["hash"] != current["hash"]:
            raise SlackApiFailure("hash_conflict")
        return {"view": fake.modals.replace(view_id, view)}

    def views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        """views.publish: the user's Home tab."""
        fake = self.state
        self.require(args, "user_id")
        user = self.user_or_fail(args["user_id"])
        view = self.view_arg(args, "home")
        if not fake.app_home.home_tab_enabled:
            raise SlackApiFailure("not_enabled")
        current_hash = fake.modals.home_hash(user.id)
        if current_hash is not None and args.get("hash") and args["hash"] != current_hash:
            raise SlackApiFailure("hash_conflict")
        return {"view": fake.modals.publish_home(user.id, view)}

    # ---- more conversations ---------------------------------------------------------------------------------

    @staticmethod
    def conversation_types(args: dict[str, Any]) -> set[str]:
        """The conversation kinds a `types` argument asks for (default public channels); invalid_types otherwise."""
        names = {"public_channel": "public", "private_channel": "private", "im": "im", "mpim": "mpim"}
        requested = [part.strip() for part in str(args.get("types") or "public_channel").split(",") if part.strip()]
        if any(part not in names for part in requested):
            raise SlackApiFailure("invalid_types")
        return {names[part] for part in requested}

    def listed(self, args: dict[str, Any], member: str | None) -> dict[str, Any]:
        """conversations.list / users.conversations: visible conversations of the asked types, paginated."""
        kinds = self.conversation_types(args)
        exclude_archived = as_bool(args.get("exclude_archived"))
        found = [
            conversation
            for conversation in self.state.conversation_records()
            if conversation.kind in kinds
            and (conversation.kind == "public" or self.state.bot_user_id in conversation.members)
            and (member is None or member in conversation.members)
            and not (exclude_archived and conversation.is_archived)
        ]
        page, next_cursor = paginate(found, args, default_limit=100, max_limit=1000)
        return {
            "channels": [self.conversation_object(conversation, include_num_members=True) for conversation in page],
            "response_metadata": {"next_cursor": next_cursor},
        }

    def conversations_list(self, args: dict[str, Any]) -> dict[str, Any]:
        """conversations.list."""
        return self.listed(args, member=None)

    def users_conversations(self, args: dict[str, Any]) -> dict[str, Any]:
        """users.conversations (default: the bot's own)."""
        user = self.user_or_fail(args.get("user") or self.state.bot_user_id)
        return self.listed(args, member=user.id)

    def conversations_join(self, args: dict[str, Any]) -> dict[str, Any]:
        """conversations.join: the bot joins a public channel."""
        self.require(args, "channel")
        conversation = self.visible_conversation(args["channel"])
        if conversation.kind != "public":
            raise SlackApiFailure("method_not_supported_for_channel_type")
        if conversation.is_archived:
            raise SlackApiFailure("is_archived")
        body: dict[str, Any] = {}
        if self.state.bot_user_id in conversation.members:
            body["warning"] = "already_in_channel"
        else:
            conversation.members.append(self.state.bot_user_id)
        body["channel"] = self.conversation_object(conversation)
        return body

    def reactions_remove(self, args: dict[str, Any]) -> dict[str, Any]:
        """reactions.remove of the bot's own reaction."""
        if not args.get("channel") or not args.get("timestamp"):
            raise SlackApiFailure("no_item_specified")
        self.require(args, "name")
        name = str(args["name"]).strip(":")
        conversation = self.visible_conversation(args["channel"])
        message = self.message_in(conversation, args["timestamp"])
        users = message.reactions.get(name, [])
        if self.state.bot_user_id not in users:
            raise SlackApiFailure("no_reaction")
        users.remove(self.state.bot_user_id)
        if not users:
            del message.reactions[name]
        return {}

    def chat_get_permalink(self, args: dict[str, Any]) -> dict[str, Any]:
        """chat.getPermalink."""
        self.require(args, "channel", "message_ts")
        conversation = self.visible_conversation(args["channel"])
        message = self.message_in(conversation, args["message_ts"])
        permalink = (
            f"https://{self.state.seed.domain}.slack.com/archives/{conversation.id}/p{message.ts.replace('.', '')}"
        )
        return {"channel": conversation.id, "permalink": permalink}

    # ---- scheduled messages --------------------------------------------------------------------------------

    def chat_schedule_message(self, args: dict[str, Any]) -> dict[str, Any]:
        """chat.scheduleMessage: posted by the fake once its wall clock reaches post_at."""
        self.require(args, "channel", "post_at")
        try:
            post_at = int(float(args["post_at"]))
        except (TypeError, ValueError) as error:
            raise SlackApiFailure("invalid_time") from error
        now = self.state.wall_clock()
        if post_at <= now:
            raise SlackApiFailure("time_in_past")
        if post_at > now + 120 * 86400:
            raise SlackApiFailure("time_too_far")
        conversation = self.postable_conversation(args["channel"])
        text, blocks = self.check_message_content("chat.scheduleMessage", args)
        message = self.bot_message(conversation, text, blocks, args)
        scheduled_id = self.state.schedule(post_at, message)
        data = message.to_api()
        del data["ts"]
        return {"channel": conversation.id, "scheduled_message_id": scheduled_id, "post_at": post_at, "message": data}

    def chat_scheduled_messages_list(self, args: dict[str, Any]) -> dict[str, Any]:
        """chat.scheduledMessages.list (the bot's pending scheduled messages)."""
        channel = args.get("channel")
        items = [
            {
                "id": scheduled_id,
                "channel_id": message.channel,
                "post_at": post_at,
                "date_created": created,
                "text": message.text,
            }
            for scheduled_id, post_at, created, message in self.state.scheduled()
            if not channel or message.channel == channel
        ]
        page, next_cursor = paginate(items, args, default_limit=100, max_limit=100)
        return {"scheduled_messages": page, "response_metadata": {"next_cursor": next_cursor}}

    def chat_delete_scheduled_message(self, args: dict[str, Any]) -> dict[str, Any]:
        """chat.deleteScheduledMessage."""
        self.require(args, "channel", "scheduled_message_id")
        conversation = self.visible_conversation(args["channel"])
        scheduled_id = str(args["scheduled_message_id"])
        pending = {key: message for key, _, _, message in self.state.scheduled()}
        if scheduled_id not in pending or pending[scheduled_id].channel != conversation.id:
            raise SlackApiFailure("invalid_scheduled_message_id")
        self.state.unschedule(scheduled_id)
        return {}

    # ---- files (upload v2: get URL, POST bytes, complete) --------------------------------------------------

    def files_get_upload_url_external(self, args: dict[str, Any]) -> dict[str, Any]:
        """files.getUploadURLExternal: a one-off upload URL on the fake."""
        self.require(args, "filename", "length")
        try:
            length = int(args["length"])
        except (TypeError, ValueError) as error:
            raise SlackApiFailure("invalid_arguments") from error
        file = self.state.new_file(str(args["filename"]), length)
        return {"upload_url": self.upload_url(file.id), "file_id": file.id}

    def files_complete_upload_external(self, args: dict[str, Any]) -> dict[str, Any]:
        """files.completeUploadExternal: finish uploads and share them (one message) when a channel is given."""
        self.require(args, "files")
        entries = args["files"]
        if isinstance(entries, str):
            try:
                entries = json.loads(entries)
            except ValueError as error:
                raise SlackApiFailure("invalid_arguments") from error
        if not isinstance(entries, list) or not entries:
            raise SlackApiFailure("invalid_arguments")
        files = []
        for entry in entries:
            found = self.state.find_file_record(str((entry or {}).get("id")))
            if found is None or found.content is None:
                raise SlackApiFailure("file_not_found")
            found.title = str(entry.get("title") or found.name)
            files.append(found)
        channel = args.get("channel_id") or args.get("channels")
        if channel:
            conversation = self.postable_conversation(str(channel).split(",")[0])
            message = self.bot_message(conversation, str(args.get("initial_comment") or ""), [], args)
            message.files = [file.to_api() for file in files]
            self.state.store_message(message)
            for file in files:
                file.shares.append((conversation.id, message.ts))
        return {"files": [{"id": file.id, "title": file.title} for file in files]}

    # ---- apps ----------------------------------------------------------------------------------------------

    def apps_connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        """apps.connections.open (app-level token): the Socket Mode websocket URL."""
        url = self.socket_mode_url()
        if url is None:
            raise SlackApiFailure("internal_error")
        return {"url": url}
