"""Records the stages hand to the store and get back from it.

They are domain types, not storage types: frozen dataclasses with no SQL in
them, so the pipeline, the digest builder and the outbox depend on these and
on :mod:`bot.domain`, never on :mod:`bot.store`. Which store module reads or
writes each one:

=====================  ==============================  =========================
record                 made by                         stored / read by
=====================  ==============================  =========================
:class:`EntryRecord`   the pipeline, from a feed entry  ``store.articles`` (new
                                                        pending articles)
:class:`FetchState`    the pipeline, after a poll      ``store.feeds``
:class:`PollWrite`     the pipeline (entries + state)  ``store.feeds.save_polls``
:class:`PendingArticle`  ``store.articles``            the pipeline (fetch,
                                                        extract, summarize)
:class:`StoryRecord`   ``store.digests``               the digest builder
:class:`DeliveredStory`  ``store.digests``             the digest builder
:class:`OutboxItem`    ``store.outbox``                the outbox worker
:class:`OutboxStatus`  ``store.outbox``                ``newsbot digest --status``
=====================  ==============================  =========================
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.domain import ChatKind, ChatRef, Summary

Payload = dict[str, Any]
"""One rendered platform message, JSON-serialisable (it is stored in the outbox)."""


@dataclass(frozen=True, slots=True)
class FeedCopy:
    """What a feed itself says about an article: the fallback when its page fails.

    ``text`` is plain text (the entry's content, else its summary), already
    converted from the feed's HTML when the entry was stored.
    """

    url: str
    title: str
    text: str
    author: str | None = None
    published: datetime | None = None


@dataclass(frozen=True, slots=True)
class EntryRecord:
    """A feed entry as the store keeps it; ``feed_text`` is plain text."""

    guid: str
    url: str
    canonical_url: str
    title: str | None
    published: datetime | None
    author: str | None = None
    feed_text: str | None = None


@dataclass(frozen=True, slots=True)
class FetchState:
    """A feed's state after one successful poll.

    A 304 (``not_modified``) keeps the stored validators, title and site URL;
    a full fetch replaces them (an empty title or site URL keeps the old one).
    ``poll_interval_s`` is stored only when given.
    """

    fetched_at: datetime
    next_poll_at: datetime
    not_modified: bool = False
    etag: str | None = None
    last_modified: str | None = None
    title: str | None = None
    site_url: str | None = None
    poll_interval_s: int | None = None


@dataclass(frozen=True, slots=True)
class PollWrite:
    """One successful poll to store: the feed's entries and its new fetch state."""

    feed_id: int
    entries: tuple[EntryRecord, ...]
    state: FetchState


@dataclass(frozen=True, slots=True)
class PendingArticle:
    """An article waiting for its page to be fetched, extracted and summarized.

    ``feed`` is what the feed said about it, used when the page cannot be;
    ``source`` names the feed that brought it first.
    """

    id: int
    url: str
    attempts: int
    source: str | None
    feed: FeedCopy


@dataclass(frozen=True, slots=True)
class StoryRecord:
    """A ready article with its summary, as digest building reads it.

    ``story_id`` is the story the article tells (``None``: not assigned, it is
    a story of its own); ``story_outlets`` how many outlets tell that story,
    including ones the chat does not follow; ``terms`` the counts of its title
    and lead words (the novelty test of an update).
    """

    article_id: int
    title: str
    url: str
    source: str
    published: datetime | None
    ingested_at: datetime
    text_length: int
    summary: Summary
    story_id: int | None = None
    story_outlets: int = 1
    terms: dict[str, int] = field(default_factory=dict, compare=False)
    image_url: str | None = None  # the page's declared lead image (og:image)


@dataclass(frozen=True, slots=True)
class DeliveredStory:
    """A story a chat has already been given: the word counts of the articles
    of it the chat received (what an update must add to), and whether its one
    update was already shown."""

    story_id: int
    updated: bool
    terms: dict[str, int] = field(default_factory=dict, compare=False)


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """One outbox row due to be sent. ``chat_id`` is the chat's row id, which a
    chat migration keeps (``chat`` is its platform address at load time)."""

    id: int
    chat: ChatRef
    chat_kind: ChatKind
    digest_id: int | None
    part: int
    idempotency_key: str
    payload: Payload
    attempts: int
    chat_id: int = 0


@dataclass(frozen=True, slots=True)
class OutboxStatus:
    pending: int
    sent: int
    failed: int
    failures: tuple[tuple[str, str, str], ...]  # (chat, idempotency key, last error)


__all__ = [
    "DeliveredStory",
    "EntryRecord",
    "FeedCopy",
    "FetchState",
    "OutboxItem",
    "OutboxStatus",
    "Payload",
    "PendingArticle",
    "PollWrite",
    "StoryRecord",
]
