"""End to end through Slack: /newsbot subscribe a loopback feed, /newsbot digest,
Block Kit arrives at the fake Slack Web API within limits and escaped."""

from __future__ import annotations

import json
from typing import Any

from bot.store import Store
from tests.e2e_support import core, news_site
from tests.support.fake_slack import slack_rig
from tests.support.http_server import http_server as http_server


def _texts(block: Any) -> list[str]:
    out: list[str] = []
    if isinstance(block, dict):
        for key, value in block.items():
            if key == "text" and isinstance(value, str):
                out.append(value)
            else:
                out += _texts(value)
    elif isinstance(block, list):
        for item in block:
            out += _texts(item)
    return out


async def test_subscribe_and_digest_through_slack(http_server: Any, store: Store,
                                                  real_summarizer: Any) -> None:
    site = news_site(http_server())
    async with slack_rig() as rig, core(store, real_summarizer, {"slack": rig.adapter}) as c:
        await rig.start(c.inbound)
        resp = await rig.inbound.slash(f"subscribe {site.url('/rss.xml')}",
                                       response_url=rig.fake.response_url("sub"))
        assert resp.status_code == 200
        await rig.fake.wait_for(lambda f: any("Subscribed" in json.dumps(r) for r in f.responses("sub")),
                                timeout=30)
        assert await c.services.pipeline.process_pending() != []

        await rig.inbound.slash("digest", response_url=rig.fake.response_url("dig"))
        await rig.fake.wait_for(lambda f: bool(f.responses("dig")), timeout=30)
        await c.outbox.run_once()

        posted = rig.fake.messages("C0001")
        assert posted, "the digest never reached Slack"
        everything = json.dumps(posted)
        assert "Riverside" in everything or "bridge" in everything
        for message in posted:
            blocks = message.get("blocks") or []
            if isinstance(blocks, str):
                blocks = json.loads(blocks)
            assert len(blocks) <= 50
            assert message.get("text"), "every message needs a plain-text fallback"
            for text in _texts(blocks):
                assert len(text) <= 3000
                assert "<!channel>" not in text and "<@U999>" not in text
        assert "&lt;!channel&gt;" in everything

        # nothing new: a second digest says so and posts nothing
        await rig.inbound.slash("digest", response_url=rig.fake.response_url("again"))
        await rig.fake.wait_for(lambda f: bool(f.responses("again")), timeout=30)
        assert "Nothing new" in json.dumps(rig.fake.responses("again"))
