"""Platform-free command handlers: ``Command -> Reply``.

Every user-facing text of newsbot's commands lives here (the access rules'
refusals in :mod:`bot.commands.access`), so Telegram, Slack and the console
say the same thing. Commands reach :meth:`CoreCommands.handle` after the
access rules admitted them (:class:`~bot.commands.inbound.Inbound`). Bad
input never raises out of it: it becomes one clear ``Reply(is_error=True)``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.commands.access import ADMINS_MANAGE, AccessPolicy
from bot.commands.registry import COMMANDS
from bot.digest.builder import queue_digest
from bot.domain import (
    LAYOUTS,
    Article,
    ChatInfo,
    ChatRef,
    ChatSettings,
    Choice,
    Command,
    FeedFilter,
    Platform,
    Reply,
    Schedule,
    Story,
    Summary,
    TopicKind,
)
from bot.errors import (
    BadResponseError,
    CommandError,
    ExtractionError,
    FeedError,
    FetchError,
    FetchTimeoutError,
    GoneKind,
    HTTPStatusError,
    NewsbotError,
    NotFoundError,
    TooLargeError,
    UnsafeURLError,
    UnsupportedContentError,
)
from bot.pipeline import Pipeline
from bot.ports import Sender
from bot.store import Store

logger = logging.getLogger(__name__)

MAX_ARG_CHARS = 2048
_URL = re.compile(r"https?://\S+", re.IGNORECASE)
WELCOME = (
    "Hi! I'm newsbot. I read the feeds you follow and send you a digest: "
    "the key points of each story and the notable quotes with who said them.\n\n"
    "Start with /subscribe <feed or site URL>, then /schedule 07:30 Europe/London "
    "for a morning digest, or /digest any time. /summary <URL> summarizes one article.\n"
    "Send /help for every command."
)


def welcome(prefix: str = "/") -> str:
    """WELCOME with the platform's command form (``/newsbot subscribe`` on Slack)."""
    return re.sub(r"(?<![\w/])/(?=[a-z])", prefix, WELCOME)


def help_text(prefix: str = "/", who_manages: str = ADMINS_MANAGE) -> str:
    lines = ["Commands:"]
    for spec in COMMANDS:
        usage = spec.usage.replace("/", prefix, 1)
        example = spec.example.replace("/", prefix, 1)
        lines.append(f"{usage} — {spec.description}. Example: {example}")
    lines.append(who_manages)
    return "\n".join(lines)


def parse_url(arg: str) -> str:
    """Validate a URL argument; raise CommandError with the reply to send."""
    arg = arg.strip().strip("<>")
    if len(arg) > MAX_ARG_CHARS:
        raise CommandError("That URL is too long.")
    if not re.match(r"^[a-z][a-z0-9+.-]*://", arg, re.IGNORECASE):
        if re.match(r"^[\w-]+(\.[\w-]+)+(/\S*)?$", arg):
            arg = "https://" + arg
        else:
            raise CommandError(f"That doesn't look like a web address: {_clip(arg)}")
    parts = urlsplit(arg)
    if parts.scheme.lower() not in ("http", "https"):
        raise CommandError(f"Only http:// and https:// links are supported, not {parts.scheme}://")
    if not parts.hostname:
        raise CommandError(f"That URL has no host name: {_clip(arg)}")
    return arg


def _clip(text: str, n: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _host(url: str) -> str:
    try:
        return urlsplit(url).hostname or url
    except ValueError:
        return url


def fetch_error_text(exc: NewsbotError) -> str:
    """One plain sentence for a fetch, feed or extraction failure: what happened
    and what the user can do (no exception text, no internals)."""
    if isinstance(exc, UnsafeURLError):
        return f"I can't fetch that address: {exc.reason}."
    if isinstance(exc, HTTPStatusError):
        if exc.status in (404, 410):
            return f"That page doesn't exist (any more) at {exc.url}. Check the link."
        if exc.status in (401, 403):
            return (f"{_host(exc.url)} doesn't let me read that page (it may need a login "
                    "or block bots).")
        if exc.status == 429:
            return f"{_host(exc.url)} asked me to slow down. Please try again in a few minutes."
        if exc.status >= 500:
            return f"{_host(exc.url)} is having trouble right now. Please try again later."
        return f"{_host(exc.url)} refused that request (HTTP {exc.status}). Check the link."
    if isinstance(exc, FetchTimeoutError):
        return f"{_host(exc.url)} took too long to answer. Please try again later."
    if isinstance(exc, TooLargeError):
        return f"That page is too large for me to read: {exc.url}"
    if isinstance(exc, UnsupportedContentError):
        return (f"That link is not a web article ({exc.content_type or 'unknown type'}); "
                f"I can summarize HTML pages only: {exc.url}")
    if isinstance(exc, BadResponseError):
        what = exc.reason.split(" (", 1)[0]
        return (f"{_host(exc.url)} answered with something I can't read ({what}). "
                "Check the link; if it is right, the site needs fixing.")
    if isinstance(exc, FetchError):
        return (f"I couldn't reach {_host(exc.url)}. Check the address, or try again later "
                "if the site is down.")
    if isinstance(exc, ExtractionError):
        return ("I couldn't find an article on that page (it may be a home page, a video, "
                "or behind a login). Send the link of one article.")
    return str(exc)


def story_from(article: Article, summary: Summary) -> Story:
    """A one-off story for ``/summary`` (not stored as a digest item)."""
    return Story(
        article_id=0,
        title=article.title or article.url,
        url=article.url,
        source=article.site_name or urlsplit(article.url).hostname or "",
        published=article.published,
        key_points=summary.key_points,
        key_quotes=summary.key_quotes,
    )


class CoreCommands:
    """The command layer, shared by every adapter."""

    def __init__(
        self,
        store: Store,
        pipeline: Pipeline,
        senders: Mapping[Platform, Sender],
        *,
        access: AccessPolicy | None = None,
        on_chat_changed: Callable[[ChatRef], Awaitable[None]] | None = None,
        on_digest_queued: Callable[[], None] | None = None,
    ) -> None:
        self.store = store
        self.pipeline = pipeline
        self.senders = senders
        self.access = access or AccessPolicy()
        self.on_chat_changed = on_chat_changed
        self.on_digest_queued = on_digest_queued
        self._handlers: dict[str, Callable[[Command, ChatInfo], Awaitable[Reply]]] = {
            "start": self.cmd_start,
            "help": self.cmd_help,
            "subscribe": self.cmd_subscribe,
            "unsubscribe": self.cmd_unsubscribe,
            "list": self.cmd_list,
            "summary": self.cmd_summary,
            "digest": self.cmd_digest,
            "schedule": self.cmd_schedule,
            "settings": self.cmd_settings,
            "follow": self.cmd_follow,
            "mute": self.cmd_mute,
            "unfollow": self.cmd_unfollow,
            "unmute": self.cmd_unmute,
        }

    async def handle(self, command: Command) -> Reply:
        name = command.name.lower()
        handler = self._handlers.get(name)
        if handler is None:
            return Reply(f"Unknown command {command.name!r}. Send {_prefix(command)}help to see "
                         "what I can do.", is_error=True)
        try:
            chat = await self.store.chats.upsert_chat(command.chat, command.chat_kind,
                                                      command.chat_title)
            note = await self._resume_if_paused(chat)
            reply: Reply = await handler(command, chat)
        except CommandError as exc:
            return Reply(str(exc), is_error=True)
        except (FetchError, FeedError, ExtractionError) as exc:
            return Reply(fetch_error_text(exc), is_error=True)
        except NewsbotError as exc:
            return Reply(str(exc), is_error=True)
        except Exception:
            logger.exception("command %s failed in %s", name, command.chat)
            return Reply("Sorry, something went wrong on my side. Please try again later.",
                         is_error=True)
        if note:
            reply = replace(reply, text=f"{note}\n\n{reply.text}".strip())
        return reply

    async def _resume_if_paused(self, chat: ChatInfo) -> str | None:
        """A command from a paused chat shows it can hear us again: say why it
        was paused, and resume it."""
        if chat.active:
            return None
        await self.store.chats.resume_chat(chat.ref)
        await self._changed(chat.ref)
        reason = chat.inactive_reason or "messages could not be delivered"
        return f"Digests to this chat were paused ({reason}). They are on again now."

    async def _changed(self, ref: ChatRef) -> None:
        if self.on_chat_changed is not None:
            await self.on_chat_changed(ref)

    # ------------------------------------------------------------- membership

    async def bot_removed(self, ref: ChatRef, kind: GoneKind, reason: str) -> None:
        """The platform says the bot left, was removed from or blocked in a chat.

        The chat is paused at once with ``kind`` and ``reason`` instead of at
        its next failed send (its queued messages are kept). Chats newsbot
        never stored are ignored.
        """
        chat = await self.store.chats.get_chat(ref)
        if chat is None:
            logger.info("membership: bot removed from %s, a chat newsbot has not stored; "
                        "nothing to do", ref)
        elif not chat.active:
            logger.info("membership: bot removed from %s (%s); it was paused already (%s)",
                        ref, reason, chat.inactive_reason)
        else:
            await self.store.chats.pause_chat(ref, kind, reason)
            await self._changed(ref)
            logger.warning("membership: %s paused at once: %s", ref, reason)

    async def bot_returned(self, ref: ChatRef) -> None:
        """The bot is in the chat again: resume it, but only when it was paused
        for a reason its return heals (:attr:`GoneKind.heals_when_bot_returns`)."""
        chat = await self.store.chats.get_chat(ref)
        if chat is None:
            logger.info("membership: bot added to %s, a chat newsbot has not stored; "
                        "nothing to do", ref)
            return
        if chat.active:
            logger.info("membership: bot is in %s, which is active already", chat.ref)
            return
        if chat.inactive_kind is None or not chat.inactive_kind.heals_when_bot_returns:
            logger.info("membership: bot is back in %s, but it stays paused (%s)",
                        chat.ref, chat.inactive_reason)
            return
        await self.store.chats.resume_chat(chat.ref)
        await self._changed(chat.ref)
        if self.on_digest_queued is not None:
            self.on_digest_queued()  # the messages kept while it was paused can go now
        logger.info("membership: bot is back in %s; digests resumed (paused: %s)",
                    chat.ref, chat.inactive_reason)

    async def chat_migrated(self, ref: ChatRef, new_external_id: str) -> None:
        """The chat now lives under ``new_external_id`` (a Telegram group that became a
        supergroup): move it with its subscriptions, schedule and queued messages."""
        new_ref = ChatRef(ref.platform, new_external_id)
        if new_ref == ref:
            return
        try:
            await self.store.chats.migrate_chat(ref, new_external_id)
        except NotFoundError:
            logger.info("migration: nothing stored under %s (moved already, or never used); "
                        "%s needs no change", ref, new_ref)
            return
        await self._changed(ref)
        await self._changed(new_ref)
        logger.info("migration: chat %s moved to %s", ref, new_ref)

    # --------------------------------------------------------------- commands

    async def cmd_start(self, command: Command, chat: ChatInfo) -> Reply:
        return Reply(welcome(_prefix(command)), private=True)

    async def cmd_help(self, command: Command, chat: ChatInfo) -> Reply:
        return Reply(help_text(_prefix(command), self.access.who_manages(command.chat.platform)),
                     private=True)

    async def cmd_subscribe(self, command: Command, chat: ChatInfo) -> Reply:
        p, at = _prefix(command), _at(command)
        if not command.args:
            raise CommandError(f"Which feed? Example: {p}subscribe {at}"
                               "https://www.theguardian.com/world/rss")
        url = parse_url(command.args[0])
        rule = parse_feed_filter(command.args[1:], p, at)
        feed, _ = await self.pipeline.add_feed(url)
        name = feed.title or feed.url
        new = await self.store.chats.subscribe(command.chat, feed.id)
        if rule is not None:
            await self.store.chats.set_feed_filter(command.chat, feed.id,
                                                   ",".join(rule.include) or None,
                                                   ",".join(rule.exclude) or None)
        if not new:
            if rule is None:
                return Reply(f"{_here(command)} already follows {name}.")
            return Reply(f"{_here(command)} already follows {name}. {describe_filter(rule)}")
        await self._changed(command.chat)
        when = _describe_schedule(chat.schedule, p, at)
        extra = f" {describe_filter(rule)}" if rule is not None else ""
        return Reply(f"Subscribed {_whom(command)}to {name} ({feed.url}).{extra} {when}")

    async def cmd_unsubscribe(self, command: Command, chat: ChatInfo) -> Reply:
        p, at = _prefix(command), _at(command)
        subs = await self.store.chats.subscriptions(command.chat)
        if not subs and not command.args:
            return Reply(f"{_here(command)} has no subscriptions.")
        if not command.args:
            # The buttons name the channel a command was sent for, so pressing one in the
            # private chat acts on that channel again (and is checked again), not on the
            # private chat itself.
            return Reply(
                "Which feed should I stop?",
                choices=tuple(Choice(_clip(f.title or f.url, 40), f"unsubscribe {at}{f.id}")
                              for f in subs),
            )
        wanted = command.args[0].strip().strip("<>")
        for feed in subs:
            if wanted in (str(feed.id), feed.url, feed.site_url) or wanted.rstrip("/") in (
                feed.url.rstrip("/"), (feed.site_url or "").rstrip("/")):
                await self.store.chats.unsubscribe(command.chat, feed.id)
                await self._changed(command.chat)
                return Reply(f"Unsubscribed {_whom(command)}from {feed.title or feed.url}.")
        if wanted.isdigit():  # a button from an older list: never show the internal id
            gone = await self.store.feeds.get_feed(int(wanted))
            what = (gone.title or gone.url) if gone else "that feed"
            return Reply(f"{_here(command)} no longer follows {what}. "
                         f"Send {p}list {at}to see what it follows.")
        raise CommandError(f"{_here(command)} doesn't follow {_clip(wanted)}. "
                           f"Send {p}list {at}to see what it follows.")

    async def cmd_list(self, command: Command, chat: ChatInfo) -> Reply:
        p, at = _prefix(command), _at(command)
        subs = await self.store.chats.subscriptions(command.chat)
        if not subs:
            return Reply(f"No subscriptions yet. Try {p}subscribe {at}<feed or site URL>.",
                         private=True)
        lines = [f"{_here(command)} follows {len(subs)} feed{'s' if len(subs) != 1 else ''}:"]
        for f in subs:
            if not f.active:
                state = f"paused after {f.consecutive_failures} failures: {f.last_error}"
            elif f.last_error:
                state = f"failing ({f.consecutive_failures}x): {f.last_error}"
            elif f.last_fetched_at:
                state = f"ok, {f.item_count} items, checked {f.last_fetched_at:%Y-%m-%d %H:%M} UTC"
            else:
                state = "not fetched yet"
            lines.append(f"• {f.title or f.url} — {f.url} — {state}")
        filters_by_feed = await self.store.chats.feed_filters(command.chat)
        for f in subs:
            rule = filters_by_feed.get(f.id)
            if rule is not None:
                lines.append(f"  {f.title or f.url}: {describe_filter(rule)}")
        topics = await self.store.chats.topics(command.chat)
        if topics.follow:
            lines.append("Following: " + ", ".join(topics.follow))
        if topics.mute:
            lines.append("Muted: " + ", ".join(topics.mute))
        lines.append(_describe_schedule(chat.schedule, p, at))
        choices = tuple(Choice(_clip(f"Unfollow {t}", 40), f"unfollow {at}{t}")
                        for t in topics.follow)
        choices += tuple(Choice(_clip(f"Unmute {t}", 40), f"unmute {at}{t}") for t in topics.mute)
        return Reply("\n".join(lines), choices=choices, private=True)

    async def cmd_follow(self, command: Command, chat: ChatInfo) -> Reply:
        return await self._topic(command, "follow", add=True)

    async def cmd_mute(self, command: Command, chat: ChatInfo) -> Reply:
        return await self._topic(command, "mute", add=True)

    async def cmd_unfollow(self, command: Command, chat: ChatInfo) -> Reply:
        return await self._topic(command, "follow", add=False)

    async def cmd_unmute(self, command: Command, chat: ChatInfo) -> Reply:
        return await self._topic(command, "mute", add=False)

    async def _topic(self, command: Command, kind: TopicKind, *, add: bool) -> Reply:
        p, at = _prefix(command), _at(command)
        verb = kind if add else f"un{kind}"
        wanted = parse_topics(command.args)
        if not wanted:
            topics = await self.store.chats.topics(command.chat)
            have = topics.follow if kind == "follow" else topics.mute
            now = (f"{_here(command)} {'follows' if kind == 'follow' else 'mutes'}: "
                   f"{', '.join(have)}. " if have else "")
            example = "climate, elections" if kind == "follow" else "football"
            return Reply(f"{now}Which topic? Example: {p}{verb} {at}{example}", private=True)
        done: list[str] = []
        for topic in wanted:
            if add:
                if await self.store.chats.add_topic(command.chat, kind, topic):
                    done.append(topic)
            elif await self.store.chats.remove_topic(command.chat, kind, topic):
                done.append(topic)
        listed = ", ".join(f"“{t}”" for t in (done or wanted))
        if not done:
            state = ("already follows" if kind == "follow" else "already mutes") if add else (
                "doesn't follow" if kind == "follow" else "doesn't mute")
            return Reply(f"{_here(command)} {state} {listed}. {p}list {at}shows its topics.")
        if add and kind == "follow":
            return Reply(f"Following {listed}: stories about it come first in the digest. "
                         f"Undo with {p}unfollow {at}{done[0]}")
        if add:
            return Reply(f"Muted {listed}: stories about it are left out of the digest. "
                         f"Undo with {p}unmute {at}{done[0]}")
        what = "Stopped following" if kind == "follow" else "Unmuted"
        return Reply(f"{what} {listed}.")

    async def cmd_summary(self, command: Command, chat: ChatInfo) -> Reply:
        args = [a for a in command.args if a != "--private"]
        private = "--private" in command.args
        if not args:
            raise CommandError(f"Send me a link: {_prefix(command)}summary "
                               "https://example.com/news/article")
        url = parse_url(args[0])
        article, summary = await self.pipeline.summarize_url(url)
        if not summary.key_points:
            raise CommandError(f"I couldn't find an article to summarize at {url}")
        story = story_from(article, summary)
        note = f"(Using the page's feed text: {article.extraction_note})" if article.extraction_note else ""
        return Reply(text=note, story=story, private=private)

    async def cmd_digest(self, command: Command, chat: ChatInfo) -> Reply:
        if not await self.store.chats.subscriptions(command.chat):
            return Reply(f"No subscriptions yet, so no digest. Try {_prefix(command)}subscribe "
                         f"{_at(command)}<feed or site URL>.")
        sender = self.senders.get(command.chat.platform)
        if sender is None:
            raise CommandError(f"No {command.chat.platform} sender is configured.")
        digest_id = await queue_digest(self.store, sender, command.chat,
                                       update_novelty=self.pipeline.settings.story_update_novelty,
                                       embed=self.pipeline.embed_topics)
        if digest_id is None:
            if await self.store.chats.has_unread_articles(command.chat):
                # Just subscribed: the first stories are being read. Post them when they
                # are ready (once; the scheduler claims the request), rather than "nothing new".
                await self.store.chats.want_digest(command.chat)
                return Reply("I'm still reading the first stories from your feeds. "
                             "I'll post them here as soon as they're ready.")
            if chat.last_digest_at is None:
                return Reply("No stories from your feeds yet. I'll include new ones in your "
                             "next digest.")
            return Reply("Nothing new since your last digest.")
        if self.on_digest_queued:
            self.on_digest_queued()
        return Reply("Here comes your digest.")

    async def cmd_schedule(self, command: Command, chat: ChatInfo) -> Reply:
        p, at = _prefix(command), _at(command)
        schedule = parse_schedule(command.args, chat.schedule.timezone or None, p, at)
        if schedule.mode in ("daily", "weekdays") and not schedule.timezone:
            raise CommandError(
                f"Which time zone? Add it after the time, e.g. {p}schedule {at}"
                f"{schedule.hour:02d}:{schedule.minute:02d} Europe/London"
            )
        await self.store.chats.set_schedule(command.chat, schedule)
        await self._changed(command.chat)
        return Reply(_describe_schedule(schedule, _prefix(command), _at(command)), private=True)

    async def cmd_settings(self, command: Command, chat: ChatInfo) -> Reply:
        s = chat.settings
        if command.args:
            s = _changed_settings(s, [a.lower() for a in command.args], _prefix(command))
            await self.store.chats.update_chat_settings(command.chat, s)
        return settings_reply(s, _prefix(command))


MAX_TOPICS_PER_COMMAND = 10
MAX_TOPIC_CHARS = 60


def parse_topics(args: tuple[str, ...]) -> list[str]:
    """``climate, general election`` -> ["climate", "general election"] (lower case, bounded)."""
    text = " ".join(args)
    out: list[str] = []
    for part in text.split(","):
        topic = " ".join(part.split()).lower().strip("\"'“”")
        if not topic:
            continue
        if len(topic) > MAX_TOPIC_CHARS:
            raise CommandError(f"A topic is a word or a short phrase (up to {MAX_TOPIC_CHARS} "
                               "characters).")
        if topic not in out:
            out.append(topic)
    if len(out) > MAX_TOPICS_PER_COMMAND:
        raise CommandError(f"Up to {MAX_TOPICS_PER_COMMAND} topics at a time, please.")
    return out


_FILTER_KEYS = {"only": "include", "include": "include", "not": "exclude",
                "except": "exclude", "exclude": "exclude"}


def parse_feed_filter(args: tuple[str, ...], prefix: str = "/", at: str = "") -> FeedFilter | None:
    """``only:climate,floods not:sport`` after a feed URL -> FeedFilter; ``all``
    clears the filters (an empty FeedFilter); nothing -> None (no change)."""
    if not args:
        return None
    if [a.lower() for a in args] == ["all"]:
        return FeedFilter()
    found: dict[str, list[str]] = {"include": [], "exclude": []}
    current: str | None = None
    for word in args:
        key, sep, rest = word.partition(":")
        if sep and key.lower() in _FILTER_KEYS:
            current = _FILTER_KEYS[key.lower()]
            word = rest
        if current is None:
            raise CommandError(f"I don't understand {_clip(word)!r} after the link. Example: "
                               f"{prefix}subscribe {at}https://example.com/rss only:climate,floods "
                               "not:sport")
        if word:
            found[current].append(word)
    include = parse_topics(tuple(found["include"]))
    exclude = parse_topics(tuple(found["exclude"]))
    if not include and not exclude:
        raise CommandError("Which words? Example: only:climate,floods or not:sport")
    return FeedFilter(tuple(include), tuple(exclude))


def describe_filter(rule: FeedFilter) -> str:
    if not rule.include and not rule.exclude:
        return "All its stories are included (no keyword filter)."
    parts = []
    if rule.include:
        parts.append("only stories about " + " or ".join(rule.include))
    if rule.exclude:
        parts.append("none about " + " or ".join(rule.exclude))
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."


LAYOUT_WORDS = {
    "brief": "brief (one key point and a quote per story)",
    "full": "full (key points and quotes)",
    "headlines": "headlines (one line per story)",
}


def _prefix(command: Command) -> str:
    """How commands are written on the command's platform (hints must be typeable)."""
    return "/newsbot " if command.chat.platform == "slack" else "/"


def _on_off(key: str, value: str, prefix: str) -> bool:
    if value not in ("on", "off"):
        raise CommandError(f"Use {prefix}settings {key} on or {prefix}settings {key} off.")
    return value == "on"


def _number(value: str, low: int, high: int, what: str) -> int:
    if not value.isdigit() or not low <= int(value) <= high:
        raise CommandError(f"{what} must be a number from {low} to {high}.")
    return int(value)


def _changed_settings(s: ChatSettings, words: list[str], prefix: str) -> ChatSettings:
    key, *rest = words
    value = rest[0] if rest else ""
    if key in ("points", "keypoints", "key_points"):
        return replace(s, key_points=_number(value, 1, 10, "Key points per story"))
    if key == "quotes":
        return replace(s, show_quotes=_on_off(key, value, prefix))
    if key in ("image", "images", "preview"):
        return replace(s, lead_image=_on_off("image", value, prefix))
    if key == "layout" and value in LAYOUTS:
        return replace(s, layout=value)
    if key in ("messages", "layout") and value in ("story", "digest"):
        # "layout story|digest" was this setting's name before layouts existed
        return replace(s, one_message_per_story=value == "story")
    if key == "layout":
        raise CommandError(f"Use {prefix}settings layout brief, full or headlines.")
    if key == "messages":
        raise CommandError(f"Use {prefix}settings messages story (one message per story) "
                           f"or {prefix}settings messages digest (one message).")
    if key in ("stories", "max"):
        return replace(s, max_stories=_number(value, 1, 50, "Stories per digest"))
    raise CommandError(f"Unknown setting {_clip(key, 30)!r}. Settings: layout, points, quotes, "
                       "image, messages, stories.")


def settings_reply(s: ChatSettings, prefix: str = "/") -> Reply:
    text = (f"Layout: {LAYOUT_WORDS[s.layout]}\n"
            f"Key points per story: {s.key_points} (full layout)\n"
            f"Quotes: {'on' if s.show_quotes else 'off'}\n"
            f"Lead image of the top story: {'on' if s.lead_image else 'off'}\n"
            f"Messages: {'one per story' if s.one_message_per_story else 'one digest message'}\n"
            f"Stories per digest: {s.max_stories}\n"
            f"Change one with {prefix}settings layout full, for example.")
    choices = tuple(Choice(f"Layout: {name}", f"settings layout {name}")
                    for name in LAYOUTS if name != s.layout)
    choices += (
        Choice("Quotes off" if s.show_quotes else "Quotes on",
               f"settings quotes {'off' if s.show_quotes else 'on'}"),
        Choice("Image off" if s.lead_image else "Image on",
               f"settings image {'off' if s.lead_image else 'on'}"),
        Choice("One message" if s.one_message_per_story else "Message per story",
               f"settings messages {'digest' if s.one_message_per_story else 'story'}"),
    )
    return Reply(text, choices=choices, private=True)


_CLOCK = re.compile(r"^(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$")
_COMPACT = re.compile(r"^(\d{2})(\d{2})$")
_ZONE_ALIASES = {
    "pst": "America/Los_Angeles", "pdt": "America/Los_Angeles", "pt": "America/Los_Angeles",
    "est": "America/New_York", "edt": "America/New_York", "et": "America/New_York",
    "cst": "America/Chicago", "cdt": "America/Chicago", "mst": "America/Denver",
    "bst": "Europe/London", "uk": "Europe/London", "cet": "Europe/Paris",
    "cest": "Europe/Paris", "ist": "Asia/Kolkata", "jst": "Asia/Tokyo", "aest": "Australia/Sydney",
}


def _time_of_day(text: str) -> tuple[int, int] | None:
    """``07:30``, ``7.30``, ``7h30``, ``0730``, ``8``, ``8am``, ``8:15 pm`` -> (hour, minute)."""
    text = text.strip().lower()
    compact = _COMPACT.match(text)
    if compact:
        hour, minute = int(compact.group(1)), int(compact.group(2))
    else:
        match = _CLOCK.match(text)
        if not match:
            return None
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        half = (match.group(3) or "").replace(".", "")
        if half:
            if not 1 <= hour <= 12:
                return None
            hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return hour, minute


def parse_schedule(args: tuple[str, ...], current_tz: str | None, prefix: str = "/",
                   at: str = "") -> Schedule:
    """Parse ``TIME [zone] [daily|weekdays]``, ``off`` or ``realtime``.

    TIME in the common forms (``07:30``, ``7.30``, ``0730``, ``8am``, ``8:15 pm``);
    the zone as an IANA name (``Europe/London``, any case), ``UTC``, or a city
    that names exactly one zone (``London``, ``New York``); anything else gets
    the exact command to send ("did you mean Europe/London?").
    """
    example = f"{prefix}schedule {at}07:30 Europe/London"
    if not args:
        raise CommandError(f"When should the digest arrive? Example: {example}. "
                           f"Or {prefix}schedule {at}realtime, or {prefix}schedule {at}off.")
    words = [a.strip() for a in args if a.strip()]
    first = words[0].lower()
    if first == "off":
        return Schedule(mode="off", timezone=current_tz)
    if first in ("realtime", "live"):
        return Schedule(mode="realtime", timezone=current_tz)
    rest = words[1:]
    when = _time_of_day(first)
    if when is not None and rest and rest[0].lower() in ("am", "pm", "a.m.", "p.m."):
        when = _time_of_day(first + rest[0].lower())
        rest = rest[1:]
    if when is None:
        raise CommandError(f"{_clip(words[0])!r} is not a time I understand. Try 07:30 or 8am, "
                           f"e.g. {example}")
    hour, minute = when
    mode = "daily"
    zone_words: list[str] = []
    for word in rest:
        low = word.lower()
        if low in ("daily", "weekdays"):
            mode = low
        elif low in ("every", "day", "on"):
            continue
        else:
            zone_words.append(word)
    tz = current_tz
    slashed = [w for w in zone_words if "/" in w]
    if slashed and len(zone_words) > 1:
        other = next(w for w in zone_words if w is not slashed[0])
        raise CommandError(f"I don't understand {_clip(other)!r}. Example: "
                           f"{prefix}schedule {at}07:30 Europe/Paris weekdays")
    if zone_words:
        tz = _timezone(" ".join(zone_words), f"{prefix}schedule {at}{hour:02d}:{minute:02d}")
    return Schedule(mode=mode, hour=hour, minute=minute, timezone=tz)  # type: ignore[arg-type]


def _timezone(name: str, command: str = "/schedule 07:30") -> str:
    """An IANA zone name for what the user wrote, or a CommandError with the command to send."""
    name = name.strip()
    if name.lower() in ("utc", "gmt", "z"):
        return "UTC"
    if "/" in name:
        try:
            ZoneInfo(name)
            return name
        except (ZoneInfoNotFoundError, ValueError):
            pass
    zones = sorted(available_timezones())
    lowered = {tz.lower(): tz for tz in zones}
    key = name.lower().replace(" ", "_")
    if key in lowered and "/" in lowered[key]:
        return lowered[key]  # europe/london -> Europe/London
    cities = [tz for tz in zones if "/" in tz and tz.rsplit("/", 1)[1].lower() == key
              and not tz.startswith(("Etc/", "SystemV/", "US/"))]
    if len(cities) == 1:
        return cities[0]  # London -> Europe/London
    guess = _ZONE_ALIASES.get(key)
    if guess is None and cities:
        guess = cities[0]
    if guess is None:
        import difflib

        names = {tz.rsplit("/", 1)[-1].lower(): tz for tz in zones if "/" in tz}
        close = difflib.get_close_matches(key, list(names) + list(lowered), n=1, cutoff=0.75)
        if close:
            guess = names.get(close[0]) or lowered[close[0]]
    if guess is not None:
        raise CommandError(f"I don't know the time zone {_clip(name)!r}. Did you mean {guess}? "
                           f"Send: {command} {guess}")
    raise CommandError(f"I don't know the time zone {_clip(name)!r}. Use a region and city, "
                       f"e.g. {command} Europe/London or {command} America/New_York")


def _here(command: Command) -> str:
    """How replies name the chat a command acts on: the channel it was sent for, or this chat."""
    return command.target or "This chat"


def _whom(command: Command) -> str:
    return f"{command.target} " if command.target else ""


def _at(command: Command) -> str:
    """The channel address to repeat in hints ("/list @channel"), with its space."""
    return f"{command.target} " if command.target else ""


def _describe_schedule(schedule: Schedule, prefix: str = "/", at: str = "") -> str:
    if schedule.mode == "off":
        return (f"No digest schedule yet: send {prefix}schedule {at}07:30 Europe/London, "
                f"or {prefix}digest {at}any time.")
    if schedule.mode == "realtime":
        return "Stories are sent as they happen."
    days = "every day" if schedule.mode == "daily" else "on weekdays"
    return f"Digest {days} at {schedule.hour:02d}:{schedule.minute:02d} ({schedule.timezone})."


def extract_url(text: str) -> str | None:
    """The first http(s) link in a message, for adapters (bare links, replies)."""
    match = _URL.search(text or "")
    return match.group(0).rstrip(").,>]") if match else None
