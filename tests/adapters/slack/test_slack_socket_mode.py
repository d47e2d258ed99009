"""Socket Mode: the same listeners over the fake's WebSocket (apps.connections.open)."""

from __future__ import annotations

from bot.domain import Reply
from tests.adapters.slack.conftest import FakeHandler
from tests.support.fake_slack import (
    APP_TOKEN,
    app_mention,
    event_envelope,
    slack_rig,
    slash_payload,
)


async def test_socket_mode_slash_command_and_event(handler: FakeHandler) -> None:
    handler.replies["summary"] = Reply(text="Summary")
    async with slack_rig(handler, slack_app_token=APP_TOKEN) as rig:
        assert rig.adapter.routes() == []
        await rig.fake.wait_for(lambda f: f.socket_connected)
        [open_call] = rig.fake.calls_to("apps.connections.open")
        assert open_call.token == APP_TOKEN

        payload = slash_payload("digest", response_url=rig.fake.response_url("sock"))
        envelope_id = await rig.fake.socket_send("slash_commands", payload)
        await rig.fake.wait_for(
            lambda f: any(a["envelope_id"] == envelope_id for a in f.socket_acks)
        )
        ack = next(a for a in rig.fake.socket_acks if a["envelope_id"] == envelope_id)
        assert ack["payload"]["text"] == "Working on it…"
        await rig.fake.wait_for(lambda f: len(f.responses("sock")) == 1)
        assert handler.commands[0].name == "digest"

        await rig.fake.socket_send(
            "events_api", event_envelope(app_mention("<@UBOT0001> https://x.example/s"))
        )

        await rig.fake.wait_for(lambda f: len(f.messages("C0001")) == 1)
        assert handler.commands[1].name == "summary"
