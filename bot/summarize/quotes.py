"""Direct quotes and their speakers, rule-based and fast (no model).

Public API used by the engine:

- ``extract_quotes(text) -> list[Quote]``: every direct quote in text order,
  offsets into ``text`` (``text[q.start:q.end] == q.text``), ``speaker`` the
  full name when attributable, else ``None``.
- ``choose_key_quotes(quotes, n) -> list[Quote]``: the few worth a digest.

Quote marks are paired by :mod:`bot.summarize.quote_marks` (multi-paragraph
quotes become consecutive quotes with the same speaker), speakers come from
:mod:`bot.summarize.speakers`.
"""

from __future__ import annotations

import logging
import re

from bot.domain import Quote
from bot.summarize.quote_marks import find_quote_spans
from bot.summarize.speakers import attribute_all, current_model

logger = logging.getLogger(__name__)

__all__ = ["choose_key_quotes", "extract_quotes", "quote_score"]

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_FULL_SENTENCE_WORDS = 8


def extract_quotes(text: str) -> list[Quote]:
    """Every direct quote in ``text``, in text order, with its speaker or None."""
    if not text or not text.strip():
        return []
    spans = find_quote_spans(text)
    found = attribute_all(text, spans)
    return [Quote(text[s.start:s.end], a.speaker, s.start, s.end, a.confidence, a.rule)
            for s, a in zip(spans, found, strict=True)]


def _is_boilerplate(sentence: str) -> bool:
    """Ask the extractor's boilerplate filter when it exists (owned elsewhere)."""
    try:
        from bot.extract.boilerplate import is_boilerplate
    except ImportError:
        return False
    try:
        return bool(is_boilerplate(sentence))
    except Exception:  # a filter bug must not cost the digest its quotes
        logger.debug("is_boilerplate failed", exc_info=True)
        return False


def quote_score(quote: Quote) -> float:
    """How much a quote is worth in a digest; <= 0 means a fragment not worth showing.

    Full sentences (about 8 words or more) carry news; short ones are mostly
    scare quotes, titles, nicknames and single words.
    """
    words = _WORD.findall(quote.text)
    n = len(words)
    if n < 4:
        return 0.0
    score = min(n, 40) / _FULL_SENTENCE_WORDS
    if n >= _FULL_SENTENCE_WORDS:
        score += 1.0
    if quote.speaker is not None:
        score += 1.5
    if n > 60:
        score -= 0.5  # long passages read badly in a digest
    stripped = quote.text.rstrip()
    if stripped[-1:] in ".!?" or n >= _FULL_SENTENCE_WORDS:
        score += 0.3
    title_case = sum(1 for w in words if w[:1].isupper())
    if n < _FULL_SENTENCE_WORDS and title_case >= n - 1:
        score -= 1.0  # a title or name ("Women in Power")
    if _is_boilerplate(quote.text):
        score = 0.0
    return score


def choose_key_quotes(quotes: list[Quote], n: int) -> list[Quote]:
    """The ``n`` quotes best suited to a digest, in text order.

    Only confident attributions qualify (a speaker whose confidence reaches the
    model's ``key_quote_min``): a digest shows fewer quotes rather than wrong
    names. Prefers full-sentence quotes and distinct speakers; never returns
    fragments (fewer than four words) or boilerplate.
    """
    if n <= 0 or not quotes:
        return []
    floor = current_model().key_quote_min
    scored = [(quote_score(q), i, q) for i, q in enumerate(quotes)
              if q.speaker is not None and q.speaker_confidence >= floor]
    scored = [x for x in scored if x[0] > 0]
    scored.sort(key=lambda x: (-x[0], x[1]))
    chosen: list[tuple[int, Quote]] = []
    seen_speakers: set[str] = set()
    seen_texts: set[str] = set()
    # First pass: distinct speakers; second pass fills up with the rest.
    for distinct in (True, False):
        for _score, i, q in scored:
            if len(chosen) >= n:
                break
            key = q.text.strip().lower()
            if key in seen_texts:
                continue
            if distinct and q.speaker is not None and q.speaker in seen_speakers:
                continue
            chosen.append((i, q))
            seen_texts.add(key)
            if q.speaker is not None:
                seen_speakers.add(q.speaker)
    chosen.sort(key=lambda x: x[0])
    return [q for _i, q in chosen]
