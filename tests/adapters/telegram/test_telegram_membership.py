"""The bot's own membership, through python-telegram-bot and the fake Bot API, with the real
core and store: kicked/blocked -> paused at once, added back -> resumed, group -> supergroup
migration -> the chat moves before any send fails."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import error as tg

from bot.adapters.telegram import TelegramAdapter
from bot.adapters.telegram.adapter import ALLOWED_UPDATES
from bot.adapters.telegram.error_map import translate
from bot.adapters.telegram.parsing import Membership, bot_membership
from bot.commands.handlers import CoreCommands
from bot.delivery.outbox import Outbox
from bot.domain import ChatRef, Schedule
from bot.errors import GoneKind, RecipientGone
from bot.store import Store
from tests.adapters.telegram.helpers import FAST_LIMITS, FakeCore
from tests.support.fake_telegram import FakeTelegram, telegram_settings
from tests.support.inbound import inbound_for

GROUP = -500
SENTINEL_USER = 777  # a private chat whose /help answer shows every earlier update was handled


def tg_ref(chat_id: int) -> ChatRef:
    return ChatRef("telegram", str(chat_id))


@pytest.fixture
def commands(store: Store) -> CoreCommands:
    # Membership handling never touches the pipeline; /help (the sentinel) neither.
    return CoreCommands(store, None, {})  # type: ignore[arg-type]


@pytest.fixture
async def live(
    fake_telegram: FakeTelegram, commands: CoreCommands
) -> AsyncIterator[TelegramAdapter]:
    """A long-polling adapter in front of the real core, one update at a time."""
    adapter = TelegramAdapter(
        telegram_settings(fake_telegram),
        limits=FAST_LIMITS,
        poll_timeout=1,
        concurrent_updates=1,
    )
    commands.senders["telegram"] = adapter  # type: ignore[index]
    await adapter.start(inbound_for(commands, adapter))
    try:
        yield adapter
    finally:
        await adapter.close()


async def handled(tg: FakeTelegram) -> None:
    """Wait until every update pushed so far was handled (updates run one at a time)."""
    count = len(tg.sent_messages(SENTINEL_USER)) + 1
    tg.push_message(SENTINEL_USER, "/help")
    await tg.wait_for("sendMessage", count, chat_id=SENTINEL_USER)


async def test_polling_asks_for_my_chat_member(
    live: TelegramAdapter, fake_telegram: FakeTelegram
) -> None:
    assert "my_chat_member" in ALLOWED_UPDATES
    [call, *_] = await fake_telegram.wait_for("getUpdates")
    assert "my_chat_member" in call.params["allowed_updates"]


@pytest.mark.parametrize(
    ("chat_id", "chat_type", "status", "reason"),
    [
        (GROUP, "group", "left", "the bot was removed from the group"),
        (-100500, "supergroup", "kicked", "the bot was removed from the group"),
        (-100999, "channel", "kicked", "the bot was removed from the channel"),
        (4242, "private", "kicked", "the user blocked the bot"),
    ],
)
async def test_removed_pauses_at_once_and_added_back_resumes(
    live: TelegramAdapter,
    fake_telegram: FakeTelegram,
    store: Store,
    chat_id: int,
    chat_type: str,
    status: str,
    reason: str,
) -> None:
    ref = tg_ref(chat_id)
    await store.chats.upsert_chat(ref, "private" if chat_type == "private" else "group")

    fake_telegram.push_my_chat_member(chat_id, status, chat_type=chat_type)
    await handled(fake_telegram)
    chat = await store.chats.get_chat(ref)
    assert chat is not None and not chat.active
    assert chat.inactive_reason == reason
    assert fake_telegram.calls_to("sendMessage", chat_id=chat_id) == []  # no send was needed

    back = "administrator" if chat_type == "channel" else "member"
    fake_telegram.push_my_chat_member(chat_id, back, old_status=status, chat_type=chat_type)
    await handled(fake_telegram)
    chat = await store.chats.get_chat(ref)
    assert chat is not None and chat.active and chat.inactive_reason is None


async def test_messages_queued_while_removed_go_out_once_added_back(
    live: TelegramAdapter, fake_telegram: FakeTelegram, store: Store, commands: CoreCommands
) -> None:
    woken: list[str] = []
    commands.on_digest_queued = lambda: woken.append("outbox")
    ref = tg_ref(GROUP)
    await store.chats.upsert_chat(ref, "group")
    fake_telegram.push_my_chat_member(GROUP, "kicked", chat_type="group")
    await handled(fake_telegram)

    await store.digests.create_digest(ref, [], [{"text": "kept for later"}])
    outbox = Outbox(store, {"telegram": live})
    assert await outbox.run_once() == 0  # paused: nothing is tried
    assert fake_telegram.calls_to("sendMessage", chat_id=GROUP, ok=None) == []

    assert woken == []
    fake_telegram.push_my_chat_member(GROUP, "member", old_status="kicked", chat_type="group")
    await handled(fake_telegram)
    assert woken == ["outbox"]  # the outbox is told at once, not at its next idle wake-up
    assert await outbox.run_once() == 1
    assert [m["text"] for m in fake_telegram.sent_messages(GROUP)] == ["kept for later"]


@pytest.mark.parametrize(
    ("paused_for", "resumed"),
    [
        ("Forbidden: bot was kicked from the group chat", True),  # found at send time
        ("Forbidden: user is deactivated", False),  # not about membership: stays paused
    ],
)
async def test_added_back_resumes_only_membership_pauses(
    live: TelegramAdapter,
    fake_telegram: FakeTelegram,
    store: Store,
    paused_for: str,
    resumed: bool,
) -> None:
    ref = tg_ref(GROUP)
    await store.chats.upsert_chat(ref, "group")
    gone = translate(tg.Forbidden(paused_for))  # as the outbox pauses it after a send
    assert isinstance(gone, RecipientGone)
    await store.chats.pause_chat(ref, gone.kind, gone.reason)
    fake_telegram.push_my_chat_member(GROUP, "member", old_status="left", chat_type="group")
    await handled(fake_telegram)
    chat = await store.chats.get_chat(ref)
    assert chat is not None and chat.active is resumed
    assert chat.inactive_reason == (None if resumed else gone.reason)


async def test_added_to_an_unknown_group_stores_nothing(
    live: TelegramAdapter, fake_telegram: FakeTelegram, store: Store
) -> None:
    fake_telegram.push_my_chat_member(GROUP, "member", chat_type="group")
    fake_telegram.push_my_chat_member(-501, "kicked", chat_type="group")
    await handled(fake_telegram)
    assert await store.chats.get_chat(tg_ref(GROUP)) is None
    assert await store.chats.get_chat(tg_ref(-501)) is None


@pytest.mark.parametrize("both", [True, False])
async def test_migration_moves_the_chat_before_the_next_digest(
    live: TelegramAdapter,
    fake_telegram: FakeTelegram,
    store: Store,
    commands: CoreCommands,
    both: bool,
) -> None:
    old, new = GROUP, -1009876543210
    synced: list[ChatRef] = []

    async def sync(ref: ChatRef) -> None:
        synced.append(ref)

    commands.on_chat_changed = sync  # the scheduler moves the digest job
    await store.chats.upsert_chat(tg_ref(old), "group", title="Team")
    feed, _ = await store.feeds.add_feed("https://example.com/rss.xml", "Example", None)
    await store.chats.subscribe(tg_ref(old), feed.id)
    await store.chats.set_schedule(tg_ref(old), Schedule(mode="daily", hour=7, minute=30, timezone="UTC"))
    await store.digests.create_digest(tg_ref(old), [], [{"text": "queued before the move"}])

    fake_telegram.push_migration(old, new, both=both)
    await handled(fake_telegram)
    assert await store.chats.get_chat(tg_ref(old)) is None
    moved = await store.chats.get_chat(tg_ref(new))
    assert moved is not None and moved.active and moved.schedule.hour == 7
    assert [f.url for f in await store.chats.subscriptions(tg_ref(new))] == [feed.url]
    assert synced == [tg_ref(old), tg_ref(new)]

    await store.digests.create_digest(tg_ref(new), [], [{"text": "a later digest"}])
    assert await Outbox(store, {"telegram": live}).run_once() == 2
    assert [m["text"] for m in fake_telegram.sent_messages(new)] == [
        "queued before the move",
        "a later digest",
    ]
    # Never tried at the old id (which now answers 400 "upgraded to a supergroup").
    assert fake_telegram.calls_to("sendMessage", chat_id=old, ok=None) == []


async def test_membership_updates_reach_the_core_never_as_commands(
    adapter: TelegramAdapter, fake_telegram: FakeTelegram, core: FakeCore
) -> None:
    fake_telegram.push_my_chat_member(GROUP, "kicked", chat_type="group")
    fake_telegram.push_migration(-600, -1006000000000)
    fake_telegram.push_message(42, "/help")
    await fake_telegram.wait_for("sendMessage", chat_id=42)
    assert core.names() == ["help"]
    assert core.membership == [
        ("removed", tg_ref(GROUP), GoneKind.KICKED),
        # Telegram posts the move in the old group and in the new one: both report it
        ("migrated:-1006000000000", tg_ref(-600), None),
        ("migrated:-1006000000000", tg_ref(-600), None),
    ]


@pytest.mark.parametrize(
    ("status", "chat_type", "extra", "expected"),
    [
        ("member", "group", {}, Membership()),
        ("administrator", "channel", {}, Membership()),
        ("creator", "supergroup", {}, Membership()),
        ("kicked", "private", {}, Membership(GoneKind.BLOCKED, "the user blocked the bot")),
        ("left", "group", {}, Membership(GoneKind.KICKED, "the bot was removed from the group")),
        ("kicked", "channel", {},
         Membership(GoneKind.KICKED, "the bot was removed from the channel")),
        ("restricted", "supergroup", {"is_member": False},
         Membership(GoneKind.KICKED, "the bot was removed from the group")),
        ("restricted", "supergroup", {"is_member": True}, None),
        ("something_new", "group", {}, None),
    ],
)
def test_bot_membership(status: str, chat_type: str, extra: Any, expected: Membership | None) -> None:
    assert bot_membership(status, chat_type, **extra) == expected


def test_which_pauses_the_bots_return_heals() -> None:
    """The kinds Telegram's errors map to decide whether the bot being added back resumes
    a paused chat (the core never reads Telegram's wording)."""
    heal = [
        tg.Forbidden("Forbidden: bot was kicked from the supergroup chat"),
        tg.Forbidden("Forbidden: bot is not a member of the channel chat"),
        tg.Forbidden("Forbidden: bot was blocked by the user"),
        tg.BadRequest("Bad Request: not enough rights to send text messages to the chat"),
        tg.BadRequest("Bad Request: chat not found"),
    ]
    stay = [
        tg.Forbidden("Forbidden: user is deactivated"),
        tg.Forbidden("Forbidden: bot can't send messages to bots"),
        tg.BadRequest("Bad Request: TOPIC_CLOSED"),
    ]
    for exc, heals in [(e, True) for e in heal] + [(e, False) for e in stay]:
        gone = translate(exc)
        assert isinstance(gone, RecipientGone), exc
        assert gone.kind.heals_when_bot_returns is heals, (exc, gone.kind)
    for status, chat_type in (("kicked", "private"), ("left", "group"), ("kicked", "channel")):
        membership = bot_membership(status, chat_type)
        assert membership is not None and membership.kind is not None
        assert membership.kind.heals_when_bot_returns
