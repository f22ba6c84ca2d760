"""Settings from the environment or `.env` (pydantic-settings). Secrets are SecretStr and never logged."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    Field,
    ModelWrapValidatorHandler,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

README_HINT = "set it in the environment or in .env (see README → Configuration)"
OAUTH_SETTINGS = ("slack_client_id", "slack_client_secret", "rapport_encryption_key")
OAUTH_NAMES = tuple(name.upper() for name in OAUTH_SETTINGS)
# What manifest.yml's oauth_config asks for (tests/test_manifest.py keeps the two equal).
BOT_SCOPES = (
    "commands",
    "chat:write",
    "users:read",
    "channels:read",
    "groups:read",
    "mpim:write",
    "im:write",
    "im:history",
    "files:write",
)


class SettingsError(Exception):
    """Settings are missing or invalid: ``problems`` holds one line per setting, all of them, for the operator."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class Settings(BaseSettings):
    """Everything `rapport` reads from its environment."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    slack_bot_token: SecretStr | None = Field(
        default=None,
        description="Bot token (xoxb-…), from OAuth & Permissions: one workspace. Unset with OAuth installs.",
    )
    slack_signing_secret: SecretStr | None = Field(
        default=None, description="Signing secret, from Basic Information (required in HTTP mode)."
    )
    slack_app_token: SecretStr | None = Field(
        default=None, description="App-level token (xapp-…) with connections:write; enables Socket Mode."
    )
    slack_client_id: str | None = Field(
        default=None, description="Client ID, from Basic Information: with the secret and key, installs via OAuth."
    )
    slack_client_secret: SecretStr | None = Field(default=None, description="Client secret, from Basic Information.")
    slack_scopes: str = Field(
        default=",".join(BOT_SCOPES), description="Bot scopes an OAuth install asks for, comma-separated."
    )
    slack_redirect_uri: str | None = Field(
        default=None,
        description="OAuth redirect URL (https://…/slack/oauth_redirect); unset: the app's configured one.",
    )
    rapport_encryption_key: SecretStr | None = Field(
        default=None,
        description="Fernet keys for tokens at rest, comma-separated, newest first (`rapport keys generate`).",
    )
    slack_api_url: str = Field(
        default="https://slack.com/api/", description="Web API base URL (tests and the sandbox use a local fake)."
    )
    database_url: str = Field(
        default="sqlite:///rapport.db", description="SQLAlchemy URL: sqlite:///file.db or postgresql://user@host/db."
    )
    port: int = Field(default=3000, ge=1, le=65535, description="HTTP port in HTTP mode (also --port).")

    rapport_sweep_seconds: int = Field(default=30, ge=1)
    rapport_deactivated_retention_days: int = Field(
        default=90, ge=1, description="Days after someone is deactivated in Slack before Rapport forgets them."
    )
    rapport_uninstall_retention_days: int = Field(
        default=30, ge=1, description="Days after an uninstall before a workspace's data is purged (reinstall: kept)."
    )
    rapport_token_rotation_minutes: int = Field(
        default=120, ge=1, description="Refresh a rotating bot token this many minutes before it expires."
    )
    rapport_metrics_port: int = Field(
        default=9100, ge=1, le=65535, description="Worker role: port for GET /metrics and GET /healthz."
    )
    rapport_log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="DEBUG, INFO, WARNING or ERROR (Slack's and SQL libraries stay at INFO+)."
    )
    rapport_log_format: Literal["text", "json"] = Field(
        default="text", description="text, or json: one JSON object per line with the request's ids."
    )
    # A request holds its server thread while the replay guard writes its key and while its listener acks; under load
    # both wait (on SQLite for the one write lock), so 8 threads capped the acks below the bare framework's. 16 from
    # bench/ack_latency.py (docs/benchmarks.md): 24 acked faster still on SQLite but let PostgreSQL's acks run 6 s
    # ahead of the work after them.
    rapport_http_threads: int = Field(default=16, ge=1, le=64)
    # The work after an ack: each thread carries one command, so a shared transaction (the group commit) holds at most
    # this many meetings. 12 from bench/ack_latency.py (docs/benchmarks.md): with 6 the work on PostgreSQL fell behind
    # the acks at 250-400 commands/s (batches too small); 12 kept up with 325-450/s, at the price of slower acks in a
    # closed loop (more threads share the interpreter lock). In production each also waits out the reply's round trip.
    rapport_after_ack_threads: int = Field(default=12, ge=1, le=64)
    rapport_directory_ttl_hours: float = Field(default=12.0, gt=0)
    # Follow-up delivery (see docs/architecture.md → Scheduled work).
    rapport_slack_posts_per_second: float = Field(default=5.0, gt=0)
    rapport_sweep_batch: int = Field(default=200, ge=1, le=5000)
    rapport_sweep_threads: int = Field(default=8, ge=1, le=64)
    rapport_sweep_lease_seconds: int = Field(default=300, ge=5)

    @field_validator(
        "slack_bot_token",
        "slack_signing_secret",
        "slack_app_token",
        "slack_client_secret",
        "slack_client_id",
        "slack_redirect_uri",
        "rapport_encryption_key",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("rapport_log_level", "rapport_log_format", mode="before")
    @classmethod
    def _any_case(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        return value.strip().lower() if value.strip().lower() in {"text", "json"} else value.strip().upper()

    @field_validator("database_url")
    @classmethod
    def _usable_database_url(cls, value: str) -> str:
        from storage.db import check_url  # SQLAlchemy loads only when settings are read, not for `rapport --help`

        check_url(value)
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ValueError("expected an http(s) URL such as https://slack.com/api/")
        return value

    @model_validator(mode="wrap")
    @classmethod
    def _every_problem_at_once(cls, data: Any, handler: ModelWrapValidatorHandler[Settings]) -> Settings:
        # A wrap validator sees the raw values even when a field fails, so the cross-field rules are reported
        # together with the field errors instead of only after the operator has fixed those.
        problems = _missing_secrets(data) if isinstance(data, Mapping) else []
        try:
            settings = handler(data)
        except ValidationError as error:
            raise SettingsError(describe(error) + problems) from None
        if problems:
            raise SettingsError(problems)
        return settings

    @property
    def socket_mode(self) -> bool:
        """True when an app-level token is configured."""
        return self.slack_app_token is not None

    @property
    def oauth_enabled(self) -> bool:
        """True when OAuth installs are configured (client id, client secret and encryption key)."""
        return bool(self.slack_client_id and self.slack_client_secret and self.rapport_encryption_key)

    @property
    def bot_token(self) -> str:
        """The single workspace's bot token ('' with OAuth installs)."""
        return self.slack_bot_token.get_secret_value() if self.slack_bot_token else ""

    @property
    def scopes(self) -> list[str]:
        """The bot scopes an OAuth install asks for."""
        return [scope.strip() for scope in self.slack_scopes.split(",") if scope.strip()]

    @property
    def api_url(self) -> str:
        """The Web API base URL with the trailing slash slack_sdk expects."""
        return self.slack_api_url if self.slack_api_url.endswith("/") else self.slack_api_url + "/"


def _blank(value: Any) -> bool:
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    return value is None or (isinstance(value, str) and not value.strip())


def _missing_secrets(data: Mapping[str, Any]) -> list[str]:
    """The rules no single field can check; a bot token absent altogether is pydantic's own 'missing' error."""
    problems = []
    oauth = {name: not _blank(data.get(name)) for name in OAUTH_SETTINGS}
    if any(oauth.values()) and not all(oauth.values()):
        missing = ", ".join(name.upper() for name, present in oauth.items() if not present)
        problems.append(
            f"Missing setting {missing}: OAuth installs need all of {', '.join(OAUTH_NAMES)}; {README_HINT}."
        )
    if _blank(data.get("slack_bot_token")) and not all(oauth.values()):
        problems.append(
            f"Missing setting SLACK_BOT_TOKEN: {README_HINT} (or set {', '.join(OAUTH_NAMES)} for OAuth installs)."
        )
    if _blank(data.get("slack_app_token")) and _blank(data.get("slack_signing_secret")):
        problems.append(
            "Missing setting SLACK_SIGNING_SECRET: it is required in HTTP mode (or set SLACK_APP_TOKEN for "
            f"Socket Mode); {README_HINT}."
        )
    return problems


def describe(error: ValidationError) -> list[str]:
    """One line per failing setting; never the value itself (it may be a secret or hold a password)."""
    problems = []
    for item in error.errors(include_input=False, include_url=False):
        name = str(item["loc"][0]).upper() if item.get("loc") else "SETTINGS"
        if item.get("type") == "missing":
            problems.append(f"Missing setting {name}: {README_HINT}.")
        else:
            message = str(item.get("msg", "invalid value")).removeprefix("Value error, ")
            problems.append(f"Invalid setting {name}: {message}.")
    return problems


def load_settings(**overrides: object) -> Settings:
    """Load settings from the environment and .env; raises SettingsError listing every problem at once."""
    return Settings(**overrides)  # type: ignore[arg-type]
