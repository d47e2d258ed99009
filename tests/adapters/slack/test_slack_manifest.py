"""The shipped app manifest matches what the adapter listens for."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.adapters.slack import EVENTS_PATH

MANIFEST = Path(__file__).resolve().parents[3] / "config" / "slack-manifest.yml"


def test_manifest_declares_what_the_adapter_handles() -> None:
    yaml = pytest.importorskip("yaml")
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    commands = {c["command"]: c for c in manifest["features"]["slash_commands"]}
    assert set(commands) == {"/newsbot", "/summary"}
    assert all(c["url"].endswith(EVENTS_PATH) for c in commands.values())
    settings = manifest["settings"]
    assert {"app_mention", "message.im"} <= set(settings["event_subscriptions"]["bot_events"])
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["interactivity"]["request_url"].endswith(EVENTS_PATH)
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"commands", "chat:write", "app_mentions:read", "im:history"} <= scopes
    assert "chat:write.public" not in scopes
