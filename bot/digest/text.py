"""Plain-text rendering of stories and digests (console, logs, fallbacks).

Follows the digest's layout (:mod:`bot.digest.layout` chose the content):
``full`` prints every chosen point and quote, ``brief`` the title, the key
point, one quote and a source/time line, ``headlines`` one line per story.
Times are in the chat's time zone.
"""

from __future__ import annotations

from datetime import datetime

from bot.digest.layout import local_time
from bot.domain import Digest, Quote, Reply, Story


def quote_line(quote: Quote) -> str:
    who = quote.speaker or "unattributed"
    return f"“{quote.text}” — {who}"


def _title(story: Story) -> str:
    return f"Update: {story.title}" if story.is_update else story.title


def _quote_lines(story: Story) -> list[str]:
    lines = []
    for i, quote in enumerate(story.key_quotes):
        outlet = story.quote_source(i)
        lines.append(f"  {quote_line(quote)}" + (f" ({outlet})" if outlet != story.source else ""))
    return lines


def _meta(story: Story, zone: str | None, today: datetime | None) -> list[str]:
    meta = [story.source] if story.source else []
    if story.published:
        meta.append(local_time(story.published, zone, today) if zone
                    else f"{story.published:%Y-%m-%d %H:%M} UTC")
    return meta


def story_text(story: Story, zone: str | None = None, today: datetime | None = None) -> str:
    lines = [_title(story)]
    meta = _meta(story, zone, today)
    if meta:
        lines.append("  " + " · ".join(meta))
    lines += [f"  • {p}" for p in story.key_points]
    lines += _quote_lines(story)
    if story.also_reported_by:
        others = ", ".join(f"{src} <{url}>" for src, url in story.also_reported_by)
        more = f" (+{story.also_reported_more})" if story.also_reported_more else ""
        lines.append(f"  Also reported by: {others}{more}")
    lines.append(f"  {story.url}")
    return "\n".join(lines)


def brief_text(story: Story, zone: str | None = None, today: datetime | None = None) -> str:
    lines = [_title(story)]
    lines += [f"  {p}" for p in story.key_points]
    lines += _quote_lines(story)
    meta = _meta(story, zone, today)
    if story.also_reported_by:
        more = f" +{story.also_reported_more}" if story.also_reported_more else ""
        meta.append("also " + ", ".join(src for src, _ in story.also_reported_by) + more)
    meta.append(story.url)
    lines.append("  " + " · ".join(meta))
    return "\n".join(lines)


def headline_text(story: Story) -> str:
    line = f"• {_title(story)}"
    if story.source:
        line += f" — {story.source}"
    return f"{line}  {story.url}"


def digest_text(digest: Digest) -> str:
    parts = [digest.title, "=" * len(digest.title)]
    zone, today = digest.timezone, digest.created_at
    if digest.layout == "headlines":
        parts += [headline_text(s) for s in digest.stories]
        if digest.stories:
            parts.append("")
    elif digest.layout == "brief":
        parts += [brief_text(s, zone, today) + "\n" for s in digest.stories]
    else:
        parts += [story_text(s, zone, today) + "\n" for s in digest.stories]
    if digest.more_count:
        listed = len(digest.more_links)
        if listed < digest.more_count:  # say so when the list is shorter than the count
            parts.append(f"…and {digest.more_count} more (the first {listed} below):"
                         if listed else f"…and {digest.more_count} more.")
        else:
            parts.append(f"…and {digest.more_count} more:")
        parts += [f"  - {title}: {url}" for title, url in digest.more_links]
    return "\n".join(parts)


def reply_text(reply: Reply) -> str:
    parts = [reply.text] if reply.text else []
    if reply.story:
        parts.append(story_text(reply.story))
    if reply.choices:
        parts.append("Options: " + " | ".join(f"{c.label} ({c.data})" for c in reply.choices))
    return "\n\n".join(parts)
