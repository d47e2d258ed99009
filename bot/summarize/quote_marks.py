"""Find direct-quote spans in news text from its quote marks (no model).

Handles straight ``"``, curly ``“ ”``, low ``„``, guillemets, the NYT archive's
doubled apostrophes ``''``, and single-quote quotes (``‘...’`` and ``'...'``, as
in headlines and British style) without mistaking apostrophes (don't, O'Brien,
90s', '90s, rock 'n' roll) for quote marks.

Pairing works one paragraph at a time (paragraphs are separated by newlines),
so an unbalanced mark can never swallow the rest of the article.

Multi-paragraph quotes follow the news convention: a quote left open at the end
of a paragraph and continued by an opening mark at the start of the next one
becomes *consecutive quotes*, one per paragraph; the later ones carry
``continues_previous=True`` and the attribution step gives them the speaker of
the quote they continue (a Quote's offsets must be one contiguous span, so the
paragraph break and the new opening mark cannot live inside one quote).
An open quote at a paragraph end that is *not* continued is kept only when it
opened the paragraph (a lost closing mark); otherwise it is dropped.
"""

from __future__ import annotations

import bisect
import logging
import re
from dataclasses import dataclass

logger = logging.getLogger(__name__)

_PARAGRAPH = re.compile(r"[^\n]+")
_DOUBLE_MARK = re.compile(r"''|[\"“”„«»]")
_SINGLE_MARK = re.compile(r"[‘’']")
_OPEN_BEFORE = set(" \t\u00a0([{—–-/:;")  # chars after which a mark opens
_CLOSE_AFTER = set(" \t\u00a0)]}—–-/.,;:!?…")  # chars before which a mark closes
# Elisions that start with an apostrophe: '90s, '16, 'em, 'til, 'cause, 'n'.
_ELISION = re.compile(r"(?:\d\d|em\b|til\b|cause\b|n\b|tis\b|twas\b|bout\b|round\b)", re.IGNORECASE)
_WORD_CHAR = re.compile(r"\w")
_OPENERS = "“„«"
_CLOSERS = "”»"


@dataclass(frozen=True, slots=True)
class QuoteSpan:
    """A quoted segment: content offsets plus the marks' outer offsets."""

    start: int  # first character of the content (after the opening mark)
    end: int  # one past the content (before the closing mark / paragraph end)
    outer_start: int  # offset of the opening mark
    outer_end: int  # one past the closing mark (== end when unclosed)
    paragraph: int  # index of the paragraph it lies in
    closed: bool
    continues_previous: bool = False
    single: bool = False  # delimited by single quote marks


def _kind(text: str, pos: int, mark: str, lo: int, hi: int) -> str:
    """Classify a double mark as 'open', 'close' or 'either' from its context."""
    before = text[pos - 1] if pos > lo else " "
    after_pos = pos + len(mark)
    after = text[after_pos] if after_pos < hi else " "
    left_ok = before in _OPEN_BEFORE or before in "\"“'‘"
    right_ok = after in _CLOSE_AFTER or after in "\"”'’"
    if mark in _OPENERS:
        return "close" if (right_ok and not left_ok and not after.isalnum()) else "open"
    if mark in _CLOSERS:
        return "open" if (left_ok and not right_ok and after.isalnum()) else "close"
    if left_ok and not right_ok:
        return "open"
    if right_ok and not left_ok:
        return "close"
    return "either"


def _paragraphs(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _PARAGRAPH.finditer(text) if m.group().strip()]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Strip whitespace and a trailing comma from a content span."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] == ","):
        end -= 1
    return start, end


def _double_spans(text: str, lo: int, hi: int,
                  pidx: int) -> tuple[list[QuoteSpan], tuple[int, int] | None]:
    """Pair double marks within one paragraph; return spans and an unclosed opener."""
    spans: list[QuoteSpan] = []
    open_at: int | None = None
    open_len = 0
    for m in _DOUBLE_MARK.finditer(text, lo, hi):
        kind = _kind(text, m.start(), m.group(), lo, hi)
        if open_at is None:
            if kind != "close":
                open_at, open_len = m.start(), len(m.group())
            continue
        if kind == "open":
            # An opener while one is open: the earlier mark was unbalanced; drop it.
            open_at, open_len = m.start(), len(m.group())
            continue
        s, e = _trim(text, open_at + open_len, m.start())
        if e > s:
            spans.append(QuoteSpan(s, e, open_at, m.end(), pidx, True))
        open_at = None
    return spans, (None if open_at is None else (open_at, open_len))


def _is_single_open(text: str, pos: int, lo: int, hi: int) -> bool:
    ch = text[pos]
    if ch == "’":
        return False
    before = text[pos - 1] if pos > lo else " "
    after = text[pos + 1] if pos + 1 < hi else " "
    if not (before in _OPEN_BEFORE or before in "\"“") or not after.isalnum():
        return False
    return not _ELISION.match(text, pos + 1, hi)


def _is_single_close(text: str, pos: int, lo: int, hi: int) -> bool:
    ch = text[pos]
    if ch == "‘":
        return False
    before = text[pos - 1] if pos > lo else " "
    after = text[pos + 1] if pos + 1 < hi else " "
    if before.isspace() or _WORD_CHAR.match(after):
        return False
    return after in _CLOSE_AFTER or after in "\"”"


def _single_spans(text: str, lo: int, hi: int, pidx: int,
                  taken: list[tuple[int, int]]) -> list[QuoteSpan]:
    """Single-mark quotes outside the double-quoted regions of one paragraph."""

    starts = [a for a, _ in taken]

    def inside_taken(pos: int) -> bool:
        k = bisect.bisect_right(starts, pos) - 1
        return k >= 0 and taken[k][0] <= pos < taken[k][1]

    def crosses_taken(a: int, b: int) -> bool:
        k = bisect.bisect_right(starts, a)
        return k < len(taken) and taken[k][1] <= b

    marks = [m.start() for m in _SINGLE_MARK.finditer(text, lo, hi) if not inside_taken(m.start())]
    spans: list[QuoteSpan] = []
    i = 0
    while i < len(marks):
        pos = marks[i]
        if not _is_single_open(text, pos, lo, hi):
            i += 1
            continue
        closers = []
        for j in range(i + 1, len(marks)):
            q = marks[j]
            if crosses_taken(pos, q):
                break  # never pair across a double-quoted region
            if _is_single_open(text, q, lo, hi):
                break
            if _is_single_close(text, q, lo, hi):
                closers.append(j)
        if not closers:
            i += 1
            continue
        # A plural possessive (voters' choice) looks like a closer; skip it when a later one exists.
        pick = closers[0]
        for j in closers:
            q = marks[j]
            possessive = text[q - 1] in "sS" and q + 2 < hi and text[q + 1] == " " and text[q + 2].islower()
            pick = j
            if not possessive:
                break
        s, e = _trim(text, pos + 1, marks[pick])
        if e > s and not _DOUBLE_MARK.search(text, s, e):
            spans.append(QuoteSpan(s, e, pos, marks[pick] + 1, pidx, True, single=True))
        i = pick + 1
    return spans


def _starts_with_opener(text: str, lo: int, hi: int) -> bool:
    m = _DOUBLE_MARK.match(text, lo)
    return m is not None and _kind(text, lo, m.group(), lo, hi) != "close"


def find_quote_spans(text: str) -> list[QuoteSpan]:
    """Every quoted segment of ``text`` in text order (see the module docstring)."""
    out: list[QuoteSpan] = []
    paras = _paragraphs(text)
    carry = False  # the previous paragraph ended inside an open quote
    for pidx, (lo, hi) in enumerate(paras):
        doubles, unclosed = _double_spans(text, lo, hi, pidx)
        if carry and doubles and doubles[0].outer_start == lo:
            doubles[0] = _replace_continues(doubles[0])
        this: list[QuoteSpan] = list(doubles)
        carry_next = False
        if unclosed is not None:
            open_at, open_len = unclosed
            s, e = _trim(text, open_at + open_len, hi)
            next_opens = pidx + 1 < len(paras) and _starts_with_opener(text, *paras[pidx + 1])
            keep = e > s and (next_opens or open_at == lo)
            if keep:
                this.append(QuoteSpan(s, e, open_at, e, pidx, False,
                                      continues_previous=carry and open_at == lo))
                carry_next = next_opens
        taken = [(q.outer_start, q.outer_end) for q in this]
        this.extend(_single_spans(text, lo, hi, pidx, taken))
        this.sort(key=lambda q: q.start)
        out.extend(this)
        carry = carry_next
    return out


def _replace_continues(q: QuoteSpan) -> QuoteSpan:
    return QuoteSpan(q.start, q.end, q.outer_start, q.outer_end, q.paragraph, q.closed,
                     continues_previous=True, single=q.single)


def paragraph_bounds(text: str) -> list[tuple[int, int]]:
    """The (start, end) offsets of the non-blank paragraphs, as used for pairing."""
    return _paragraphs(text)
