"""Telegram adapter (python-telegram-bot v22): updates -> Commands, Reply/Digest -> HTML.

``TelegramAdapter`` is imported lazily so the pure modules (``render``,
``parsing``, ``callbacks``) load without the SDK.
"""

from __future__ import annotations

from typing import Any

__all__ = ["TELEGRAM_LIMITS", "TelegramAdapter"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from bot.adapters.telegram import adapter

        return getattr(adapter, name)
    raise AttributeError(name)
