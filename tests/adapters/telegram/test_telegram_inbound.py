"""Updates -> Commands -> replies, through python-telegram-bot and the fake Bot API, with the
core's real access rules (who manages a group, channel targeting) in front of a canned core."""

from __future__ import annotations

from bot.adapters.telegram import TelegramAdapter
from bot.commands.access import MANAGERS_ONLY
from bot.commands.registry import COMMANDS
from tests.adapters.telegram.helpers import FAST_LIMITS, LONG_URL, FakeCore
from tests.support.fake_telegram import FakeTelegram, telegram_settings
from tests.support.inbound import inbound_for

USER = 42


async def test_start_registers_commands(
    adapter: TelegramAdapter, fake_telegram: FakeTelegram
) -> None:
    [call] = fake_telegram.calls_to("setMyCommands")
    assert [c["command"] for c in call.params["commands"]] == [spec.name for spec in COMMANDS]
    assert fake_telegram.calls_to("getMe") and fake_telegram.calls_to("deleteWebhook")
    await fake_telegram.wait_for("getUpdates")  # long polling runs


async def test_private_help_gets_an_escaped_reply(
    adapter: TelegramAdapter, fake_telegram: FakeTelegram, core: FakeCore
) -> None:
    fake_telegram.push_message(USER, "/help")
    [sent] = await fake_telegram.wait_for("sendMessage", chat_id=USER)
    assert sent.params["text"] == "Commands: /subscribe &lt;url&gt; &amp; /list"
    assert sent.params["parse_mode"] == "HTML"
    [cmd] = core.commands
    assert (cmd.name, cmd.args, cmd.chat.platform, cmd.chat.external_id) == (
        "help",
        (),
        "telegram",
        "42",
    )
    assert cmd.chat_kind == "private" and not cmd.as_chat and cmd.user is not None
    assert cmd.user.external_id == "42" and cmd.raw == "/help"
    assert not fake_telegram.calls_to("getChatMember")  # never asked for private chats


async def test_command_for_another_bot_is_ignored(
    adapter: TelegramAdapter, fake_telegram: FakeTelegram, core: FakeCore
) -> None:
    fake_telegram.push_message(USER, "/summary@otherbot https://example.com/x")
    fake_telegram.push_message(
        USER, f"/help@{fake_telegram.bot_username}"
    )  # sentinel, addressed to us
    await fake_telegram.wait_for("sendMessage", chat_id=USER)
    assert core.names() == ["help"]
    assert len(fake_telegram.sent_messages(USER)) == 1


async def test_unknown_command_points_to_help(
    adapter: TelegramAdapter, fake_telegram: FakeTelegram, core: FakeCore
) -> None:
    group = -500
    fake_telegram.push_message(group, "/frobnicate", user_id=USER)  # a group: maybe another bot's
    fake_telegram.push_message(group, f"/frobnicate@{fake_telegram.bot_username}", user_id=USER)
    fake_telegram.push_message(USER, "/frobnicate")
    await fake_telegram.wait_for("sendMessage", chat_id=USER)
    [in_group] = fake_telegram.sent_messages(group)
    [in_private] = fake_telegram.sent_messages(USER)
    for sent in (in_group, in_private):
        assert sent["text"] == "I don't know /frobnicate. Send /help to see what I can do."
    assert core.commands == []


async def test_bare_link_in_private_chat_is_a_summary(
    adapter: TelegramAdapter, fake_telegram: FakeTelegram, core: FakeCore
) -> None:
    fake_telegram.push_message(USER, "https://example.com/news/1?x=1")
    [sent] = await fake_telegram.wait_for("sendMessage", chat_id=USER)
    [cmd] = core.commands
    assert (cmd.name, cmd.args) == ("summary", ("https://example.com/news/1?x=1",))
    assert '<a href="https://example.com/news/1?x=1">' in sent.params["text"]


async def test_summary_as_reply_to_a_link(
    adapter: TelegramAdapter, fake_telegram: FakeTelegram, core: FakeCore
) -> None:
    group = -600
    fake_telegram.push_message(
        group, "/summary", user_id=USER, reply_to="Have you seen https://example.org/story-7 ?"
    )
    await fake_telegram.wait_for("sendMessage", chat_id=group)
    [cmd] = core.commands
    assert (cmd.name, cmd.args, cmd.chat_kind) == (
        "summary",
        ("https://example.org/story-7",),
        "group",
    )


async def test_typing_indicator_while_summary_runs(
    adapter: TelegramAdapter, fake_telegram: FakeTelegram, core: FakeCore
) -> None:
    core.summary_delay = 0.3
    fake_telegram.push_message(USER, "/summary https://example.com/slow")
    await fake_telegram.wait_for("sendMessage", chat_id=USER)
    actions = fake_telegram.calls_to("sendChatAction", chat_id=USER)
    sends = fake_telegram.calls_to("sendMessage", chat_id=USER)
    assert actions and actions[0].params["action"] == "typing"
    assert actions[0].at < sends[0].at  # shown while the work ran, before the answer


async def test_group_managing_command_checks_admin(
    adapter: TelegramAdapter, fake_telegram: FakeTelegram, core: FakeCore
) -> None:
    group, admin, member = -700, 1001, 1002
    fake_telegram.add_chat(group, "supergroup", title="News <room>")
    fake_telegram.set_admins(group, [admin])
    fake_telegram.push_message(group, "/subscribe https://example.com/feed.xml", user_id=member)
    fake_telegram.push_message(group, "/subscribe https://example.com/feed.xml", user_id=admin)
    fake_telegram.push_message(group, "/list", user_id=member)
    await fake_telegram.wait_for("sendMessage", 3, chat_id=group)
    refused = fake_telegram.sent_messages(group)[0]
    assert refused["text"] == MANAGERS_ONLY  # the member's command never reached the core
    by_admin, listing = core.commands
    assert by_admin.user is not None and by_admin.user.external_id == str(admin)
    assert by_admin.chat_kind == "group" and by_admin.chat_title == "News <room>"
    assert by_admin.args == ("https://example.com/feed.xml",) and not by_admin.as_chat
    # getChatMember only for the managing commands, not for /list
    assert [c.params["user_id"] for c in fake_telegram.calls_to("getChatMember")] == [member, admin]
    assert listing.name == "list"
    # group replies quote the command message
    assert all("reply_parameters" in m for m in fake_telegram.sent_messages(group))


async def test_channel_subscribe_from_private_chat(
    adapter: TelegramAdapter, fake_telegram: FakeTelegram, core: FakeCore
) -> None:
    channel = -1009000
    fake_telegram.add_chat(channel, "channel", title="My Channel", username="mychannel")
    fake_telegram.set_admins(channel, [USER])
    fake_telegram.push_message(USER, "/subscribe @mychannel https://example.com/feed.xml")
    await fake_telegram.wait_for("sendMessage", chat_id=USER)
    assert fake_telegram.sent_messages(USER)[0]["text"].startswith(
        "Make me an administrator of @mychannel"
    )
    assert core.commands == []

    fake_telegram.set_bot_admin(channel)
    fake_telegram.push_message(
        1234, "/subscribe @mychannel https://example.com/feed.xml"
    )  # not an admin
    await fake_telegram.wait_for("sendMessage", chat_id=1234)
    assert fake_telegram.sent_messages(1234)[0]["text"] == (
        "Only administrators of @mychannel can change what it receives."
    )
    assert core.commands == []

    fake_telegram.push_message(USER, "/subscribe @mychannel https://example.com/feed.xml")
    await fake_telegram.wait_for("sendMessage", 2, chat_id=USER)
    [cmd] = core.commands
    assert (cmd.name, cmd.args, cmd.chat.external_id) == (
        "subscribe",
        ("https://example.com/feed.xml",),
        str(channel),
    )
    assert cmd.chat_kind == "channel" and cmd.chat_title == "My Channel"
    assert fake_telegram.sent_messages(channel) == []  # the answer goes to the private chat


async def test_inline_keyboard_callback_runs_command_and_edits(
    adapter: TelegramAdapter, fake_telegram: FakeTelegram, core: FakeCore
) -> None:
    group, admin = -800, 77
    fake_telegram.set_admins(group, [admin])
    fake_telegram.push_message(group, "/unsubscribe", user_id=admin)
    [sent] = await fake_telegram.wait_for("sendMessage", chat_id=group)
    buttons = [row[0] for row in sent.params["reply_markup"]["inline_keyboard"]]
    assert buttons[0]["text"] == "Feed <A> & co"
    assert all(len(b["callback_data"].encode()) <= 64 for b in buttons)

    fake_telegram.push_callback(group, buttons[0]["callback_data"], user_id=admin)
    [edit] = await fake_telegram.wait_for("editMessageText", chat_id=group)
    assert fake_telegram.calls_to("answerCallbackQuery")
    cmd = core.commands[-1]
    assert (cmd.name, cmd.args, cmd.as_chat) == ("unsubscribe", (LONG_URL,), False)
    assert edit.params["text"].startswith(f"unsubscribe {LONG_URL} as_chat=False")
    assert edit.params["message_id"] == sent.result["message_id"]  # the keyboard's message
    assert fake_telegram.message(group, sent.result["message_id"])["text"] == edit.params["text"]

    # a non-admin pressing a managing button is refused by the core's rule in an alert;
    # the message and its keyboard stay for the administrator
    fake_telegram.push_callback(group, buttons[0]["callback_data"], user_id=5555)
    [_, alert] = await fake_telegram.wait_for("answerCallbackQuery", 2)
    assert alert.params["text"] == MANAGERS_ONLY
    assert alert.params["show_alert"] in (True, "true")
    assert len(fake_telegram.calls_to("editMessageText")) == 1
    assert len(core.commands) == 2


async def test_expired_button_is_answered(
    adapter: TelegramAdapter, fake_telegram: FakeTelegram, core: FakeCore
) -> None:
    fake_telegram.push_message(USER, "/help")
    await fake_telegram.wait_for("sendMessage", chat_id=USER)
    fake_telegram.push_callback(USER, "t|notarealtoken123")
    [answer] = await fake_telegram.wait_for("answerCallbackQuery")
    assert answer.params["text"] == "This button has expired. Please run the command again."
    assert core.names() == ["help"]


async def test_channel_post_command(
    adapter: TelegramAdapter, fake_telegram: FakeTelegram, core: FakeCore
) -> None:
    channel = -1005000
    fake_telegram.push_message(channel, "/list", chat_type="channel", chat_title="Chan")
    await fake_telegram.wait_for("sendMessage", chat_id=channel)
    [cmd] = core.commands
    assert (cmd.chat_kind, cmd.as_chat, cmd.user, cmd.chat_title) == (
        "channel",
        True,
        None,
        "Chan",
    )


async def test_fake_server_on_its_own_thread(core: FakeCore) -> None:
    """The threaded mode (for sync code and benchmarks) serves the same adapter."""
    server = FakeTelegram().start_in_thread()
    tg = TelegramAdapter(telegram_settings(server), limits=FAST_LIMITS, poll_timeout=1)
    try:
        await tg.start(inbound_for(core, tg))
        server.push_message(USER, "/help")
        await server.wait_for("sendMessage", chat_id=USER)
        assert core.names() == ["help"]
    finally:
        await tg.close()
        server.stop_thread()
