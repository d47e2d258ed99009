"""Plain-text rendering of stories and digests (console, logs, fallbacks)."""

from __future__ import annotations

from bot.domain import Digest, Quote, Reply, Story


def quote_line(quote: Quote) -> str:
    who = quote.speaker or "unattributed"
    return f"“{quote.text}” — {who}"


def story_text(story: Story) -> str:
    lines = [f"Update: {story.title}" if story.is_update else story.title]
    meta = [story.source] if story.source else []
    if story.published:
        meta.append(f"{story.published:%Y-%m-%d %H:%M} UTC")
    if meta:
        lines.append("  " + " · ".join(meta))
    lines += [f"  • {p}" for p in story.key_points]
    for i, quote in enumerate(story.key_quotes):
        outlet = story.quote_source(i)
        lines.append(f"  {quote_line(quote)}" + (f" ({outlet})" if outlet != story.source else ""))
    if story.also_reported_by:
        others = ", ".join(f"{src} <{url}>" for src, url in story.also_reported_by)
        more = f" (+{story.also_reported_more})" if story.also_reported_more else ""
        lines.append(f"  Also reported by: {others}{more}")
    lines.append(f"  {story.url}")
    return "\n".join(lines)


def digest_text(digest: Digest) -> str:
    parts = [digest.title, "=" * len(digest.title)]
    parts += [story_text(s) + "\n" for s in digest.stories]
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
