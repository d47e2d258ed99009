from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import ConfigError
from bot.settings import load_settings


def test_defaults_are_sane(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no config/newsbot.toml here
    monkeypatch.delenv("PORT", raising=False)
    s = load_settings()
    assert s.database_url == "sqlite:///newsbot.db"
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


def test_repo_config_file_is_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSBOT_CONFIG", str(Path(__file__).resolve().parents[1] / "config" / "newsbot.toml"))
    s = load_settings()
    assert s.summarizer == "extractive"


def test_secret_is_masked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSBOT_TELEGRAM_TOKEN", "123456:SECRET")
    s = load_settings()
    assert "SECRET" not in repr(s) and "SECRET" not in str(s.model_dump())
    assert s.telegram_enabled
