"""Domain objects shared by every stage of the flow.

All of them are frozen dataclasses with no behaviour beyond small derived
properties: they cross module boundaries (sources -> extract -> summarize ->
digest -> delivery -> adapters) and must never carry SDK or ORM types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from bot.errors import GoneKind

Platform = Literal["telegram", "slack", "console"]
ChatKind = Literal["private", "group", "channel"]
Layout = Literal["brief", "full", "headlines"]
"""How much of each story a digest shows: ``brief`` (one key point, at most one
quote; ten stories fit one Telegram message), ``full`` (the configured key
points and two quotes), ``headlines`` (one line per story)."""
LAYOUTS: tuple[Layout, ...] = ("brief", "full", "headlines")


@dataclass(frozen=True, slots=True)
class Quote:
    """A direct quote found in an article's extracted text.

    ``start``/``end`` are character offsets of the quoted words (without the
    quote marks) into the text the summarizer was given. ``speaker`` is None
    when the speaker could not be attributed: never a guess.
    ``speaker_confidence`` (0..1) is the attribution model's probability that
    ``speaker`` is right (for a ``None`` speaker: that its best guess was);
    ``speaker_rule`` names the rule or model that decided, to trace an error.
    Both default so summaries stored before they existed still load.
    """

    text: str
    speaker: str | None
    start: int
    end: int
    speaker_confidence: float = 0.0
    speaker_rule: str = ""


@dataclass(frozen=True, slots=True)
class Summary:
    """What the summarizer makes of one article."""

    key_points: tuple[str, ...]
    quotes: tuple[Quote, ...]
    key_quotes: tuple[Quote, ...]
    engine: str
    language: str | None = None


@dataclass(frozen=True, slots=True)
class Article:
    """An article's extracted text and metadata, before summarization.

    ``fingerprint`` identifies the content (not the URL) and is the key under
    which summaries are stored, so the same text reached by two URLs is
    summarized once. ``extraction_note`` says why the feed's own content was
    used instead of the page (``None`` when the page was extracted).
    """

    url: str
    title: str
    text: str
    fingerprint: str
    author: str | None = None
    published: datetime | None = None
    language: str | None = None
    site_name: str | None = None
    extraction_note: str | None = None
    image_url: str | None = None  # the page's declared lead image (og:image)


@dataclass(frozen=True, slots=True)
class ChatRef:
    """Where a message goes: a platform and that platform's chat id."""

    platform: Platform
    external_id: str

    def __str__(self) -> str:
        return f"{self.platform}:{self.external_id}"


@dataclass(frozen=True, slots=True)
class UserRef:
    platform: Platform
    external_id: str
    display_name: str | None = None
    username: str | None = None  # Telegram @username without the @ (allow-lists)


@dataclass(frozen=True, slots=True)
class Story:
    """One item of a digest: a story told by one or several outlets, headed by
    its most complete article (title, url, source, key points are the head's)."""

    article_id: int
    title: str
    url: str
    source: str
    published: datetime | None
    key_points: tuple[str, ...]
    key_quotes: tuple[Quote, ...]
    also_reported_by: tuple[tuple[str, str], ...] = ()  # (outlet, url), one per other outlet
    # The story behind the item (bot/stories): how many outlets carry it, how
    # many outlets beyond ``also_reported_by`` there are (the "+N"), whether it
    # updates a story this chat already received, and the outlet of each key
    # quote (aligned with ``key_quotes``; empty means every quote is the head's).
    image_url: str | None = None  # the page's declared lead image (og:image), when known
    story_id: int | None = None
    outlet_count: int = 1
    also_reported_more: int = 0
    is_update: bool = False
    key_quote_sources: tuple[str, ...] = ()

    def quote_source(self, index: int) -> str:
        """The outlet the ``index``-th key quote comes from."""
        if index < len(self.key_quote_sources) and self.key_quote_sources[index]:
            return self.key_quote_sources[index]
        return self.source


@dataclass(frozen=True, slots=True)
class Digest:
    """A platform-neutral digest for one chat. Adapters render it."""

    chat: ChatRef
    title: str
    stories: tuple[Story, ...]
    more_count: int = 0
    more_links: tuple[tuple[str, str], ...] = ()  # (title, url) of stories left out by the cap
    digest_id: int | None = None
    created_at: datetime | None = None
    one_message_per_story: bool = False  # the chat's layout setting, for adapters that can
    layout: Layout = "full"
    timezone: str | None = None  # the chat's IANA zone: times are shown in it (None: UTC)
    lead_image: bool = False  # show the top story's lead image (Telegram preview, Slack accessory)


@dataclass(frozen=True, slots=True)
class Choice:
    """A button offered with a reply (inline keyboard / Block Kit button)."""

    label: str
    data: str  # command line to run when pressed, e.g. "unsubscribe https://..."


@dataclass(frozen=True, slots=True)
class Reply:
    """The core's answer to a command, rendered by the adapter.

    ``text`` is plain text (adapters escape it). ``story`` carries a summary
    for ``/summary``. ``is_error`` lets Slack answer ephemerally;
    ``private`` asks for an ephemeral / private answer where the platform can;
    ``refused`` marks a refusal by the access rules, which a pressed button
    shows as an alert while the message with the buttons stays as it was.
    """

    text: str = ""
    story: Story | None = None
    choices: tuple[Choice, ...] = ()
    is_error: bool = False
    private: bool = False
    refused: bool = False  # the access rules refused the command: nothing changed


@dataclass(frozen=True, slots=True)
class Command:
    """A platform-free command, as adapters translate updates into it.

    Adapters report facts only; who may do what is decided by the core
    (:mod:`bot.commands.access`). ``as_chat`` is True when the message was
    posted in the chat's own name (a channel post, an anonymous group
    administrator), which only the chat's administrators can do.
    """

    name: str
    args: tuple[str, ...]
    chat: ChatRef
    user: UserRef | None = None
    chat_kind: ChatKind = "private"
    as_chat: bool = False
    chat_title: str | None = None
    raw: str = ""
    target: str | None = None  # the channel address (``@name``) the command was sent for, if any
    chat_username: str | None = None  # a public Telegram chat's @name, without the @


@dataclass(frozen=True, slots=True)
class ChatSettings:
    """Per-chat preferences, stored as JSON on the chat row."""

    key_points: int = 3
    show_quotes: bool = True
    one_message_per_story: bool = False
    max_stories: int = 10
    layout: Layout = "brief"
    lead_image: bool = True


TopicKind = Literal["follow", "mute"]


@dataclass(frozen=True, slots=True)
class ChatTopics:
    """Topics a chat follows (their stories rank first) and mutes (dropped)."""

    follow: tuple[str, ...] = ()
    mute: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FeedFilter:
    """One subscription's keyword filters: only stories matching one of ``include``
    (when any), none matching one of ``exclude``. Each entry is a word or phrase."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Schedule:
    """When a chat's digest goes out, in its own time zone.

    ``mode`` "daily"/"weekdays" fire at ``hour:minute`` local time;
    "realtime" sends each new story within a minute of ingestion; "off"
    sends nothing unless asked.
    """

    mode: Literal["off", "daily", "weekdays", "realtime"] = "off"
    hour: int = 8
    minute: int = 0
    timezone: str | None = None


@dataclass(frozen=True, slots=True)
class FeedInfo:
    """A feed as the store sees it, for listings and polling."""

    id: int
    url: str
    title: str | None
    site_url: str | None
    active: bool
    last_fetched_at: datetime | None
    last_error: str | None
    consecutive_failures: int
    item_count: int
    next_poll_at: datetime | None = None
    etag: str | None = None
    last_modified: str | None = None
    poll_interval_s: int | None = None


@dataclass(frozen=True, slots=True)
class ChatInfo:
    id: int
    ref: ChatRef
    kind: ChatKind
    title: str | None
    active: bool
    inactive_reason: str | None
    inactive_kind: GoneKind | None = None  # why it is paused, for the code that may resume it
    settings: ChatSettings = field(default_factory=ChatSettings)
    schedule: Schedule = field(default_factory=Schedule)
    last_digest_at: datetime | None = None
