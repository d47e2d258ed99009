"""Outbound: send_payload through slack_sdk's real client against the fake Web API."""

from __future__ import annotations

import logging
import socket

import pytest

from bot import logredact
from bot.adapters.slack import SlackAdapter
from bot.domain import ChatRef, Digest, Reply
from bot.errors import ConfigError, DeliveryError, GoneKind, RateLimited, RecipientGone
from bot.settings import Settings
from tests.adapters.slack.conftest import FakeHandler
from tests.support.fake_slack import (
    APP_TOKEN,
    SIGNING_SECRET,
    TOKEN,
    FakeSlack,
    SlackRig,
    app_mention,
    slack_rig,
)
from tests.support.inbound import RecordingLimiter, inbound_for

C1 = ChatRef("slack", "C0001")


async def test_send_payload_posts_and_returns_ts(rig: SlackRig) -> None:
    digest = Digest(C1, "Digest", ())
    [payload] = rig.adapter.render(digest)
    ts = await rig.adapter.send_payload(C1, payload)
    assert ts is not None and ts.startswith("1700000000.")
    [call] = rig.fake.calls_to("chat.postMessage")
    assert call.token == TOKEN
    assert call.params["channel"] == "C0001"
    assert call.params["blocks"] == payload["blocks"]
    assert call.params["unfurl_links"] is False


async def test_429_becomes_rate_limited_without_hidden_retries(rig: SlackRig) -> None:
    rig.fake.fail_next("chat.postMessage", retry_after=7)
    with pytest.raises(RateLimited) as caught:
        await rig.adapter.send_payload(C1, {"text": "hi"})
    assert caught.value.retry_after == 7.0
    assert len(rig.fake.calls_to("chat.postMessage")) == 1, "slack_sdk must not retry on its own"
    assert await rig.adapter.send_payload(C1, {"text": "hi"}) is not None


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        ("not_in_channel", GoneKind.NOT_A_MEMBER),
        ("channel_not_found", GoneKind.CHAT_NOT_FOUND),
        ("is_archived", GoneKind.ARCHIVED),
        ("account_inactive", GoneKind.DEACTIVATED),
        ("restricted_action_read_only_channel", GoneKind.RESTRICTED),
        ("restricted_action_thread_only_channel", GoneKind.RESTRICTED),
    ],
)
async def test_channel_errors_become_recipient_gone(
    rig: SlackRig, error: str, kind: GoneKind
) -> None:
    rig.fake.fail_channel("C0404", error)
    with pytest.raises(RecipientGone) as caught:
        await rig.adapter.send_payload(ChatRef("slack", "C0404"), {"text": "hi"})
    assert caught.value.kind is kind and error in caught.value.reason
    # other channels are unaffected
    assert await rig.adapter.send_payload(C1, {"text": "hi"}) is not None
    rig.fake.fail_next("chat.postMessage", error)
    with pytest.raises(RecipientGone):
        await rig.adapter.send_payload(C1, {"text": "hi"})


@pytest.mark.parametrize(
    "error", ["invalid_auth", "token_revoked", "missing_scope", "internal_error"]
)
async def test_credential_and_other_errors_are_transient_delivery_errors(
    rig: SlackRig, error: str
) -> None:
    rig.fake.fail_next("chat.postMessage", error)
    with pytest.raises(DeliveryError) as caught:
        await rig.adapter.send_payload(C1, {"text": "hi"})
    assert not isinstance(caught.value, RecipientGone | RateLimited)
    assert error in str(caught.value)


async def test_network_error_becomes_delivery_error(handler: FakeHandler) -> None:
    with socket.socket() as s:  # a port with nobody listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = Settings(
        slack_bot_token=TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=f"http://127.0.0.1:{port}/api",  # no trailing slash: the adapter adds it
    )
    adapter = SlackAdapter(settings)
    try:
        with pytest.raises(DeliveryError) as caught:
            await adapter.send_payload(C1, {"text": "hi"})
        assert "could not reach Slack" in str(caught.value)
    finally:
        await adapter.close()


async def test_start_refuses_a_rejected_token(handler: FakeHandler) -> None:
    async with FakeSlack(token="xoxb-the-right-one-1234") as fake:
        settings = Settings(
            slack_bot_token=TOKEN, slack_signing_secret=SIGNING_SECRET, slack_api_url=fake.base_url
        )
        adapter = SlackAdapter(settings)
        with pytest.raises(ConfigError, match="invalid_auth"):
            await adapter.start(inbound_for(handler, adapter))
        await adapter.close()


def test_config_errors() -> None:
    with pytest.raises(ConfigError, match="SLACK_BOT_TOKEN"):
        SlackAdapter(Settings(slack_signing_secret=SIGNING_SECRET))
    with pytest.raises(ConfigError, match="SIGNING_SECRET"):
        SlackAdapter(Settings(slack_bot_token=TOKEN))
    socket_mode = SlackAdapter(Settings(slack_bot_token=TOKEN, slack_app_token=APP_TOKEN))
    assert socket_mode.socket_mode and socket_mode.routes() == []
    assert socket_mode.client.retry_handlers == []


async def test_direct_reply_after_429_is_sent_exactly_once(
    handler: FakeHandler
) -> None:
    limiter = RecordingLimiter()
    async with slack_rig(handler, limiter=limiter) as rig:
        handler.replies["summary"] = Reply(text="Summary")
        rig.fake.fail_next("chat.postMessage", retry_after=3)
        await rig.inbound.event(app_mention("<@UBOT0001> summary https://x.example/a"))
        await rig.adapter.drain(5)
        calls = rig.fake.calls_to("chat.postMessage")
        assert [c.status for c in calls] == [429, 200]
        assert len(rig.fake.messages("C0001")) == 1
        assert limiter.penalties == [(3.0, "slack:C0001")]  # the next slot waits it out

        # a second 429 on the resend is not retried here (the core queues it; no outbox here)
        rig.fake.fail_next("chat.postMessage", retry_after=2, times=2)
        await rig.inbound.event(app_mention("<@UBOT0001> summary https://x.example/b"))
        await rig.adapter.drain(5)
        assert [c.status for c in rig.fake.calls_to("chat.postMessage")] == [429, 200, 429, 429]
        assert limiter.penalties[1:] == [(2.0, "slack:C0001"), (2.0, "slack:C0001")]


async def test_response_url_429_is_waited_out_once(handler: FakeHandler) -> None:
    limiter = RecordingLimiter()
    async with slack_rig(handler, limiter=limiter) as rig:
        rig.fake.fail_next("response_url", status=429, retry_after=4)
        await rig.inbound.slash("list", response_url=rig.fake.response_url("r"))
        await rig.adapter.drain(5)
        assert [c.status for c in rig.fake.calls_to("response_url")] == [429, 200]
        assert len(rig.fake.responses("r")) == 1
        assert limiter.penalties == [(4.0, "slack:C0001")]


async def test_direct_replies_go_through_the_rate_limiter(handler: FakeHandler) -> None:
    limiter = RecordingLimiter()
    async with slack_rig(handler, limiter=limiter) as rig:
        rig.fake.fail_next("chat.postMessage", retry_after=1)
        await rig.inbound.event(app_mention("<@UBOT0001> https://x.example/a"))
        await rig.adapter.drain(5)
        assert len(rig.fake.messages("C0001")) == 1
        # the reply took the channel's slot under the key the outbox uses, twice
        assert limiter.acquired == [("slack:C0001", True)] * 2
        assert limiter.penalties == [(1.0, "slack:C0001")]


async def test_tokens_never_reach_the_logs(
    handler: FakeHandler, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    # what the composition root does at start-up
    logredact.install(Settings(slack_bot_token=TOKEN, slack_signing_secret=SIGNING_SECRET,
                               slack_app_token=APP_TOKEN))
    handler.replies["summary"] = Reply(text="Summary")
    async with slack_rig(handler) as rig:
        await rig.inbound.slash(
            "subscribe https://x.example/feed", response_url=rig.fake.response_url("a")
        )
        await rig.inbound.event(app_mention("<@UBOT0001> summary https://x.example/a"))
        await rig.adapter.drain(5)
        await rig.adapter.send_payload(C1, {"text": "digest"})
        rig.fake.fail_next("chat.postMessage", "invalid_auth")
        with pytest.raises(DeliveryError):
            await rig.adapter.send_payload(C1, {"text": "digest"})
        # a careless log line elsewhere is redacted too
        logging.getLogger("somebody.else").debug("token=%s app=%s", TOKEN, APP_TOKEN)
    assert any(
        r.name.startswith("slack_sdk") and r.levelno == logging.DEBUG for r in caplog.records
    )
    assert "[redacted]" in caplog.text
    for secret in (TOKEN, APP_TOKEN, SIGNING_SECRET, "xoxb-"):
        assert secret not in caplog.text
        assert all(secret not in r.getMessage() for r in caplog.records)
