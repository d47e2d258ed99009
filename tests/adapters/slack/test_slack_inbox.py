"""Slack requests are acknowledged only once stored in the inbox: a request
that cannot be stored is not acknowledged (Slack sends it again), a retry of
one already stored is not handled twice, and one stored but never handled (the
process died) is handled when the next process starts."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import update

from bot.clock import utcnow
from bot.store import Store
from bot.store.models import InboxRow
from tests.adapters.slack.conftest import FakeHandler
from tests.support.fake_slack import SlackRig, app_mention, event_envelope, slack_rig
from tests.support.inbound import RecordingLimiter, inbound_for


@asynccontextmanager
async def inboxed(handler: FakeHandler, inbox: Any) -> AsyncIterator[SlackRig]:
    async with slack_rig() as rig:
        rig.adapter.use_inbox(inbox)
        await rig.start(inbound_for(handler, rig.adapter, limiter=RecordingLimiter()))
        yield rig


class BrokenInbox:
    async def accept(self, platform: str, updates: Any) -> set[str]:
        raise ConnectionError("database down")

    async def handled(self, platform: str, key: str, note: str | None = None) -> None:
        raise AssertionError("nothing was accepted")

    async def claim_unhandled(self, platform: str, **kw: Any) -> list[tuple[str, Any]]:
        return []


async def test_a_request_that_cannot_be_stored_is_not_acknowledged() -> None:
    handler = FakeHandler()
    async with inboxed(handler, BrokenInbox()) as rig:
        response = await rig.inbound.event(app_mention("<@UBOT0001> list"))
        await rig.adapter.drain(5)
    assert response.status_code != 200
    assert handler.commands == []


async def test_a_retried_event_is_handled_once(sqlite_store: Store) -> None:
    handler = FakeHandler()
    async with inboxed(handler, sqlite_store.inbox) as rig:
        body = json.dumps(event_envelope(app_mention("<@UBOT0001> list")))
        first = await rig.inbound.post(body, "application/json")
        retry = await rig.inbound.post(body, "application/json",
                                       headers={"X-Slack-Retry-Num": "1",
                                                "X-Slack-Retry-Reason": "http_timeout"})
        await rig.adapter.drain(5)
    assert (first.status_code, retry.status_code) == (200, 200)
    assert [c.name for c in handler.commands] == ["list"]
    assert await sqlite_store.inbox.counts("slack") == (0, 1)


async def test_a_stored_request_never_handled_is_handled_at_the_next_start(
        sqlite_store: Store) -> None:
    envelope = event_envelope(app_mention("<@UBOT0001> list"))
    # acknowledged and stored by a process that died before handling it, 10 minutes
    # ago (in HTTP mode, where several processes receive, younger ones are left alone)
    assert await sqlite_store.inbox.accept("slack", [(f"event:{envelope['event_id']}", envelope)])
    async with sqlite_store.session() as s:
        await s.execute(update(InboxRow).values(claimed_at=utcnow() - timedelta(minutes=10)))
    handler = FakeHandler()
    async with slack_rig() as rig:
        rig.adapter.use_inbox(sqlite_store.inbox)
        await rig.start(inbound_for(handler, rig.adapter, limiter=RecordingLimiter()))
        await rig.adapter.drain(5)
        await rig.fake.wait_for(lambda f: len(f.messages("C0001")) == 1)
    assert [c.name for c in handler.commands] == ["list"]
    assert await sqlite_store.inbox.counts("slack") == (0, 1)
