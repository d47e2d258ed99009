"""All of newsbot's configuration, in one pydantic-settings class.

Sources, highest priority first: keyword arguments (tests), environment
variables prefixed ``NEWSBOT_``, then one TOML file, the first found of
(:func:`find_config_file`):

1. the file named by ``NEWSBOT_CONFIG`` (it must exist);
2. ``./newsbot.toml`` in the current folder;
3. ``newsbot.toml`` in the user config folder (``platformdirs``: on Linux
   ``$XDG_CONFIG_HOME/newsbot``, default ``~/.config/newsbot``);
4. ``/etc/newsbot/newsbot.toml`` (a system-wide install).

Data (the SQLite file) lives in the data folder (:func:`default_data_dir`):
``NEWSBOT_DATA_DIR``; else the folder systemd names in ``$STATE_DIRECTORY``
(a unit with ``StateDirectory=newsbot``); else ``/var/lib/newsbot`` when that
folder exists and this user may write to it (how an operator marks the machine
as a service host); else the platform's user data folder.

Secrets (tokens, signing secrets) are read from the environment only: a
secret anywhere in the TOML file is a configuration error, so it cannot be
committed by accident. An unknown ``NEWSBOT_*`` variable is a warning naming
the closest known one. Nothing here is read at import time: ``load_settings()``
is called by the composition root.
"""

from __future__ import annotations

import difflib
import logging
import os
import re
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from bot.errors import ConfigError

logger = logging.getLogger(__name__)

APP_NAME = "newsbot"
CONFIG_FILE_NAME = "newsbot.toml"
DATABASE_FILE_NAME = "newsbot.db"
SERVICE_DATA_DIR = Path("/var/lib/newsbot")
SYSTEM_CONFIG_FILE = Path("/etc/newsbot/newsbot.toml")
SECRET_FIELDS = frozenset(
    {
        "telegram_token",
        "telegram_webhook_secret",
        "slack_bot_token",
        "slack_signing_secret",
        "slack_app_token",
    }
)
# NEWSBOT_* variables that are not settings fields but are read elsewhere (the
# scripts, the test suite). Anything else with the prefix is reported as a typo.
OTHER_ENV_VARS = frozenset(
    {
        "NEWSBOT_CONFIG",
        "NEWSBOT_VENV",
        "NEWSBOT_TORCH_VERSION",
        "NEWSBOT_TEST_POSTGRES_URL",
        "NEWSBOT_FUZZ_EXAMPLES",  # tests/fuzz: examples per property
        "NEWSBOT_CHECK_SOURCE",  # scripts/check-install.sh, bench/install.sh
    }
)
# What Telegram accepts as a webhook secret_token (setWebhook): 1-256 of these.
_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


def default_data_dir(environ: Mapping[str, str] | None = None) -> tuple[Path, str]:
    """The data folder and why it was chosen (see the module docstring for the order)."""
    env = os.environ if environ is None else environ
    named = env.get("NEWSBOT_DATA_DIR", "").strip()
    if named:
        return Path(named).expanduser(), "NEWSBOT_DATA_DIR"
    state = env.get("STATE_DIRECTORY", "").strip()
    if state:  # systemd: StateDirectory=newsbot (several are separated by ':')
        return Path(state.split(":")[0]), "STATE_DIRECTORY (systemd)"
    if SERVICE_DATA_DIR.is_dir() and os.access(SERVICE_DATA_DIR, os.W_OK | os.X_OK):
        return SERVICE_DATA_DIR, f"{SERVICE_DATA_DIR} exists (service install)"
    import platformdirs

    return platformdirs.user_data_path(APP_NAME), "user data folder"


def config_candidates(
    environ: Mapping[str, str] | None = None, cwd: Path | None = None
) -> Iterator[tuple[Path, str]]:
    """The config files looked for, in order, each with a short reason."""
    import platformdirs

    env = os.environ if environ is None else environ
    named = env.get("NEWSBOT_CONFIG", "").strip()
    if named:
        yield Path(named).expanduser(), "NEWSBOT_CONFIG"
        return
    yield (cwd or Path.cwd()) / CONFIG_FILE_NAME, "current folder"
    yield platformdirs.user_config_path(APP_NAME) / CONFIG_FILE_NAME, "user config folder"
    yield SYSTEM_CONFIG_FILE, "system config"


def find_config_file(
    environ: Mapping[str, str] | None = None, cwd: Path | None = None
) -> tuple[Path | None, str]:
    """The config file in use and why; ``(None, ...)`` when there is none.

    ``NEWSBOT_CONFIG`` naming a missing file is an error, not a fallback: a typo
    there would otherwise run with defaults unnoticed."""
    for path, why in config_candidates(environ, cwd):
        if why == "NEWSBOT_CONFIG":
            if not path.is_file():
                raise ConfigError(f"config file not found: {path} (named by NEWSBOT_CONFIG)")
            return path, why
        if path.is_file():
            return path, why
    return None, "none found; defaults and NEWSBOT_* variables"


def _walk_keys(table: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    """(dotted table name, key) for every key at every depth of a TOML document."""
    for key, value in table.items():
        yield prefix, key
        if isinstance(value, dict):
            yield from _walk_keys(value, f"{prefix}.{key}" if prefix else key)


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
        for where, key in _walk_keys(raw):
            if key in SECRET_FIELDS:
                place = f" (in [{where}])" if where and where != "newsbot" else ""
                raise ConfigError(
                    f"config file {path}: {key!r}{place} is a secret; secrets are read from the "
                    f"environment only: set NEWSBOT_{key.upper()} instead"
                )
        table = raw.get("newsbot", raw)
        if not isinstance(table, dict):
            raise ConfigError(f"config file {path}: [newsbot] must be a table")
        outside = sorted(k for k in raw if k != "newsbot") if "newsbot" in raw else []
        if outside:
            raise ConfigError(
                f"config file {path}: {outside[0]!r} is outside the [newsbot] table, where "
                "newsbot would ignore it; move it under [newsbot]"
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
    data_dir: Path = Field(
        default_factory=lambda: default_data_dir()[0],
        description="folder for the SQLite database (see default_data_dir for the default)",
    )
    database_url: str = Field(
        "",
        description="SQLAlchemy URL; sqlite:///path or postgresql://... "
        "(default: sqlite:///<data_dir>/newsbot.db)",
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
        45.0, gt=0, le=600,
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

    # access (bot/commands/access.py, bot/commands/quotas.py)
    allowed_users: Annotated[tuple[str, ...], NoDecode] = Field(
        (), description="who may use the bot anywhere: Telegram user ids or @usernames, Slack "
        "user ids; comma-separated in the environment (empty, with allowed_chats empty: everyone)",
    )
    allowed_chats: Annotated[tuple[str, ...], NoDecode] = Field(
        (), description="chats where everyone may use the bot: Telegram chat ids or @names, "
        "Slack channel ids; comma-separated in the environment",
    )
    summary_quota_per_hour: int = Field(
        20, ge=0, le=100_000, description="/summary requests per user per hour (0: no quota)")
    subscribe_quota_per_hour: int = Field(
        10, ge=0, le=100_000, description="/subscribe requests per user per hour (0: no quota)")
    summary_concurrency: int = Field(
        2, ge=1, le=64, description="on-demand summaries (/summary) run at once, per process; "
        "more wait in a queue, so a burst cannot starve digests")
    summary_queue_max: int = Field(
        50, ge=0, le=10_000, description="on-demand summaries that may wait for a slot; "
        "beyond that the user is asked to try again in a minute")
    # task engine (several processes and machines on PostgreSQL: docs/deployment.md)
    engine: Literal["auto", "local", "procrastinate"] = Field(
        "auto",
        description="where the work runs: 'local' (one process: scheduler and outbox in "
        "'newsbot run'), 'procrastinate' (jobs on PostgreSQL shared by any number of "
        "'newsbot run' and 'newsbot worker' processes); 'auto' picks procrastinate on "
        "PostgreSQL and local on SQLite",
    )
    engine_concurrency: int = Field(16, ge=1, le=256,
                                    description="jobs one engine process runs at once")

    # delivery
    outbox_max_unconfirmed: int = Field(
        32,
        ge=1,
        le=1000,
        description="sends that may be in flight or awaiting their 'sent' mark at once: a crash "
        "can send at most this many messages twice (docs/delivery.md); 1 is safest, and slowest",
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

    @model_validator(mode="before")
    @classmethod
    def _database_in_data_dir(cls, data: Any) -> Any:
        """No database_url from any source: the SQLite file in the data folder."""
        if isinstance(data, dict) and not data.get("database_url"):
            folder = str(data.get("data_dir") or "").strip() or default_data_dir()[0]
            path = Path(folder).expanduser().absolute() / DATABASE_FILE_NAME
            data = {**data, "database_url": f"sqlite:///{path}"}
        return data

    @field_validator("data_dir", mode="before")
    @classmethod
    def _absolute_data_dir(cls, value: Any) -> Path:
        if value is None or not str(value).strip():  # NEWSBOT_DATA_DIR="" means the default
            return default_data_dir()[0].absolute()
        return Path(value).expanduser().absolute()

    @field_validator("allowed_users", "allowed_chats", mode="before")
    @classmethod
    def _id_list(cls, value: Any) -> Any:
        """``"123, @alice U0ABC"`` (environment) or a TOML list -> a tuple of entries."""
        if isinstance(value, str):
            return tuple(v for v in re.split(r"[,\s]+", value) if v)
        return value

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if not value.startswith(("sqlite", "postgresql", "postgres://")):
            raise ValueError("must start with sqlite:// or postgresql://")
        return value

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _telegram_accepts_secret(cls, value: SecretStr | None) -> SecretStr | None:
        """Telegram's setWebhook refuses other characters, which would otherwise surface
        as a failed webhook long after start-up."""
        secret = value.get_secret_value() if value is not None else ""
        if secret and not _WEBHOOK_SECRET.fullmatch(secret):
            raise ValueError(
                "Telegram accepts 1-256 characters from A-Z a-z 0-9 _ - only "
                "(e.g. the output of: openssl rand -hex 32)"
            )
        return value

    @property
    def sqlite_path(self) -> Path | None:
        """The database file when the database is SQLite (None for PostgreSQL, :memory:)."""
        return sqlite_file(self.database_url)

    @property
    def database_in_data_dir(self) -> bool:
        """True when the database is the default SQLite file inside ``data_dir``."""
        path = self.sqlite_path
        return path is not None and path.parent == self.data_dir

    @property
    def engine_enabled(self) -> bool:
        """Whether jobs run on the task engine (see ``engine``)."""
        postgres = not self.database_url.startswith("sqlite")
        if self.engine == "procrastinate" and not postgres:
            raise ConfigError("NEWSBOT_ENGINE=procrastinate needs a postgresql:// database URL")
        return self.engine == "procrastinate" or (self.engine == "auto" and postgres)

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
        return (init_settings, env_settings, _TomlSource(settings_cls, find_config_file()[0]))


def sqlite_file(url: str) -> Path | None:
    """The file of a ``sqlite:///`` URL (relative or absolute), else None."""
    m = re.match(r"sqlite(?:\+\w+)?:///([^?]*)", url)
    if not m or m.group(1) in ("", ":memory:"):
        return None
    return Path(m.group(1)).absolute()


def redact_url(url: str) -> str:
    """A database URL fit to print: the password replaced by ***."""
    return re.sub(r"^([a-z0-9+]+://[^:/@]*:)[^@/]*@", r"\1***@", url, flags=re.IGNORECASE)


def unknown_env_vars(environ: Mapping[str, str] | None = None) -> list[str]:
    """One warning per NEWSBOT_* variable that no setting reads, naming the closest
    known one (a typo would otherwise be ignored in silence)."""
    env = os.environ if environ is None else environ
    known = {f"NEWSBOT_{name.upper()}" for name in Settings.model_fields} | OTHER_ENV_VARS
    warnings = []
    for name in sorted(env):
        upper = name.upper()
        if not upper.startswith("NEWSBOT_") or upper in known:
            continue
        # compared without the shared prefix, which would make every name look close
        close = difflib.get_close_matches(upper[8:], sorted(k[8:] for k in known), n=1, cutoff=0.6)
        hint = (f"did you mean NEWSBOT_{close[0]}?" if close
                else "see 'newsbot config example' for the settings")
        warnings.append(f"unknown variable {name} is ignored; {hint}")
    return warnings


def describe(settings: Settings) -> str:
    """One line for start-up: which database and which config file are in use."""
    config, why = find_config_file()
    where = f"{config} ({why})" if config else why
    db = redact_url(settings.database_url)
    if settings.database_in_data_dir:
        folder, reason = default_data_dir()
        if folder.expanduser().absolute() != settings.data_dir:
            reason = "data_dir in the config file"
        db += f" (data folder from {reason})"
    return f"database {db}; config {where}"


def load_settings(**overrides: Any) -> Settings:
    """Build the settings, turning any validation error into one clear line, and warn
    about NEWSBOT_* variables that nothing reads."""
    try:
        settings = Settings(**overrides)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err.get("loc", ())) or "?"
        msg = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
        raise ConfigError(f"invalid setting {key} (NEWSBOT_{key.upper()}): {msg}") from None
    for warning in unknown_env_vars():
        logger.warning(warning)
    return settings
