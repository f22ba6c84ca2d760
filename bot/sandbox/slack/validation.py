"""Check a Web API call the way Slack does: known method, argument names, required arguments, bot scopes.

The rules come from ``data/methods.json``, derived from Slack's own method reference (see ``data/NOTICE.md``).
Pure: no I/O except reading the packaged JSON (and a manifest file in :func:`scopes_from_manifest`).

Order of checks in :meth:`MethodCatalog.check_call` (first failure wins), matching what Slack answers first:
``unknown_method`` -> ``invalid_arg_name`` -> ``not_allowed_token_type`` -> ``missing_scope`` -> missing required
argument (the method's own error, e.g. ``channel_not_found``) -> argument groups (``no_text``,
``markdown_text_conflict``, ``users_list_not_supplied``, ...). Authentication (``not_authed``/``invalid_auth``),
resource lookups, membership and Block Kit are the server's job (Block Kit: :mod:`bot.sandbox.blockkit`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Set
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml

Tier = int | Literal["special"]
ChannelType = Literal["public", "private", "im", "mpim"]

# `types` values of conversations.list / users.conversations -> channel type.
_CONVERSATION_TYPES: dict[str, ChannelType] = {
    "public_channel": "public",
    "private_channel": "private",
    "im": "im",
    "mpim": "mpim",
}
# Slack's invalid_arg_name: "names with non-alphanumeric characters other than _" and "very long names".
# The exact length bound is not documented; 100 is our choice (no real argument name comes close).
_ARG_NAME = re.compile(r"^[A-Za-z0-9_]{1,100}$")
_ALWAYS_ALLOWED_ARGS = frozenset({"token"})


@dataclass
class SlackError:
    """A Web API error answer: ``{"ok": false, "error": error, **extra}``."""

    error: str
    extra: dict[str, Any] = field(default_factory=dict)

    def to_body(self) -> dict[str, Any]:
        """Return the JSON body Slack would send for this error."""
        return {"ok": False, "error": self.error, **self.extra}


@dataclass(frozen=True)
class ArgGroup:
    """A rule over several arguments: at_least_one, exactly_one, or conflict (first excludes the others)."""

    kind: Literal["at_least_one", "exactly_one", "conflict"]
    args: tuple[str, ...]
    error: str


@dataclass(frozen=True)
class MethodSpec:
    """Everything the catalog knows about one Web API method."""

    name: str
    http_method: str
    tier: Tier
    required: tuple[str, ...]
    optional: tuple[str, ...]
    arg_groups: tuple[ArgGroup, ...]
    missing_arg_errors: Mapping[str, str]
    bot_scopes: tuple[str, ...]
    scope_rule: Literal["none", "all", "any_of", "by_channel_type"]
    scope_by_channel_type: Mapping[str, str]
    token_type: Literal["bot", "app", "none"]
    errors: frozenset[str]
    common_errors: frozenset[str]

    @property
    def arg_names(self) -> frozenset[str]:
        """Return every argument name Slack documents for the method, plus ``token``."""
        return frozenset(self.required) | frozenset(self.optional) | _ALWAYS_ALLOWED_ARGS


def _spec_from_json(name: str, raw: Mapping[str, Any]) -> MethodSpec:
    """Build a MethodSpec from its methods.json entry."""
    return MethodSpec(
        name=name,
        http_method=raw["http_method"],
        tier=raw["tier"],
        required=tuple(raw["required"]),
        optional=tuple(raw["optional"]),
        arg_groups=tuple(ArgGroup(g["kind"], tuple(g["args"]), g["error"]) for g in raw["arg_groups"]),
        missing_arg_errors=dict(raw["missing_arg_errors"]),
        bot_scopes=tuple(raw["bot_scopes"]),
        scope_rule=raw["scope_rule"],
        scope_by_channel_type=dict(raw["scope_by_channel_type"]),
        token_type=raw["token_type"],
        errors=frozenset(raw["errors"]),
        common_errors=frozenset(raw["common_errors"]),
    )


def _is_present(value: object) -> bool:
    """Tell whether an argument value counts as given (Slack treats an empty value like an absent one)."""
    return value is not None and value != "" and value != [] and value != {}


def _comma_list(value: object) -> list[str]:
    """Split a comma-separated argument (or accept a list) into its items."""
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in str(value).split(",") if part.strip()]


@cache
def _packaged_methods() -> dict[str, MethodSpec]:
    """Read and parse the packaged methods.json once per process."""
    text = resources.files("bot.sandbox").joinpath("data", "methods.json").read_text(encoding="utf-8")
    raw = json.loads(text)["methods"]
    return {name: _spec_from_json(name, entry) for name, entry in raw.items()}


class MethodCatalog:
    """The Web API methods the fake Slack knows, with Slack's rules for each."""

    def __init__(self, methods: Mapping[str, MethodSpec]) -> None:
        self._methods = dict(methods)

    @classmethod
    def load(cls) -> MethodCatalog:
        """Return the catalog built from the packaged ``data/methods.json``."""
        return cls(_packaged_methods())

    def __contains__(self, method: object) -> bool:
        return method in self._methods

    def names(self) -> list[str]:
        """Return the known method names, sorted."""
        return sorted(self._methods)

    def spec(self, method: str) -> MethodSpec:
        """Return the spec of a known method (KeyError for an unknown one)."""
        return self._methods[method]

    def tier(self, method: str) -> Tier:
        """Return the rate-limit tier of a known method: 1..4 or ``"special"`` (KeyError if unknown)."""
        return self._methods[method].tier

    def unknown_args(self, method: str, args: Mapping[str, object]) -> list[str]:
        """Return argument names Slack does not document for the method (Slack ignores them; we only warn)."""
        spec = self._methods.get(method)
        if spec is None:
            return []
        return sorted(name for name in args if name not in spec.arg_names)

    def check_call(
        self,
        method: str,
        args: Mapping[str, object],
        granted_scopes: Set[str],
        *,
        channel_type: ChannelType | None = None,
        token_type: Literal["bot", "user", "app"] = "bot",
    ) -> SlackError | None:
        """Return the error Slack would answer for this call's method, arguments and scopes, or None if fine.

        ``channel_type`` (when the server knows the conversation) makes ``missing_scope`` name the scope for that
        type, as Slack does (e.g. ``needed: groups:history`` for a private channel).
        """
        spec = self._methods.get(method)
        if spec is None:
            return SlackError("unknown_method")
        bad_names = sorted(name for name in args if not _ARG_NAME.match(name))
        if bad_names:
            return SlackError("invalid_arg_name")
        if spec.token_type == "app" and token_type != "app":
            return SlackError("not_allowed_token_type")
        if spec.token_type == "bot" and token_type == "app":
            return SlackError("not_allowed_token_type")
        if spec.token_type == "bot":
            scope_error = self._check_scopes(spec, args, granted_scopes, channel_type)
            if scope_error is not None:
                return scope_error
        for name in spec.required:
            if not _is_present(args.get(name)):
                code = spec.missing_arg_errors.get(name, "invalid_arguments")
                return _argument_error(code, f"missing required field: {name}")
        for group in spec.arg_groups:
            error = _check_group(group, args)
            if error is not None:
                return error
        return None

    def needed_scopes(
        self, method: str, args: Mapping[str, object], channel_type: ChannelType | None = None
    ) -> list[list[str]]:
        """Return the scope alternatives of a call: it is allowed when every scope of one inner list is granted."""
        spec = self._methods[method]
        if spec.token_type != "bot" or spec.scope_rule == "none":
            return [[]]
        if spec.scope_rule == "all":
            return [list(spec.bot_scopes)]
        if spec.scope_rule == "by_channel_type":
            kinds = _channel_types_of_call(method, args, channel_type)
            if kinds:
                return [[spec.scope_by_channel_type[kind] for kind in kinds if kind in spec.scope_by_channel_type]]
        return [[scope] for scope in spec.bot_scopes]

    def _check_scopes(
        self,
        spec: MethodSpec,
        args: Mapping[str, object],
        granted: Set[str],
        channel_type: ChannelType | None,
    ) -> SlackError | None:
        """Return missing_scope when no alternative of the needed scopes is fully granted."""
        alternatives = self.needed_scopes(spec.name, args, channel_type)
        if any(all(scope in granted for scope in option) for option in alternatives):
            return None
        if len(alternatives) == 1:
            needed = [scope for scope in alternatives[0] if scope not in granted]
        else:
            needed = [option[0] for option in alternatives]
        return SlackError("missing_scope", {"needed": ",".join(needed), "provided": ",".join(sorted(granted))})


def _channel_types_of_call(
    method: str, args: Mapping[str, object], channel_type: ChannelType | None
) -> list[ChannelType]:
    """Work out which conversation types a call touches, when it can be known."""
    if channel_type is not None:
        return [channel_type]
    if method in ("conversations.list", "users.conversations"):
        # `types` defaults to public_channel; every requested type needs its own read scope (an unknown type is
        # Slack's invalid_types, which the server reports).
        requested = _comma_list(args.get("types") or "public_channel")
        return [_CONVERSATION_TYPES[t] for t in requested if t in _CONVERSATION_TYPES]
    if method == "conversations.open" and _is_present(args.get("users")) and not _is_present(args.get("channel")):
        return ["im"] if len(_comma_list(args["users"])) == 1 else ["mpim"]
    return []


def _argument_error(code: str, message: str) -> SlackError:
    """Build an argument error; schema-validated methods also explain themselves in response_metadata."""
    if code == "invalid_arguments":
        return SlackError(code, {"response_metadata": {"messages": [f"[ERROR] {message}"]}})
    return SlackError(code)


def _check_group(group: ArgGroup, args: Mapping[str, object]) -> SlackError | None:
    """Apply one argument-group rule."""
    present = [name for name in group.args if _is_present(args.get(name))]
    if group.kind == "at_least_one" and not present:
        return _argument_error(group.error, f"one of {', '.join(group.args)} is required")
    if group.kind == "exactly_one" and len(present) != 1:
        return _argument_error(group.error, f"exactly one of {', '.join(group.args)} is required")
    if group.kind == "conflict" and group.args[0] in present and len(present) > 1:
        others = ", ".join(group.args[1:])
        return _argument_error(group.error, f"{group.args[0]} cannot be used with {others}")
    return None


def scopes_from_manifest(path: str | Path) -> set[str]:
    """Return the bot scopes (``oauth_config.scopes.bot``) a manifest.yml grants."""
    manifest = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    scopes = ((manifest.get("oauth_config") or {}).get("scopes") or {}).get("bot") or []
    return {str(scope) for scope in scopes}
