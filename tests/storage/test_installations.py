"""The installation and OAuth-state stores on real SQLite and PostgreSQL: tokens encrypted at rest, keys rotated,
states expiring."""

from __future__ import annotations

import time

import pytest
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import Engine, text

from storage.installations import EncryptedInstallationStore, OAuthStateStore
from storage.secrets import EncryptionKeyError, TokenCipher

OLD_KEY, NEW_KEY = TokenCipher.generate_key(), TokenCipher.generate_key()


def install(team_id: str, token: str = "xoxb-111-222-secret", refresh: str | None = "xoxe-1-refresh") -> Installation:
    return Installation(
        app_id="A0RAPPORT1",
        team_id=team_id,
        team_name="Acme",
        bot_token=token,
        bot_id="B0RAPPORT1",
        bot_user_id="U0RAPPORTB",
        bot_scopes="chat:write,commands",
        bot_refresh_token=refresh,
        bot_token_expires_at=int(time.time()) + 43_200,
        user_id="U0INSTALL1",
        user_token="xoxp-333-user",
        installed_at=time.time(),
    )


def raw_text(engine: Engine, team_id: str) -> str:
    """Everything stored about the workspace in both tables, as text (what a database dump would show)."""
    with engine.connect() as connection:
        rows = [
            *connection.execute(text("SELECT * FROM slack_installations WHERE team_id = :t"), {"t": team_id}),
            *connection.execute(text("SELECT * FROM slack_bots WHERE team_id = :t"), {"t": team_id}),
        ]
    assert rows, "the install was stored"
    return repr(rows)


def test_tokens_are_encrypted_at_rest_and_read_back_plain(engine: Engine, team_id: str) -> None:
    store = EncryptedInstallationStore("111.222", engine, TokenCipher([NEW_KEY]))
    store.save(install(team_id))
    stored = raw_text(engine, team_id)
    for secret in ("xoxb-", "xoxe-", "xoxp-", "secret"):
        assert secret not in stored
    assert "fernet:" in stored
    bot = store.find_bot(enterprise_id=None, team_id=team_id)
    assert bot is not None and bot.bot_token == "xoxb-111-222-secret" and bot.bot_refresh_token == "xoxe-1-refresh"
    found = store.find_installation(enterprise_id=None, team_id=team_id)
    assert found is not None and found.user_token == "xoxp-333-user"
    assert store.find_bot(enterprise_id=None, team_id=team_id + "X") is None


def test_a_rotated_token_replaces_the_old_one(engine: Engine, team_id: str) -> None:
    store = EncryptedInstallationStore("111.222", engine, TokenCipher([NEW_KEY]))
    store.save(install(team_id))
    refreshed = install(team_id, token="xoxe.xoxb-1-rotated", refresh="xoxe-1-next")
    store.save(refreshed)  # what Bolt's token rotation does with the refreshed install
    bot = store.find_bot(enterprise_id=None, team_id=team_id)
    assert bot is not None and (bot.bot_token, bot.bot_refresh_token) == ("xoxe.xoxb-1-rotated", "xoxe-1-next")
    assert "rotated" not in raw_text(engine, team_id)


def test_keys_rotate_without_losing_a_token(engine: Engine, team_id: str) -> None:
    EncryptedInstallationStore("111.222", engine, TokenCipher([OLD_KEY])).save(install(team_id))
    both = EncryptedInstallationStore("111.222", engine, TokenCipher([NEW_KEY, OLD_KEY]))
    assert both.rotate_keys() >= 2
    only_new = EncryptedInstallationStore("111.222", engine, TokenCipher([NEW_KEY]))
    bot = only_new.find_bot(enterprise_id=None, team_id=team_id)
    assert bot is not None and bot.bot_token == "xoxb-111-222-secret"
    only_old = EncryptedInstallationStore("111.222", engine, TokenCipher([OLD_KEY]))
    with pytest.raises(EncryptionKeyError, match="not in RAPPORT_ENCRYPTION_KEY"):
        only_old.find_bot(enterprise_id=None, team_id=team_id)


def test_bad_keys_are_refused_in_words() -> None:
    with pytest.raises(EncryptionKeyError, match="Fernet keys"):
        TokenCipher.from_setting("not-a-key")
    with pytest.raises(EncryptionKeyError, match="empty"):
        TokenCipher.from_setting(" , ")
    cipher = TokenCipher.from_setting(f"{NEW_KEY}, {OLD_KEY}")
    assert cipher.decrypt(cipher.encrypt("xoxb-1")) == "xoxb-1"
    assert cipher.decrypt("xoxb-plain-from-before") == "xoxb-plain-from-before"
    assert cipher.encrypt(None) is None


def test_oauth_states_are_single_use_and_expire(engine: Engine) -> None:
    states = OAuthStateStore(engine, expiration_seconds=600)
    state = states.issue()
    assert states.consume(state) is True
    assert states.consume(state) is False, "single use"
    expired = OAuthStateStore(engine, expiration_seconds=-1)
    assert expired.consume(expired.issue()) is False
