"""Slack -> Command -> Reply, through bolt with real request signing and a fake Slack."""

from __future__ import annotations

import asyncio
import json
import time

from bot.adapters.slack.render import CHOICE_ACTION_PREFIX
from bot.domain import Choice, Reply
from tests.adapters.slack.conftest import FakeHandler
from tests.support.fake_slack import SlackRig, app_mention, dm_message


async def test_newsbot_subscribe_becomes_a_command_and_is_answered(
    rig: SlackRig, handler: FakeHandler
) -> None:
    handler.replies["subscribe"] = Reply(text="Subscribed to Example Feed.")
    url = rig.fake.response_url("sub")
    response = await rig.inbound.slash(
        "subscribe <https://example.com/feed?x=1&amp;y=2|example.com/feed>", response_url=url
    )
    assert response.status_code == 200
    assert response.json() == {"text": "Working on it…", "response_type": "ephemeral"}
    await rig.fake.wait_for(lambda f: len(f.responses("sub")) == 1)
    [command] = handler.commands
    assert command.name == "subscribe"
    assert command.args == ("https://example.com/feed?x=1&y=2",)
    assert command.chat.platform == "slack" and command.chat.external_id == "C0001"
    assert command.user is not None and command.user.external_id == "U0001"
    assert command.chat_kind == "group" and not command.as_chat
    assert command.chat_title == "#general"
    assert command.raw.startswith("/newsbot subscribe <https://example.com/feed")
    [message] = rig.fake.responses("sub")
    assert message["response_type"] == "in_channel"
    assert message["text"] == "Subscribed to Example Feed."
    assert message["blocks"][0]["text"]["text"] == "Subscribed to Example Feed."


async def test_quick_commands_ack_empty_and_dm_is_private(
    rig: SlackRig, handler: FakeHandler
) -> None:
    url = rig.fake.response_url("list")
    response = await rig.inbound.slash("list", channel_id="D0042", response_url=url)
    assert response.status_code == 200 and response.text == ""
    await rig.fake.wait_for(lambda f: len(f.responses("list")) == 1)
    [command] = handler.commands
    assert (command.name, command.chat_kind, command.chat_title) == ("list", "private", None)


async def test_no_and_unknown_subcommands_go_to_the_core(
    rig: SlackRig, handler: FakeHandler
) -> None:
    await rig.inbound.slash("", response_url=rig.fake.response_url("a"))
    await rig.inbound.slash("frobnicate now", response_url=rig.fake.response_url("b"))
    await rig.adapter.drain(5)
    assert [(c.name, c.args) for c in handler.commands] == [("help", ()), ("frobnicate", ("now",))]


async def test_summary_in_channel_private_and_errors_ephemeral(
    rig: SlackRig, handler: FakeHandler
) -> None:
    handler.replies["summary"] = lambda c: (
        Reply(text="Could not fetch that page", is_error=True)
        if "bad" in c.args[0]
        else Reply(text="Key points…")
    )
    await rig.inbound.slash(
        "<https://x.example/a>", command="/summary", response_url=rig.fake.response_url("pub")
    )
    await rig.inbound.slash(
        "https://x.example/b --private",
        command="/summary",
        response_url=rig.fake.response_url("priv"),
    )
    await rig.inbound.slash(
        "https://x.example/bad", command="/summary", response_url=rig.fake.response_url("err")
    )
    await rig.adapter.drain(5)
    assert [c.args for c in handler.commands] == [
        ("https://x.example/a",),
        ("https://x.example/b",),
        ("https://x.example/bad",),
    ]
    assert all(c.name == "summary" for c in handler.commands)
    assert rig.fake.responses("pub")[0]["response_type"] == "in_channel"
    assert rig.fake.responses("priv")[0]["response_type"] == "ephemeral"
    error = rig.fake.responses("err")[0]
    assert error["response_type"] == "ephemeral"
    assert error["blocks"][0]["text"]["text"].startswith(":warning: Could not fetch")


async def test_private_reply_from_core_is_ephemeral(rig: SlackRig, handler: FakeHandler) -> None:
    handler.replies["settings"] = Reply(text="points 3", private=True)
    await rig.inbound.slash("settings", response_url=rig.fake.response_url("s"))
    await rig.adapter.drain(5)
    assert rig.fake.responses("s")[0]["response_type"] == "ephemeral"


async def test_app_mention_summary_posts_in_channel_and_thread(
    rig: SlackRig, handler: FakeHandler
) -> None:
    handler.replies["summary"] = Reply(text="Summary here")
    response = await rig.inbound.event(
        app_mention(
            "<@UBOT0001> summary <https://x.example/story|x.example/story>", thread_ts="171.0001"
        )
    )
    assert response.status_code == 200
    await rig.fake.wait_for(lambda f: len(f.messages("C0001")) == 1)
    [command] = handler.commands
    assert (command.name, command.args, command.chat_kind) == (
        "summary",
        ("https://x.example/story",),
        "group",
    )
    [message] = rig.fake.messages("C0001")
    assert message["thread_ts"] == "171.0001"
    assert message["text"] == "Summary here"


async def test_app_mention_error_is_ephemeral_to_the_user(
    rig: SlackRig, handler: FakeHandler
) -> None:
    handler.replies["summary"] = Reply(text="Not an article", is_error=True)
    await rig.inbound.event(app_mention("<@UBOT0001> https://x.example/nope", user="U0777"))
    await rig.fake.wait_for(lambda f: len(f.calls_to("chat.postEphemeral")) == 1)
    [call] = rig.fake.calls_to("chat.postEphemeral")
    assert call.params["user"] == "U0777" and call.params["channel"] == "C0001"
    assert handler.commands[0].name == "summary"
    assert rig.fake.messages() == []


async def test_dm_bare_link_is_a_summary_and_other_dm_messages_are_filtered(
    rig: SlackRig, handler: FakeHandler
) -> None:
    handler.replies["summary"] = Reply(text="Summary of the link")
    await rig.inbound.event(dm_message("<https://x.example/dm>"))
    await rig.inbound.event(dm_message("edited", subtype="message_changed"))
    await rig.inbound.event(dm_message("from a bot", bot_id="B999"))
    await rig.inbound.event(dm_message("in a channel", channel="C0001", channel_type="channel"))
    retried = await rig.inbound.event(
        dm_message("https://x.example/again"), headers={"X-Slack-Retry-Num": "1"}
    )
    assert retried.status_code == 200
    await rig.adapter.drain(5)
    [command] = handler.commands
    assert (command.name, command.args, command.chat_kind) == (
        "summary",
        ("https://x.example/dm",),
        "private",
    )
    assert command.chat.external_id == "D0001"
    [message] = rig.fake.messages("D0001")
    assert message["text"] == "Summary of the link"


async def test_dm_command_words_work_too(rig: SlackRig, handler: FakeHandler) -> None:
    await rig.inbound.event(dm_message("list"))
    await rig.inbound.event(dm_message("hello there"))
    await rig.inbound.event(dm_message(""))
    await rig.adapter.drain(5)
    # "hello there" is no command and has no link: one line pointing to /newsbot help,
    # without running a command; nothing at all is a request for help
    assert [c.name for c in handler.commands] == ["list", "help"]
    hint = [m for m in rig.fake.calls_to("chat.postEphemeral") if "/newsbot help" in str(m)]
    assert len(hint) == 1


async def test_bad_signature_and_stale_timestamp_are_rejected(
    rig: SlackRig, handler: FakeHandler
) -> None:
    bad = await rig.inbound.slash("list", secret="not-the-signing-secret")
    stale = await rig.inbound.slash("list", timestamp=int(time.time()) - 6 * 60)
    assert bad.status_code == 401
    assert stale.status_code == 401
    unsigned = await rig.inbound.http.post("/slack/events", content=b"command=%2Fnewsbot&text=list")
    assert unsigned.status_code == 401
    await asyncio.sleep(0)
    assert handler.commands == []


async def test_url_verification_challenge(rig: SlackRig) -> None:
    response = await rig.inbound.url_verification(
        "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
    )
    assert response.status_code == 200
    assert response.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}


async def test_ack_returns_before_the_slow_handler_finishes(
    rig: SlackRig, handler: FakeHandler
) -> None:
    handler.gate = asyncio.Event()  # the "4-second" work ends only when the test says so
    url = rig.fake.response_url("slow")
    response = await asyncio.wait_for(rig.inbound.slash("digest", response_url=url), timeout=2.5)
    # The HTTP answer (the ack) is complete while the command is still running.
    assert response.status_code == 200
    assert response.json()["text"] == "Working on it…"
    await asyncio.sleep(0.05)
    assert handler.events == ["start:digest"]
    assert rig.fake.responses("slow") == []
    handler.gate.set()
    await rig.fake.wait_for(lambda f: len(f.responses("slow")) == 1)
    assert handler.events == ["start:digest", "end:digest"]


async def test_handler_crash_becomes_an_ephemeral_apology(
    rig: SlackRig, handler: FakeHandler
) -> None:
    handler.raise_error = RuntimeError("boom")
    await rig.inbound.slash("list", response_url=rig.fake.response_url("crash"))
    await rig.fake.wait_for(lambda f: len(f.responses("crash")) == 1)
    message = rig.fake.responses("crash")[0]
    assert message["response_type"] == "ephemeral"
    assert "went wrong" in message["text"]


async def test_choice_buttons_run_their_command_and_replace_the_message(
    rig: SlackRig, handler: FakeHandler
) -> None:
    handler.replies["unsubscribe"] = Reply(
        text="Which feed?", choices=(Choice("Example", "unsubscribe https://example.com/feed"),)
    )
    await rig.inbound.slash("unsubscribe", response_url=rig.fake.response_url("pick"))
    await rig.fake.wait_for(lambda f: len(f.responses("pick")) == 1)
    actions = [b for b in rig.fake.responses("pick")[0]["blocks"] if b["type"] == "actions"]
    button = actions[0]["elements"][0]
    assert button["action_id"].startswith(CHOICE_ACTION_PREFIX)

    handler.replies["unsubscribe"] = Reply(text="Unsubscribed from Example.")
    response = await rig.inbound.action(
        button["value"], action_id=button["action_id"], response_url=rig.fake.response_url("press")
    )
    assert response.status_code == 200
    await rig.fake.wait_for(lambda f: len(f.responses("press")) == 1)
    assert handler.commands[-1].name == "unsubscribe"
    assert handler.commands[-1].args == ("https://example.com/feed",)
    assert handler.commands[-1].chat.external_id == "C0001"
    answer = rig.fake.responses("press")[0]
    assert answer["replace_original"] is True
    assert answer["text"] == "Unsubscribed from Example."

    handler.replies["unsubscribe"] = Reply(text="Not subscribed", is_error=True)
    await rig.inbound.action(button["value"], response_url=rig.fake.response_url("press2"))
    await rig.fake.wait_for(lambda f: len(f.responses("press2")) == 1)
    error = rig.fake.responses("press2")[0]
    assert error["response_type"] == "ephemeral" and error["replace_original"] is False
    json.dumps(error)
