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
    Article,
    ChatInfo,
    ChatRef,
    Choice,
    Command,
    Platform,
    Reply,
    Schedule,
    Story,
    Summary,
)
from bot.errors import (
    CommandError,
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
_TIME = re.compile(r"^(\d{1,2})[:.h](\d{2})$")
_URL = re.compile(r"https?://\S+", re.IGNORECASE)
WELCOME = (
    "Hi! I'm newsbot. I read the feeds you follow and send you a digest: "
    "the key points of each story and the notable quotes with who said them.\n\n"
    "Start with /subscribe <feed or site URL>, then /schedule 07:30 Europe/London "
    "for a morning digest, or /digest any time. /summary <URL> summarizes one article.\n"
    "Send /help for every command."
)


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


def fetch_error_text(exc: NewsbotError) -> str:
    """One clear, user-facing line for a fetch or feed failure."""
    if isinstance(exc, UnsafeURLError):
        return f"I can't fetch that address: {exc.reason}."
    if isinstance(exc, HTTPStatusError):
        meaning = {404: "not found", 403: "access denied", 401: "login required", 410: "gone"}
        extra = f" ({meaning[exc.status]})" if exc.status in meaning else ""
        return f"The page answered HTTP {exc.status}{extra}: {exc.url}"
    if isinstance(exc, FetchTimeoutError):
        return f"The site took too long to answer: {exc.url}"
    if isinstance(exc, TooLargeError):
        return f"That page is too large to fetch: {exc.url}"
    if isinstance(exc, UnsupportedContentError):
        return (f"That link is not a web article ({exc.content_type or 'unknown type'}); "
                f"I can summarize HTML pages only: {exc.url}")
    if isinstance(exc, FetchError):
        return f"I couldn't fetch {exc.url}: {exc.reason}"
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
        }

    async def handle(self, command: Command) -> Reply:
        name = command.name.lower()
        handler = self._handlers.get(name)
        if handler is None:
            return Reply(f"Unknown command {command.name!r}. Send /help to see what I can do.",
                         is_error=True)
        try:
            chat = await self.store.chats.upsert_chat(command.chat, command.chat_kind,
                                                      command.chat_title)
            note = await self._resume_if_paused(chat)
            reply: Reply = await handler(command, chat)
        except CommandError as exc:
            return Reply(str(exc), is_error=True)
        except (FetchError, FeedError) as exc:
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
        return Reply(WELCOME)

    async def cmd_help(self, command: Command, chat: ChatInfo) -> Reply:
        prefix = "/newsbot " if command.chat.platform == "slack" else "/"
        return Reply(help_text(prefix, self.access.who_manages(command.chat.platform)))

    async def cmd_subscribe(self, command: Command, chat: ChatInfo) -> Reply:
        if not command.args:
            raise CommandError("Which feed? Example: /subscribe https://www.theguardian.com/world/rss")
        url = parse_url(command.args[0])
        feed, _ = await self.pipeline.add_feed(url)
        if not await self.store.chats.subscribe(command.chat, feed.id):
            return Reply(f"This chat already follows {feed.title or feed.url}.")
        await self._changed(command.chat)
        name = feed.title or feed.url
        when = _describe_schedule(chat.schedule)
        return Reply(f"Subscribed to {name} ({feed.url}). {when}")

    async def cmd_unsubscribe(self, command: Command, chat: ChatInfo) -> Reply:
        subs = await self.store.chats.subscriptions(command.chat)
        if not subs:
            return Reply("This chat has no subscriptions.")
        if not command.args:
            return Reply(
                "Which feed should I stop?",
                choices=tuple(Choice(_clip(f.title or f.url, 40), f"unsubscribe {f.id}") for f in subs),
            )
        wanted = command.args[0].strip().strip("<>")
        for feed in subs:
            if wanted in (str(feed.id), feed.url, feed.site_url) or wanted.rstrip("/") in (
                feed.url.rstrip("/"), (feed.site_url or "").rstrip("/")):
                await self.store.chats.unsubscribe(command.chat, feed.id)
                await self._changed(command.chat)
                return Reply(f"Unsubscribed from {feed.title or feed.url}.")
        raise CommandError(f"This chat doesn't follow {_clip(wanted)}. Send /list to see its feeds.")

    async def cmd_list(self, command: Command, chat: ChatInfo) -> Reply:
        subs = await self.store.chats.subscriptions(command.chat)
        if not subs:
            return Reply("No subscriptions yet. Try /subscribe <feed or site URL>.")
        lines = [f"This chat follows {len(subs)} feed{'s' if len(subs) != 1 else ''}:"]
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
        lines.append(_describe_schedule(chat.schedule))
        return Reply("\n".join(lines))

    async def cmd_summary(self, command: Command, chat: ChatInfo) -> Reply:
        args = [a for a in command.args if a != "--private"]
        private = "--private" in command.args
        if not args:
            raise CommandError("Send me a link: /summary https://example.com/news/article")
        url = parse_url(args[0])
        article, summary = await self.pipeline.summarize_url(url)
        if not summary.key_points:
            raise CommandError(f"I couldn't find an article to summarize at {url}")
        story = story_from(article, summary)
        note = f"(Using the page's feed text: {article.extraction_note})" if article.extraction_note else ""
        return Reply(text=note, story=story, private=private)

    async def cmd_digest(self, command: Command, chat: ChatInfo) -> Reply:
        if not await self.store.chats.subscriptions(command.chat):
            return Reply("No subscriptions yet, so no digest. Try /subscribe <feed or site URL>.")
        sender = self.senders.get(command.chat.platform)
        if sender is None:
            raise CommandError(f"No {command.chat.platform} sender is configured.")
        digest_id = await queue_digest(self.store, sender, command.chat,
                                       update_novelty=self.pipeline.settings.story_update_novelty)
        if digest_id is None:
            return Reply("Nothing new since your last digest.")
        if self.on_digest_queued:
            self.on_digest_queued()
        return Reply("Here comes your digest.")

    async def cmd_schedule(self, command: Command, chat: ChatInfo) -> Reply:
        schedule = parse_schedule(command.args, chat.schedule.timezone or None)
        if schedule.mode in ("daily", "weekdays") and not schedule.timezone:
            raise CommandError(
                "Which time zone? Add it after the time, e.g. /schedule "
                f"{schedule.hour:02d}:{schedule.minute:02d} Europe/London"
            )
        await self.store.chats.set_schedule(command.chat, schedule)
        await self._changed(command.chat)
        return Reply(_describe_schedule(schedule))

    async def cmd_settings(self, command: Command, chat: ChatInfo) -> Reply:
        s = chat.settings
        if command.args:
            key, *rest = [a.lower() for a in command.args]
            value = rest[0] if rest else ""
            if key in ("points", "keypoints", "key_points"):
                if not value.isdigit() or not 1 <= int(value) <= 10:
                    raise CommandError("Key points per story must be a number from 1 to 10.")
                s = replace(s, key_points=int(value))
            elif key == "quotes":
                if value not in ("on", "off"):
                    raise CommandError("Use /settings quotes on or /settings quotes off.")
                s = replace(s, show_quotes=value == "on")
            elif key == "layout":
                if value not in ("story", "digest"):
                    raise CommandError("Use /settings layout story (one message per story) "
                                       "or /settings layout digest (one message).")
                s = replace(s, one_message_per_story=value == "story")
            elif key in ("stories", "max"):
                if not value.isdigit() or not 1 <= int(value) <= 50:
                    raise CommandError("Stories per digest must be a number from 1 to 50.")
                s = replace(s, max_stories=int(value))
            else:
                raise CommandError(f"Unknown setting {key!r}. Settings: points, quotes, layout, stories.")
            await self.store.chats.update_chat_settings(command.chat, s)
        text = (f"Key points per story: {s.key_points}\nQuotes: {'on' if s.show_quotes else 'off'}\n"
                f"Layout: {'one message per story' if s.one_message_per_story else 'one digest message'}\n"
                f"Stories per digest: {s.max_stories}")
        choices = (
            Choice("3 points", "settings points 3"),
            Choice("5 points", "settings points 5"),
            Choice("Quotes off" if s.show_quotes else "Quotes on",
                   f"settings quotes {'off' if s.show_quotes else 'on'}"),
            Choice("One message" if s.one_message_per_story else "Message per story",
                   f"settings layout {'digest' if s.one_message_per_story else 'story'}"),
        )
        return Reply(text, choices=choices)


def parse_schedule(args: tuple[str, ...], current_tz: str | None) -> Schedule:
    """Parse ``HH:MM [Area/City] [daily|weekdays|realtime]``, ``off`` or ``realtime``."""
    if not args:
        raise CommandError("Usage: /schedule HH:MM [Area/City] [daily|weekdays], "
                           "/schedule realtime, or /schedule off")
    words = [a.strip() for a in args if a.strip()]
    first = words[0].lower()
    if first == "off":
        return Schedule(mode="off", timezone=current_tz)
    if first in ("realtime", "live"):
        return Schedule(mode="realtime", timezone=current_tz)
    match = _TIME.match(first)
    if not match:
        raise CommandError(f"{_clip(words[0])!r} is not a time. Use 24-hour HH:MM, e.g. /schedule 07:30 Europe/Paris")
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise CommandError(f"{words[0]} is not a valid time of day (00:00 to 23:59).")
    mode = "daily"
    tz = current_tz
    for word in words[1:]:
        low = word.lower()
        if low in ("daily", "weekdays"):
            mode = low
        elif "/" in word or low in ("utc", "gmt"):
            tz = _timezone(word)
        else:
            raise CommandError(f"I don't understand {_clip(word)!r}. Example: /schedule 07:30 Europe/Paris weekdays")
    return Schedule(mode=mode, hour=hour, minute=minute, timezone=tz)  # type: ignore[arg-type]


def _timezone(name: str) -> str:
    if name.lower() in ("utc", "gmt"):
        return "UTC"
    try:
        ZoneInfo(name)
        return name
    except (ZoneInfoNotFoundError, ValueError):
        pass
    # accept case differences: europe/london -> Europe/London
    lowered = {tz.lower(): tz for tz in available_timezones()}
    if name.lower() in lowered:
        return lowered[name.lower()]
    raise CommandError(f"Unknown time zone {_clip(name)!r}. Use an Area/City name such as Europe/London "
                       "or America/New_York.")


def _describe_schedule(schedule: Schedule) -> str:
    if schedule.mode == "off":
        return "No digest schedule yet: send /schedule 07:30 Europe/London, or /digest any time."
    if schedule.mode == "realtime":
        return "Stories are sent as they happen."
    days = "every day" if schedule.mode == "daily" else "on weekdays"
    return f"Digest {days} at {schedule.hour:02d}:{schedule.minute:02d} ({schedule.timezone})."


def extract_url(text: str) -> str | None:
    """The first http(s) link in a message, for adapters (bare links, replies)."""
    match = _URL.search(text or "")
    return match.group(0).rstrip(").,>]") if match else None
