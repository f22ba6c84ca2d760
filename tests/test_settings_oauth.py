"""Settings for OAuth installs: the three settings together replace SLACK_BOT_TOKEN; one without the others is named."""

from __future__ import annotations

import pytest

from bot.sandbox.slack.manifest import manifest_bot_scopes
from bot.settings import BOT_SCOPES, Settings, SettingsError
from storage.secrets import TokenCipher

BASE = {"_env_file": None, "slack_signing_secret": "s3cret", "database_url": "sqlite:///x.db"}


def settings(**values: object) -> Settings:
    return Settings(**{**BASE, **values})  # type: ignore[arg-type]


def test_oauth_settings_replace_the_bot_token() -> None:
    configured = settings(
        slack_client_id="111.222", slack_client_secret="shh", rapport_encryption_key=TokenCipher.generate_key()
    )
    assert configured.oauth_enabled and configured.bot_token == ""
    assert configured.rapport_uninstall_retention_days == 30
    assert configured.scopes == list(BOT_SCOPES)


def test_the_default_scopes_are_the_manifests() -> None:
    assert set(BOT_SCOPES) == set(manifest_bot_scopes() or ())


def test_single_workspace_mode_is_unchanged() -> None:
    configured = settings(slack_bot_token="xoxb-1")
    assert not configured.oauth_enabled and configured.bot_token == "xoxb-1"


def test_half_an_oauth_setup_names_what_is_missing() -> None:
    with pytest.raises(SettingsError) as raised:
        settings(slack_client_id="111.222")
    assert raised.value.problems[0].startswith("Missing setting SLACK_CLIENT_SECRET, RAPPORT_ENCRYPTION_KEY:")
    assert any(line.startswith("Missing setting SLACK_BOT_TOKEN") for line in raised.value.problems)


def test_no_token_and_no_oauth_names_the_bot_token() -> None:
    with pytest.raises(SettingsError) as raised:
        settings()
    assert [line.split(":")[0] for line in raised.value.problems] == ["Missing setting SLACK_BOT_TOKEN"]
