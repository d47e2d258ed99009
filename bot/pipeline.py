"""The flow for one machine: poll feeds -> store entries -> fetch pages, extract,
summarize -> ready stories.

Polling and processing are separate steps on purpose. A poll cycle only
fetches feeds (conditional GET), parses and deduplicates entries and stores
them as *pending* articles, so a thousand feeds are polled in seconds.
Processing then fetches each new article's page once, extracts it, and
summarizes it once per content fingerprint, however many feeds and chats
include it. With several workers, each runs ``process_pending``.

Once ready, an article joins the story it tells or starts one
(:mod:`bot.stories`: one MiniLM embedding of its title and lead, compared
with the stories of the last days), so a digest shows each story once
however many outlets tell it.

Failures stay local: a feed that is down is counted and retried later with
backoff; an article page that cannot be fetched falls back to the feed's own
text and records why; nothing raised for one feed or article stops the rest.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import numpy as np

from bot.clock import utcnow
from bot.domain import Article, FeedInfo, Summary
from bot.errors import FeedError, FetchError, HTTPStatusError, NewsbotError
from bot.metrics import Metrics
from bot.polling import backoff_time, next_poll_time
from bot.records import EntryRecord, FetchState, PendingArticle, PollWrite
from bot.settings import Settings
from bot.sources.articles import feed_copy, fetch_article
from bot.sources.discovery import resolve_feed
from bot.sources.feeds import FeedEntry, ParsedFeed
from bot.sources.http import Fetcher, FetchResult, parse_retry_after
from bot.sources.parsing import parse_feed_async
from bot.store import Store
from bot.stories import ArticleInput, StoryAssigner, StoryConfig, build_signature
from bot.stories.signature import Embedder
from bot.summarize.base import Summarizer

logger = logging.getLogger(__name__)

MAX_ARTICLE_ATTEMPTS = 3
WRITE_BATCH = 500  # feeds fetched, then stored in one transaction
_MAX_AGE = re.compile(r"max-age=(\d+)")


@dataclass(frozen=True, slots=True)
class PollOutcome:
    feed_id: int
    new_articles: tuple[int, ...] = ()
    not_modified: bool = False
    error: str | None = None
    consecutive_failures: int = 0
    warning: str | None = None


def entry_record(entry: FeedEntry) -> EntryRecord:
    """A parsed feed entry as the store keeps it. Its text (:func:`feed_copy`) is
    what the article falls back to when its page cannot be used; it comes back,
    as stored, in ``PendingArticle.feed``."""
    copy = feed_copy(entry)
    return EntryRecord(
        guid=entry.guid[:2048],
        url=entry.url,
        canonical_url=entry.canonical_url,
        title=entry.title,
        published=entry.published,
        author=entry.author,
        feed_text=copy.text or None,
    )


def story_config(settings: Settings) -> StoryConfig:
    """The story settings (``NEWSBOT_STORY_*``) as story assignment takes them."""
    return StoryConfig(window=timedelta(hours=settings.story_window_hours), join=settings.story_join)


def outlet_name(article: Article, pending: PendingArticle) -> str:
    """Who published the article, as a reader knows it: the site's own name,
    else the feed's title, else the host."""
    return (article.site_name or pending.source or urlsplit(article.url or pending.url).hostname
            or "unknown")[:512]


class Pipeline:
    """Poll, process and summarize; the same object serves the scheduler, the
    CLI and the command layer."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        fetcher: Fetcher,
        summarizer: Summarizer | Callable[[], Summarizer],
        metrics: Metrics | None = None,
        *,
        embedder: Callable[[], Embedder] | None = None,
        stories: StoryAssigner | None = None,
    ) -> None:
        """``embedder`` (a callable returning MiniLM, called on first use) embeds
        each article's title and lead for story assignment; without one,
        stories are formed by the conservative lexical rule only."""
        self.settings = settings
        self.metrics = metrics or Metrics()
        self.store = store
        self.fetcher = fetcher
        self._summarizer = summarizer
        self._embedder_factory = embedder
        self._embedder: Embedder | None = None
        self.stories = stories or StoryAssigner(store.stories, story_config(settings))
        # One summarization at a time: the model already uses every core, and
        # running two at once only doubles peak memory.
        self._summarize_lock = asyncio.Lock()

    @property
    def embedder(self) -> Embedder | None:
        if self._embedder is None and self._embedder_factory is not None:
            self._embedder = self._embedder_factory()
        return self._embedder

    def embed_topics(self, phrases: Sequence[str]) -> np.ndarray:
        """MiniLM vectors of a chat's topic phrases (``/follow``, ``/mute``), the
        model stories are assigned with; LookupError in a process without it."""
        embedder = self.embedder
        if embedder is None:
            raise LookupError("no MiniLM embedder in this process")
        return embedder.embed(list(phrases))

    @property
    def summarizer(self) -> Summarizer:
        if not isinstance(self._summarizer, Summarizer):
            self._summarizer = self._summarizer()
        return self._summarizer

    # ---------------------------------------------------------------- feeds

    async def add_feed(self, url: str) -> tuple[FeedInfo, bool]:
        """Add a feed by its URL or by a page that links to one; store its
        current entries right away. Raises FeedError/FetchError (one line)."""
        feed_url, parsed = await resolve_feed(self.fetcher, url)
        existing = await self.store.feeds.find_feed(feed_url)
        feed, created = await self.store.feeds.add_feed(feed_url, parsed.title, parsed.site_url)
        if created or existing is None or not existing.active:
            await self.store.feeds.save_polls([self._poll_write(feed, parsed, utcnow(), None, {})])
        return feed, created

    async def poll_feed(self, feed: FeedInfo) -> PollOutcome:
        """Fetch one feed (conditional GET), store new entries, record the outcome."""
        fetched = await self._fetch_feed(feed)
        if isinstance(fetched, PollOutcome):
            return fetched
        write, warning = fetched
        new_ids = (await self.store.feeds.save_polls([write]))[feed.id]
        outcome = PollOutcome(feed.id, new_articles=tuple(new_ids), warning=warning,
                              not_modified=write.state.not_modified)
        self.metrics.feed_polled(outcome)
        return outcome

    async def _fetch_feed(self, feed: FeedInfo) -> tuple[PollWrite, str | None] | PollOutcome:
        """Fetch and parse; a failure is recorded and returned as an outcome."""
        now = utcnow()
        interval_s = feed.poll_interval_s or self.settings.poll_interval_minutes * 60
        try:
            result = await self.fetcher.fetch(
                feed.url, etag=feed.etag, last_modified=feed.last_modified
            )
            if result.not_modified:
                next_at = self._next_poll(now, interval_s, result.headers, None)
                state = FetchState(fetched_at=now, next_poll_at=next_at, not_modified=True)
                return PollWrite(feed.id, (), state), None
            parsed = await parse_feed_async(
                result.content, result.url, result.headers,
                max_entries=self.settings.feed_max_entries,
            )
        except (FetchError, FeedError) as exc:
            return await self._poll_failed(feed, now, exc)
        except Exception as exc:  # a bug must not stop the other feeds
            logger.exception("unexpected error polling %s", feed.url)
            return await self._poll_failed(feed, now, exc)
        if parsed.warning:
            logger.debug("feed %s parsed with a warning: %s", feed.url, parsed.warning)
        return self._poll_write(feed, parsed, now, result, result.headers), parsed.warning

    def _poll_write(
        self,
        feed: FeedInfo,
        parsed: ParsedFeed,
        now: datetime,
        result: FetchResult | None,
        headers: Mapping[str, str],
    ) -> PollWrite:
        """A parsed feed as the store takes it: its entries and the feed's new state
        (``result`` is the fetch it came from; None when discovery fetched it)."""
        interval_s = feed.poll_interval_s or self.settings.poll_interval_minutes * 60
        state = FetchState(
            fetched_at=now,
            next_poll_at=self._next_poll(now, interval_s, headers, parsed.ttl_minutes),
            etag=result.etag if result else None,
            last_modified=result.last_modified if result else None,
            title=parsed.title,
            site_url=parsed.site_url,
        )
        return PollWrite(feed.id, tuple(entry_record(e) for e in parsed.entries), state)

    def _next_poll(
        self, now: datetime, interval_s: int, headers: Mapping[str, str], ttl_minutes: int | None
    ) -> datetime:
        max_age = _MAX_AGE.search(headers.get("cache-control", "") or "")
        return next_poll_time(
            now=now,
            interval_s=interval_s,
            min_interval_s=self.settings.poll_min_interval_minutes * 60,
            ttl_minutes=ttl_minutes,
            cache_max_age_s=int(max_age.group(1)) if max_age else None,
            retry_after_s=parse_retry_after(headers.get("retry-after")),
        )

    async def _poll_failed(self, feed: FeedInfo, now: datetime, exc: BaseException) -> PollOutcome:
        reason = str(exc) if isinstance(exc, NewsbotError) else f"unexpected error: {exc!r}"
        retry_after = exc.retry_after if isinstance(exc, HTTPStatusError) else None
        failures = feed.consecutive_failures + 1
        next_at = backoff_time(
            now=now,
            failures=failures,
            base_s=self.settings.poll_min_interval_minutes * 60,
            retry_after_s=retry_after,
        )
        failures = await self.store.feeds.record_fetch_error(
            feed.id, fetched_at=now, error=reason, next_poll_at=next_at
        )
        logger.warning("feed %s failed (%d in a row): %s", feed.url, failures, reason)
        outcome = PollOutcome(feed.id, error=reason, consecutive_failures=failures)
        self.metrics.feed_polled(outcome)
        return outcome

    async def poll_feeds(
        self, feeds: Iterable[FeedInfo], concurrency: int | None = None,
        progress: Callable[[PollOutcome], None] | None = None,
    ) -> list[PollOutcome]:
        """Poll many feeds, a chunk at a time: fetch and parse the chunk
        concurrently (the fetcher also limits per host), then store it in one
        transaction. Fetching and writing take turns rather than overlap: the
        database driver's round trips otherwise queue behind hundreds of
        network callbacks on the event loop, which made storing ten times
        slower than the statements themselves."""
        limit = asyncio.Semaphore(concurrency or self.settings.fetch_concurrency)
        outcomes: list[PollOutcome] = []

        def done(outcome: PollOutcome) -> None:
            outcomes.append(outcome)
            if progress:
                progress(outcome)

        async def fetch(feed: FeedInfo) -> tuple[PollWrite, str | None] | PollOutcome:
            async with limit:
                return await self._fetch_feed(feed)

        pending = list(feeds)
        for start in range(0, len(pending), WRITE_BATCH):
            results = await asyncio.gather(*(fetch(f) for f in pending[start : start + WRITE_BATCH]))
            writes = [r for r in results if not isinstance(r, PollOutcome)]
            for r in results:
                if isinstance(r, PollOutcome):
                    done(r)
            if not writes:
                continue
            try:
                new = await self.store.feeds.save_polls([w for w, _ in writes])
            except Exception as exc:  # keep polling the rest; these retry next cycle
                logger.exception("storing %d polled feeds failed", len(writes))
                for w, _ in writes:
                    failed = PollOutcome(w.feed_id, error=f"could not store the feed: {exc!r}")
                    self.metrics.feed_polled(failed)  # fetch failures: in _poll_failed
                    done(failed)
                continue
            for w, warning in writes:
                polled = PollOutcome(w.feed_id, new_articles=tuple(new[w.feed_id]),
                                     warning=warning, not_modified=w.state.not_modified)
                self.metrics.feed_polled(polled)
                done(polled)
        return outcomes

    async def poll_due(self) -> list[PollOutcome]:
        return await self.poll_feeds(await self.store.feeds.due_feeds(utcnow()))

    # ------------------------------------------------------------- articles

    async def process_pending(self, limit: int = 50, *, ids: Sequence[int] | None = None) -> list[int]:
        """Fetch, extract and summarize pending articles (``ids``: only those
        still pending of them); return those now ready."""
        ready: list[int] = []
        pending = await self.store.articles.pending_articles(limit=limit, ids=ids,
                                                             max_attempts=MAX_ARTICLE_ATTEMPTS)
        # Pages are fetched concurrently; summarization is serialised by the lock.
        results = await asyncio.gather(*(self._process_one(p) for p in pending))
        for article_id, status in results:
            if status == "ready":
                ready.append(article_id)
        return ready

    async def _process_one(self, pending: PendingArticle) -> tuple[int, str]:
        try:
            article = await fetch_article(self.fetcher, pending.url, fallback=pending.feed)
            self.metrics.article_fetched(used_feed_text=article.extraction_note is not None)
            summary = await self.store.articles.get_summary(article.fingerprint)
            if summary is None:
                summary = await self.summarize(article)
            status = await self.store.articles.save_article(pending.id, article, summary)
            if status in ("ready", "duplicate"):
                # A duplicate is another outlet's copy of a ready article: it joins
                # that story (same text), so the digest credits its outlet.
                await self.assign_story(pending, article)
            return pending.id, status
        except NewsbotError as exc:
            final = pending.attempts + 1 >= MAX_ARTICLE_ATTEMPTS or isinstance(exc, HTTPStatusError)
            await self.store.articles.mark_article_failed(pending.id, str(exc), final=final)
            # one WARNING when the article is given up; attempts before that are detail
            # a fetch error's text ends with its URL: name the URL once
            detail = exc.reason if isinstance(exc, FetchError) and exc.url == pending.url else exc
            logger.log(logging.WARNING if final else logging.DEBUG, "article %s: %s%s",
                       pending.url, detail, "" if final else " (will retry)")
            if final:
                self.metrics.article_failed()
        except Exception as exc:
            logger.exception("unexpected error processing %s", pending.url)
            await self.store.articles.mark_article_failed(pending.id, repr(exc), final=True)
            self.metrics.article_failed()
        return pending.id, "failed"

    async def assign_story(self, pending: PendingArticle, article: Article) -> str | None:
        """Put a ready article in its story (joined or new); returns the story id.

        A failure is logged in one line and leaves the article ready without a
        story (the digest then shows it on its own): stories never cost an article.
        """
        story_input = ArticleInput(
            article_id=str(pending.id),
            title=article.title or pending.feed.title,
            text=article.text or pending.feed.text,
            published=article.published or pending.feed.published or utcnow(),
            outlet=outlet_name(article, pending),
            language=article.language,
        )
        try:
            async with self._summarize_lock:  # the embedder shares the model's cores
                signature = await asyncio.to_thread(
                    build_signature, story_input, self.embedder, self.stories.config)
            assignment = await self.stories.assign(signature)
        except Exception as exc:  # a story is a bonus; the article stays ready
            logger.warning("article %s: no story assigned (%s)", pending.url,
                           exc if isinstance(exc, NewsbotError) else repr(exc))
            return None
        self.metrics.story_assigned(created=assignment.created)
        return assignment.story_id

    async def summarize(self, article: Article) -> Summary:
        """Summarize off the event loop (the model is CPU-bound)."""
        async with self._summarize_lock, self.metrics.summarizing():
            return await asyncio.to_thread(
                self.summarizer.summarize,
                article.text,
                article.title,
                article.language,
                self.settings.key_points,
                self.settings.key_quotes,
            )

    async def summarize_url(self, url: str) -> tuple[Article, Summary]:
        """Fetch and summarize one page for ``/summary`` (no feed fallback)."""
        article = await fetch_article(self.fetcher, url)
        summary = await self.store.articles.get_summary(article.fingerprint)
        if summary is None:
            summary = await self.summarize(article)
            await self.store.articles.put_summary(article.fingerprint, summary)
        return article, summary
