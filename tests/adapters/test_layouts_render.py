"""Digest layouts (brief, full, headlines) rendered for Telegram, Slack and the terminal.

A realistic 10-story digest goes through the core's ``compose`` (so the layout's
choices and the no-repetition rule apply) and then through each renderer: the
brief layout is one Telegram message under 4,096 characters as Telegram counts
them, headlines are one line per story, hostile text stays escaped, the lead
image appears for the top story only, and times are in the chat's zone.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.adapters.slack import render as slack
from bot.adapters.telegram import render as telegram
from bot.digest.builder import compose
from bot.digest.layout import repeats
from bot.digest.text import digest_text
from bot.domain import ChatInfo, ChatRef, ChatSettings, Digest, Layout, Quote, Schedule, Summary
from bot.records import StoryRecord
from tests.support.fake_telegram import parse_telegram_html

NOW = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)  # Tuesday; 08:00 in Berlin
WORDS = ["council", "harbor", "ferry", "budget", "storm", "school", "hospital", "rail", "court", "election", "bridge", "police", "museum", "library", "market", "energy", "water", "housing", "tax", "river", "port", "airport", "clinic", "festival"]


def _letters(n: int) -> str:
    return "".join("abcdefghij"[int(d)] for d in str(n))


def sentence(seed: int, n: int) -> str:
    """``n`` words no other seed uses (so no two stories look alike to the clusterer)."""
    words = [WORDS[(seed * 7 + i * 3) % len(WORDS)] + _letters(seed) + _letters(i)
             for i in range(n)]
    return " ".join(words).capitalize() + "."


def record(i: int, *, image: bool = False) -> StoryRecord:
    """A story with the lengths of real news: a 90-character title, 250-character
    key points, 120-character quotes, a long URL, and a point echoing a quote."""
    quote = Quote(sentence(100 + i, 16).rstrip("."), f"Minister Name{i} Surname", 0, 10)
    echo = f"Minister Name{i} Surname said: {quote.text.lower()}, adding nothing else."
    points = (echo, *(sentence(10 * i + k, 34) for k in range(4)))
    summary = Summary(key_points=points, quotes=(quote,),
                      key_quotes=(quote, Quote(sentence(200 + i, 14), None, 0, 5)),
                      engine="test")
    when = NOW - timedelta(minutes=17 * i)
    return StoryRecord(
        article_id=i + 1,
        title=f"Story {i} <b>&</b> " + sentence(300 + i, 10)[:80],
        url=f"https://www.example-news.co.uk/news/2026/12/01/section/{i}-" + "long-slug-" * 6,
        source="Example <News> & Co",
        published=when, ingested_at=when, text_length=3000 + i, summary=summary,
    )


def chat(layout: Layout = "brief", **settings: Any) -> ChatInfo:
    return ChatInfo(1, ChatRef("telegram", "1"), "private", None, True, None,
                    settings=ChatSettings(layout=layout, **settings),
                    schedule=Schedule("daily", 8, 0, "Europe/Berlin"))


def ten(layout: Layout, **settings: Any) -> Digest:
    built = compose(chat(layout, **settings), [record(i) for i in range(10)], now=NOW)
    assert built is not None
    return built[0]


def test_brief_ten_stories_fit_one_telegram_message() -> None:
    digest = ten("brief")
    assert digest.title == "Tuesday 1 December — 10 stories"
    payloads = telegram.render_digest(digest)
    assert len(payloads) == 1
    text = payloads[0]["text"]
    shown = parse_telegram_html(text)  # what Telegram shows; raises on bad markup
    assert len(shown.encode("utf-16-le")) // 2 <= 4096
    assert telegram.shown_len(text) <= 4000
    for story in digest.stories:
        assert len(story.key_points) == 1 and len(story.key_quotes) <= 1
        assert f'href="{story.url}"' in text
    # nothing escapes: the hostile title and source arrive as text
    assert "<b>&</b>" not in text and "&lt;b&gt;&amp;&lt;/b&gt;" in text
    assert "Example &lt;News&gt; &amp; Co" in text
    # times in the chat's zone (Berlin, UTC+1), no "UTC"
    assert "Example &lt;News&gt; &amp; Co · 08:00" in text and "UTC" not in shown


def test_no_key_point_repeats_a_quote_in_any_layout() -> None:
    for layout in ("brief", "full"):
        digest = ten(layout)  # type: ignore[arg-type]
        for story in digest.stories:
            for point in story.key_points:
                assert not any(repeats(point, q.text) for q in story.key_quotes), (layout, point)
        quotes = [q.text for s in digest.stories for q in s.key_quotes]
        assert len(quotes) == len(set(quotes))


def test_full_keeps_todays_layout_and_splits_under_the_limit() -> None:
    digest = ten("full", key_points=3)
    assert all(len(s.key_points) == 3 for s in digest.stories)
    payloads = telegram.render_digest(digest)
    for p in payloads:
        parse_telegram_html(p["text"])
        assert telegram.shown_len(p["text"]) <= 4000
    text = "\n".join(p["text"] for p in payloads)
    assert "• " in text and "<i>“" in text


def test_headlines_are_one_line_per_story() -> None:
    digest = ten("headlines")
    payloads = telegram.render_digest(digest)
    assert len(payloads) == 1
    lines = [line for line in payloads[0]["text"].split("\n") if line.startswith("• ")]
    assert len(lines) == 10
    assert all(" — <i>Example &lt;News&gt; &amp; Co</i>" in line for line in lines)
    plain = digest_text(digest)
    assert sum(1 for line in plain.splitlines() if line.startswith("• ")) == 10


def test_telegram_previews_only_the_top_story_when_it_declares_an_image() -> None:
    digest = ten("brief")
    top = replace(digest.stories[0], image_url="https://www.example-news.co.uk/lead.jpg")
    with_image = replace(digest, stories=(top, *digest.stories[1:]), one_message_per_story=True)
    payloads = telegram.render_digest(with_image, per_story=True)
    assert payloads[0]["link_preview_options"] == {"url": top.url, "prefer_large_media": True}
    assert all(p["link_preview_options"] == {"is_disabled": True} for p in payloads[1:])
    off = telegram.render_digest(replace(with_image, lead_image=False), per_story=True)
    assert all(p["link_preview_options"] == {"is_disabled": True} for p in off)
    # a top story without a declared image: no preview at all
    plain = telegram.render_digest(digest)
    assert plain[0]["link_preview_options"] == {"is_disabled": True}


def _slack_texts(payload: dict[str, Any]) -> list[str]:
    out = []
    for block in payload["blocks"]:
        if "text" in block:
            out.append(block["text"]["text"])
        out.extend(e["text"] for e in block.get("elements", []) if e.get("type") == "mrkdwn")
    return out


@pytest.mark.parametrize("layout", ["brief", "full", "headlines"])
def test_slack_layouts_stay_within_block_kit_limits(layout: Layout) -> None:
    digest = ten(layout)
    payloads = slack.render_digest(digest)
    assert len(payloads) == 1
    payload = payloads[0]
    assert len(payload["blocks"]) <= slack.MAX_BLOCKS
    for block in payload["blocks"]:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= slack.MAX_SECTION_CHARS
    # the notification text says the title once ("Tuesday 1 December — 10 stories")
    assert payload["text"] == "Tuesday 1 December — 10 stories"
    joined = "\n".join(_slack_texts(payload))
    assert "<b>" not in joined and "&lt;b&gt;&amp;&lt;/b&gt;" in joined
    if layout == "headlines":
        assert sum(1 for line in joined.splitlines() if line.startswith("• ")) == 10
    if layout == "brief":
        assert "• " not in joined  # one point, written as a sentence


def test_slack_image_accessory_on_the_top_story_only() -> None:
    digest = ten("brief")
    image = "https://www.example-news.co.uk/lead.jpg"
    stories = tuple(replace(s, image_url=image) for s in digest.stories)
    blocks = slack.render_digest(replace(digest, stories=stories))[0]["blocks"]
    accessories = [b["accessory"] for b in blocks if "accessory" in b]
    assert accessories == [{"type": "image", "image_url": image,
                            "alt_text": stories[0].title}]
    assert "accessory" in blocks[1]  # blocks[0] is the header
    off = slack.render_digest(replace(digest, stories=stories, lead_image=False))[0]["blocks"]
    assert not any("accessory" in b for b in off)
    bad = replace(stories[0], image_url="javascript:alert(1)")
    blocks = slack.render_digest(replace(digest, stories=(bad,)))[0]["blocks"]
    assert not any("accessory" in b for b in blocks)


def test_console_layouts_print_local_times() -> None:
    brief = digest_text(ten("brief"))
    assert brief.startswith("Tuesday 1 December — 10 stories")
    assert "Example <News> & Co · 08:00 · https://" in brief
    full = digest_text(ten("full"))
    assert "  • " in full and re.search(r"Example <News> & Co · 0[78]:\d\d", full)
