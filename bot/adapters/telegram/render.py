"""Digest / Reply -> Telegram HTML payloads. Pure functions, no SDK imports.

Every piece of outside text (titles, sources, key points, quotes, URLs, the
core's reply text) goes through :func:`esc`; the only markup in a message is
what this module writes, and each line it writes is balanced on its own. That
makes splitting safe: messages are cut between stories, then between lines,
and only a pathological single line (a 10,000-character key point) is cut
inside, by :func:`split_line`, which closes the open tags at the cut and
reopens them in the next part.

Lengths are counted as Telegram counts them: UTF-16 code units of the text
after entity parsing (tags removed, entities decoded), which is what its
4,096 limit applies to; so link targets cost nothing and a ten-story ``brief``
digest fits one message. Only a pathological single line is cut by its
source length (:func:`split_line`), which is never shorter.

Layouts (:mod:`bot.digest.layout` chose what each story shows): ``full``
(title, source and time, key points, quotes, also reported by), ``brief``
(linked title, the key point, a quote, then source and time on one line),
``headlines`` (one line per story). Times are in the chat's time zone.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

from bot.digest.layout import local_time
from bot.domain import Choice, Digest, Quote, Reply, Story

TELEGRAM_TEXT_LIMIT = 4096
PART_LIMIT = 4000  # a little head-room under Telegram's limit
MAX_BUTTONS = 100  # Telegram's cap on inline keyboard buttons
BUTTON_LABEL_MAX = 60
MAX_ENTITIES = 100  # Telegram drops formatting beyond the first 100 entities of a message

Payload = dict[str, Any]

_TOKEN = re.compile(r"<[^>]*>|&#?\w+;|[^<&]+|[<&]")
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z0-9-]+)")
_WORD = re.compile(r"\s*\S+|\s+")
_TAGS = re.compile(r"<[^>]*>")


def esc(text: str) -> str:
    """Escape outside text for Telegram's HTML parse mode (``<``, ``>``, ``&``)."""
    return html.escape(text, quote=False)


def esc_attr(text: str) -> str:
    """Escape an attribute value (quotes too)."""
    return html.escape(text, quote=True)


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def shown_len(text: str) -> int:
    """Length of HTML ``text`` as Telegram counts it against 4,096: after parsing."""
    return utf16_len(html.unescape(_TAGS.sub("", text)))


def link(url: str, label: str) -> str:
    """A link when ``url`` is http(s); otherwise just the escaped label."""
    if url.lower().startswith(("http://", "https://")):
        return f'<a href="{esc_attr(url)}">{esc(label or url)}</a>'
    return esc(label or url)


def format_time(when: datetime) -> str:
    """``24 Nov 2025, 17:54 UTC`` (naive datetimes are taken as UTC)."""
    when = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    return f"{when.day} {when:%b %Y, %H:%M} UTC"


def quote_line(quote: Quote) -> str:
    line = f"<i>“{esc(quote.text)}”</i>"
    return f"{line} — {esc(quote.speaker)}" if quote.speaker else line


def _when(story: Story, zone: str | None, today: datetime | None) -> str:
    if story.published is None:
        return ""
    return local_time(story.published, zone, today) if zone else format_time(story.published)


def _meta(story: Story, zone: str | None, today: datetime | None) -> str:
    parts = [esc(story.source)] if story.source else []
    when = _when(story, zone, today)
    if when:
        parts.append(esc(when))
    return " · ".join(parts)


def story_lines(story: Story, zone: str | None = None, today: datetime | None = None) -> list[str]:
    """One story as balanced HTML lines: title, source/time, points, quotes, also reported by."""
    update = "Update: " if story.is_update else ""
    lines = [f"<b>{update}{link(story.url, story.title or story.url)}</b>"]
    meta = _meta(story, zone, today)
    if meta:
        lines.append(f"<i>{meta}</i>")
    lines.extend(f"• {esc(point)}" for point in story.key_points)
    for i, quote in enumerate(story.key_quotes):
        outlet = story.quote_source(i)
        lines.append(quote_line(quote) + (f" ({esc(outlet)})" if outlet != story.source else ""))
    if story.also_reported_by:
        others = ", ".join(link(url, name) for name, url in story.also_reported_by)
        more = f" (+{story.also_reported_more})" if story.also_reported_more else ""
        lines.append(f"Also reported by: {others}{more}")
    return lines


def story_block(story: Story, zone: str | None = None, today: datetime | None = None) -> str:
    return "\n".join(story_lines(story, zone, today))


def brief_block(story: Story, zone: str | None = None, today: datetime | None = None) -> str:
    """``brief``: linked title, the key point, one quote, then source · time (· also …)."""
    update = "Update: " if story.is_update else ""
    lines = [f"<b>{update}{link(story.url, story.title or story.url)}</b>"]
    lines.extend(esc(point) for point in story.key_points)
    for i, quote in enumerate(story.key_quotes):
        outlet = story.quote_source(i)
        lines.append(quote_line(quote) + (f" ({esc(outlet)})" if outlet != story.source else ""))
    meta = _meta(story, zone, today)
    if story.also_reported_by:
        others = ", ".join(link(url, name) for name, url in story.also_reported_by)
        others += f" +{story.also_reported_more}" if story.also_reported_more else ""
        meta = f"{meta} · also {others}" if meta else f"also {others}"
    if meta:
        lines.append(f"<i>{meta}</i>")
    return "\n".join(lines)


def headline_line(story: Story) -> str:
    """``headlines``: one line, the linked title and its source."""
    update = "Update: " if story.is_update else ""
    line = f"• {update}{link(story.url, story.title or story.url)}"
    return f"{line} — <i>{esc(story.source)}</i>" if story.source else line


def more_block(digest: Digest) -> str | None:
    """The "…and N more" tail with links to the stories left out by the cap."""
    if digest.more_count <= 0 and not digest.more_links:
        return None
    count = max(digest.more_count, len(digest.more_links))
    noun = "story" if count == 1 else "stories"
    lines = [f"…and {count} more {noun}" + (":" if digest.more_links else ".")]
    lines.extend(f"• {link(url, title)}" for title, url in digest.more_links)
    return "\n".join(lines)


# ---------------------------------------------------------------- splitting


def split_line(line: str, limit: int = PART_LIMIT) -> list[str]:
    """Cut one over-long line of (well-formed) HTML into parts of at most ``limit``.

    Cuts fall between words where possible, never inside a tag or an entity;
    tags open at a cut are closed at the end of the part and reopened at the
    start of the next one.
    """
    parts: list[str] = []
    stack: list[tuple[str, str]] = []  # (name, opening tag)
    current = ""
    has_content = False

    def closing() -> str:
        return "".join(f"</{name}>" for name, _ in reversed(stack))

    def flush() -> None:
        nonlocal current, has_content
        if has_content:
            parts.append(current + closing())
        current = "".join(tag for _, tag in stack)
        has_content = False

    for token in _TOKEN.findall(line):
        if token.startswith("</"):
            if stack:
                stack.pop()
            current += token
        elif token.startswith("<") and len(token) > 1:
            match = _TAG_NAME.match(token)
            name = match.group(1).lower() if match else "span"
            needed = utf16_len(current) + utf16_len(token) + utf16_len(closing()) + len(name) + 3
            if has_content and needed > limit:
                flush()
            current += token
            stack.append((name, token))
        else:
            units: Iterable[str] = [token] if token.startswith("&") else _WORD.findall(token)
            for unit in units:
                for piece in _fit(
                    unit, limit - utf16_len("".join(t for _, t in stack)) - utf16_len(closing())
                ):
                    if (
                        has_content
                        and utf16_len(current) + utf16_len(piece) + utf16_len(closing()) > limit
                    ):
                        flush()
                        piece = piece.lstrip() or piece
                    current += piece
                    has_content = True
    if has_content:
        parts.append(current + closing())
    return parts


def _fit(unit: str, room: int) -> list[str]:
    """Split a single word longer than ``room`` into character runs (never an entity)."""
    room = max(room, 16)
    if unit.startswith("&") or utf16_len(unit) <= room:
        return [unit]
    return [unit[i : i + room // 2] for i in range(0, len(unit), room // 2)]


def _entities(text: str) -> int:
    """Formatting entities in HTML ``text`` (one per opening tag)."""
    return sum(1 for tag in _TAGS.findall(text) if not tag.startswith("</"))


def _pack(pieces: Sequence[str], sep: str, limit: int) -> list[str]:
    """Join pieces into parts within ``limit`` shown characters and MAX_ENTITIES."""
    parts: list[str] = []
    current = ""
    for piece in pieces:
        if not current:
            current = piece
        elif (shown_len(current) + utf16_len(sep) + shown_len(piece) <= limit
              and _entities(current) + _entities(piece) <= MAX_ENTITIES):
            current += sep + piece
        else:
            parts.append(current)
            current = piece
    if current:
        parts.append(current)
    return parts


def _block_pieces(block: str, limit: int) -> list[str]:
    """A block that fits stays whole; else its lines, over-long lines cut by split_line."""
    if shown_len(block) <= limit:
        return [block]
    lines: list[str] = []
    for line in block.split("\n"):
        lines.extend([line] if shown_len(line) <= limit else split_line(line, limit))
    return _pack(lines, "\n", limit)


def split_blocks(blocks: Sequence[str], limit: int = PART_LIMIT) -> list[str]:
    """Pack blocks (stories, paragraphs) into parts under ``limit``, cutting at block boundaries first."""
    pieces: list[str] = []
    for block in blocks:
        if block.strip():
            pieces.extend(_block_pieces(block, limit))
    return _pack(pieces, "\n\n", limit)


# ---------------------------------------------------------------- payloads


def message_payload(text: str, *, html_mode: bool = True, preview_url: str | None = None) -> Payload:
    """One sendMessage payload; link previews are off unless ``preview_url`` names
    the one link to preview (the top story, when its page declares a lead image)."""
    payload: Payload = {"text": text}
    if html_mode:
        payload["parse_mode"] = "HTML"
    if preview_url:
        payload["link_preview_options"] = {"url": preview_url, "prefer_large_media": True}
    else:
        payload["link_preview_options"] = {"is_disabled": True}
    return payload


def keyboard(choices: Sequence[Choice], encode: Callable[[str], str]) -> dict[str, Any]:
    """One button per row (labels are often feed titles); ``encode`` makes the callback data."""
    rows = []
    for choice in choices[:MAX_BUTTONS]:
        label = (
            choice.label
            if len(choice.label) <= BUTTON_LABEL_MAX
            else choice.label[: BUTTON_LABEL_MAX - 1] + "…"
        )
        rows.append([{"text": label, "callback_data": encode(choice.data)}])
    return {"inline_keyboard": rows}


def render_digest(
    digest: Digest, *, per_story: bool = False, limit: int = PART_LIMIT
) -> list[Payload]:
    """A digest as one or more HTML messages (one per story when ``per_story``).

    With ``digest.lead_image`` and a top story whose page declares a lead image,
    the first message previews that story's link (Telegram shows the image);
    previews stay off everywhere else.
    """
    header = f"<b>{esc(digest.title)}</b>" if digest.title else ""
    zone, today = digest.timezone, digest.created_at
    if digest.layout == "headlines":
        lines = [headline_line(s) for s in digest.stories]
        stories = ["\n".join(lines)] if lines else []
        per_story = False
    elif digest.layout == "brief":
        stories = [brief_block(s, zone, today) for s in digest.stories]
    else:
        stories = [story_block(s, zone, today) for s in digest.stories]
    tail = more_block(digest)
    if per_story and stories:
        groups: list[list[str]] = [[header, stories[0]], *[[s] for s in stories[1:]]]
        if tail:
            groups.append([tail])
        texts = [part for group in groups for part in split_blocks(group, limit)]
    else:
        texts = split_blocks([header, *stories, *([tail] if tail else [])], limit)
    if not texts:
        texts = [header or esc("No new stories.")]
    top = digest.stories[0] if digest.stories else None
    preview = top.url if digest.lead_image and top is not None and top.image_url else None
    if preview and not preview.lower().startswith(("http://", "https://")):
        preview = None
    return [message_payload(text, preview_url=preview if i == 0 else None)
            for i, text in enumerate(texts)]


def render_reply(
    reply: Reply, encode: Callable[[str], str] = lambda data: data, *, limit: int = PART_LIMIT
) -> list[Payload]:
    """A command reply: escaped text (paragraphs kept), an optional story, buttons on the last part."""
    blocks = [esc(p) for p in reply.text.split("\n\n")] if reply.text else []
    if reply.story is not None:
        blocks.append(story_block(reply.story))
    texts = split_blocks(blocks, limit)
    if not texts and reply.choices:
        texts = [esc("Choose one:")]
    payloads = [message_payload(text) for text in texts]
    if reply.choices and payloads:
        payloads[-1]["reply_markup"] = keyboard(reply.choices, encode)
    return payloads


# ---------------------------------------------------------------- plain-text fallback


class _PlainText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._hrefs: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._hrefs.append(dict(attrs).get("href"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._hrefs:
            href = self._hrefs.pop()
            if href:
                self.out.append(f" ({href})")

    def handle_data(self, data: str) -> None:
        self.out.append(data)


def html_to_plain(text: str) -> str:
    """Telegram HTML -> plain text (links become ``label (url)``), for the parse-error fallback."""
    parser = _PlainText()
    parser.feed(text)
    parser.close()
    return "".join(parser.out)


def plain_payload(payload: Payload) -> Payload:
    """The same message without markup: used when Telegram cannot parse one payload's HTML."""
    plain = {k: v for k, v in payload.items() if k != "parse_mode"}
    if payload.get("parse_mode") == "HTML":
        text = html_to_plain(str(payload.get("text", "")))
        if utf16_len(text) > TELEGRAM_TEXT_LIMIT:  # the link targets written out made it longer
            text = text.encode("utf-16-le")[: 2 * (TELEGRAM_TEXT_LIMIT - 1)].decode(
                "utf-16-le", errors="ignore") + "…"
        plain["text"] = text
    return plain
