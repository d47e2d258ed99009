"""SQLAlchemy 2 table definitions. Only ``bot/store/`` knows SQL.

Schema changes go through Alembic (``bot/store/migrations``); the initial
migration is generated from these models, so keep both in step.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use timezone-aware UTC")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class FeedRow(Base):
    __tablename__ = "feeds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # URLs are kept whole (a cut URL is another URL); uniqueness is on their
    # hash, which any length of URL fits in a B-tree (bot/store/bounds.py).
    url: Mapped[str] = mapped_column(Text)
    url_hash: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str | None] = mapped_column(String(512))
    site_url: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    etag: Mapped[str | None] = mapped_column(String(512))
    last_modified: Mapped[str | None] = mapped_column(String(128))
    last_fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    total_failures: Mapped[int] = mapped_column(Integer, default=0)
    next_poll_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    poll_interval_s: Mapped[int | None] = mapped_column(Integer)
    item_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ArticleRow(Base):
    """One article, however many feeds carry it (deduplicated by canonical URL)."""

    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    canonical_url: Mapped[str] = mapped_column(Text)
    canonical_url_hash: Mapped[str] = mapped_column(String(64), unique=True)  # see FeedRow.url
    url: Mapped[str] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(String(512))
    published: Mapped[datetime | None] = mapped_column(UTCDateTime())
    language: Mapped[str | None] = mapped_column(String(16))
    site_name: Mapped[str | None] = mapped_column(String(512))
    feed_text: Mapped[str | None] = mapped_column(Text)  # the feed's own content/summary (fallback)
    text: Mapped[str | None] = mapped_column(Text)
    fingerprint: Mapped[str | None] = mapped_column(String(64), index=True)
    # pending -> ready | failed | duplicate (same content as duplicate_of)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="SET NULL"))
    extraction_note: Mapped[str | None] = mapped_column(Text)
    image_url: Mapped[str | None] = mapped_column(String(2048))  # the page's og:image, if declared
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    ingested_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class FeedEntryRow(Base):
    """Which feed carried which article, under which GUID."""

    __tablename__ = "feed_entries"
    __table_args__ = (UniqueConstraint("feed_id", "guid"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"))
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    guid: Mapped[str] = mapped_column(String(2048))
    published: Mapped[datetime | None] = mapped_column(UTCDateTime())
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SummaryRow(Base):
    """A summary keyed by content fingerprint: the same text is summarized once."""

    __tablename__ = "summaries"

    fingerprint: Mapped[str] = mapped_column(String(64), primary_key=True)
    engine: Mapped[str] = mapped_column(String(64))
    language: Mapped[str | None] = mapped_column(String(16))
    key_points: Mapped[list[str]] = mapped_column(JSON)
    quotes: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    key_quotes: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ChatRow(Base):
    __tablename__ = "chats"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16), default="private")
    title: Mapped[str | None] = mapped_column(String(512))
    timezone: Mapped[str | None] = mapped_column(String(64))
    schedule_mode: Mapped[str] = mapped_column(String(16), default="off")
    schedule_hour: Mapped[int] = mapped_column(Integer, default=8)
    schedule_minute: Mapped[int] = mapped_column(Integer, default=0)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # brief | full | headlines (bot.domain.Layout): how much of each story a digest shows
    layout: Mapped[str] = mapped_column(String(16), default="brief", server_default="brief")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    inactive_reason: Mapped[str | None] = mapped_column(Text)  # why paused, for people
    inactive_kind: Mapped[str | None] = mapped_column(String(32))  # why paused: a GoneKind value
    last_digest_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # /digest found nothing ready yet while the first stories were being read: post
    # them when they are ready (once), if that happens before this request expires.
    digest_wanted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The outbox worker sending to this chat, and until when (docs/delivery.md,
    # "Several workers"); both NULL when no worker holds the chat.
    lease_holder: Mapped[str | None] = mapped_column(String(255))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SubscriptionRow(Base):
    __tablename__ = "subscriptions"
    __table_args__ = (UniqueConstraint("chat_id", "feed_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"))
    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Keyword filters for this feed in this chat (space-separated words; NULL: none):
    # only stories matching one of ``include_words``, none matching ``exclude_words``.
    include_words: Mapped[str | None] = mapped_column(String(512))
    exclude_words: Mapped[str | None] = mapped_column(String(512))


class ChatTopicRow(Base):
    """A topic a chat follows (ranks its stories up) or mutes (drops them)."""

    __tablename__ = "chat_topics"
    __table_args__ = (UniqueConstraint("chat_id", "kind", "topic"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # follow | mute
    topic: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DigestRow(Base):
    """One digest for one chat. ``slot`` names a scheduled run (chat-local date and
    time) and is unique per chat, so a scheduler firing twice builds one digest."""

    __tablename__ = "digests"
    __table_args__ = (UniqueConstraint("chat_id", "slot"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"), index=True)
    slot: Mapped[str | None] = mapped_column(String(64))
    story_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ChatArticleRow(Base):
    """Stories a chat has been given, so no digest repeats one."""

    __tablename__ = "chat_articles"

    chat_id: Mapped[int] = mapped_column(
        ForeignKey("chats.id", ondelete="CASCADE"), primary_key=True
    )
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    digest_id: Mapped[int | None] = mapped_column(ForeignKey("digests.id", ondelete="SET NULL"))


class StoryRow(Base):
    """One story: the articles of several outlets telling one event (bot/stories).

    ``centroid_sum`` is the float16 of the unnormalised sum of the members'
    MiniLM vectors (so a join updates it without reading every member);
    ``term_sum`` the summed word counts of the members' title and lead (the
    ``TERMS_KEPT`` most frequent); ``outlets`` the outlet names, whose number
    is ``outlet_count``.
    """

    __tablename__ = "stories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    language: Mapped[str] = mapped_column(String(8))
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    size: Mapped[int] = mapped_column(Integer, default=1)
    outlet_count: Mapped[int] = mapped_column(Integer, default=1)
    outlets: Mapped[list[str]] = mapped_column(JSON, default=list)
    centroid_sum: Mapped[bytes | None] = mapped_column(LargeBinary)
    term_sum: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class StoryArticleRow(Base):
    """Which story an article is in (one story per article), with the compact
    signature the story index is rebuilt from after a restart."""

    __tablename__ = "story_articles"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(8))
    outlet: Mapped[str] = mapped_column(String(512))
    published: Mapped[datetime] = mapped_column(UTCDateTime())
    vector: Mapped[bytes | None] = mapped_column(LargeBinary)  # float16 unit vector
    terms: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    words: Mapped[list[str]] = mapped_column(JSON, default=list)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    reason: Mapped[str] = mapped_column(String(16))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ChatStoryRow(Base):
    """Stories a chat has been given (so another outlet's article of the same
    story is not delivered again), and the digest that carried its one update."""

    __tablename__ = "chat_stories"

    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"), primary_key=True)
    story_id: Mapped[int] = mapped_column(
        ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True
    )
    digest_id: Mapped[int | None] = mapped_column(ForeignKey("digests.id", ondelete="SET NULL"))
    updated_digest_id: Mapped[int | None] = mapped_column(
        ForeignKey("digests.id", ondelete="SET NULL")
    )
    delivered_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DeliveryRow(Base):
    """The outbox: one row per outgoing message, written before anything is sent."""

    __tablename__ = "deliveries"
    __table_args__ = (Index("ix_deliveries_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    digest_id: Mapped[int | None] = mapped_column(ForeignKey("digests.id", ondelete="CASCADE"))
    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"), index=True)
    part: Mapped[int] = mapped_column(Integer, default=0)
    idempotency_key: Mapped[str] = mapped_column(String(256), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|sent|failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    platform_message_id: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class QuotaEventRow(Base):
    """One use of a command with a per-user quota (``/summary``, ``/subscribe``),
    kept for the quota's window so quotas survive restarts (bot/store/quotas.py)."""

    __tablename__ = "quota_events"
    __table_args__ = (Index("ix_quota_events_subject_action_at", "subject", "action", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject: Mapped[str] = mapped_column(String(160))  # who: "telegram:12345" (a user, else a chat)
    action: Mapped[str] = mapped_column(String(32))  # "summary", "subscribe"
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
class InboxRow(Base):
    """A platform update (a Telegram update, ...), stored before the platform is
    told it arrived and before it is handled; ``handled_at`` once it was."""

    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("platform", "update_key"),
        Index("ix_inbox_unhandled", "platform", "handled_at", "claimed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    update_key: Mapped[str] = mapped_column(String(128))  # the platform's id of the update
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # handling started
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    note: Mapped[str | None] = mapped_column(Text)


class LeaseRow(Base):
    """A named role one process holds at a time (leader election through the
    database, e.g. ``telegram-polling``), until ``expires_at`` unless renewed.
    Times are the database server's clock, so machines' clocks never compete."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(255))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime())
