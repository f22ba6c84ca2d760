"""Views as Slack keeps them: every modal and Home tab by id, each user's modal stack (at most 3), their Home tab.

Both sides change it: the Web API (views.open/push/update/publish) and the drivers, which do what the Slack client
does when a person types into a modal, submits it (the app's response_action) or closes it.
"""

from __future__ import annotations

import copy
import logging
import secrets
import threading
from typing import Any

from bot.sandbox.slack import blockkit
from bot.sandbox.slack.calls import CallLog
from bot.sandbox.slack.ids import IdMint

logger = logging.getLogger(__name__)

MAX_VIEW_STACK = 3


class ModalStacks:
    """Views by id, modal stacks by user, Home tabs by user."""

    def __init__(
        self, ids: IdMint, log: CallLog, lock: threading.RLock, *, team_id: str, app_id: str, bot_id: str
    ) -> None:
        self._ids = ids
        self._log = log
        self._lock = lock
        self._team_id = team_id
        self._app_id = app_id
        self._bot_id = bot_id
        self._views: dict[str, dict[str, Any]] = {}
        self._stacks: dict[str, list[str]] = {}
        self._homes: dict[str, str] = {}

    # ---- reading -------------------------------------------------------------------------------------------

    def view(self, view_id: str) -> dict[str, Any]:
        """A copy of the current version of a view (KeyError when unknown)."""
        with self._lock:
            return copy.deepcopy(self._views[view_id])

    def find(self, view_id: str) -> dict[str, Any] | None:
        """A copy of the view, or None."""
        with self._lock:
            found = self._views.get(view_id)
            return copy.deepcopy(found) if found is not None else None

    def id_of_external(self, external_id: str, besides: str | None = None) -> str | None:
        """The id of the view with this external_id (other than ``besides``), or None."""
        with self._lock:
            return next(
                (vid for vid, v in self._views.items() if v.get("external_id") == external_id and vid != besides), None
            )

    def stack(self, user_id: str) -> list[dict[str, Any]]:
        """Copies of the user's open modals, root first."""
        with self._lock:
            return [copy.deepcopy(self._views[view_id]) for view_id in self._stacks.get(user_id, [])]

    def home(self, user_id: str) -> dict[str, Any] | None:
        """A copy of the Home tab published for the user, or None."""
        with self._lock:
            view_id = self._homes.get(user_id)
            return copy.deepcopy(self._views[view_id]) if view_id else None

    # ---- Web API -------------------------------------------------------------------------------------------

    def open(self, user_id: str, view: dict[str, Any]) -> dict[str, Any]:
        """views.open: a new stack holding this modal."""
        with self._lock:
            stored = self._new(view)
            self._stacks[user_id] = [stored["id"]]
            return copy.deepcopy(stored)

    def is_full(self, user_id: str) -> bool:
        """True when the user's stack already holds three modals."""
        with self._lock:
            return len(self._stacks.get(user_id, [])) >= MAX_VIEW_STACK

    def push(self, user_id: str, view: dict[str, Any]) -> dict[str, Any]:
        """views.push / response_action push: the modal goes on top of the user's stack."""
        with self._lock:
            stack = self._stacks.setdefault(user_id, [])
            stored = self._new(view, previous=stack[-1] if stack else None, root=stack[0] if stack else None)
            stack.append(stored["id"])
            return copy.deepcopy(stored)

    def replace(self, view_id: str, view: dict[str, Any]) -> dict[str, Any]:
        """views.update / response_action update: a new version of the view (KeyError when unknown)."""
        with self._lock:
            current = self._views[view_id]
            stored = self._record(view, view_id)
            stored["previous_view_id"] = current.get("previous_view_id")
            stored["root_view_id"] = current.get("root_view_id")
            self._views[view_id] = stored
            return copy.deepcopy(stored)

    def home_hash(self, user_id: str) -> str | None:
        """The hash of the user's Home tab, or None when none was published."""
        with self._lock:
            view_id = self._homes.get(user_id)
            return str(self._views[view_id]["hash"]) if view_id else None

    def publish_home(self, user_id: str, view: dict[str, Any]) -> dict[str, Any]:
        """views.publish: the user's Home tab, replaced when it exists."""
        with self._lock:
            view_id = self._homes.get(user_id)
            if view_id is not None:
                return self.replace(view_id, view)
            stored = self._new(view)
            self._homes[user_id] = stored["id"]
            return copy.deepcopy(stored)

    # ---- what the Slack client does ------------------------------------------------------------------------

    def set_state(self, view_id: str, block_id: str, action_id: str, state: dict[str, Any]) -> None:
        """A person set one element of the view (state.values[block_id][action_id])."""
        with self._lock:
            values = self._views[view_id].setdefault("state", {}).setdefault("values", {})
            values.setdefault(block_id, {})[action_id] = state

    def store_state(self, view_id: str, state: dict[str, Any]) -> None:
        """The whole state of the view as the person left it before submitting."""
        with self._lock:
            self._views[view_id]["state"] = copy.deepcopy(state)

    def apply_response(self, user_id: str, view_id: str, answer: dict[str, Any] | None) -> None:
        """Apply a view_submission ack: errors keep the modal, update/push/clear change the stack, else it closes."""
        with self._lock:
            stack = self._stacks.setdefault(user_id, [])
            action = (answer or {}).get("response_action")
            new_view = (answer or {}).get("view")
            if answer:
                self._log.record("response_action", answer)
            if action == "errors":
                return
            if action in {"update", "push"} and isinstance(new_view, dict):
                reason = blockkit.check_view(new_view)
                if reason:
                    # Slack shows the user an error and leaves the modal as it was.
                    logger.warning("response_action %s refused: invalid view: %s", action, reason)
                    return
            if action == "update" and isinstance(new_view, dict):
                self.replace(view_id, new_view)
                return
            if action == "push" and isinstance(new_view, dict):
                if len(stack) >= MAX_VIEW_STACK:
                    logger.warning("response_action push refused: stack already has 3 views")
                    return
                self.push(user_id, new_view)
                return
            if action == "clear":
                stack.clear()
                return
            if view_id in stack:
                del stack[stack.index(view_id) :]

    def close(self, user_id: str, view_id: str) -> bool:
        """The user closes a modal; True when the whole stack was cleared (clear_on_close)."""
        with self._lock:
            stack = self._stacks.setdefault(user_id, [])
            if self._views[view_id].get("clear_on_close") or (stack and stack[0] == view_id):
                cleared = bool(self._views[view_id].get("clear_on_close"))
                stack.clear()
                return cleared
            if view_id in stack:
                del stack[stack.index(view_id) :]
            return False

    # ---- records -------------------------------------------------------------------------------------------

    def _new(self, view: dict[str, Any], previous: str | None = None, root: str | None = None) -> dict[str, Any]:
        view_id = self._ids.next_id("V")
        stored = self._record(view, view_id)
        stored["previous_view_id"] = previous
        stored["root_view_id"] = root if previous and root else view_id
        self._views[view_id] = stored
        return stored

    def _record(self, view: dict[str, Any], view_id: str) -> dict[str, Any]:
        stored: dict[str, Any] = {
            "id": view_id,
            "team_id": self._team_id,
            "type": view.get("type"),
            "blocks": copy.deepcopy(view.get("blocks") or []),
            "private_metadata": view.get("private_metadata") or "",
            "callback_id": view.get("callback_id") or "",
            "state": {"values": {}},
            "hash": f"{self._ids.seconds()}.{secrets.token_hex(4)}",
            "title": view.get("title"),
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "close": view.get("close"),
            "submit": view.get("submit"),
            "previous_view_id": None,
            "root_view_id": view_id,
            "app_id": self._app_id,
            "external_id": view.get("external_id") or "",
            "app_installed_team_id": self._team_id,
            "bot_id": self._bot_id,
        }
        if view.get("type") == "home":
            for key in ("close", "submit", "title"):
                if stored[key] is None:
                    del stored[key]
        return stored
