"""What each story of a digest shows, by the chat's layout, and the digest's dated title.

This is the core's policy; renderers only lay out what it chose:

- ``full``: the chat's number of key points and up to two key quotes;
- ``brief``: the one key point that best says what happened (the first the
  summarizer ranked) and at most one short quote, within a character budget
  that keeps a ten-story digest inside one Telegram message;
- ``headlines``: titles only.

**No repetition.** A key point that repeats a quote shown with it (or
mostly contains it) gives way to the next best point; when no other point
is left, the quote is dropped instead. Across one digest no quote and no key
point is shown twice (wire copy makes outlets print the same sentences).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain import Layout, Quote, Story

FULL_QUOTES = 2
BRIEF_POINT_CHARS = 280  # a longer best point is cut at a word with "…"
BRIEF_QUOTE_CHARS = 180  # longer quotes are not offered in brief
BRIEF_BUDGET = 3800  # visible characters for a whole brief digest (Telegram allows 4,096)
MOSTLY = 0.6  # share of a quote's words found in a point that counts as repeating it

_WORD = re.compile(r"\w+", re.UNICODE)


def _words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _WORD.findall(folded)


def _shingles(words: Sequence[str], n: int = 3) -> set[tuple[str, ...]]:
    if len(words) < n:
        return {tuple(words)} if words else set()
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def repeats(point: str, quote: str) -> bool:
    """True when ``point`` repeats ``quote`` or mostly contains it.

    Compared on word trigrams (case and punctuation folded), so a point that
    embeds the quote with an attribution around it ("He said the plan 'will
    work'") counts, and two sentences sharing a few common words do not.
    """
    qw, pw = _words(quote), _words(point)
    if not qw or not pw:
        return False
    q, p = _shingles(qw), _shingles(pw)
    shared = len(q & p)
    return shared / len(q) >= MOSTLY or shared / len(p) >= MOSTLY


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit - 1)
    return text[: cut if cut > limit // 2 else limit - 1].rstrip(" ,;:") + "…"


class _Shown:
    """What the digest has shown so far (points and quotes), for cross-story repetition."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def seen(self, text: str) -> bool:
        return any(repeats(text, old) for old in self.texts)

    def add(self, texts: Iterable[str]) -> None:
        self.texts.extend(texts)


def _pick_points(points: Sequence[str], quotes: Sequence[Quote], n: int, shown: _Shown) -> list[str]:
    out: list[str] = []
    for point in points:
        if len(out) >= n:
            break
        if not point.strip() or shown.seen(point) or any(repeats(point, q.text) for q in quotes):
            continue
        if any(repeats(point, p) for p in out):
            continue
        out.append(point)
    return out


def _choose(story: Story, points: int, quotes: int, shown: _Shown,
            quote_ok: int | None = None) -> Story:
    """The story with at most ``points`` points and ``quotes`` quotes, none repeating another.

    Quotes keep their outlet (``key_quote_sources`` stays aligned with ``key_quotes``)."""
    candidates = [(q, story.quote_source(i)) for i, q in enumerate(story.key_quotes)
                  if q.text.strip() and not shown.seen(q.text)]
    if quote_ok is not None:
        candidates = sorted((c for c in candidates if len(c[0].text) <= quote_ok),
                            key=lambda c: (c[0].speaker is None, len(c[0].text)))
    chosen = candidates[:quotes]
    picked = _pick_points(story.key_points, [q for q, _ in chosen], points, shown)
    while chosen and points and not picked and story.key_points:
        # Every point repeats a quote: drop the last quote instead (a story needs its point).
        chosen = chosen[:-1]
        picked = _pick_points(story.key_points, [q for q, _ in chosen], points, shown)
    shown.add(picked)
    shown.add(q.text for q, _ in chosen)
    return replace(story, key_points=tuple(picked), key_quotes=tuple(q for q, _ in chosen),
                   key_quote_sources=tuple(src for _, src in chosen))


def _brief_size(story: Story) -> int:
    """Visible characters a brief story takes (title, point, quote, source/time line)."""
    size = len(story.title) + len(story.source) + 20
    size += sum(len(p) + 1 for p in story.key_points)
    size += sum(len(q.text) + len(q.speaker or "") + 6 for q in story.key_quotes)
    return size


def shape(stories: Sequence[Story], layout: Layout, *, key_points: int = 3,
          show_quotes: bool = True, budget: int = BRIEF_BUDGET) -> tuple[Story, ...]:
    """The stories as ``layout`` shows them (see the module docstring)."""
    shown = _Shown()
    if layout == "headlines":
        return tuple(replace(s, key_points=(), key_quotes=(), key_quote_sources=())
                     for s in stories)
    if layout == "full":
        return tuple(_choose(s, key_points, FULL_QUOTES if show_quotes else 0, shown)
                     for s in stories)
    with_quote = [_choose(s, 1, 1 if show_quotes else 0, shown, quote_ok=BRIEF_QUOTE_CHARS)
                  for s in stories]
    out = [replace(s, key_points=tuple(_clip(p, BRIEF_POINT_CHARS) for p in s.key_points))
           for s in with_quote]
    # Quotes are the first thing to go when the digest would not fit the budget:
    # from the last story up, the best-ranked stories keep theirs.
    total = sum(_brief_size(s) for s in out)
    for i in range(len(out) - 1, -1, -1):
        if total <= budget:
            break
        if out[i].key_quotes:
            total -= _brief_size(out[i])
            out[i] = replace(out[i], key_quotes=(), key_quote_sources=())
            total += _brief_size(out[i])
    return tuple(out)


# ----------------------------------------------------------------- time and title


def chat_zone(name: str | None) -> tzinfo:
    """The chat's time zone (UTC when it has none or an unknown one)."""
    if not name:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def local(when: datetime, zone: str | None) -> datetime:
    """``when`` in the chat's zone (naive datetimes are taken as UTC)."""
    when = when.replace(tzinfo=UTC) if when.tzinfo is None else when
    return when.astimezone(chat_zone(zone))


def local_time(when: datetime, zone: str | None, today: datetime | None = None) -> str:
    """``14:05`` for today in the chat's zone, ``Mon 30 Nov, 14:05`` otherwise;
    ``UTC`` is said only when the chat has no zone."""
    at = local(when, zone)
    named = zone is not None and chat_zone(zone) is not UTC and zone.upper() not in ("UTC", "ETC/UTC")
    suffix = "" if named else " UTC"
    if today is not None and local(today, zone).date() == at.date():
        return f"{at:%H:%M}{suffix}"
    return f"{at:%a} {at.day} {at:%b}, {at:%H:%M}{suffix}"


def dated_title(now: datetime, zone: str | None, count: int) -> str:
    """``Tuesday 1 December — 7 stories``, dated in the chat's time zone."""
    day = local(now, zone)
    noun = "story" if count == 1 else "stories"
    return f"{day:%A} {day.day} {day:%B} — {count} {noun}"


__all__ = ["chat_zone", "dated_title", "local", "local_time", "repeats", "shape"]
