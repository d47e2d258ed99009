"""Block Kit rendering: limits, splitting, escaping (pure functions, no network)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from bot.adapters.slack.render import (
    MAX_BLOCKS,
    MAX_HEADER_CHARS,
    MAX_SECTION_CHARS,
    escape,
    fit,
    link,
    render,
    safe_url,
)
from bot.domain import ChatRef, Choice, Digest, Quote, Reply, Story

CHAT = ChatRef("slack", "C0001")


def story(i: int, **kw: Any) -> Story:
    base: dict[str, Any] = {
        "article_id": i,
        "title": f"Story number {i}",
        "url": f"https://news.example/{i}",
        "source": "Example News",
        "published": datetime(2025, 11, 24, 7, 30, tzinfo=UTC),
        "key_points": (f"First point of {i}.", f"Second point of {i}."),
        "key_quotes": (Quote("We will act now", "Jane Doe", 0, 15),),
    }
    base.update(kw)
    return Story(**base)


def texts(payload: dict[str, Any]) -> list[str]:
    """Every text field of every block (section text, context elements, header, buttons)."""
    out: list[str] = []
    for block in payload["blocks"]:
        if "text" in block:
            out.append(block["text"]["text"])
        for element in block.get("elements", []):
            if element.get("type") == "mrkdwn":
                out.append(element["text"])
            elif "text" in element:
                out.append(element["text"]["text"])
    return out


def assert_within_limits(payload: dict[str, Any]) -> None:
    assert len(payload["blocks"]) <= MAX_BLOCKS
    assert payload["text"], "every message needs a notification fallback"
    assert payload["unfurl_links"] is False
    for block in payload["blocks"]:
        if block["type"] == "header":
            assert block["text"]["type"] == "plain_text"
            assert len(block["text"]["text"]) <= MAX_HEADER_CHARS
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= MAX_SECTION_CHARS
        if block["type"] == "context":
            assert 1 <= len(block["elements"]) <= 10
        if block["type"] == "actions":
            assert len(block["elements"]) <= 25
    json.dumps(payload)  # JSON-serialisable, so the outbox can persist it


def test_digest_has_header_story_sections_context_and_more() -> None:
    digest = Digest(
        CHAT,
        "Morning digest",
        (
            story(
                1,
                also_reported_by=(
                    ("BBC", "https://bbc.example/x"),
                    ("Reuters", "https://r.example/y"),
                ),
            ),
        ),
        more_count=3,
        more_links=(("Another one", "https://news.example/more"),),
    )
    [payload] = render(digest)
    assert_within_limits(payload)
    kinds = [b["type"] for b in payload["blocks"]]
    assert kinds == ["header", "section", "context", "section"]
    section = payload["blocks"][1]["text"]["text"]
    assert section.startswith("*<https://news.example/1|Story number 1>*")
    assert "\n• First point of 1." in section
    assert "\n> “We will act now” — _Jane Doe_" in section
    context = [e["text"] for e in payload["blocks"][2]["elements"]]
    assert context[0] == "Example News"
    assert context[1].startswith("<!date^") and "|24 Nov 2025 07:30 UTC>" in context[1]
    assert (
        context[2] == "Also reported by <https://bbc.example/x|BBC>, <https://r.example/y|Reuters>"
    )
    more = payload["blocks"][3]["text"]["text"]
    assert "and 3 more" in more and "<https://news.example/more|Another one>" in more


def test_many_stories_split_into_messages_within_limits() -> None:
    digest = Digest(
        CHAT, "Big digest " + "x" * 300, tuple(story(i) for i in range(60)), more_count=5
    )
    payloads = render(digest)
    assert len(payloads) == 3  # 60 stories x 2 blocks + "more" = 121 blocks; 49 per message
    for index, payload in enumerate(payloads, 1):
        assert_within_limits(payload)
        header = payload["blocks"][0]["text"]["text"]
        assert header.endswith(f"({index}/3)")
        assert f"({index}/3)" in payload["text"]
    links = [t for p in payloads for t in texts(p) if t.startswith("*<https://news.example/")]
    assert len(links) == 60, "every story is rendered exactly once"
    # a story's section and its context stay in the same message
    for payload in payloads:
        kinds = [b["type"] for b in payload["blocks"][1:]]
        assert kinds.count("section") - ("and 5 more" in texts(payload)[-1]) == kinds.count(
            "context"
        )


def test_huge_story_text_is_cut_to_3000_chars_without_breaking_entities() -> None:
    long_points = tuple("&<>" * 400 + f" point {i}" for i in range(10))
    payload = render(Digest(CHAT, "D", (story(1, key_points=long_points, title="T" * 1000),)))[0]
    assert_within_limits(payload)
    section = payload["blocks"][1]["text"]["text"]
    assert section.endswith("…")
    # no cut entity: every "&" starts a complete &amp; / &lt; / &gt;
    stripped = section.replace("&amp;", "").replace("&lt;", "").replace("&gt;", "")
    assert "&" not in stripped


def test_injected_mentions_and_links_are_inert() -> None:
    evil = story(
        1,
        title="<!channel> Breaking <@U123> <https://evil.example|click>",
        key_points=("Point with <!here> and <#C999|general> & more",),
        key_quotes=(Quote("<!everyone> pay attention", "<@U777>", 0, 10),),
        source="<!subteam^S1> Source",
        also_reported_by=(("<!channel>", "https://ok.example/a"),),
    )
    blocks_text = "\n".join(t for p in render(Digest(CHAT, "D", (evil,))) for t in texts(p))
    for needle in (
        "<!channel>",
        "<@U123>",
        "<https://evil.example",
        "<!here>",
        "<#C999",
        "<!everyone>",
        "<@U777>",
        "<!subteam",
    ):
        assert needle not in blocks_text
    assert "&lt;!channel&gt; Breaking &lt;@U123&gt;" in blocks_text
    assert "&gt; pay attention" in blocks_text
    # fallback text is escaped too
    reply = render(Reply(text="<!channel> hi"))[0]
    assert reply["text"] == "&lt;!channel&gt; hi"


def test_unsafe_urls_are_not_linked_and_labels_cannot_break_out() -> None:
    assert safe_url("javascript:alert(1)") is None
    assert safe_url("ftp://x.example/a") is None
    assert safe_url("https://") is None
    assert link("javascript:alert(1)", "click") == "click"
    linked = link("https://x.example/a|b>c<d?q=1&r=2", "label | with > pipe")
    assert linked == "<https://x.example/a%7Cb&gt;c&lt;d?q=1&amp;r=2|label ¦ with &gt; pipe>"
    assert linked.count("|") == 1 and linked.count(">") == 1 and linked.count("<") == 1
    s = story(1, url="data:text/html,<b>x</b>")
    section = render(Digest(CHAT, "D", (s,)))[0]["blocks"][1]["text"]["text"]
    assert section.startswith("*Story number 1*")


def test_escape_and_fit() -> None:
    assert escape("a & <b> c") == "a &amp; &lt;b&gt; c"
    assert fit("<<<<<", 12) == "&lt;&lt;…"
    assert len(fit("x" * 5000, 100)) == 100


def test_reply_text_error_story_and_choices() -> None:
    long_text = "\n".join(f"line {i} " + "word " * 50 for i in range(100))  # ~26k chars
    choices = tuple(
        Choice(f"Unsubscribe feed {i} " + "x" * 100, f"unsubscribe https://f.example/{i}")
        for i in range(30)
    )
    payloads = render(Reply(text=long_text, story=story(9), choices=choices))
    for payload in payloads:
        assert_within_limits(payload)
    all_text = "\n".join(t for p in payloads for t in texts(p))
    assert "line 0" in all_text and "line 99" in all_text
    buttons = [
        e for p in payloads for b in p["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert len(buttons) == 30
    assert all(len(b["text"]["text"]) <= 75 for b in buttons)
    assert buttons[3]["value"] == "unsubscribe https://f.example/3"
    assert len({b["action_id"] for b in buttons}) == 30
    [error] = render(Reply(text="That is not a feed", is_error=True))
    assert error["blocks"][0]["text"]["text"] == ":warning: That is not a feed"
