"""Telegram: BadRequests that refuse the message itself become MessageRejected.

First the error map alone (PTB's own exception classes, built from real Bot API
descriptions), then through the real python-telegram-bot client against the fake
Bot API, where PTB turns the HTTP answer into the exception.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import error as tg

from bot import errors
from bot.adapters.telegram import TelegramAdapter
from bot.adapters.telegram.error_map import translate
from bot.domain import ChatRef
from tests.adapters.telegram.helpers import FAST_LIMITS
from tests.support.fake_telegram import FakeTelegram, telegram_settings

CHAT = ChatRef("telegram", "42")

REJECTED = [
    "Bad Request: message is too long",
    "Bad Request: text must be non-empty",
    "Bad Request: message text is empty",
    "Bad Request: BUTTON_DATA_INVALID",
    "Bad Request: BUTTON_URL_INVALID",
    "Bad Request: wrong remote file identifier specified: Wrong padding in the string",
    "Bad Request: wrong file identifier/HTTP URL specified",
    "Bad Request: message caption is too long",
    "Bad Request: reply markup is too long",
    "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the "
    "inline keyboard",
    "Bad Request: unsupported parse_mode",
    "Bad Request: can't parse entities: Unsupported start tag \"x\" at byte offset 0",
]


@pytest.mark.parametrize("description", REJECTED)
def test_permanent_bad_requests_are_rejected(description: str) -> None:
    mapped = translate(tg.BadRequest(description))
    assert isinstance(mapped, errors.MessageRejected)
    # PTB drops "Bad Request: " and lower-cases the rest; the reason keeps Telegram's words
    assert mapped.reason.startswith("Telegram: ")
    assert description.removeprefix("Bad Request: ").lower() in mapped.reason.lower()
    assert str(mapped) == mapped.reason


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        # not known to be permanent, or about a remote URL / the chat: retried
        (tg.BadRequest("Bad Request: failed to get HTTP URL content"), errors.TransientDeliveryError),
        (tg.BadRequest("Bad Request: wrong type of the web page content"), errors.TransientDeliveryError),
        (tg.BadRequest("Bad Request: message thread not found"), errors.TransientDeliveryError),
        (tg.BadRequest("Bad Request: something Telegram adds next year"), errors.TransientDeliveryError),
        # only HTTP 400: the same words in any other error never reject the message
        (tg.NetworkError("Internal Server Error: message is too long"), errors.TransientDeliveryError),
        (tg.TimedOut("Timed out"), errors.TransientDeliveryError),
        (tg.Conflict("Conflict: message is too long"), errors.TransientDeliveryError),
        (tg.Forbidden("Forbidden: message is too long"), errors.RecipientGone),
        # the chat-gone list wins over the message list
        (tg.BadRequest("Bad Request: chat not found"), errors.RecipientGone),
        (tg.BadRequest("Bad Request: TOPIC_CLOSED"), errors.RecipientGone),
        (tg.BadRequest("Bad Request: not enough rights to send text messages to the chat"),
         errors.RecipientGone),
    ],
)
def test_transient_and_chat_errors_are_not_rejected(
    exc: tg.TelegramError, expected: type[errors.DeliveryError]
) -> None:
    mapped = translate(exc)
    assert type(mapped) is expected
    assert not isinstance(mapped, errors.MessageRejected)


@pytest.fixture
async def sender(fake_telegram: FakeTelegram) -> AsyncIterator[TelegramAdapter]:
    adapter = TelegramAdapter(telegram_settings(fake_telegram), limits=FAST_LIMITS, request_timeout=2)
    await adapter.connect()
    try:
        yield adapter
    finally:
        await adapter.close()


@pytest.mark.parametrize(
    "description",
    ["Bad Request: BUTTON_DATA_INVALID", "Bad Request: message is too long"],
)
async def test_rejected_through_the_real_client_is_sent_once(
    sender: TelegramAdapter, fake_telegram: FakeTelegram, description: str
) -> None:
    fake_telegram.inject("bad_request", description=description)
    with pytest.raises(errors.MessageRejected) as caught:
        await sender.send_payload(CHAT, {"text": "hello"})
    assert description.removeprefix("Bad Request: ").lower() in caught.value.reason.lower()
    assert len(fake_telegram.calls_to("sendMessage")) == 1


async def test_an_over_long_text_is_refused_by_the_server_itself(
    sender: TelegramAdapter, fake_telegram: FakeTelegram
) -> None:
    with pytest.raises(errors.MessageRejected, match=r"(?i)message is too long"):
        await sender.send_payload(CHAT, {"text": "x" * 5000})
    [call] = fake_telegram.calls_to("sendMessage")
    assert call.status == 400


async def test_html_errors_are_still_resent_as_plain_text_first(
    sender: TelegramAdapter, fake_telegram: FakeTelegram
) -> None:
    # the plain-text resend succeeds: nothing is rejected
    fake_telegram.inject("bad_entities")
    assert await sender.send_payload(CHAT, {"text": "<b>hi</b>", "parse_mode": "HTML"})
    # the plain-text resend fails too: now the message is refused for good
    fake_telegram.clear_faults()
    fake_telegram.inject(
        "bad_request", times=2, description="Bad Request: can't parse entities: bad"
    )
    with pytest.raises(errors.MessageRejected):
        await sender.send_payload(CHAT, {"text": "<b>hi</b>", "parse_mode": "HTML"})
    failed = fake_telegram.calls_to("sendMessage", ok=False)
    assert [c.params.get("parse_mode") for c in failed] == ["HTML", "HTML", None]


async def test_unknown_bad_request_and_server_error_stay_transient(
    sender: TelegramAdapter, fake_telegram: FakeTelegram
) -> None:
    fake_telegram.inject("bad_request", description="Bad Request: message thread not found")
    with pytest.raises(errors.DeliveryError) as caught:
        await sender.send_payload(CHAT, {"text": "hello"})
    assert type(caught.value) is errors.TransientDeliveryError
    fake_telegram.inject("server_error")
    with pytest.raises(errors.DeliveryError) as caught:
        await sender.send_payload(CHAT, {"text": "hello"})
    assert type(caught.value) is errors.TransientDeliveryError
