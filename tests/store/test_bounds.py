"""No field length stops ingestion (issue #15): values from outside are bounded
before they reach the database, and one feed the database refuses never fails
the others of its batch. Property tests store generated extreme values (lengths,
unicode, NUL, lone surrogates) on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.domain import Article, Quote, Summary
from bot.errors import FeedError
from bot.pipeline import entry_record
from bot.records import EntryRecord, FetchState, PollWrite
from bot.sources.feeds import parse_feed
from bot.store import Store, bounds
from bot.store.models import ArticleRow, FeedEntryRow, FeedRow

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
_ids = itertools.count()


# ------------------------------------------------------------------ the bounds


def test_clip_cuts_by_characters_and_says_so() -> None:
    assert bounds.clip("short", 10) == "short"
    cut = bounds.clip("é" * 600, 512)
    assert len(cut) == 512 and cut.endswith("…") and cut[:-1] == "é" * 511
    assert bounds.clip(None, 5) is None


def test_clip_never_splits_a_combining_sequence_or_an_emoji() -> None:
    # "e" + combining acute: cutting between them would leave a bare "e"
    text = "a" * 8 + "e\u0301" + "z" * 10
    cut = bounds.clip(text, 10)  # room for 9 characters + "…": would end with "e"
    assert cut == "a" * 8 + "…"
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # one emoji, five code points
    cut = bounds.clip("x" + family + "y" * 20, 5)
    assert "\u200d" not in cut[-2:] and len(cut) <= 5


def test_clean_removes_nul_and_lone_surrogates() -> None:
    value = bounds.clean("a\x00b\ud800c\udfff")
    assert value == "ab\ufffdc\ufffd"
    value.encode("utf-8")  # encodable at last


def test_urls_are_kept_whole_and_keyed_by_hash() -> None:
    long_url = "https://example.com/?" + "q=1&" * 2000
    assert bounds.url(long_url) == long_url
    assert bounds.url_hash(long_url) != bounds.url_hash(long_url + "x")
    assert len(bounds.url_hash(long_url)) == 64
    assert bounds.url("https://a.example/\x00") == "https://a.example/%00"
    assert bounds.url_or_none("https://a.example/" + "x" * bounds.MAX_URL_CHARS) is None


def test_long_guids_become_a_bounded_key_that_stays_unique() -> None:
    a, b = "ü" * 1000 + "a", "ü" * 1000 + "b"  # 2,001 bytes each, same prefix
    assert bounds.guid(a) != bounds.guid(b)
    assert bounds.guid(a).startswith("sha256:") and len(bounds.guid(a)) == 71
    assert bounds.guid("tag:example.com,2026:1") == "tag:example.com,2026:1"


def test_validators_too_long_to_be_honest_are_dropped() -> None:
    assert bounds.clip_or_none('"' + "e" * 600 + '"', bounds.MAX_ETAG_CHARS) is None
    assert bounds.clip_or_none('W/"abc"', bounds.MAX_ETAG_CHARS) == 'W/"abc"'


# ------------------------------------------------------------ the case


def hostile_poll(feed_id: int, base: str) -> PollWrite:
    """The feed of issue #15: a 600-character ETag, an entry link over 2,048
    characters, author and title over 512."""
    long_link = f"{base}/story?" + "x" * 3000
    entries = (
        EntryRecord(guid=long_link, url=long_link, canonical_url=long_link, title="T" * 700,
                    published=NOW, author="A" * 600, feed_text="text"),
    )
    state = FetchState(fetched_at=NOW, next_poll_at=NOW + timedelta(minutes=15),
                       etag='"' + "e" * 600 + '"', last_modified="x" * 300, title="F" * 900,
                       site_url=f"{base}/?" + "s" * 3000)
    return PollWrite(feed_id, entries, state)


def plain_poll(feed_id: int, base: str, n: int = 3) -> PollWrite:
    entries = tuple(
        EntryRecord(guid=f"{base}/{i}", url=f"{base}/{i}", canonical_url=f"{base}/{i}",
                    title=f"Story {i}", published=NOW, feed_text=f"Text {i}")
        for i in range(n)
    )
    state = FetchState(fetched_at=NOW, next_poll_at=NOW + timedelta(minutes=15), etag='"ok"')
    return PollWrite(feed_id, entries, state)


async def entry_count(store: Store, feed_id: int) -> int:
    async with store.session() as s:
        return int(await s.scalar(select(func.count()).select_from(FeedEntryRow)
                                  .where(FeedEntryRow.feed_id == feed_id)) or 0)


async def test_a_hostile_feed_is_stored_bounded_with_its_batch(store: Store) -> None:
    feeds = [(await store.feeds.add_feed(f"https://f{i}.example/rss"))[0] for i in range(5)]
    polls = [plain_poll(f.id, f"https://f{i}.example") for i, f in enumerate(feeds)]
    polls[2] = hostile_poll(feeds[2].id, "https://f2.example")
    new = await store.feeds.save_polls(polls)
    assert sorted(new) == sorted(f.id for f in feeds)
    for i, feed in enumerate(feeds):
        assert await entry_count(store, feed.id) == (1 if i == 2 else 3)
    hostile = await store.feeds.get_feed(feeds[2].id)
    assert hostile is not None and hostile.last_error is None
    assert hostile.etag is None and hostile.last_modified is None  # dropped, not cut
    assert hostile.title is not None and len(hostile.title) == 512 and hostile.title.endswith("…")
    async with store.session() as s:
        article = await s.scalar(select(ArticleRow).where(ArticleRow.id == new[feeds[2].id][0]))
        assert article is not None
        assert len(article.url) > 3000  # the link is whole
        assert article.author is not None and len(article.author) == 512
        site = await s.scalar(select(FeedRow.site_url).where(FeedRow.id == feeds[2].id))
        assert site is not None and len(site) > 3000


async def test_feeds_with_urls_longer_than_2048_characters_are_added_and_found(
        store: Store) -> None:
    url = "https://long.example/feed?" + "k=v&" * 1000
    feed, created = await store.feeds.add_feed(url, "T" * 1000, url + "#site")
    again, created_again = await store.feeds.add_feed(url)
    assert created and not created_again and again.id == feed.id and feed.url == url
    assert (await store.feeds.find_feed(url)) == feed
    assert (await store.feeds.find_feed(url + "#site")) == feed


async def test_one_feed_the_database_refuses_does_not_fail_its_batch(
        store: Store, caplog: pytest.LogCaptureFixture) -> None:
    """A feed removed while it was being polled: its rows violate a foreign key.
    Before, the whole batch (up to 500 feeds) was rolled back every cycle."""
    feeds = [(await store.feeds.add_feed(f"https://g{i}.example/rss"))[0] for i in range(4)]
    polls = [plain_poll(f.id, f"https://g{i}.example") for i, f in enumerate(feeds)]
    await store.feeds.remove_feed(feeds[1].id)
    new = await store.feeds.save_polls(polls)
    assert new[feeds[1].id] == []
    for i in (0, 2, 3):
        assert len(new[feeds[i].id]) == 3
        assert await entry_count(store, feeds[i].id) == 3
        info = await store.feeds.get_feed(feeds[i].id)
        assert info is not None and info.etag == '"ok"' and info.last_error is None
    assert await entry_count(store, feeds[1].id) == 0
    messages = [r.getMessage() for r in caplog.records]
    assert any(f"feed {feeds[1].id}: the database refused 3 of 3 entries" in m for m in messages)
    assert all(len(m.splitlines()) == 1 and len(m) < 1000 for m in messages)


async def test_an_entry_whose_link_is_absurdly_long_is_skipped_and_the_rest_stored(
        store: Store) -> None:
    feed, _ = await store.feeds.add_feed("https://h.example/rss")
    poll = plain_poll(feed.id, "https://h.example", n=2)
    absurd = "https://h.example/" + "x" * (bounds.MAX_URL_CHARS + 1)
    bad = EntryRecord(guid="bad", url=absurd, canonical_url=absurd, title="x", published=NOW)
    new = await store.feeds.save_polls([PollWrite(feed.id, (*poll.entries, bad), poll.state)])
    assert len(new[feed.id]) == 2


async def test_article_and_summary_values_are_bounded(store: Store) -> None:
    feed, _ = await store.feeds.add_feed("https://i.example/rss")
    [aid] = await store.articles.add_entries(feed.id, plain_poll(feed.id, "https://i.example",
                                                                 n=1).entries)
    article = Article(url="https://i.example/0", title="t\x00" * 400, text="body\x00\ud800" * 10,
                      fingerprint="f" * 64, author="a" * 900, language="x" * 40,
                      site_name="s\udfff" * 400, extraction_note="n" * 5000)
    quote = Quote("said\x00 it\ud83d", "Jo\x00", 0, 4)
    summary = Summary(("point\x00\udc00",), (quote,), (quote,), "e" * 100, "en")
    assert await store.articles.save_article(aid, article, summary) == "ready"
    stored = await store.articles.get_summary("f" * 64)
    assert stored is not None and stored.key_points == ("point\ufffd",)
    assert stored.quotes[0].text == "said it\ufffd" and stored.quotes[0].speaker == "Jo"


# --------------------------------------------------------------- property tests

# Characters that break naive storage: NUL, lone surrogates, four-byte and
# combining characters, right-to-left text, newlines.
HOSTILE = st.sampled_from(["\x00", "\ud800", "\udfff", "\U0001f600", "e\u0301", "\u202e",
                           "\u200d", "ü", "\n", "'", '"', "%", "\\", "𝔘"])
PIECE = st.lists(st.one_of(st.characters(), HOSTILE), min_size=1, max_size=8).map("".join)


@st.composite
def extreme_text(draw: st.DrawFn, max_repeat: int = 2500) -> str:
    """Up to ~20,000 characters: a short hostile piece repeated."""
    return draw(PIECE) * draw(st.integers(1, max_repeat))


@st.composite
def extreme_entry(draw: st.DrawFn, base: str) -> EntryRecord:
    link = f"{base}/{next(_ids)}?" + draw(extreme_text(max_repeat=600))
    return EntryRecord(
        guid=draw(st.one_of(st.just(link), extreme_text())),
        url=link,
        canonical_url=link,
        title=draw(st.one_of(st.none(), extreme_text())),
        published=draw(st.one_of(st.none(), st.just(NOW))),
        author=draw(st.one_of(st.none(), extreme_text())),
        feed_text=draw(st.one_of(st.none(), extreme_text())),
    )


@st.composite
def extreme_state(draw: st.DrawFn) -> FetchState:
    optional = st.one_of(st.none(), extreme_text(max_repeat=200))
    return FetchState(fetched_at=NOW, next_poll_at=NOW + timedelta(minutes=15),
                      not_modified=draw(st.booleans()), etag=draw(optional),
                      last_modified=draw(optional), title=draw(optional),
                      site_url=draw(st.one_of(st.none(), st.just("https://s.example/?")
                                              .map(lambda u: u + "z" * 4000))))


POLLS = st.lists(st.tuples(st.lists(extreme_entry("https://x.example"), max_size=4),
                           extreme_state()), min_size=1, max_size=4)


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(hostile=POLLS)
async def test_generated_extreme_feeds_store_without_raising_and_spare_their_batch(
        store: Store, hostile: list[tuple[list[EntryRecord], FetchState]]) -> None:
    n = next(_ids)
    sane, _ = await store.feeds.add_feed(f"https://sane{n}.example/rss")
    writes = [plain_poll(sane.id, f"https://sane{n}.example")]
    for i, (entries, state) in enumerate(hostile):
        feed, _ = await store.feeds.add_feed(f"https://hostile{n}-{i}.example/rss\x00\ud800",
                                             title=entries[0].title if entries else None)
        writes.append(PollWrite(feed.id, tuple(entries), state))
    new = await store.feeds.save_polls(writes)
    assert set(new) == {w.feed_id for w in writes}
    assert await entry_count(store, sane.id) == 3
    for w in writes:
        info = await store.feeds.get_feed(w.feed_id)
        assert info is not None and info.last_error is None
        assert info.title is None or len(info.title) <= bounds.MAX_TITLE_CHARS
        assert "\x00" not in (info.etag or "") + (info.title or "")
        guids = {bounds.guid(e.guid) for e in w.entries}
        assert await entry_count(store, w.feed_id) == len(guids)


@st.composite
def json_feed(draw: st.DrawFn) -> bytes:
    """A JSON Feed whose every field is extreme; JSON escapes carry NUL and lone
    surrogates (``\\u0000``, ``\\ud800``) that XML cannot."""
    text = extreme_text(max_repeat=400)
    items = [
        {"id": draw(text), "url": "https://j.example/" + draw(text),
         "title": draw(text), "content_text": draw(text),
         "authors": [{"name": draw(text)}], "date_published": "2026-12-01T10:00:00Z"}
        for _ in range(draw(st.integers(1, 3)))
    ]
    doc = {"version": "https://jsonfeed.org/version/1.1", "title": draw(text),
           "home_page_url": "https://j.example/?" + draw(text), "items": items}
    return json.dumps(doc).encode()


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(document=json_feed())
async def test_parsed_extreme_json_feeds_store_beside_a_sane_feed(
        store: Store, document: bytes) -> None:
    """Through the real parser and the pipeline's entry records: whatever a feed
    document holds, once parsed it is stored, and its batch with it."""
    try:
        parsed = parse_feed(document, "https://j.example/feed.json")
    except FeedError:
        return  # refusing a document is the parser's call (tests/fuzz); storing is ours
    n = next(_ids)
    sane, _ = await store.feeds.add_feed(f"https://jsane{n}.example/rss")
    odd, _ = await store.feeds.add_feed(f"https://j{n}.example/feed.json", parsed.title,
                                        parsed.site_url)
    state = FetchState(fetched_at=NOW, next_poll_at=NOW + timedelta(minutes=15),
                       title=parsed.title, site_url=parsed.site_url)
    writes = [plain_poll(sane.id, f"https://jsane{n}.example"),
              PollWrite(odd.id, tuple(entry_record(e) for e in parsed.entries), state)]
    new = await store.feeds.save_polls(writes)
    assert set(new) == {sane.id, odd.id}
    assert await entry_count(store, sane.id) == 3
    info = await store.feeds.get_feed(odd.id)
    assert info is not None and info.last_error is None
