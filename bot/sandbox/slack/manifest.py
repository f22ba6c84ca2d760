"""The app's manifest.yml as the fake Slack plays by it: scopes, App Home switches, escaped commands, bot events."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[3]
# bot/sandbox/data/manifest.yml is a symlink to the repository's manifest.yml; building the package copies its
# content, so an installed Rapport (no repository around it) still plays Slack by its own manifest.
PACKAGED_MANIFEST = Path(__file__).resolve().parents[1] / "data" / "manifest.yml"


def read_manifest(path: Path | None = None) -> dict[str, Any] | None:
    """manifest.yml (the repository's, else the packaged copy) as a dict; None when there is no manifest."""
    manifest = path or REPO_ROOT / "manifest.yml"
    if path is None and not manifest.is_file():
        manifest = PACKAGED_MANIFEST
    if not manifest.is_file():
        return None
    import yaml

    data = yaml.safe_load(manifest.read_text(encoding="utf-8")) or {}
    return data if isinstance(data, dict) else {}


def manifest_bot_scopes(path: Path | None = None) -> set[str] | None:
    """The bot scopes declared in manifest.yml (repo root by default); None when there is no manifest."""
    data = read_manifest(path)
    if data is None:
        return None
    scopes = ((data.get("oauth_config") or {}).get("scopes") or {}).get("bot") or []
    return {str(scope) for scope in scopes}


def manifest_app_home(path: Path | None = None) -> dict[str, bool] | None:
    """features.app_home of manifest.yml (home/messages tab switches); None when there is no manifest."""
    data = read_manifest(path)
    if data is None:
        return None
    app_home = (data.get("features") or {}).get("app_home") or {}
    return {str(key): bool(value) for key, value in app_home.items()}


def manifest_escaped_commands(path: Path | None = None) -> set[str] | None:
    """Slash commands with should_escape: true (Slack sends mentions as <@U…|name>); None = no manifest."""
    data = read_manifest(path)
    if data is None:
        return None
    commands = (data.get("features") or {}).get("slash_commands") or []
    return {str(item.get("command")) for item in commands if isinstance(item, dict) and item.get("should_escape")}


def manifest_bot_events(path: Path | None = None) -> set[str] | None:
    """settings.event_subscriptions.bot_events of manifest.yml; None when there is no manifest."""
    data = read_manifest(path)
    if data is None:
        return None
    subscriptions = (data.get("settings") or {}).get("event_subscriptions") or {}
    return {str(event) for event in subscriptions.get("bot_events") or []}
