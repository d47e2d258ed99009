"""Outbound: send_payload's error mapping (what the outbox relies on) and direct replies
under the core's reply policy."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot import errors
from bot.adapters.telegram import TelegramAdapter
from bot.domain import ChatRef, Digest, Reply
from bot.errors import GoneKind
from bot.ports import ChatPlatform, Sender
from tests.adapters.telegram.helpers import FAST_LIMITS, FakeCore, make_story
from tests.support.fake_telegram import FakeTelegram, parse_telegram_html, telegram_settings
from tests.support.inbound import RecordingLimiter, inbound_for

CHAT = ChatRef("telegram", "42")
# PTB 22 warns from inside RetryAfter.__init__ that retry_after will become a timedelta.
pytestmark = pytest.mark.filterwarnings(
    "ignore:.*`retry_after`.*:telegram.warnings.PTBDeprecationWarning"
)


@pytest.fixture
def limiter() -> RecordingLimiter:
    return RecordingLimiter(FAST_LIMITS, enforce=True)


@pytest.fixture
async def sender(
    fake_telegram: FakeTelegram, core: FakeCore, limiter: RecordingLimiter
) -> AsyncIterator[TelegramAdapter]:
    tg = TelegramAdapter(
        telegram_settings(fake_telegram),
        limits=FAST_LIMITS,
        poll_timeout=1,
        request_timeout=0.5,
        concurrent_updates=1,
    )
    await tg.start(inbound_for(core, tg, limiter=limiter))
    try:
        yield tg
    finally:
        await tg.close()


def payload(text: str = "hello") -> dict[str, object]:
    return {"text": text, "parse_mode": "HTML"}


async def test_send_returns_message_id_and_leaves_pacing_to_the_caller(
    sender: TelegramAdapter, fake_telegram: FakeTelegram, limiter: RecordingLimiter
) -> None:
    first = await sender.send_payload(CHAT, payload("one"))
    second = await sender.send_payload(ChatRef("telegram", "-1001"), payload("two"))
    assert first == "1" and second == "1"
    assert limiter.acquired == []  # the outbox (or the reply policy) takes the slot

    fake_telegram.push_message(42, "/help")  # a direct reply: the core's policy paces it
    fake_telegram.push_message(-1001, "/help@" + fake_telegram.bot_username, user_id=42)
    await fake_telegram.wait_for("sendMessage", 2, chat_id=-1001)
    assert limiter.acquired == [("telegram:42", False), ("telegram:-1001", True)]


async def test_long_digest_is_delivered_in_valid_parts(
    sender: TelegramAdapter, fake_telegram: FakeTelegram
) -> None:
    stories = tuple(make_story(f"https://example.com/{i}", article_id=i) for i in range(40))
    digest = Digest(chat=CHAT, title="Daily <news> & views", stories=stories, more_count=2)
    payloads = sender.render(digest)
    assert len(payloads) > 1
    for p in payloads:
        assert await sender.send_payload(CHAT, p)
    sent = fake_telegram.sent_messages(42)
    assert len(sent) == len(payloads)
    for message in sent:  # the fake server parsed each as Telegram HTML and checked the length
        shown = parse_telegram_html(message["text"])
        assert len(shown.encode("utf-16-le")) // 2 <= 4096 and "<script>" in shown
        assert message["link_preview_options"] == {"is_disabled": True}


async def test_blocked_is_recipient_gone(
    sender: TelegramAdapter, fake_telegram: FakeTelegram
) -> None:
    fake_telegram.inject("blocked")
    with pytest.raises(errors.RecipientGone, match="blocked by the user"):
        await sender.send_payload(CHAT, payload())
    fake_telegram.inject("kicked")
    with pytest.raises(errors.RecipientGone, match="kicked") as caught:
        await sender.send_payload(CHAT, payload())
    assert caught.value.kind is GoneKind.KICKED
    fake_telegram.inject("chat_not_found")
    with pytest.raises(errors.RecipientGone, match=r"(?i)chat not found") as caught:
        await sender.send_payload(CHAT, payload())
    assert caught.value.kind is GoneKind.CHAT_NOT_FOUND


async def test_429_is_rate_limited_for_the_chat(
    sender: TelegramAdapter, fake_telegram: FakeTelegram, limiter: RecordingLimiter
) -> None:
    fake_telegram.inject("retry_after", retry_after=7)
    with pytest.raises(errors.RateLimited) as caught:
        await sender.send_payload(CHAT, payload())
    assert caught.value.retry_after == 7 and caught.value.scope == "chat"
    assert limiter.penalties == []  # the caller tells its limiter (tests/delivery)


async def test_chat_migrated(sender: TelegramAdapter, fake_telegram: FakeTelegram) -> None:
    fake_telegram.inject("migrate", migrate_to=-1009876)
    with pytest.raises(errors.ChatMigrated) as caught:
        await sender.send_payload(ChatRef("telegram", "-55"), payload())
    assert caught.value.new_external_id == "-1009876"


async def test_server_error_and_timeout_are_transient(
    sender: TelegramAdapter, fake_telegram: FakeTelegram
) -> None:
    fake_telegram.inject("server_error")
    with pytest.raises(errors.DeliveryError) as caught:
        await sender.send_payload(CHAT, payload())
    assert type(caught.value) is errors.TransientDeliveryError
    fake_telegram.inject("delay", delay=2.0)
    with pytest.raises(errors.DeliveryError, match="did not answer in time") as caught:
        await sender.send_payload(CHAT, payload())
    assert type(caught.value) is errors.TransientDeliveryError


async def test_unparseable_html_is_resent_as_plain_text(
    sender: TelegramAdapter, fake_telegram: FakeTelegram
) -> None:
    [story_payload] = sender.render(Reply(story=make_story()))
    fake_telegram.inject("bad_entities")
    assert await sender.send_payload(CHAT, story_payload)
    [failed] = fake_telegram.calls_to("sendMessage", ok=False)
    [sent] = fake_telegram.sent_messages(42)
    assert failed.params["parse_mode"] == "HTML"
    assert "parse_mode" not in sent
    assert sent["text"].startswith("Council <b>approves</b> budget & more (https://example.com/a)")


async def test_direct_reply_waits_out_429_and_is_delivered_once(
    sender: TelegramAdapter, fake_telegram: FakeTelegram, limiter: RecordingLimiter
) -> None:
    fake_telegram.inject("retry_after", retry_after=1, chat_id=42)
    fake_telegram.push_message(42, "/help")
    await fake_telegram.wait_for("sendMessage", chat_id=42)
    attempts = fake_telegram.calls_to("sendMessage", chat_id=42, ok=None)
    assert [c.status for c in attempts] == [429, 200]
    assert len(fake_telegram.sent_messages(42)) == 1
    assert limiter.penalties == [(1.0, "telegram:42")]
    assert (
        attempts[1].at - attempts[0].at >= 0.9
    )  # not a timing benchmark: the wait happened at all


async def test_adapter_implements_the_port(
    sender: TelegramAdapter, fake_telegram: FakeTelegram
) -> None:
    as_platform: ChatPlatform = sender
    as_sender: Sender = sender  # both checked by mypy
    assert isinstance(as_platform, ChatPlatform) and as_sender.limits == FAST_LIMITS
    assert as_platform.platform == "telegram" and as_platform.routes() == []
    assert as_platform.bot_name == fake_telegram.bot_username


async def test_fake_server_counts_and_rejects_rate_violations(
    sender: TelegramAdapter, fake_telegram: FakeTelegram
) -> None:
    fake_telegram.enforce_limits(per_chat_per_second=1, global_per_second=30)
    for text in ("a", "b", "c"):  # the adapter here runs with generous test limits
        await sender.send_payload(CHAT, payload(text))
    assert fake_telegram.violations["chat"] == 2
    fake_telegram.enforce_limits(per_chat_per_second=1, reject=True)
    with pytest.raises(errors.RateLimited):
        await sender.send_payload(CHAT, payload("d"))


async def test_outbound_only_connect(fake_telegram: FakeTelegram) -> None:
    tg = TelegramAdapter(telegram_settings(fake_telegram), limits=FAST_LIMITS)
    await tg.connect()
    await tg.connect()
    try:
        assert await tg.send_payload(CHAT, payload())
        assert len(fake_telegram.calls_to("getMe")) == 1
        assert not fake_telegram.calls_to("getUpdates") and not fake_telegram.calls_to(
            "setMyCommands"
        )
    finally:
        await tg.close()
