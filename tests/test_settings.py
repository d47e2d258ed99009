"""Settings: sources and their order, the data folder, validation at start-up."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from bot import settings as settings_module
from bot.errors import ConfigError
from bot.settings import (
    default_data_dir,
    describe,
    find_config_file,
    load_settings,
    redact_url,
    unknown_env_vars,
)

STARTER_CONFIG = Path(__file__).resolve().parents[1] / "bot" / "starter" / "newsbot.toml"


def test_defaults_are_sane(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no newsbot.toml here
    monkeypatch.delenv("PORT", raising=False)
    s = load_settings()
    data = Path(os.environ["NEWSBOT_DATA_DIR"])  # conftest's throwaway folder
    assert s.data_dir == data
    assert s.database_url == f"sqlite:///{data / 'newsbot.db'}"
    assert s.database_in_data_dir and s.sqlite_path == data / "newsbot.db"
    assert s.fetch_max_bytes == 10 * 1024 * 1024
    assert not s.fetch_allow_private_networks
    assert s.effective_http_port == 8080
    assert not s.telegram_enabled and not s.slack_enabled


def test_port_falls_back_to_paas_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "5005")
    assert load_settings().effective_http_port == 5005
    monkeypatch.setenv("NEWSBOT_HTTP_PORT", "7000")
    assert load_settings().effective_http_port == 7000


def test_invalid_value_names_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSBOT_KEY_POINTS", "lots")
    with pytest.raises(ConfigError, match="key_points"):
        load_settings()


def test_unknown_timezone_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSBOT_DEFAULT_TIMEZONE", "Mars/Olympus")
    with pytest.raises(ConfigError, match="default_timezone"):
        load_settings()


def test_secret_in_config_file_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    cfg = tmp_path / "n.toml"
    cfg.write_text('[newsbot]\ntelegram_token = "123:abc"\n')
    monkeypatch.setenv("NEWSBOT_CONFIG", str(cfg))
    with pytest.raises(ConfigError, match=r"telegram_token.*environment"):
        load_settings()


def test_unknown_key_and_bad_toml(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    cfg = tmp_path / "n.toml"
    cfg.write_text("[newsbot]\npoll_intervall = 3\n")
    monkeypatch.setenv("NEWSBOT_CONFIG", str(cfg))
    with pytest.raises(ConfigError, match="poll_intervall"):
        load_settings()
    cfg.write_text("[newsbot\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings()


def test_starter_config_file_is_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSBOT_CONFIG", str(STARTER_CONFIG))
    s = load_settings()
    assert s.summarizer == "extractive"
    assert s.database_in_data_dir  # the starter leaves the database where the data folder is


def test_secret_is_masked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSBOT_TELEGRAM_TOKEN", "123456:SECRET")
    s = load_settings()
    assert "SECRET" not in repr(s) and "SECRET" not in str(s.model_dump())
    assert s.telegram_enabled


# --------------------------------------------------------- data folder


def test_data_folder_order(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    service = tmp_path / "var-lib-newsbot"
    monkeypatch.setattr(settings_module, "SERVICE_DATA_DIR", service)
    env = {"NEWSBOT_DATA_DIR": str(tmp_path / "named"), "STATE_DIRECTORY": str(tmp_path / "state"),
           "XDG_DATA_HOME": str(tmp_path / "xdg")}
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_data_dir(env) == (tmp_path / "named", "NEWSBOT_DATA_DIR")
    del env["NEWSBOT_DATA_DIR"]
    assert default_data_dir(env) == (tmp_path / "state", "STATE_DIRECTORY (systemd)")
    del env["STATE_DIRECTORY"]
    folder, why = default_data_dir(env)  # /var/lib/newsbot absent: the user data folder
    assert folder == tmp_path / "xdg" / "newsbot" and why == "user data folder"
    service.mkdir()
    assert default_data_dir(env)[0] == service  # an operator made it: a service install


def test_empty_data_dir_variable_means_the_default(monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    monkeypatch.setenv("NEWSBOT_DATA_DIR", "")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(settings_module, "SERVICE_DATA_DIR", tmp_path / "absent")
    monkeypatch.chdir(tmp_path)
    s = load_settings()
    assert s.data_dir == tmp_path / "xdg" / "newsbot"  # not the current folder
    assert s.sqlite_path == tmp_path / "xdg" / "newsbot" / "newsbot.db"


def test_data_dir_setting_moves_the_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NEWSBOT_DATA_DIR", str(tmp_path / "d"))
    assert load_settings().database_url == f"sqlite:///{tmp_path / 'd' / 'newsbot.db'}"
    cfg = tmp_path / "n.toml"
    cfg.write_text(f'[newsbot]\ndata_dir = "{tmp_path / "from-file"}"\n')
    monkeypatch.delenv("NEWSBOT_DATA_DIR")
    monkeypatch.setenv("NEWSBOT_CONFIG", str(cfg))
    s = load_settings()
    assert s.sqlite_path == tmp_path / "from-file" / "newsbot.db"
    assert "data_dir in the config file" in describe(s)
    monkeypatch.setenv("NEWSBOT_DATABASE_URL", "postgresql://bot:hunter2@db/newsbot")
    s = load_settings()  # an explicit database wins over the data folder
    assert s.sqlite_path is None and not s.database_in_data_dir
    assert "hunter2" not in describe(s) and "bot:***@db" in describe(s)


def test_redact_url() -> None:
    assert redact_url("postgresql://u:p%40ss@h:5432/db") == "postgresql://u:***@h:5432/db"
    assert redact_url("postgresql://u@h/db") == "postgresql://u@h/db"
    assert redact_url("sqlite:////tmp/a:b@c.db") == "sqlite:////tmp/a:b@c.db"


# ------------------------------------------------------- config lookup


def test_config_lookup_order(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """NEWSBOT_CONFIG, then ./newsbot.toml, then the user config folder, then /etc."""
    cwd, xdg = tmp_path / "cwd", tmp_path / "xdg"
    system = tmp_path / "etc" / "newsbot.toml"
    files = {"named": tmp_path / "named.toml", "cwd": cwd / "newsbot.toml",
             "user": xdg / "newsbot" / "newsbot.toml", "system": system}
    for points, path in enumerate(files.values(), start=4):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"[newsbot]\nkey_points = {points}\n")
    monkeypatch.chdir(cwd)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(xdg))
    monkeypatch.setattr(settings_module, "SYSTEM_CONFIG_FILE", system)
    monkeypatch.setenv("NEWSBOT_CONFIG", str(files["named"]))
    expected = [("named", 4, "NEWSBOT_CONFIG"), ("cwd", 5, "current folder"),
                ("user", 6, "user config folder"), ("system", 7, "system config")]
    for name, points, why in expected:
        assert find_config_file() == (files[name], why)
        assert load_settings().key_points == points
        if name == "named":
            monkeypatch.delenv("NEWSBOT_CONFIG")
        else:
            files[name].unlink()
    assert find_config_file()[0] is None
    assert load_settings().key_points == 3
    monkeypatch.setenv("NEWSBOT_KEY_POINTS", "9")  # the environment wins over any file
    system.write_text("[newsbot]\nkey_points = 7\n")
    assert load_settings().key_points == 9


def test_named_config_must_exist(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NEWSBOT_CONFIG", str(tmp_path / "typo.toml"))
    with pytest.raises(ConfigError, match=r"typo\.toml.*NEWSBOT_CONFIG"):
        load_settings()


# ------------------------------------------------------------ validation


def test_unknown_variable_warns_with_the_closest_name(monkeypatch: pytest.MonkeyPatch,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("NEWSBOT_POLL_INTERVAL", "5")
    monkeypatch.setenv("NEWSBOT_TELEGRAM_TOKN", "123:abc")
    monkeypatch.setenv("NEWSBOT_ZZZ", "1")
    with caplog.at_level(logging.WARNING, logger="bot.settings"):
        load_settings()
    lines = [r.getMessage() for r in caplog.records]
    assert any("NEWSBOT_POLL_INTERVAL " in m and "did you mean NEWSBOT_POLL_INTERVAL_MINUTES?" in m
               for m in lines)
    assert any("NEWSBOT_TELEGRAM_TOKN " in m and "NEWSBOT_TELEGRAM_TOKEN?" in m for m in lines)
    assert not any("123:abc" in m for m in lines)  # the value (maybe a token) is never shown
    assert any("NEWSBOT_ZZZ" in m and "newsbot config example" in m for m in lines)
    known = {"NEWSBOT_KEY_POINTS": "3", "NEWSBOT_CONFIG": "x", "NEWSBOT_DATA_DIR": "/d",
             "NEWSBOT_TEST_POSTGRES_URL": "postgresql://x", "OTHER": "1"}
    assert unknown_env_vars(known) == []


@pytest.mark.parametrize("toml", [
    'telegram_token = "123:abc"\n[newsbot]\nkey_points = 3\n',  # top level, beside [newsbot]
    '[newsbot]\nkey_points = 3\n[telegram]\ntelegram_token = "123:abc"\n',  # another table
    '[newsbot.platforms]\nslack_bot_token = "xoxb-1"\n',  # nested under [newsbot]
    'slack_signing_secret = "s"\n',  # a flat file
])
def test_secret_anywhere_in_the_toml_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                toml: str) -> None:
    cfg = tmp_path / "n.toml"
    cfg.write_text(toml)
    monkeypatch.setenv("NEWSBOT_CONFIG", str(cfg))
    with pytest.raises(ConfigError) as info:
        load_settings()
    message = str(info.value)
    assert "secret" in message and "environment" in message and "\n" not in message
    assert "123:abc" not in message and "xoxb-1" not in message


def test_setting_outside_the_newsbot_table_is_refused(monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path) -> None:
    cfg = tmp_path / "n.toml"
    cfg.write_text("key_points = 5\n[newsbot]\nkey_quotes = 1\n")
    monkeypatch.setenv("NEWSBOT_CONFIG", str(cfg))
    with pytest.raises(ConfigError, match=r"'key_points' is outside the \[newsbot\] table"):
        load_settings()


@pytest.mark.parametrize("secret", ["has space", "semi;colon", "ünïcode", "x" * 257, "a/b"])
def test_webhook_secret_telegram_would_refuse(monkeypatch: pytest.MonkeyPatch, secret: str) -> None:
    monkeypatch.setenv("NEWSBOT_TELEGRAM_WEBHOOK_SECRET", secret)
    with pytest.raises(ConfigError) as info:
        load_settings()
    message = str(info.value)
    assert "telegram_webhook_secret" in message and "A-Z a-z 0-9 _ -" in message
    assert secret not in message


@pytest.mark.parametrize("secret", ["abc", "A-b_9", "x" * 256])
def test_webhook_secret_telegram_accepts(monkeypatch: pytest.MonkeyPatch, secret: str) -> None:
    monkeypatch.setenv("NEWSBOT_TELEGRAM_WEBHOOK_SECRET", secret)
    value = load_settings().telegram_webhook_secret
    assert value is not None and value.get_secret_value() == secret
