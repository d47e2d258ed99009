"""Chat UX found by the user test (issue 14), through the real python-telegram-bot
client polling the fake Bot API, with the real core, access rules and store.

- ``/unsubscribe @channel`` then a button press unsubscribes the channel, never
  the private chat it was pressed in (the bug: it unsubscribed the private chat
  while naming the channel's feed);
- a spent button never shows an internal id;
- a non-administrator pressing an administrator's button gets an alert and the
  message (with its keyboard) stays as it was;
- a private message that contains one link is summarized.
"""

from __future__ import annotations

import asyncio
from typing import Any

from bot.adapters.telegram import TelegramAdapter
from bot.domain import ChatRef
from bot.store import Store
from tests.e2e_support import core, news_site
from tests.support.fake_telegram import running_fake_telegram, telegram_settings
from tests.support.http_server import http_server as http_server
from tests.test_pipeline import CountingSummarizer

USER = 4242
CHANNEL = -1001234
GROUP = -100555


def _texts(tg: Any, chat: int) -> list[str]:
    return [m["text"] for m in tg.sent_messages(chat)]


async def _answers(tg: Any, count: int) -> list[dict[str, Any]]:
    await tg.wait_for("answerCallbackQuery", count, timeout=30)
    return [c.params for c in tg.calls_to("answerCallbackQuery")]


async def test_channel_unsubscribe_button_acts_on_the_channel(
        http_server: Any, store: Store) -> None:
    site = news_site(http_server())
    feed_url = site.url("/rss.xml")
    async with running_fake_telegram() as tg:
        tg.add_chat(CHANNEL, "channel", title="Ledger Channel", username="ledgerchan")
        tg.set_admins(CHANNEL, [USER], creator=USER)
        tg.set_bot_admin(CHANNEL)
        adapter = TelegramAdapter(telegram_settings(tg, fetch_allow_private_networks=True))
        async with core(store, CountingSummarizer(), {"telegram": adapter}) as c:
            await adapter.start(c.inbound)
            try:
                # the private chat and the channel both follow the same feed
                tg.push_message(USER, f"/subscribe {feed_url}")
                await tg.wait_for("sendMessage", 1, chat_id=USER, timeout=30)
                tg.push_message(USER, f"/subscribe @ledgerchan {feed_url}")
                await tg.wait_for("sendMessage", 2, chat_id=USER, timeout=30)
                private, channel = ChatRef("telegram", str(USER)), ChatRef("telegram", str(CHANNEL))
                assert len(await store.chats.subscriptions(private)) == 1
                assert len(await store.chats.subscriptions(channel)) == 1
                assert "Subscribed @ledgerchan to" in _texts(tg, USER)[1]

                tg.push_message(USER, "/unsubscribe @ledgerchan")
                await tg.wait_for("sendMessage", 3, chat_id=USER, timeout=30)
                keyboard = tg.sent_messages(USER)[2]["reply_markup"]["inline_keyboard"]
                data = keyboard[0][0]["callback_data"]
                tg.push_callback(USER, data, user_id=USER)
                await tg.wait_for("editMessageText", 1, timeout=30)
                edited = tg.calls_to("editMessageText")[0].params["text"]
                assert "Unsubscribed @ledgerchan from Loopback Herald" in edited
                assert await store.chats.subscriptions(channel) == []
                assert len(await store.chats.subscriptions(private)) == 1  # untouched

                # the spent button, pressed again: a plain sentence, no internal id
                tg.push_callback(USER, data, user_id=USER)
                await tg.wait_for("editMessageText", 2, timeout=30)
                again = tg.calls_to("editMessageText")[1].params["text"]
                assert "@ledgerchan no longer follows Loopback Herald" in again
                feed_id = (await store.chats.subscriptions(private))[0].id
                assert f"follow {feed_id}" not in again and f" {feed_id}." not in again
                assert len(await store.chats.subscriptions(private)) == 1
            finally:
                await adapter.close()


async def test_non_admin_button_press_gets_an_alert_and_the_message_stays(
        http_server: Any, store: Store) -> None:
    site = news_site(http_server())
    admin, member = 1, 77
    async with running_fake_telegram() as tg:
        tg.add_chat(GROUP, "supergroup", title="Team")
        tg.set_admins(GROUP, [admin], creator=admin)
        adapter = TelegramAdapter(telegram_settings(tg, fetch_allow_private_networks=True))
        async with core(store, CountingSummarizer(), {"telegram": adapter}) as c:
            await adapter.start(c.inbound)
            try:
                tg.push_message(GROUP, f"/subscribe {site.url('/rss.xml')}", user_id=admin)
                await tg.wait_for("sendMessage", 1, chat_id=GROUP, timeout=30)
                tg.push_message(GROUP, "/unsubscribe", user_id=admin)
                await tg.wait_for("sendMessage", 2, chat_id=GROUP, timeout=30)
                menu = tg.sent_messages(GROUP)[1]
                data = menu["reply_markup"]["inline_keyboard"][0][0]["callback_data"]

                tg.push_callback(GROUP, data, user_id=member)
                answers = await _answers(tg, 1)
                assert answers[0].get("show_alert") in (True, "true")
                assert "administrators" in answers[0]["text"]
                await asyncio.sleep(0.2)
                assert tg.calls_to("editMessageText") == []
                assert len(_texts(tg, GROUP)) == 2  # no refusal posted over the menu
                ref = ChatRef("telegram", str(GROUP))
                assert len(await store.chats.subscriptions(ref)) == 1

                tg.push_callback(GROUP, data, user_id=admin)
                await tg.wait_for("editMessageText", 1, timeout=30)
                assert await store.chats.subscriptions(ref) == []
            finally:
                await adapter.close()


async def test_a_private_message_with_one_link_is_summarized(
        http_server: Any, store: Store) -> None:
    site = news_site(http_server())
    async with running_fake_telegram() as tg:
        adapter = TelegramAdapter(telegram_settings(tg, fetch_allow_private_networks=True))
        async with core(store, CountingSummarizer(), {"telegram": adapter}) as c:
            await adapter.start(c.inbound)
            try:
                tg.push_message(USER, f"Have you seen this? {site.url('/heat')}")
                await tg.wait_for("sendMessage", 1, chat_id=USER, timeout=60)
                first = _texts(tg, USER)[0]
                assert "Send me a link" not in first and "<b>" in first
                tg.push_message(USER, f"compare {site.url('/heat')} and {site.url('/rss.xml')}")
                await tg.wait_for("sendMessage", 2, chat_id=USER, timeout=30)
                tg.push_message(USER, "what's new?")
                await tg.wait_for("sendMessage", 3, chat_id=USER, timeout=30)
                assert "one link at a time" in _texts(tg, USER)[1]
                assert "Send me a link" in _texts(tg, USER)[2]
            finally:
                await adapter.close()
