"""All of newsbot's configuration, in one pydantic-settings class.

Sources, highest priority first: keyword arguments (tests), environment
variables prefixed ``NEWSBOT_``, then the TOML file named by
``NEWSBOT_CONFIG`` (default ``config/newsbot.toml`` when it exists).
Secrets (tokens, signing secrets) are read from the environment only: a
secret in the TOML file is a configuration error, so it cannot be committed
by accident. Nothing here is read at import time: ``load_settings()`` is
called by the composition root.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from bot.errors import ConfigError

DEFAULT_CONFIG_FILE = Path("config/newsbot.toml")
SECRET_FIELDS = frozenset(
    {
        "telegram_token",
        "telegram_webhook_secret",
        "slack_bot_token",
        "slack_signing_secret",
        "slack_app_token",
    }
)


class _TomlSource(PydanticBaseSettingsSource):
    """Reads non-secret settings from a TOML file (flat keys, or a [newsbot] table)."""

    def __init__(self, settings_cls: type[BaseSettings], path: Path | None) -> None:
        super().__init__(settings_cls)
        self.path = path
        self.data: dict[str, Any] = {}
        if path is None:
            return
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"config file not found: {path}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
        table = raw.get("newsbot", raw)
        if not isinstance(table, dict):
            raise ConfigError(f"config file {path}: [newsbot] must be a table")
        for key in table:
            if key in SECRET_FIELDS:
                raise ConfigError(
                    f"config file {path}: {key!r} is a secret; set NEWSBOT_{key.upper()} "
                    "in the environment instead"
                )
        known = set(settings_cls.model_fields)
        unknown = sorted(k for k in table if k not in known)
        if unknown:
            raise ConfigError(f"config file {path}: unknown setting {unknown[0]!r}")
        self.data = dict(table)

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return self.data.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self.data)


class Settings(BaseSettings):
    """newsbot settings. Every field can be set as ``NEWSBOT_<FIELD>``."""

    model_config = SettingsConfigDict(
        env_prefix="NEWSBOT_", extra="ignore", validate_default=True, frozen=True
    )

    # storage
    database_url: str = Field(
        "sqlite:///newsbot.db",
        description="SQLAlchemy URL; sqlite:///path (default ./newsbot.db) or postgresql://...",
    )

    # fetching
    fetch_allow_private_networks: bool = Field(
        False, description="allow fetching loopback/private addresses (tests, demo, intranets)"
    )
    fetch_timeout_s: float = Field(15.0, gt=0, le=300)
    fetch_max_bytes: int = Field(10 * 1024 * 1024, gt=1024)
    fetch_max_redirects: int = Field(5, ge=0, le=20)
    fetch_per_host_concurrency: int = Field(4, ge=1, le=64)
    fetch_concurrency: int = Field(32, ge=1, le=1024)
    fetch_deadline_s: float = Field(
        30.0, gt=0, le=600, description="total time for one fetch, redirects included"
    )
    discovery_deadline_s: float = Field(
        50.0, gt=0, le=600,
        description="total time to find a feed behind a pasted URL (all candidates tried)",
    )
    feed_max_entries: int = Field(
        500, ge=1, le=100_000, description="entries taken per feed per poll (newest first)"
    )
    user_agent: str = Field(
        "newsbot/0.1 (+https://github.com/newsbot/newsbot; self-hosted news digest bot)"
    )

    # polling
    poll_interval_minutes: int = Field(15, ge=1, le=24 * 60)
    poll_min_interval_minutes: int = Field(5, ge=1, le=24 * 60)
    feed_max_failures: int = Field(
        20, ge=1, description="consecutive failures before a feed is deactivated"
    )

    # summarization
    summarizer: Literal["extractive", "abstractive"] = "extractive"
    summarizer_model: str | None = Field(
        None, description="hub id or local path of a seq2seq model for the abstractive engine"
    )
    key_points: int = Field(3, ge=1, le=10)
    key_quotes: int = Field(2, ge=0, le=10)

    # stories: the same news from several outlets is one story (docs/stories.md)
    story_window_hours: float = Field(
        72, gt=0, le=24 * 30,
        description="an article joins a story only if every article in it is this close in time",
    )
    story_join: float = Field(
        0.425, ge=0, le=1,
        description="similarity needed to join a story (higher: fewer, surer merges)",
    )
    story_update_novelty: float = Field(
        0.5, ge=0, le=1,
        description="share of a new article's weighted words absent from what a chat already got "
        "about its story for it to be shown once more, as an update (1 disables updates)",
    )

    # digests
    digest_max_stories: int = Field(10, ge=1, le=50)
    default_timezone: str = "UTC"

    # platforms (secrets: environment only)
    telegram_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None
    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    slack_members_can_manage: bool = Field(
        False,
        description="let every member of a Slack channel change its subscriptions, schedule "
        "and settings (default: only workspace admins and owners, and the channel's creator)",
    )

    http_host: str | None = Field(
        None, description="address of the HTTP server (default 127.0.0.1; 0.0.0.0 when PORT is set)"
    )
    http_port: int | None = Field(None, ge=1, le=65535)

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["text", "json"] = Field(
        "text", description="text: one readable line per record; json: one JSON object per line"
    )

    @field_validator("default_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA time zone {value!r}") from None
        return value

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if not value.startswith(("sqlite", "postgresql", "postgres://")):
            raise ValueError("must start with sqlite:// or postgresql://")
        return value

    @property
    def effective_http_host(self) -> str:
        """``NEWSBOT_HTTP_HOST``; else 0.0.0.0 when ``PORT`` is set (a PaaS router
        connects from outside); else 127.0.0.1 (behind a proxy on this host)."""
        if self.http_host:
            return self.http_host
        return "0.0.0.0" if os.environ.get("PORT", "").isdigit() else "127.0.0.1"

    @property
    def effective_http_port(self) -> int:
        """``NEWSBOT_HTTP_PORT``, else ``PORT`` (as PaaS hosts set it), else 8080."""
        if self.http_port is not None:
            return self.http_port
        port = os.environ.get("PORT", "")
        return int(port) if port.isdigit() else 8080

    @property
    def telegram_enabled(self) -> bool:
        return self.telegram_token is not None and bool(self.telegram_token.get_secret_value())

    @property
    def slack_enabled(self) -> bool:
        return self.slack_bot_token is not None and bool(self.slack_bot_token.get_secret_value())

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _TomlSource(settings_cls, _config_path()))


def _config_path() -> Path | None:
    named = os.environ.get("NEWSBOT_CONFIG")
    if named:
        return Path(named)
    return DEFAULT_CONFIG_FILE if DEFAULT_CONFIG_FILE.is_file() else None


def load_settings(**overrides: Any) -> Settings:
    """Build the settings, turning any validation error into one clear line."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err.get("loc", ())) or "?"
        raise ConfigError(
            f"invalid setting {key} (NEWSBOT_{key.upper()}): {err.get('msg', 'invalid value')}"
        ) from None
