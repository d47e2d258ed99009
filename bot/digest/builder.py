"""Build a chat's digest: choose, cluster, rank, cap; then queue it in the outbox.

A digest holds the stories a chat has not yet received from its
subscriptions, the same story from several outlets merged into one item,
newest and most substantial first, capped at the chat's maximum with
"and N more" linking the rest. Nothing new means no digest.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from bot.clock import utcnow
from bot.digest.cluster import cluster
from bot.domain import ChatInfo, ChatRef, Digest, Story
from bot.errors import NotFoundError
from bot.ports import Sender
from bot.records import Payload, StoryRecord
from bot.store import Store

logger = logging.getLogger(__name__)

MORE_LINKS = 10


def _score(group: Sequence[StoryRecord], now: datetime) -> float:
    """Newest and most substantial first: recency dominates within a day, then
    how many outlets carry the story and how much there is to read."""
    head = group[0]
    when = head.published if head.published and head.published <= now else head.ingested_at
    age_h = max(0.0, (now - when).total_seconds() / 3600)
    substance = math.log1p(head.text_length / 500) + 0.75 * math.log(len(group))
    return substance - age_h / 6


def to_story(group: Sequence[StoryRecord], key_points: int, show_quotes: bool) -> Story:
    head = max(group, key=lambda r: (len(r.summary.key_points), r.text_length))
    others = tuple((r.source, r.url) for r in group if r is not head)
    return Story(
        article_id=head.article_id,
        title=head.title,
        url=head.url,
        source=head.source,
        published=head.published,
        key_points=head.summary.key_points[:key_points],
        key_quotes=head.summary.key_quotes if show_quotes else (),
        also_reported_by=others,
    )


def compose(chat: ChatInfo, records: Sequence[StoryRecord], now: datetime | None = None) -> tuple[Digest, list[int]] | None:
    """Turn unseen story records into a Digest; also return every article id it covers."""
    if not records:
        return None
    now = now or utcnow()
    groups = cluster(records)
    groups.sort(key=lambda g: _score(g, now), reverse=True)
    cap = chat.settings.max_stories
    shown, rest = groups[:cap], groups[cap:]
    stories = tuple(to_story(g, chat.settings.key_points, chat.settings.show_quotes) for g in shown)
    digest = Digest(
        chat=chat.ref,
        title=f"Your news digest — {len(stories)} {'story' if len(stories) == 1 else 'stories'}",
        stories=stories,
        more_count=len(rest),
        more_links=tuple((g[0].title, g[0].url) for g in rest[:MORE_LINKS]),
        created_at=now,
        one_message_per_story=chat.settings.one_message_per_story,
    )
    ids = [r.article_id for g in groups for r in g]
    return digest, ids


async def build_digest(
    store: Store, ref: ChatRef, *, since: datetime | None = None
) -> tuple[Digest, list[int]] | None:
    chat = await store.chats.get_chat(ref)
    if chat is None:
        raise NotFoundError(f"unknown chat {ref}")
    return compose(chat, await store.digests.unseen_stories(ref, since=since))


async def queue_digest(
    store: Store,
    sender: Sender,
    ref: ChatRef,
    *,
    slot: str | None = None,
    since: datetime | None = None,
) -> int | None:
    """Build, render and persist a digest in the outbox; None when there is
    nothing new or this slot was already built. Sending is the outbox's job."""
    built = await build_digest(store, ref, since=since)
    if built is None:
        return None
    digest, ids = built
    payloads = render_safely(sender, digest)
    digest_id = await store.digests.create_digest(ref, ids, payloads, slot=slot)
    if digest_id is not None:
        logger.info("queued digest %s for %s: %d stories, %d messages",
                    digest_id, ref, len(digest.stories), len(payloads))
    return digest_id


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
