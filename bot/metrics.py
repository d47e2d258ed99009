"""newsbot's Prometheus metrics, on one registry object passed down from the
composition root (no module-level globals, so each test, tool and process gets
its own counters).

The seams count what they see and nothing else: the pipeline (polls, article
fetches, summaries, stories), the outbox and the rate limiters (deliveries,
429s and the waits they impose), the command dispatcher (commands by name).
Gauges that are facts of the database (outbox rows waiting per platform,
paused chats, failing feeds) are read from the store when ``/metrics`` is
scraped (:meth:`Metrics.refresh`), so every process sharing a database
reports the same, true numbers, and a restarted one does not start from zero.

The poll-cycle summary log line (:class:`PollCycle`) is computed from the
same counters, so the log and ``/metrics`` cannot disagree.

Label values are bounded: platforms and outcomes are fixed vocabularies, and a
command name newsbot does not know is counted as ``other`` (a user can type
anything after a slash; every distinct value would be a new time series).
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    Info,
    disable_created_metrics,
)
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest

if TYPE_CHECKING:
    from bot.pipeline import PollOutcome

logger = logging.getLogger(__name__)

__all__ = ["CONTENT_TYPE_LATEST", "Metrics", "PollCycle", "StoreFacts"]

#: Seconds; summarizing one article takes ~0.05-2 s on a CPU with MiniLM,
#: longer with an abstractive model.
SUMMARIZE_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0)
#: Seconds; a poll cycle of a few feeds is sub-second, thousands take minutes.
POLL_BUCKETS = (0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0)

DELIVERY_RESULTS = ("sent", "rate_limited", "gone", "migrated", "rejected", "retry", "failed")
"""What the outbox did with one send attempt (see bot/delivery/outbox.py)."""


@dataclass(frozen=True, slots=True)
class StoreFacts:
    """What the database says right now (read at scrape time)."""

    outbox: dict[tuple[str, str], int]  # (platform, status) -> rows
    paused_chats: dict[str, int]  # platform -> chats paused because the bot is gone
    failing_feeds: int  # active feeds whose last poll failed


class Metrics:
    """Every newsbot metric, registered on ``registry`` (a fresh one by default)."""

    def __init__(self, registry: CollectorRegistry | None = None,
                 known_commands: frozenset[str] | None = None) -> None:
        # no "<name>_created" timestamp series beside every counter: they double the
        # exposition and no alert or dashboard here reads them (a process-wide switch)
        disable_created_metrics()
        self.registry = registry if registry is not None else CollectorRegistry(auto_describe=True)
        r = self.registry
        if known_commands is None:
            from bot.commands.registry import BY_NAME

            known_commands = frozenset(BY_NAME)
        self._known_commands = known_commands
        self._facts_sources: list[Callable[[], Awaitable[StoreFacts]]] = []
        self._outbox_seen: set[tuple[str, str]] = set()
        self._paused_seen: set[str] = set()

        from bot import __version__

        Info("newsbot_build", "The running newsbot's version", registry=r).info(
            {"version": __version__})

        # ---------------------------------------------------------- polling
        self.feed_polls = Counter(
            "newsbot_feed_polls", "Feed polls by outcome (ok, not_modified, failed)",
            ["outcome"], registry=r)
        self.poll_duration = Histogram(
            "newsbot_poll_cycle_seconds", "Duration of one poll cycle (poll due feeds, then "
            "fetch and summarize their new articles)", buckets=POLL_BUCKETS, registry=r)
        self.articles_new = Counter(
            "newsbot_articles_new", "New feed entries stored as pending articles", registry=r)
        self.articles_fetched = Counter(
            "newsbot_articles_fetched", "Article pages processed, by the text used "
            "(page, or feed when the page could not be used)", ["text"], registry=r)
        self.articles_failed = Counter(
            "newsbot_articles_failed", "Articles given up: not fetched or summarized after "
            "their last attempt", registry=r)
        self.articles_summarized = Counter(
            "newsbot_articles_summarized", "Summaries computed (cached summaries not counted)",
            registry=r)
        self.summarize_seconds = Histogram(
            "newsbot_summarize_seconds", "Time to summarize one article (model time, "
            "excluding the wait for the one-at-a-time lock)", buckets=SUMMARIZE_BUCKETS,
            registry=r)
        self.stories = Counter(
            "newsbot_stories_assigned", "Articles assigned to stories: result=new started a "
            "story, result=merged joined an existing one", ["result"], registry=r)
        self.failing_feeds = Gauge(
            "newsbot_feeds_failing", "Active feeds whose last poll failed (from the database)",
            registry=r)

        # --------------------------------------------------------- delivery
        self.deliveries = Counter(
            "newsbot_deliveries", "Outbox send attempts by platform and result "
            "(sent, rate_limited, gone, migrated, rejected, retry, failed)", ["platform", "result"],
            registry=r)
        self.outbox_rows = Gauge(
            "newsbot_outbox_messages", "Outbox rows waiting (status=pending) or given up "
            "(status=failed), by platform (from the database)",
            ["platform", "status"], registry=r)
        self.rate_limited = Counter(
            "newsbot_rate_limited", "HTTP 429 / rate-limit answers from a platform, by scope "
            "(chat or platform)", ["platform", "scope"], registry=r)
        self.rate_limit_wait = Counter(
            "newsbot_rate_limit_wait_seconds", "Seconds of waiting platforms asked for in "
            "rate-limit answers", ["platform"], registry=r)
        self.paused_chats = Gauge(
            "newsbot_chats_paused", "Chats paused because the bot was removed or blocked "
            "(from the database)", ["platform"], registry=r)

        self.scrape_errors = Counter(
            "newsbot_metrics_refresh_errors", "Scrapes whose database gauges could not be "
            "read (the database was unreachable or slow); the gauges kept old values",
            registry=r)

        # --------------------------------------------------------- commands
        self.commands = Counter(
            "newsbot_commands", "Chat commands handled, by name, platform and outcome "
            "(ok, refused by the access rules, error)", ["command", "platform", "outcome"],
            registry=r)

        # Series with a fixed vocabulary exist from the start at 0, so a rate()
        # or a ratio in an alert has data before the first event.
        for outcome in ("ok", "not_modified", "failed"):
            self.feed_polls.labels(outcome)
        for text in ("page", "feed"):
            self.articles_fetched.labels(text)
        for result in ("new", "merged"):
            self.stories.labels(result)

    def add_platform(self, platform: str) -> None:
        """Create ``platform``'s delivery and rate-limit series at 0 (the composition
        root calls it for each platform it wires)."""
        for result in DELIVERY_RESULTS:
            self.deliveries.labels(platform, result)
        for scope in ("chat", "platform"):
            self.rate_limited.labels(platform, scope)
        self.rate_limit_wait.labels(platform)

    # ------------------------------------------------------------ pipeline

    def feed_polled(self, outcome: PollOutcome) -> None:
        if outcome.error is not None:
            self.feed_polls.labels("failed").inc()
        elif outcome.not_modified:
            self.feed_polls.labels("not_modified").inc()
        else:
            self.feed_polls.labels("ok").inc()
        if outcome.new_articles:
            self.articles_new.inc(len(outcome.new_articles))

    def article_fetched(self, *, used_feed_text: bool) -> None:
        self.articles_fetched.labels("feed" if used_feed_text else "page").inc()

    def article_failed(self) -> None:
        self.articles_failed.inc()

    @asynccontextmanager
    async def summarizing(self) -> AsyncIterator[None]:
        """Time one summary; counted only when it succeeds."""
        start = time.perf_counter()
        yield
        self.summarize_seconds.observe(time.perf_counter() - start)
        self.articles_summarized.inc()

    def story_assigned(self, *, created: bool) -> None:
        self.stories.labels("new" if created else "merged").inc()

    # ------------------------------------------------------------ delivery

    def delivery(self, platform: str, result: str) -> None:
        self.deliveries.labels(platform, result).inc()

    def penalty_hook(self, platform: str) -> Callable[[float, bool], None]:
        """A :class:`~bot.delivery.ratelimit.RateLimiter` ``on_penalty`` callback
        counting ``platform``'s rate-limit answers and the waits they ask for."""

        def hook(retry_after: float, platform_wide: bool) -> None:
            self.rate_limited.labels(platform, "platform" if platform_wide else "chat").inc()
            self.rate_limit_wait.labels(platform).inc(max(0.0, retry_after))

        return hook

    # ------------------------------------------------------------ commands

    def command(self, name: str, platform: str, outcome: str) -> None:
        known = name if name in self._known_commands else "other"
        self.commands.labels(known, platform, outcome).inc()

    # ------------------------------------------------------------ scraping

    def add_facts_source(self, source: Callable[[], Awaitable[StoreFacts]]) -> None:
        """Read database facts from ``source`` at each :meth:`refresh`."""
        self._facts_sources.append(source)

    async def refresh(self) -> None:
        """Set the database gauges from their sources (called before each scrape).

        Rows for a (platform, status) that disappeared since the last scrape
        are reported as 0, not left at their old value.
        """
        for source in self._facts_sources:
            facts = await source()
            for key in self._outbox_seen - set(facts.outbox):
                self.outbox_rows.labels(*key).set(0)
            for (platform, status), count in facts.outbox.items():
                self.outbox_rows.labels(platform, status).set(count)
            for platform in self._paused_seen - set(facts.paused_chats):
                self.paused_chats.labels(platform).set(0)
            for platform, count in facts.paused_chats.items():
                self.paused_chats.labels(platform).set(count)
            self._outbox_seen |= set(facts.outbox)
            self._paused_seen |= set(facts.paused_chats)
            self.failing_feeds.set(facts.failing_feeds)

    def exposition(self) -> bytes:
        """The registry in Prometheus text format."""
        return generate_latest(self.registry)

    def value(self, name: str, **labels: str) -> float:
        """One sample's current value (0 when absent): for summaries and tests."""
        return self.registry.get_sample_value(name, labels) or 0.0


@dataclass
class _Counts:
    feeds: float
    failed: float
    new: float
    feed_text: float
    fetched: float
    failed_articles: float

    @classmethod
    def read(cls, m: Metrics) -> _Counts:
        polls = sum(m.value("newsbot_feed_polls_total", outcome=o)
                    for o in ("ok", "not_modified", "failed"))
        return cls(
            feeds=polls,
            failed=m.value("newsbot_feed_polls_total", outcome="failed"),
            new=m.value("newsbot_articles_new_total"),
            feed_text=m.value("newsbot_articles_fetched_total", text="feed"),
            fetched=sum(m.value("newsbot_articles_fetched_total", text=t) for t in ("feed", "page")),
            failed_articles=m.value("newsbot_articles_failed_total"),
        )


class PollCycle:
    """One poll cycle (poll due feeds, process new articles) as a ``with`` block:
    times it into ``newsbot_poll_cycle_seconds`` and logs one summary line::

        polled 120 feeds: 34 new articles, 3 used feed text, 2 feeds failing

    at INFO, instead of a line per article (per-article detail is at DEBUG),
    with ``, N articles failed`` when articles were given up. A cycle that
    only processed articles left from before says ``processed N articles:
    ...``; one that did nothing logs at DEBUG only. The figures are the
    counters' growth during the block; work done meanwhile by something else
    in the process (a ``/summary``) can be included, which is harmless for a
    summary line.
    """

    def __init__(self, metrics: Metrics, log: logging.Logger | None = None) -> None:
        self.metrics = metrics
        self.log = log or logger
        self._start = 0.0
        self._before: _Counts | None = None
        self.line = ""

    def __enter__(self) -> PollCycle:
        self._start = time.perf_counter()
        self._before = _Counts.read(self.metrics)
        return self

    def __exit__(self, *exc: object) -> None:
        elapsed = time.perf_counter() - self._start
        assert self._before is not None
        now, before = _Counts.read(self.metrics), self._before
        feeds = int(now.feeds - before.feeds)
        new = int(now.new - before.new)
        feed_text = int(now.feed_text - before.feed_text)
        failing = int(now.failed - before.failed)
        processed = int(now.fetched - before.fetched)
        lost = int(now.failed_articles - before.failed_articles)
        if feeds == 0 and processed == 0 and lost == 0:
            self.log.debug("poll cycle: nothing was due (%.1fs)", elapsed)
            return
        self.metrics.poll_duration.observe(elapsed)
        if feeds:
            line = (f"polled {_n(feeds, 'feed')}: {_n(new, 'new article')}, "
                    f"{feed_text} used feed text, {_n(failing, 'feed')} failing")
        else:  # articles left from an earlier poll (or from adding feeds)
            line = f"processed {_n(processed, 'article')}: {feed_text} used feed text"
        if lost:
            line += f", {_n(lost, 'article')} failed"
        self.line = line
        self.log.info("%s (%.1fs)", line, elapsed)


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
