"""Slack: errors that refuse the message itself become MessageRejected.

First the error map alone (slack_sdk's own SlackApiError around a SlackResponse),
then through slack_sdk's real client against the fake Web API.
"""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.slack_response import SlackResponse

from bot.adapters.slack.failures import map_exception
from bot.domain import ChatRef
from bot.errors import (
    DeliveryError,
    MessageRejected,
    RateLimited,
    RecipientGone,
    TransientDeliveryError,
)
from tests.support.fake_slack import SlackRig

C1 = ChatRef("slack", "C0001")

REJECTED = [
    "msg_too_long",
    "msg_blocks_too_long",
    "no_text",
    "invalid_blocks",
    "invalid_blocks_format",
    "invalid_attachments",
    "too_many_attachments",
    "invalid_arguments",
    "markdown_text_conflict",
]


def api_error(code: str, status: int = 200, **extra: Any) -> SlackApiError:
    response = SlackResponse(
        client=None,
        http_verb="POST",
        api_url="https://slack.com/api/chat.postMessage",
        req_args={},
        data={"ok": False, "error": code, **extra},
        headers={},
        status_code=status,
    )
    return SlackApiError(f"The request to the Slack API failed. ({code})", response)


@pytest.mark.parametrize("code", REJECTED)
def test_message_level_codes_are_rejected(code: str) -> None:
    mapped = map_exception(api_error(code), "C0001")
    assert isinstance(mapped, MessageRejected)
    assert mapped.reason == f"Slack: {code}"


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (api_error("internal_error"), TransientDeliveryError),
        (api_error("fatal_error"), TransientDeliveryError),
        (api_error("request_timeout"), TransientDeliveryError),  # POST data missing or truncated
        (api_error("invalid_form_data"), TransientDeliveryError),  # encoding, not content
        (api_error("invalid_auth"), TransientDeliveryError),
        (api_error("msg_too_long", status=500), TransientDeliveryError),  # only from a non-5xx answer
        (api_error("not_in_channel"), RecipientGone),
        (api_error("ratelimited", status=429), RateLimited),
        (TimeoutError(), TransientDeliveryError),
    ],
)
def test_transient_and_channel_errors_are_not_rejected(
    exc: BaseException, expected: type[DeliveryError]
) -> None:
    mapped = map_exception(exc, "C0001")
    assert type(mapped) is expected


def test_slacks_explanation_is_kept_short_and_without_secrets() -> None:
    messages = [
        "[ERROR] must be less than 3001 characters [json-pointer:/blocks/1/text/text]",
        "[ERROR] see https://hooks.slack.com/services/T000/B000/XXXXSECRET  for details",
        "[ERROR] a third one is left out",
    ]
    exc = api_error("invalid_blocks", response_metadata={"messages": messages})
    mapped = map_exception(exc, "C0001")
    assert isinstance(mapped, MessageRejected)
    assert mapped.reason.startswith("Slack: invalid_blocks ([ERROR] must be less than 3001")
    assert "XXXXSECRET" not in mapped.reason and "third" not in mapped.reason
    assert "\n" not in mapped.reason and len(mapped.reason) < 260
    long = map_exception(
        api_error("invalid_arguments", response_metadata={"messages": ["x" * 1000]}), "C0001"
    )
    assert isinstance(long, MessageRejected) and len(long.reason) < 260


@pytest.mark.parametrize("code", ["msg_too_long", "invalid_blocks", "no_text"])
async def test_rejected_through_the_real_client_is_posted_once(rig: SlackRig, code: str) -> None:
    rig.fake.fail_next("chat.postMessage", code)
    with pytest.raises(MessageRejected) as caught:
        await rig.adapter.send_payload(C1, {"text": "hi"})
    assert caught.value.reason == f"Slack: {code}"
    assert len(rig.fake.calls_to("chat.postMessage")) == 1, "slack_sdk must not retry on its own"
    assert await rig.adapter.send_payload(C1, {"text": "hi"}) is not None


async def test_a_5xx_with_a_message_code_stays_transient(rig: SlackRig) -> None:
    rig.fake.fail_next("chat.postMessage", "msg_too_long", status=503)
    with pytest.raises(DeliveryError) as caught:
        await rig.adapter.send_payload(C1, {"text": "hi"})
    assert type(caught.value) is TransientDeliveryError
    assert "msg_too_long" in str(caught.value) and "503" in str(caught.value)
