"""Digest / Reply -> Slack Block Kit payloads (pure functions, no SDK imports).

Each payload is the keyword arguments of ``chat.postMessage`` minus
``channel``: ``blocks``, a plain ``text`` fallback (notifications, screen
readers, clients without Block Kit), and ``unfurl_links``/``unfurl_media``
switched off so a digest does not sprout a preview card per link.

Safety: every piece of outside text (titles, key points, quotes, speakers,
source names) goes through :func:`escape`, so ``<!channel>``, ``<@U123>`` or
``<https://evil|click>`` in a feed arrive as inert text. Links are built only
by :func:`link`, which accepts http(s) URLs only and makes both halves of
``<url|label>`` unable to close the link early.

Slack's limits honoured here (https://api.slack.com/reference/block-kit):
50 blocks per message, 3,000 characters per section text, 150 characters
for a header's plain_text, 10 context elements, 25 elements per actions
block, 75 characters per button label, 2,000 characters per button value.
A digest that does not fit one message is split into several, each with
its own header ("(2/3)") and fallback text.

Layouts (:mod:`bot.digest.layout` chose what each story shows): ``full``
(section with bullets and quotes, context with source, time, also reported
by), ``brief`` (the same, with one point and at most one quote) and
``headlines`` (one line per story, in as few sections as fit). With
``Digest.lead_image``, the top story's section carries its lead image as an
accessory.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from bot.domain import Choice, Digest, Reply, Story

logger = logging.getLogger(__name__)

MAX_BLOCKS = 50
MAX_SECTION_CHARS = 3000
MAX_HEADER_CHARS = 150
MAX_CONTEXT_ELEMENTS = 10
MAX_ACTIONS_ELEMENTS = 25
MAX_BUTTON_LABEL = 75
MAX_BUTTON_VALUE = 2000
MAX_FALLBACK_CHARS = 3000
MAX_TITLE_CHARS = 300  # a story title longer than this is noise, not a headline
MAX_ALSO_LINKS = 5
MAX_LINE_CHARS = 600  # one key point or quote; keeps one run-on sentence from crowding out the rest

CHOICE_ACTION_PREFIX = "newsbot.choice."
ELLIPSIS = "…"

Block = dict[str, Any]
Payload = dict[str, Any]


# ---------------------------------------------------------------- escaping


def escape(text: str) -> str:
    """Escape mrkdwn control characters (``&``, ``<``, ``>``) as Slack asks."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def fit(raw: str, budget: int) -> str:
    """``escape(raw)``, shortened with an ellipsis so the result is at most ``budget`` chars.

    Cutting happens on the raw text, so an entity like ``&amp;`` is never cut in half.
    """
    escaped = escape(raw)
    if len(escaped) <= budget:
        return escaped
    keep = budget - len(ELLIPSIS)
    if keep <= 0:
        return ELLIPSIS[: max(0, budget)]
    out: list[str] = []
    used = 0
    for char in raw:
        piece = escape(char)
        if used + len(piece) > keep:
            break
        out.append(piece)
        used += len(piece)
    return "".join(out).rstrip() + ELLIPSIS


def safe_url(url: str) -> str | None:
    """The URL made safe for ``<url|label>``, or None when it is not plain http(s)."""
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    # Characters that would end or split the link are percent-encoded; & < >
    # are entity-escaped, which is how Slack itself writes URLs.
    for char, code in (("|", "%7C"), (" ", "%20"), ("\t", "%09"), ("\n", "%0A"), ("\r", "%0D")):
        url = url.replace(char, code)
    return escape(url)


def link(url: str, label: str, budget: int = MAX_TITLE_CHARS) -> str:
    """A mrkdwn link ``<url|label>``; just the escaped label when the URL is not http(s)."""
    text = fit(_one_line(label).replace("|", "¦"), budget) or fit(url, budget)
    target = safe_url(url)
    if target is None:
        return text
    return f"<{target}|{text}>"


def plain(text: str, limit: int) -> str:
    """plain_text (no escaping needed: Slack does not parse it) cut to ``limit`` chars."""
    text = _one_line(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


# ---------------------------------------------------------------- blocks


def _section(mrkdwn: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn[:MAX_SECTION_CHARS]}}


def _header(text: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": plain(text, MAX_HEADER_CHARS)}}


def _context(parts: Sequence[str]) -> Block:
    elements = [{"type": "mrkdwn", "text": p[:MAX_SECTION_CHARS]} for p in parts if p]
    return {"type": "context", "elements": elements[:MAX_CONTEXT_ELEMENTS]}


def _when(published: datetime) -> str:
    """A Slack date token: readers see it in their own time zone; the fallback is UTC."""
    if published.tzinfo is None:
        published = published.replace(tzinfo=UTC)
    stamp = int(published.timestamp())
    fallback = published.astimezone(UTC).strftime("%d %b %Y %H:%M UTC")
    return f"<!date^{stamp}^{{date_short_pretty}} {{time}}|{fallback}>"


def _lines_within(first: str, lines: Iterable[tuple[str, str]], budget: int) -> str:
    """Join ``first`` and (prefix, raw) lines, escaping raw text, within ``budget`` chars.

    A line that no longer fits is shortened with an ellipsis; the rest are dropped.
    """
    out = first
    for prefix, raw in lines:
        room = budget - len(out) - 1 - len(prefix)
        if room <= len(ELLIPSIS) + 8:
            break
        out += "\n" + prefix + fit(raw, min(room, MAX_LINE_CHARS))
    return out


def story_blocks(story: Story, *, bullets: bool = True, image: bool = False) -> list[Block]:
    """Section (linked title, bullets, quotes) + context (source, time, also reported by).

    ``bullets`` False writes the key point as plain text (``brief``: there is one);
    ``image`` puts the story's lead image beside the section."""
    title = f"*{'Update: ' if story.is_update else ''}{link(story.url, story.title)}*"
    mark = "• " if bullets else ""
    lines: list[tuple[str, str]] = [(mark, _one_line(p)) for p in story.key_points if p.strip()]
    for i, quote in enumerate(story.key_quotes):
        text = _one_line(quote.text)
        if not text:
            continue
        # Our own "> " starts the quote line; the quoted words and the speaker are
        # escaped like any outside text (escape() leaves the "_" italics alone).
        speaker = f" — _{_one_line(quote.speaker)}_" if quote.speaker else ""
        outlet = story.quote_source(i)
        where = f" ({_one_line(outlet)})" if outlet != story.source else ""
        lines.append(("> “", f"{text}”{speaker}{where}"))
    body = _lines_within(title, lines, MAX_SECTION_CHARS)
    context: list[str] = []
    if story.source:
        context.append(fit(_one_line(story.source), 200))
    if story.published is not None:
        context.append(_when(story.published))
    if story.also_reported_by:
        links = [link(url, name, 80) for name, url in story.also_reported_by[:MAX_ALSO_LINKS]]
        extra = len(story.also_reported_by) - MAX_ALSO_LINKS + story.also_reported_more
        more = f" (+{extra})" if extra > 0 else ""
        context.append("Also reported by " + ", ".join(links) + more)
    section = _section(body)
    target = safe_url(story.image_url) if image and story.image_url else None
    if target is not None and story.image_url is not None and len(story.image_url) <= 3000:
        section["accessory"] = {"type": "image", "image_url": story.image_url,
                                "alt_text": plain(story.title or "lead image", 2000)}
    blocks = [section]
    if context:
        blocks.append(_context(context))
    return blocks


def _headline_sections(stories: Sequence[Story]) -> list[list[Block]]:
    """``headlines``: one line per story (linked title — source), packed in sections."""
    lines = []
    for story in stories:
        line = f"• {'Update: ' if story.is_update else ''}{link(story.url, story.title, 200)}"
        if story.source:
            line += f" — _{fit(_one_line(story.source), 100)}_"
        lines.append(line)
    groups: list[list[Block]] = []
    current = ""
    for line in lines:
        if current and len(current) + 1 + len(line) > MAX_SECTION_CHARS:
            groups.append([_section(current)])
            current = ""
        current = f"{current}\n{line}" if current else line
    if current:
        groups.append([_section(current)])
    return groups


def _more_blocks(count: int, links: Sequence[tuple[str, str]]) -> list[Block]:
    if count <= 0:
        return []
    first = f"_…and {count} more_"
    lines = "\n".join(f"• {link(url, title, 200)}" for title, url in links)
    text = first if not lines else f"{first}\n{lines}"
    while len(text) > MAX_SECTION_CHARS and "\n" in text:
        text = text.rsplit("\n", 1)[0]
    return [_section(text)]


def _choices_blocks(choices: Sequence[Choice]) -> list[Block]:
    buttons: list[Block] = []
    for i, choice in enumerate(choices):
        if len(choice.data) > MAX_BUTTON_VALUE:
            logger.warning("dropping a choice whose command is longer than Slack allows")
            continue
        buttons.append(
            {
                "type": "button",
                "action_id": f"{CHOICE_ACTION_PREFIX}{i}",
                "text": {"type": "plain_text", "text": plain(choice.label, MAX_BUTTON_LABEL)},
                "value": choice.data,
            }
        )
    return [
        {"type": "actions", "elements": buttons[i : i + MAX_ACTIONS_ELEMENTS]}
        for i in range(0, len(buttons), MAX_ACTIONS_ELEMENTS)
    ]


def _text_sections(text: str) -> list[Block]:
    """Escaped text cut into sections of at most 3,000 chars, on line breaks where possible."""
    escaped = escape(text.strip())
    blocks: list[Block] = []
    while escaped:
        if len(escaped) <= MAX_SECTION_CHARS:
            blocks.append(_section(escaped))
            break
        cut = escaped.rfind("\n", 0, MAX_SECTION_CHARS)
        if cut <= 0:
            cut = escaped.rfind(" ", 0, MAX_SECTION_CHARS)
        if cut <= 0:
            cut = MAX_SECTION_CHARS
        amp = escaped.rfind("&", max(0, cut - 4), cut)
        if amp != -1 and ";" not in escaped[amp:cut]:
            cut = amp  # never split "&amp;" / "&lt;" / "&gt;"
        blocks.append(_section(escaped[:cut].rstrip()))
        escaped = escaped[cut:].lstrip()
    return blocks


def _fallback(text: str) -> str:
    return fit(_one_line(text), MAX_FALLBACK_CHARS)


def _payload(blocks: list[Block], fallback: str) -> Payload:
    return {"blocks": blocks, "text": fallback, "unfurl_links": False, "unfurl_media": False}


def _pack(groups: Sequence[list[Block]], room: int) -> list[list[Block]]:
    """Pack block groups (kept together) into chunks of at most ``room`` blocks."""
    chunks: list[list[Block]] = [[]]
    for group in groups:
        group = group[:room]
        if chunks[-1] and len(chunks[-1]) + len(group) > room:
            chunks.append([])
        chunks[-1].extend(group)
    return chunks


# ---------------------------------------------------------------- entry points


def render_digest(digest: Digest) -> list[Payload]:
    """One or more messages: header + one section/context pair per story + "and N more"."""
    if digest.layout == "headlines":
        groups = _headline_sections(digest.stories)
    else:
        groups = [
            story_blocks(story, bullets=digest.layout != "brief", image=digest.lead_image and i == 0)
            for i, story in enumerate(digest.stories)
        ]
    groups.extend([block] for block in _more_blocks(digest.more_count, digest.more_links))
    if not groups:
        groups = [[_section("_No new stories._")]]
    chunks = _pack(groups, MAX_BLOCKS - 1)  # one block for each part's header
    total = len(chunks)
    payloads = []
    for index, chunk in enumerate(chunks, 1):
        part = f" ({index}/{total})" if total > 1 else ""
        title = plain(digest.title, MAX_HEADER_CHARS - len(part)) + part
        # The title already counts the stories ("Tuesday 1 December — 7 stories").
        fallback = _fallback(f"{digest.title}{part}")
        payloads.append(_payload([_header(title), *chunk], fallback))
    return payloads


def render_reply(reply: Reply) -> list[Payload]:
    """A reply: its text (error-marked), an optional story, and buttons for its choices."""
    blocks: list[Block] = []
    text = reply.text.strip()
    if text:
        blocks.extend(_text_sections(text))
        if reply.is_error:
            first = blocks[0]["text"]
            first["text"] = (":warning: " + first["text"])[:MAX_SECTION_CHARS]
    if reply.story is not None:
        blocks.extend(story_blocks(reply.story))
    blocks.extend(_choices_blocks(reply.choices))
    if not blocks:
        blocks = [_section("Done.")]
    fallback = _fallback(text or (reply.story.title if reply.story else "Done."))
    chunks = _pack([[b] for b in blocks], MAX_BLOCKS)
    return [_payload(chunk, fallback) for chunk in chunks]


def render(message: Digest | Reply) -> list[Payload]:
    """Render a digest or a reply into ``chat.postMessage`` payloads (without ``channel``)."""
    if isinstance(message, Digest):
        return render_digest(message)
    return render_reply(message)
