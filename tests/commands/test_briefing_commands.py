"""Issue 14's commands through the real core and store: /follow, /mute and their undo,
/subscribe <url> only:/not:, /list with buttons to remove, /settings layout, the
digest's topic and keyword filtering, /digest right after /subscribe, and hints in
Slack's own command form."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import timedelta
from typing import Any

from bot.adapters.console import ConsoleAdapter
from bot.clock import utcnow
from bot.commands.handlers import parse_feed_filter, parse_topics, welcome
from bot.digest.builder import build_digest
from bot.digest.filters import KeywordMatcher, apply
from bot.domain import ChatRef, ChatTopics, Command, FeedFilter, Quote, Summary
from bot.records import StoryRecord
from bot.store import Store
from tests.e2e_support import core, news_site
from tests.support.http_server import http_server as http_server
from tests.test_pipeline import CountingSummarizer

TG = ChatRef("telegram", "4242")
SLACK = ChatRef("slack", "D0001")
CONSOLE = ChatRef("console", "me")


def cmd(name: str, *args: str, chat: ChatRef = TG) -> Command:
    return Command(name, args, chat, chat_kind="private")


def record(i: int, title: str, point: str = "Nothing else happened.") -> StoryRecord:
    summary = Summary((point,), (), (Quote("It went well", "A. Person", 0, 5),), "test")
    return StoryRecord(i, title, f"https://x.example/{i}", "X", utcnow(), utcnow(), 1000, summary)


def test_keyword_matching_is_whole_words_any_case_and_plural() -> None:
    m = KeywordMatcher()
    r = record(1, "Floods close the Harbor Bridge", "The general election was postponed.")
    assert m.matches("flood", r) and m.matches("FLOODS", r) and m.matches("harbor bridge", r)
    assert m.matches("general election", r) and m.matches("elections", r)
    assert not m.matches("oil", r) and not m.matches("bridges closed", r) and not m.matches("", r)
    assert not m.matches("ridge", r)  # whole words only


def test_filters_mute_follow_and_per_feed_keywords() -> None:
    records = [record(1, "Football final tonight"), record(2, "Climate summit opens"),
               record(3, "Harbor ferry strike"), record(4, "Climate and football")]
    topics = ChatTopics(follow=("climate",), mute=("football",))
    out = apply(records, topics, {}, {})
    assert [r.article_id for r in out.records] == [2, 3] and out.followed == {2}
    assert out.muted == 2
    # feed 7 only wants ferries; feed 8 is unfiltered; article 2 is carried by both
    rules = {7: FeedFilter(include=("ferry",))}
    feeds = {1: {7}, 2: {7, 8}, 3: {7}, 4: {7}}
    kept = apply(records, ChatTopics(), rules, feeds)
    assert [r.article_id for r in kept.records] == [2, 3] and kept.filtered == 2
    kept = apply(records, ChatTopics(), {7: FeedFilter(exclude=("climate",))}, {i: {7} for i in range(5)})
    assert [r.article_id for r in kept.records] == [1, 3]


def test_topic_and_filter_parsing() -> None:
    assert parse_topics(("Climate,", "General", "Election")) == ["climate", "general election"]
    assert parse_feed_filter(("only:climate,floods", "not:sport")) == FeedFilter(
        ("climate", "floods"), ("sport",))
    assert parse_feed_filter(("only:", "harbor", "ferry")) == FeedFilter(("harbor ferry",), ())
    assert parse_feed_filter(("all",)) == FeedFilter()
    assert parse_feed_filter(()) is None
    assert "/newsbot subscribe" in welcome("/newsbot ") and "Europe/London" in welcome("/newsbot ")


async def test_follow_mute_list_and_undo(store: Store, http_server: Any) -> None:
    site = news_site(http_server())
    async with core(store, CountingSummarizer()) as c:
        h = c.commands.handle
        assert "Subscribed to Loopback Herald" in (await h(cmd("subscribe", site.url("/rss.xml")))).text
        followed = await h(cmd("follow", "heatwave,", "harbor", "bridge"))
        assert "Following “heatwave”, “harbor bridge”" in followed.text
        assert "/unfollow heatwave" in followed.text
        assert "already follows" in (await h(cmd("follow", "heatwave"))).text
        assert "Muted “football”" in (await h(cmd("mute", "Football"))).text
        listing = await h(cmd("list"))
        assert "Following: heatwave, harbor bridge" in listing.text
        assert "Muted: football" in listing.text
        assert [ch.data for ch in listing.choices] == [
            "unfollow heatwave", "unfollow harbor bridge", "unmute football"]
        assert listing.private
        assert "Stopped following “harbor bridge”" in (await h(cmd("unfollow", "harbor bridge"))).text
        assert "doesn't mute" in (await h(cmd("unmute", "cricket"))).text
        # following a muted topic moves it
        await h(cmd("follow", "football"))
        assert await store.chats.topics(TG) == ChatTopics(follow=("heatwave", "football"))
        assert "Which topic?" in (await h(cmd("mute"))).text

        only = await h(cmd("subscribe", site.url("/rss.xml"), "only:heatwave", "not:bridge"))
        assert "already follows" in only.text and "Only stories about heatwave" in only.text
        assert "none about bridge" in only.text
        assert "Only stories about heatwave" in (await h(cmd("list"))).text
        cleared = await h(cmd("subscribe", site.url("/rss.xml"), "all"))
        assert "no keyword filter" in cleared.text
        assert await store.chats.feed_filters(TG) == {}
        bad = await h(cmd("subscribe", site.url("/rss.xml"), "sometimes"))
        assert bad.is_error and "only:climate,floods" in bad.text


async def test_muted_stories_leave_the_digest_and_followed_come_first(
        store: Store, http_server: Any) -> None:
    site = news_site(http_server())
    async with core(store, CountingSummarizer()) as c:
        h = c.commands.handle
        await h(cmd("subscribe", site.url("/rss.xml")))
        await c.services.pipeline.process_pending()
        built = await build_digest(store, TG)
        assert built is not None and len(built[0].stories) == 2
        await h(cmd("mute", "heatwave"))
        built = await build_digest(store, TG)
        assert built is not None
        assert [s.title for s in built[0].stories] == [built[0].stories[0].title]
        assert "Heatwave" not in built[0].stories[0].title
        assert len(built[1]) == 2  # the muted story counts as given: it never comes back
        await h(cmd("unmute", "heatwave"))
        built = await build_digest(store, TG)
        assert built is not None and "Heatwave" not in built[0].stories[0].title
        await h(cmd("follow", "heatwave"))
        built = await build_digest(store, TG)
        assert built is not None and "Heatwave" in built[0].stories[0].title  # ranked first
        await h(cmd("unfollow", "heatwave"))
        await h(cmd("subscribe", site.url("/rss.xml"), "only:heatwave"))
        built = await build_digest(store, TG)
        assert built is not None and len(built[0].stories) == 1
        assert "Heatwave" in built[0].stories[0].title


async def test_digest_right_after_subscribe_waits_for_the_first_stories(
        store: Store, http_server: Any) -> None:
    site = news_site(http_server())
    async with core(store, CountingSummarizer(), {"console": ConsoleAdapter(io.StringIO())}) as c:
        h = c.commands.handle
        await h(cmd("subscribe", site.url("/rss.xml"), chat=CONSOLE))
        waiting = await h(cmd("digest", chat=CONSOLE))
        assert "still reading the first stories" in waiting.text
        assert "Nothing new" not in waiting.text
        ready = await c.services.pipeline.process_pending()
        assert await c.scheduler.queue_realtime(ready) == 1  # posted when ready ...
        assert await c.scheduler.queue_realtime(ready) == 0  # ... once
        # an old request lapses
        await store.chats.want_digest(CONSOLE)
        assert not await store.chats.claim_wanted_digest(CONSOLE, max_age=timedelta(seconds=-1))
        assert not await store.chats.claim_wanted_digest(CONSOLE)


async def test_settings_layout_and_slack_hints(store: Store) -> None:
    async with core(store, CountingSummarizer()) as c:
        h = c.commands.handle
        reply = await h(cmd("settings", "layout", "headlines"))
        assert "Layout: headlines" in reply.text and reply.private
        chat = await store.chats.get_chat(TG)
        assert chat is not None and chat.settings.layout == "headlines"
        assert [ch.data for ch in reply.choices][:2] == ["settings layout brief", "settings layout full"]
        assert (await h(cmd("settings", "image", "off"))).text.count("Lead image of the top story: off")
        assert (await h(cmd("settings", "layout", "story"))).text.count("one per story")
        chat = await store.chats.get_chat(TG)
        assert chat is not None and chat.settings == replace(
            chat.settings, layout="headlines", lead_image=False, one_message_per_story=True)
        bad = await h(cmd("settings", "layout", "tiny"))
        assert bad.is_error and "/settings layout brief, full or headlines" in bad.text

        slack = [await h(cmd(name, *args, chat=SLACK)) for name, args in (
            ("settings", ("layout", "tiny")), ("list", ()), ("unsubscribe", ()),
            ("schedule", ()), ("summary", ()), ("help", ()), ("start", ()), ("digest", ()))]
        for reply in slack:
            assert "/newsbot " in reply.text or "no subscriptions" in reply.text, reply.text
            assert not any(f" /{word}" in reply.text or reply.text.startswith(f"/{word}")
                           for word in ("subscribe", "schedule", "help", "settings", "list",
                                        "summary", "digest")), reply.text
        assert all(r.private for r in slack[1:2] + slack[5:7])


def test_topic_vectors_decide_when_no_keyword_matches() -> None:
    import numpy as np

    records = [record(1, "Storm hits the coast"), record(2, "Budget vote tonight")]
    vectors = {1: np.array([0.95, 0.05]), 2: np.array([0.0, 1.0])}

    def embed(phrases: Any) -> Any:
        return np.array([[1.0, 0.0]] * len(phrases))

    out = apply(records, ChatTopics(follow=("weather",)), {}, {}, vectors=vectors, embed=embed)
    assert out.followed == {1}
    out = apply(records, ChatTopics(mute=("weather",)), {}, {}, vectors=vectors, embed=embed)
    assert [r.article_id for r in out.records] == [2]

    def broken(phrases: Any) -> Any:
        raise RuntimeError("no model in this process")

    out = apply(records, ChatTopics(mute=("weather",)), {}, {}, vectors=vectors, embed=broken)
    assert [r.article_id for r in out.records] == [1, 2]  # keywords only: nothing says weather


class ThemeEmbedder:
    """Stands in for MiniLM: texts about the heat or the climate point one way,
    everything else another, so meaning decides where no keyword is shared."""

    def embed(self, texts: list[str], *, max_tokens: int | None = None) -> Any:
        import numpy as np

        hot = ("heatwave", "climate")
        out = np.zeros((len(texts), 384), dtype=np.float32)  # MiniLM's width
        for row, text in enumerate(texts):
            out[row, 0 if any(w in text.lower() for w in hot) else 1] = 1.0
        return out


async def test_digest_topics_match_by_the_stored_story_vectors(
        store: Store, http_server: Any) -> None:
    site = news_site(http_server())
    async with core(store, CountingSummarizer(), embedder=ThemeEmbedder()) as c:
        h, pipeline = c.commands.handle, c.services.pipeline
        await h(cmd("subscribe", site.url("/rss.xml")))
        await pipeline.process_pending()
        assert len(await store.stories.article_vectors(range(1, 10))) == 2
        await h(cmd("mute", "climate"))  # a word neither story contains
        by_words = await build_digest(store, TG)
        assert by_words is not None and len(by_words[0].stories) == 2
        by_meaning = await build_digest(store, TG, embed=pipeline.embed_topics)
        assert by_meaning is not None
        assert [s.title for s in by_meaning[0].stories] == [
            s.title for s in by_words[0].stories if "Heatwave" not in s.title]
        await h(cmd("unmute", "climate"))
        await h(cmd("follow", "climate"))
        ranked = await build_digest(store, TG, embed=pipeline.embed_topics)
        assert ranked is not None and "Heatwave" in ranked[0].stories[0].title
