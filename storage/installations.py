"""Where multi-workspace installs live: slack_sdk's SQLAlchemy installation and OAuth-state stores, in Rapport's own
database (tables from Alembic revision 0008), with every token encrypted at rest.

Decisions:

* Thin subclasses, not our own stores: Bolt's OAuth flow, token rotation and ``InstallationStoreAuthorize`` all speak
  slack_sdk's store interface, and its SQL is the field's convention. Only the token columns change: they are
  written encrypted (``TokenCipher``) and read back plain, and they are wider than the SDK's ``String(200)`` because a
  Fernet token of a 150-character refresh token does not fit there.
* The table definitions come from the SDK's builders, and ``storage.models`` registers them on Rapport's metadata, so
  the models-match-migrations test notices if a slack_sdk upgrade changes them.
"""

from __future__ import annotations

import copy
from typing import Any

from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine, MetaData, String, Table, select, update

from storage.secrets import TokenCipher

INSTALLATIONS_TABLE = "slack_installations"
BOTS_TABLE = "slack_bots"
OAUTH_STATES_TABLE = "slack_oauth_states"
TOKEN_COLUMN_LENGTH = 1000
INSTALLATION_TOKENS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")
BOT_TOKENS = ("bot_token", "bot_refresh_token")


def _widen(table: Table, columns: tuple[str, ...]) -> Table:
    for name in columns:
        table.c[name].type = String(TOKEN_COLUMN_LENGTH)
    return table


def installation_tables(metadata: MetaData) -> tuple[Table, Table]:
    """The installations and bots tables as Rapport stores them, on ``metadata``."""
    installations = SQLAlchemyInstallationStore.build_installations_table(metadata, INSTALLATIONS_TABLE)
    bots = SQLAlchemyInstallationStore.build_bots_table(metadata, BOTS_TABLE)
    return _widen(installations, INSTALLATION_TOKENS), _widen(bots, BOT_TOKENS)


def oauth_states_table(metadata: MetaData) -> Table:
    """The OAuth state table, on ``metadata``."""
    return SQLAlchemyOAuthStateStore.build_oauth_states_table(metadata, OAUTH_STATES_TABLE)


def _with(entity: Any, fields: tuple[str, ...], change: Any) -> Any:
    changed = copy.copy(entity)
    for name in fields:
        setattr(changed, name, change(getattr(entity, name, None)))
    return changed


class EncryptedInstallationStore(SQLAlchemyInstallationStore):
    """slack_sdk's SQLAlchemy installation store with tokens encrypted at rest."""

    def __init__(self, client_id: str, engine: Engine, cipher: TokenCipher) -> None:
        super().__init__(client_id, engine, bots_table_name=BOTS_TABLE, installations_table_name=INSTALLATIONS_TABLE)
        self._cipher = cipher

    @classmethod
    def build_installations_table(cls, metadata: MetaData, table_name: str) -> Table:
        """The SDK's table with wide token columns."""
        return _widen(super().build_installations_table(metadata, table_name), INSTALLATION_TOKENS)

    @classmethod
    def build_bots_table(cls, metadata: MetaData, table_name: str) -> Table:
        """The SDK's table with wide token columns."""
        return _widen(super().build_bots_table(metadata, table_name), BOT_TOKENS)

    def save(self, installation: Installation) -> None:
        """Store an install with its tokens encrypted."""
        super().save(_with(installation, INSTALLATION_TOKENS, self._cipher.encrypt))

    def save_bot(self, bot: Bot) -> None:
        """Store a bot with its tokens encrypted."""
        super().save_bot(_with(bot, BOT_TOKENS, self._cipher.encrypt))

    def find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        """The workspace's latest bot, tokens decrypted."""
        bot = super().find_bot(
            enterprise_id=enterprise_id, team_id=team_id, is_enterprise_install=is_enterprise_install
        )
        return None if bot is None else _with(bot, BOT_TOKENS, self._cipher.decrypt)

    def find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        """The workspace's (or user's) latest install, tokens decrypted."""
        found = super().find_installation(
            enterprise_id=enterprise_id, team_id=team_id, user_id=user_id, is_enterprise_install=is_enterprise_install
        )
        return None if found is None else _with(found, INSTALLATION_TOKENS, self._cipher.decrypt)

    def rotate_keys(self) -> int:
        """Re-encrypt every stored token with the newest key (plain ones get encrypted); returns rows changed."""
        changed = 0
        with self.engine.begin() as connection:
            for table, columns in ((self.installations, INSTALLATION_TOKENS), (self.bots, BOT_TOKENS)):
                rows = connection.execute(select(table.c.id, *(table.c[name] for name in columns))).mappings()
                for row in list(rows):
                    values = {name: self._cipher.rotate(row[name]) for name in columns}
                    if any(values[name] != row[name] for name in columns):
                        connection.execute(update(table).where(table.c.id == row["id"]).values(**values))
                        changed += 1
        return changed


class OAuthStateStore(SQLAlchemyOAuthStateStore):
    """slack_sdk's SQLAlchemy OAuth state store on Rapport's table; states expire after ``expiration_seconds``."""

    def __init__(self, engine: Engine, expiration_seconds: int = 600) -> None:
        super().__init__(expiration_seconds=expiration_seconds, engine=engine, table_name=OAUTH_STATES_TABLE)
