"""Regenerate methods.json (the fake Slack's method catalog) from Slack's own method reference.

Run by hand from the repository root, pointing at the shared specs folder:

    .venv/bin/python bot/sandbox/data/build_methods.py ../shared/slack-specs/method-reference

It reads ``docs.slack.dev/<method>.json`` (Slack's published per-method JSON), ``with-common-errors/<method>.json``
(slack-api-ref's merged files: common errors and ``arg_groups``) and writes ``methods.json`` next to this script.
Everything that is NOT in the upstream data (which error Slack answers for a missing argument, the app-level token
of ``apps.connections.open``) is spelled out in the OVERRIDE tables below, each with its reason.
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

METHODS = [
    "apps.connections.open",
    "auth.test",
    "bots.info",
    "chat.delete",
    "chat.getPermalink",
    "chat.postEphemeral",
    "chat.postMessage",
    "chat.scheduleMessage",
    "chat.update",
    "conversations.history",
    "conversations.info",
    "conversations.join",
    "conversations.list",
    "conversations.members",
    "conversations.open",
    "conversations.replies",
    "files.completeUploadExternal",
    "files.getUploadURLExternal",
    "oauth.v2.access",
    "reactions.add",
    "reactions.remove",
    "team.info",
    "users.conversations",
    "users.info",
    "users.list",
    "users.lookupByEmail",
    "views.open",
    "views.publish",
    "views.push",
    "views.update",
]

# Scope prefixes of the four conversation types: Slack asks for the scope of the type of the conversation at hand
# (e.g. `needed: groups:history` for a private channel), so a list made only of these families means "the one for
# this channel type" rather than "all of them".
CHANNEL_TYPE_PREFIXES = {"public": "channels:", "private": "groups:", "im": "im:", "mpim": "mpim:"}
# conversations.open / conversations.* write methods list `channels:manage` for public channels.
PUBLIC_EXTRA_SCOPES = {"channels:manage"}

# Error Slack answers when a required argument is absent. Classic methods treat an absent value like an invalid one
# (the method's own "Value passed for `x` was invalid" error); see DERIVED_MISSING below for the automatic part.
MISSING_ARG_OVERRIDES: dict[str, dict[str, str]] = {
    "chat.update": {"ts": "message_not_found"},
    "chat.delete": {"ts": "message_not_found"},
    "chat.getPermalink": {"message_ts": "message_not_found"},
    "chat.scheduleMessage": {"post_at": "invalid_time"},
    "users.lookupByEmail": {"email": "users_not_found"},
    # chat.postEphemeral answers user_not_in_channel for any user it cannot deliver to.
    "chat.postEphemeral": {"user": "user_not_in_channel"},
    # reactions.add: docs say `no_item_specified` = "combination of channel and timestamp was not specified".
    "reactions.add": {"channel": "no_item_specified", "timestamp": "no_item_specified"},
    "files.getUploadURLExternal": {"length": "missing_argument", "filename": "missing_argument"},
    "oauth.v2.access": {"client_id": "invalid_client_id", "client_secret": "bad_client_secret"},
}

# Argument groups the upstream data describes only in prose, with the error Slack answers when the group is not met.
ARG_GROUP_ERRORS: dict[str, str] = {
    "chat.postMessage": "no_text",
    "chat.postEphemeral": "no_text",
    "chat.update": "no_text",
    "chat.scheduleMessage": "no_text",
}
EXTRA_ARG_GROUPS: dict[str, list[dict[str, Any]]] = {
    # "users_list_not_supplied: Missing `users` in request" unless an existing `channel` is given instead.
    "conversations.open": [{"kind": "at_least_one", "args": ["users", "channel"], "error": "users_list_not_supplied"}],
    # reactions.remove: "`file`, `file_comment`, or combination of `channel` and `timestamp` was not specified".
    "reactions.remove": [
        {"kind": "at_least_one", "args": ["timestamp", "file", "file_comment"], "error": "no_item_specified"}
    ],
}

# Socket Mode's apps.connections.open takes an app-level token (xapp-) with connections:write; the docs JSON lists
# no scope because it is not a bot/user scope.
TOKEN_TYPE_OVERRIDES: dict[str, dict[str, Any]] = {
    "apps.connections.open": {"token_type": "app", "app_scopes": ["connections:write"]},
    "oauth.v2.access": {"token_type": "none"},
}

TIERS = {"t1": 1, "t2": 2, "t3": 3, "t4": 4, "t5": "special"}


def _error_desc(value: object) -> str:
    """Return the description of an error entry in either upstream format."""
    if isinstance(value, dict):
        return str(value.get("desc", ""))
    return str(value)


def _missing_arg_error(method: str, arg: str, errors: dict[str, object]) -> str:
    """Pick the error Slack answers when `arg` is absent, from the overrides or the method's own error texts."""
    override = MISSING_ARG_OVERRIDES.get(method, {}).get(arg)
    if override:
        return override
    # "Value passed for `channel` was invalid." -> channel_not_found: classic methods treat an absent value as an
    # invalid one; conversations.replies says it outright ("Value for `channel` was missing or invalid.").
    for code, value in sorted(errors.items()):
        desc = _error_desc(value)
        if f"for `{arg}`" in desc and ("invalid" in desc or "not valid" in desc):
            return code
    if "missing_argument" in errors:
        return "missing_argument"
    # Newer methods (views.*, files.completeUploadExternal) validate with a schema and answer invalid_arguments.
    return "invalid_arguments"


def _scope_rule(scopes: list[str]) -> tuple[str, dict[str, str]]:
    """Classify a method's bot scope list: none, all (single), or one per conversation type."""
    if not scopes:
        return "none", {}
    if len(scopes) == 1:
        return "all", {}
    by_type: dict[str, str] = {}
    for kind, prefix in CHANNEL_TYPE_PREFIXES.items():
        family = [s for s in scopes if s.startswith(prefix) and s not in PUBLIC_EXTRA_SCOPES]
        if kind == "public":
            family = [s for s in scopes if s in PUBLIC_EXTRA_SCOPES] or family
        if family:
            by_type[kind] = family[0]
    if set(by_type.values()) == set(scopes):
        return "by_channel_type", by_type
    return "any_of", {}


def _arg_group(method: str, group: dict[str, Any]) -> dict[str, Any]:
    """One upstream ``arg_groups`` entry as a catalog rule, with the error Slack answers when it is not met."""
    names = list(group["args"])
    if not group.get("mutually_exclusive"):
        # "One of these arguments ... is required" (attachments/blocks/text/markdown_text -> no_text).
        return {"kind": "at_least_one", "args": names, "error": ARG_GROUP_ERRORS.get(method) or "invalid_arguments"}
    if set(names) == {"text", "markdown_text"}:
        # markdown_text_conflict: "cannot be used in conjunction with `blocks` or `text`".
        return {"kind": "conflict", "args": ["markdown_text", "text", "blocks"], "error": "markdown_text_conflict"}
    # trigger_id / interactivity_pointer, external_id / view_id: exactly one identifies the target.
    return {"kind": "exactly_one", "args": names, "error": "invalid_arguments"}


def _arg_groups(method: str, merged: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The method's argument groups: the upstream ones, then those spelled out in EXTRA_ARG_GROUPS."""
    groups = [_arg_group(method, group) for group in (merged or {}).get("arg_groups") or []]
    return groups + EXTRA_ARG_GROUPS.get(method, [])


def build_method(method: str, reference: Path) -> dict[str, Any]:
    """Build the catalog entry of one method."""
    docs = json.loads((reference / "docs.slack.dev" / f"{method}.json").read_text())
    merged_path = reference / "with-common-errors" / f"{method}.json"
    merged = json.loads(merged_path.read_text()) if merged_path.exists() else None

    args = docs.get("args") or {}
    properties = sorted(args.get("properties", {}))
    required = [a for a in args.get("required", []) if a != "token"]
    optional = [a for a in properties if a not in required and a != "token"]
    method_errors: dict[str, object] = docs.get("errors") or {}
    all_errors: dict[str, object] = {**method_errors, **((merged or {}).get("errors") or {})}

    scope = docs.get("scope") or {}
    bot_scopes = list(scope.get("bot", [])) if isinstance(scope, dict) else []
    rule, by_type = _scope_rule(bot_scopes)

    entry = {
        "http_method": docs.get("http_method", "POST"),
        "tier": TIERS.get(str(docs.get("rate_limits")), "special"),
        "json_input_supported": docs.get("json_input_supported"),
        "required": required,
        "optional": optional,
        "arg_groups": _arg_groups(method, merged),
        "missing_arg_errors": {arg: _missing_arg_error(method, arg, all_errors) for arg in required},
        "bot_scopes": bot_scopes,
        "scope_rule": rule,
        "scope_by_channel_type": by_type,
        "token_type": "bot",
        "errors": sorted(method_errors),
        "common_errors": sorted(set(all_errors) - set(method_errors)),
    }
    entry.update(TOKEN_TYPE_OVERRIDES.get(method, {}))
    return entry


def main() -> None:
    """Write methods.json from the method reference folder given on the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("reference", type=Path, help="path to shared/slack-specs/method-reference")
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("methods.json"))
    options = parser.parse_args()
    catalog = {
        "_source": (
            "Derived by bot/sandbox/data/build_methods.py from Slack's method reference JSON "
            "(docs.slack.dev/reference/methods/<method>.json as mirrored by slack-ruby/slack-api-ref "
            "f4837c0cb6dba1b1122ce66a5b69195ce47213f8, MIT). See NOTICE.md. Regenerate rather than edit."
        ),
        "methods": {method: build_method(method, options.reference) for method in METHODS},
    }
    options.out.write_text(json.dumps(catalog, indent=1, sort_keys=True) + "\n")
    logging.basicConfig(level=logging.INFO)
    logger.info("wrote %d methods to %s", len(catalog["methods"]), options.out)


if __name__ == "__main__":
    main()
