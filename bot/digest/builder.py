"""Build a chat's digest: one item per story, ranked, capped; then queue it.

A digest holds the stories a chat has not yet received from its
subscriptions. The articles of one story (``bot/stories`` assigned them at
ingestion, however many outlets told it) make one item: the most complete
article is its head (its key points, then quotes from any article of the
story, the outlet named), the other outlets are "also reported by". Items are
ranked by recency and coverage (how many outlets tell the story), capped at
the chat's maximum with "and N more" linking the rest.

A story the chat already received is not delivered again because another
outlet published it later; an article that substantially updates it (the
share of its weighted words the chat has not seen is at least
``update_novelty``, :mod:`bot.stories.novelty`) is shown once, marked as an
update. Nothing new means no digest.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import NamedTuple

from bot.clock import utcnow
from bot.digest import filters
from bot.digest.layout import dated_title, shape
from bot.domain import ChatInfo, ChatRef, Digest, Layout, Quote, Story
from bot.errors import DigestRaced, NotFoundError
from bot.ports import Sender
from bot.records import DeliveredStory, Payload, StoryRecord
from bot.store import Store
from bot.stories.novelty import novelty, term_stats

logger = logging.getLogger(__name__)

MORE_LINKS = 10
MAX_POINTS = 10  # key points handed to the layout, which shows fewer
TOPIC_MATCHER: filters.TopicMatcher = filters.KeywordMatcher()  # feed only:/not: words
#: Other outlets named (with links) under an item; the rest are "+N".
ALSO_LISTED = 3
#: Key quotes per item when they are gathered from several articles.
KEY_QUOTES = 2
#: Default share of new weighted words for an article to be shown as an update.
UPDATE_NOVELTY = 0.5


@dataclass(frozen=True, slots=True)
class _Group:
    """The unseen articles of one story, and how the digest treats them."""

    records: tuple[StoryRecord, ...]
    story_id: int | None
    head: StoryRecord
    is_update: bool = False


class BuiltDigest(NamedTuple):
    """A composed digest, every article id it covers (shown or not: all are
    marked as given), and the stories it delivers as ``(story_id, is_update)``."""

    digest: Digest | None
    article_ids: list[int]
    stories: list[tuple[int, bool]]


def _when(record: StoryRecord, now: datetime) -> datetime:
    return record.published if record.published and record.published <= now else record.ingested_at


def _outlets(group: Sequence[StoryRecord]) -> int:
    return max(len({r.source for r in group}), max(r.story_outlets for r in group))


def _score(group: Sequence[StoryRecord], now: datetime) -> float:
    """Newest and most substantial first: recency dominates within a day, then
    how many outlets carry the story and how much there is to read."""
    head = max(group, key=lambda r: (len(r.summary.key_points), r.text_length))
    newest = max(_when(r, now) for r in group)
    age_h = max(0.0, (now - newest).total_seconds() / 3600)
    substance = math.log1p(head.text_length / 500) + 0.75 * math.log(_outlets(group))
    return substance - age_h / 6


def _most_complete(group: Sequence[StoryRecord]) -> StoryRecord:
    """Most key points, then the longest text, then the earliest."""
    return min(group, key=lambda r: (-len(r.summary.key_points), -r.text_length,
                                     r.published or r.ingested_at, r.article_id))


def _quotes(head: StoryRecord, group: Sequence[StoryRecord]) -> tuple[tuple[Quote, ...], tuple[str, ...]]:
    """The head's key quotes, then other articles' (outlet named), no repeats."""
    chosen: list[Quote] = []
    sources: list[str] = []
    seen: set[str] = set()
    others = sorted((r for r in group if r is not head),
                    key=lambda r: (-len(r.summary.key_points), -r.text_length, r.article_id))
    limit = max(KEY_QUOTES, len(head.summary.key_quotes))
    for record in (head, *others):
        for quote in record.summary.key_quotes:
            key = " ".join(quote.text.casefold().split())
            if key in seen or len(chosen) >= limit:
                continue
            seen.add(key)
            chosen.append(quote)
            sources.append(record.source)
    return tuple(chosen), tuple(sources)


def to_story(group: Sequence[StoryRecord], key_points: int, show_quotes: bool,
             head: StoryRecord | None = None, is_update: bool = False) -> Story:
    head = head or _most_complete(group)
    others: list[tuple[str, str]] = []
    named = {head.source}
    for record in sorted(group, key=lambda r: (r.published or r.ingested_at, r.article_id)):
        if record.source not in named:
            named.add(record.source)
            others.append((record.source, record.url))
    outlets = max(_outlets(group), len(named))
    listed = tuple(others[:ALSO_LISTED])
    quotes, sources = _quotes(head, group) if show_quotes else ((), ())
    return Story(
        article_id=head.article_id,
        title=head.title,
        url=head.url,
        source=head.source,
        published=head.published,
        key_points=head.summary.key_points[:key_points],
        key_quotes=quotes,
        also_reported_by=listed,
        story_id=head.story_id,
        outlet_count=outlets,
        also_reported_more=max(0, outlets - 1 - len(listed)),
        is_update=is_update,
        key_quote_sources=sources,
        image_url=head.image_url,
    )


def group_by_story(records: Sequence[StoryRecord]) -> list[list[StoryRecord]]:
    """Articles of one story together (input order kept); an article without
    a story is a story of its own."""
    groups: dict[object, list[StoryRecord]] = {}
    for record in records:
        key: object = ("story", record.story_id) if record.story_id is not None \
            else ("article", record.article_id)
        groups.setdefault(key, []).append(record)
    return list(groups.values())


def _plan(records: Sequence[StoryRecord], delivered: Mapping[int, DeliveredStory],
          update_novelty: float) -> list[_Group]:
    """Which groups to show: new stories, and the one update of a delivered one."""
    stats = term_stats([*(r.terms for r in records), *(d.terms for d in delivered.values())])
    out: list[_Group] = []
    for members in group_by_story(records):
        story_id = members[0].story_id
        sent = delivered.get(story_id) if story_id is not None else None
        if sent is None:
            out.append(_Group(tuple(members), story_id, _most_complete(members)))
            continue
        if sent.updated or update_novelty >= 1.0:
            continue  # its one update was shown already: nothing more of this story
        scored = [(novelty(r.terms, sent.terms, stats), r) for r in members]
        best, record = max(scored, key=lambda item: (item[0], len(item[1].summary.key_points)))
        if best >= update_novelty:
            logger.debug("story %s: article %s is an update (novelty %.2f)", story_id,
                         record.article_id, best)
            out.append(_Group(tuple(members), story_id, record, is_update=True))
    return out


def compose(chat: ChatInfo, records: Sequence[StoryRecord], now: datetime | None = None, *,
            delivered: Mapping[int, DeliveredStory] | None = None,
            update_novelty: float = UPDATE_NOVELTY,
            layout: Layout | None = None,
            followed: frozenset[int] = frozenset()) -> BuiltDigest | None:
    """Turn unseen story records into a Digest, one item per story.

    ``delivered`` are the stories the chat already received (by story id).
    ``layout`` overrides the chat's layout setting (``newsbot digest --layout``);
    stories with an article in ``followed`` (about a topic the chat follows) come first.
    Returns None when there are no records; a result whose ``digest`` is None
    when every record belongs to a story already delivered (its articles are
    still to be marked as given).
    """
    if not records:
        return None
    now = now or utcnow()
    ids = [r.article_id for r in records]
    groups = _plan(records, delivered or {}, update_novelty)
    if not groups:
        return BuiltDigest(None, ids, [])
    groups.sort(key=lambda g: (any(r.article_id in followed for r in g.records),
                               _score(g.records, now)), reverse=True)
    settings = chat.settings if layout is None else replace(chat.settings, layout=layout)
    cap = settings.max_stories
    shown, rest = groups[:cap], groups[cap:]
    # Every point and quote goes to shape(), which picks by layout and leaves out repetition.
    stories = shape([to_story(g.records, MAX_POINTS, settings.show_quotes, g.head, g.is_update)
                     for g in shown],
                    settings.layout, key_points=settings.key_points,
                    show_quotes=settings.show_quotes)
    digest = Digest(
        chat=chat.ref,
        title=dated_title(now, chat.schedule.timezone, len(stories)),
        stories=stories,
        more_count=len(rest),
        more_links=tuple((g.head.title, g.head.url) for g in rest[:MORE_LINKS]),
        created_at=now,
        one_message_per_story=settings.one_message_per_story,
        layout=settings.layout,
        timezone=chat.schedule.timezone,
        lead_image=settings.lead_image,
    )
    given = [(g.story_id, g.is_update) for g in groups if g.story_id is not None]
    return BuiltDigest(digest, ids, given)


async def build_digest(
    store: Store, ref: ChatRef, *, since: datetime | None = None,
    update_novelty: float = UPDATE_NOVELTY, layout: Layout | None = None,
    embed: filters.EmbedTopics | None = None,
) -> BuiltDigest | None:
    """The chat's next digest (see :func:`compose`), after its topics and feed filters.

    ``embed`` (MiniLM, from the composition root) lets ``/follow`` and ``/mute``
    match by meaning against the vectors stories were assigned with; without it,
    or for a story stored without a vector, topics match by keywords alone.
    """
    chat = await store.chats.get_chat(ref)
    if chat is None:
        raise NotFoundError(f"unknown chat {ref}")
    records = await store.digests.unseen_stories(ref, since=since)
    story_ids = sorted({r.story_id for r in records if r.story_id is not None})
    delivered = await store.digests.delivered_stories(ref, story_ids) if story_ids else {}
    topics, feed_filters = await store.chats.topics(ref), await store.chats.feed_filters(ref)
    if not (records and (topics.follow or topics.mute or feed_filters)):
        return compose(chat, records, delivered=delivered, update_novelty=update_novelty,
                       layout=layout)
    feeds = await store.chats.article_feeds(ref, [r.article_id for r in records])
    if embed is not None and (topics.follow or topics.mute):
        vectors = await store.stories.article_vectors([r.article_id for r in records])
        # Embedding the topics is model work: off the event loop.
        kept = await asyncio.to_thread(filters.apply, records, topics, feed_filters, feeds,
                                       TOPIC_MATCHER, vectors=vectors, embed=embed)
    else:
        kept = filters.apply(records, topics, feed_filters, feeds, TOPIC_MATCHER)
    if kept.muted or kept.filtered:
        logger.info("digest for %s: %d stories muted, %d filtered out by feed keywords",
                    ref, kept.muted, kept.filtered)
    # Muted and filtered stories count as given, so they never come back later.
    dropped = sorted({r.article_id for r in records} - {r.article_id for r in kept.records})
    built = compose(chat, kept.records, delivered=delivered, update_novelty=update_novelty,
                    layout=layout, followed=kept.followed)
    if built is None:
        return BuiltDigest(None, dropped, []) if dropped else None
    return built._replace(article_ids=[*built.article_ids, *dropped])


#: Builds of one digest when others for the same chat keep winning the race.
RACE_ATTEMPTS = 3


async def queue_digest(
    store: Store,
    sender: Sender,
    ref: ChatRef,
    *,
    slot: str | None = None,
    since: datetime | None = None,
    update_novelty: float = UPDATE_NOVELTY,
    layout: Layout | None = None,
    embed: filters.EmbedTopics | None = None,
) -> int | None:
    """Build, render and persist a digest in the outbox; None when there is
    nothing new or this slot was already built. Sending is the outbox's job.
    Articles of stories the chat already has are marked as given either way.
    ``embed``: as for :func:`build_digest`."""
    for _attempt in range(RACE_ATTEMPTS):
        built = await build_digest(store, ref, since=since, update_novelty=update_novelty,
                                   layout=layout, embed=embed)
        if built is None:
            return None
        if built.digest is None:
            await store.digests.mark_given(ref, built.article_ids)
            return None
        digest = built.digest
        payloads = render_safely(sender, digest)
        try:
            digest_id = await store.digests.create_digest(ref, built.article_ids, payloads,
                                                          slot=slot, stories=built.stories)
        except DigestRaced:
            continue  # another digest gave some of these stories first: build from the rest
        if digest_id is not None:
            logger.info("queued digest %s for %s: %d stories, %d messages",
                        digest_id, ref, len(digest.stories), len(payloads))
        return digest_id
    logger.info("digest for %s: other digests kept giving its stories first; left to them", ref)
    return None


def render_safely(sender: Sender, digest: Digest) -> list[Payload]:
    """Render a digest; a story that fails to render is dropped (and logged),
    never the whole digest."""
    try:
        return sender.render(digest)
    except Exception:
        logger.exception("rendering the digest for %s failed; rendering story by story", digest.chat)
    payloads: list[Payload] = []
    kept: list[Story] = []
    for story in digest.stories:
        try:
            sender.render(replace(digest, stories=(story,), more_count=0, more_links=()))
            kept.append(story)
        except Exception:
            logger.exception("story %r could not be rendered; left out", story.title)
    if kept:
        payloads = sender.render(replace(digest, stories=tuple(kept)))
    return payloads
