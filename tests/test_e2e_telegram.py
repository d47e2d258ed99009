"""End to end through Telegram: the real python-telegram-bot client, polling a
fake Bot API on loopback, with the real core and engine behind it."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from bot.adapters.telegram import TelegramAdapter
from bot.domain import ChatRef
from bot.errors import GoneKind
from bot.store import Store
from tests.e2e_support import core, news_site
from tests.support.fake_telegram import (
    parse_telegram_html,
    running_fake_telegram,
    telegram_settings,
)
from tests.support.http_server import http_server as http_server

USER = 4242


def _texts(server: Any, chat: int) -> list[str]:
    return [m["text"] for m in server.sent_messages(chat)]


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, f"unbalanced </{tag}>"
        self.open.pop()


async def test_subscribe_summary_and_digest(http_server: Any, store: Store, real_summarizer: Any) -> None:
    site = news_site(http_server())
    async with running_fake_telegram() as tg:
        adapter = TelegramAdapter(telegram_settings(tg, fetch_allow_private_networks=True))
        async with core(store, real_summarizer, {"telegram": adapter}) as c:
            await adapter.start(c.inbound)
            try:
                tg.push_message(USER, f"/subscribe {site.url('/rss.xml')}")
                await tg.wait_for("sendMessage", 1, chat_id=USER, timeout=30)
                assert "Subscribed to Loopback Herald" in _texts(tg, USER)[0]

                tg.push_message(USER, f"/summary {site.url('/heat')}")
                await tg.wait_for("sendMessage", 2, chat_id=USER, timeout=60)
                summary = _texts(tg, USER)[1]
                assert "<b>" in summary or "<a " in summary
                assert tg.calls_to("sendChatAction", chat_id=USER), "no typing indicator"

                # the pipeline processes the subscribed feed; /digest queues it; the outbox sends it
                await c.services.pipeline.process_pending()
                tg.push_message(USER, "/digest")
                await tg.wait_for("sendMessage", 3, chat_id=USER, timeout=30)
                assert await c.outbox.run_once() >= 1
                texts = _texts(tg, USER)
                digest = "\n".join(texts[3:])
                assert "&lt;!channel&gt;" in digest and "<!channel>" not in digest
                for text in texts:
                    assert len(text) <= 4096
                    parse_telegram_html(text)  # Telegram's own rules: known tags, balanced
                    checker = _Tags()
                    checker.feed(text)
                    assert checker.open == []
                for m in tg.sent_messages(USER)[3:]:
                    assert m.get("link_preview_options", {}).get("is_disabled") in (True, "true")
            finally:
                await adapter.close()


async def test_group_non_admin_is_refused_and_blocked_chat_is_paused(
        http_server: Any, store: Store, real_summarizer: Any) -> None:
    site = news_site(http_server())
    group = -100777
    async with running_fake_telegram() as tg:
        tg.add_chat(group, "supergroup", title="Team")
        tg.set_admins(group, [1], creator=1)
        adapter = TelegramAdapter(telegram_settings(tg, fetch_allow_private_networks=True))
        async with core(store, real_summarizer, {"telegram": adapter}) as c:
            await adapter.start(c.inbound)
            try:
                tg.push_message(group, f"/subscribe {site.url('/rss.xml')}", user_id=55)
                await tg.wait_for("sendMessage", 1, chat_id=group, timeout=30)
                assert "administrators" in _texts(tg, group)[0]
                assert await store.chats.subscriptions(ChatRef("telegram", str(group))) == []

                tg.push_message(group, f"/subscribe {site.url('/rss.xml')}", user_id=1)
                await tg.wait_for("sendMessage", 2, chat_id=group, timeout=30)
                await c.services.pipeline.process_pending()

                # the bot is kicked: the digest send answers 403 and the chat is paused
                tg.inject("kicked", chat_id=group)
                from bot.digest.builder import queue_digest

                ref = ChatRef("telegram", str(group))
                assert await queue_digest(store, adapter, ref) is not None
                await c.outbox.run_once()
                chat = await store.chats.get_chat(ref)
                assert chat is not None and not chat.active and chat.inactive_reason
                assert chat.inactive_kind is GoneKind.KICKED
            finally:
                await adapter.close()
