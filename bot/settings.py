"""Settings from the environment or `.env` (pydantic-settings). Secrets are SecretStr and never logged."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

README_HINT = "set it in the environment or in .env (see README → Configuration)"


class SettingsError(Exception):
    """A required setting is missing or invalid; the message is one line for the operator."""


class Settings(BaseSettings):
    """Everything `rapport` reads from its environment."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    slack_bot_token: SecretStr = Field(description="Bot token (xoxb-…), from OAuth & Permissions.")
    slack_signing_secret: SecretStr | None = Field(
        default=None, description="Signing secret, from Basic Information (required in HTTP mode)."
    )
    slack_app_token: SecretStr | None = Field(
        default=None, description="App-level token (xapp-…) with connections:write; enables Socket Mode."
    )
    slack_client_id: str | None = None
    slack_client_secret: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    database_url: str = "sqlite:///rapport.db"
    port: int = 3000

    rapport_sweep_seconds: int = Field(default=30, ge=1)
    rapport_log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    rapport_http_threads: int = Field(default=8, ge=1, le=64)
    rapport_after_ack_threads: int = Field(default=2, ge=1, le=64)  # sized by bench/ack_latency.py
    rapport_directory_ttl_hours: float = Field(default=12.0, gt=0)
    # Follow-up delivery (see docs/architecture.md → Scheduled work).
    rapport_slack_posts_per_second: float = Field(default=5.0, gt=0)
    rapport_sweep_batch: int = Field(default=200, ge=1, le=5000)
    rapport_sweep_threads: int = Field(default=8, ge=1, le=64)
    rapport_sweep_lease_seconds: int = Field(default=300, ge=5)

    @field_validator("slack_signing_secret", "slack_app_token", "slack_client_secret", "slack_client_id", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _required_secrets(self) -> Settings:
        if not self.slack_bot_token.get_secret_value().strip():
            raise SettingsError(f"Missing setting SLACK_BOT_TOKEN: {README_HINT}.")
        if self.slack_app_token is None and self.slack_signing_secret is None:
            raise SettingsError(
                "Missing setting SLACK_SIGNING_SECRET: it is required in HTTP mode (or set SLACK_APP_TOKEN for "
                f"Socket Mode); {README_HINT}."
            )
        return self

    @property
    def socket_mode(self) -> bool:
        """True when an app-level token is configured."""
        return self.slack_app_token is not None

    @property
    def api_url(self) -> str:
        """The Web API base URL with the trailing slash slack_sdk expects."""
        return self.slack_api_url if self.slack_api_url.endswith("/") else self.slack_api_url + "/"


def load_settings(**overrides: object) -> Settings:
    """Load settings, turning validation errors into one operator-friendly line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except SettingsError:
        raise
    except ValidationError as error:
        cause = next((e.get("ctx", {}).get("error") for e in error.errors() if e.get("ctx", {}).get("error")), None)
        if isinstance(cause, SettingsError):
            raise cause from None
        first = error.errors()[0]
        name = str(first["loc"][0]).upper() if first.get("loc") else ""
        if first.get("type") == "missing":
            raise SettingsError(f"Missing setting {name}: {README_HINT}.") from None
        message = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
        if name:
            raise SettingsError(f"Invalid setting {name}: {message}.") from None
        raise SettingsError(f"Invalid settings: {message}.") from None
