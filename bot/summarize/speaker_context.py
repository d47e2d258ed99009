"""What attribution knows about one document and each quote site, built once.

:func:`prepare` makes, in one pass before any quote is attributed:

- the tokens outside quotes and the name mentions (:func:`build_doc`);
- the document-level entity list: every name the article puts before a speech
  verb next to a quote is confirmed as a person, so a later pronoun can find it
  (this used to happen mid-loop, making a quote's speaker depend on which rule
  fired for an earlier one);
- one :class:`QuoteSite` per quote: the quote, its paragraph and sentence, the
  token window where its cue may be, and the layout facts rules ask about.

After :func:`prepare` returns, nothing changes the :class:`Doc` in a way a later
quote could see (the resolvers only fill deterministic caches).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

from bot.summarize.quote_marks import QuoteSpan, paragraph_bounds
from bot.summarize.speaker_coref import confirm_person, full_name, resolve, sentence_around
from bot.summarize.speaker_cues import cue_after, cue_before
from bot.summarize.speaker_mentions import build_doc
from bot.summarize.speaker_tokens import Doc, Mention, Token

__all__ = ["Attribution", "Prepared", "QuoteSite", "prepare", "speaker_key"]


@dataclass(frozen=True, slots=True)
class QuoteSite:
    """One quote and everything around it that a rule may read (never write)."""

    index: int  # position among the document's quotes
    span: QuoteSpan
    marker: int  # index of the quote's marker token in ``doc.tokens``
    lo: int  # ``doc.tokens[lo:marker]``: the words before it (same paragraph, after the last quote)
    hi: int  # ``doc.tokens[marker + 1:hi]``: the words after it (up to the next quote)
    para_start: int
    para_end: int
    set_off: bool  # punctuation closes the quote off from the words after it
    closes_sentence: bool  # the quote ends its sentence: what follows is no cue
    ends_paragraph: bool  # nothing but closing punctuation follows it in its paragraph
    whole_paragraph: bool  # the paragraph is only this quote
    sentence_start: int  # character bounds of the sentence holding the quote
    sentence_end: int

    @property
    def paragraph(self) -> int:
        return self.span.paragraph


@dataclass(frozen=True, slots=True)
class Attribution:
    """The decision for one quote: who, how sure (0..1), and which rule or model."""

    speaker: str | None
    confidence: float = 0.0
    rule: str = ""
    by_cue: bool = False  # a cue (not a convention) named the speaker


@dataclass(frozen=True, slots=True)
class Prepared:
    """The document once prepared: read by every rule, changed by none."""

    text: str
    doc: Doc
    spans: list[QuoteSpan]
    sites: tuple[QuoteSite, ...]
    by_key: dict[str, list[Mention]]  # mentions by :func:`speaker_key`
    mention_starts: list[int]  # ``doc.mentions`` starts, ascending
    full_names: dict[int, str]  # mention start -> the fullest name the text gives
    key_starts: dict[str, list[int]]  # speaker key -> its mentions' starts, ascending
    key_kinds: dict[str, tuple[bool, bool, bool]]  # key -> (an org, a person, confirmed)
    key_at: dict[int, str]  # mention start -> its speaker key

    @property
    def tokens(self) -> list[Token]:
        return self.doc.tokens

    def mentions_between(self, lo: int, hi: int) -> list[Mention]:
        """The mentions starting in ``[lo, hi)`` (by bisection: long articles stay fast)."""
        a = bisect.bisect_left(self.mention_starts, lo)
        b = bisect.bisect_left(self.mention_starts, hi)
        return self.doc.mentions[a:b]


def speaker_key(speaker: str) -> str:
    """Who a speaker string names, for merging: its last word, lower-cased, without a
    possessive or a generational suffix ("Donald Trump's" and "Trump" are one)."""
    words = speaker.replace("’", "'").split()
    while len(words) > 1 and words[-1].lower().rstrip(".") in ("jr", "sr", "ii", "iii", "iv"):
        words.pop()
    if not words:
        return ""
    last = words[-1].lower().rstrip(".,")
    return last[:-2] if last.endswith("'s") else last.rstrip("'")


def prepare(text: str, spans: Sequence[QuoteSpan]) -> Prepared:
    """The document and its quote sites (see the module docstring)."""
    doc = build_doc(text, list(spans))
    paras = paragraph_bounds(text)
    tokens = doc.tokens
    markers = [i for i, t in enumerate(tokens) if t.text == "\u201c"]
    sites: list[QuoteSite] = []
    for qi, q in enumerate(spans):
        para_start, para_end = paras[q.paragraph]
        m = markers[qi]
        hi = markers[qi + 1] if qi + 1 < len(markers) else len(tokens)
        while hi > m + 1 and tokens[hi - 1].start >= para_end:
            hi -= 1
        lo = markers[qi - 1] + 1 if qi > 0 else 0
        while lo < m and tokens[lo].start < para_start:
            lo += 1
        sent_lo, sent_hi = _sentence_bounds(text, q)
        sites.append(QuoteSite(qi, q, m, lo, hi, para_start, para_end, _set_off(text, q),
                               _closes_sentence(text, q), _ends_paragraph(text, q),
                               _whole_paragraph(text, q), sent_lo, sent_hi))
    _confirm_cue_subjects(doc, sites)
    doc.mentions.sort(key=lambda m: m.start)
    by_key: dict[str, list[Mention]] = {}
    key_at: dict[int, str] = {}
    for mention in doc.mentions:
        key_at[mention.start] = key = speaker_key(mention.text)
        by_key.setdefault(key, []).append(mention)
    kinds = {key: (any(m.is_org for m in ms), any(not m.is_org for m in ms),
                   any(m.surname in doc.confident for m in ms)) for key, ms in by_key.items()}
    return Prepared(text, doc, list(spans), tuple(sites), by_key,
                    [m.start for m in doc.mentions], _full_names(doc),
                    {key: [m.start for m in ms] for key, ms in by_key.items()}, kinds, key_at)


def _confirm_cue_subjects(doc: Doc, sites: Sequence[QuoteSite]) -> None:
    """The one-pass entity list: names that are the subject of a quote's speech verb
    are people (or bodies) a later pronoun may refer to."""
    tokens = doc.tokens
    for s in sites:
        subj = None if s.closes_sentence else cue_after(tokens, s.marker + 1, s.hi, s.set_off)
        if subj is None:
            subj = cue_before(tokens, s.lo, s.marker)
        if subj is not None and subj.kind == "name" and resolve(doc, subj) is not None:
            confirm_person(doc, subj)


_SENTENCE_REACH = 600  # characters either side of a quote that count as its sentence


def _sentence_bounds(text: str, q: QuoteSpan) -> tuple[int, int]:
    """The sentence holding the quote (from its opening mark's sentence start to the
    end of the sentence its closing mark is in), at most ``_SENTENCE_REACH``
    characters either side: an article without full stops stays linear."""
    lo_cap = max(0, q.outer_start - _SENTENCE_REACH)
    hi_cap = min(len(text), q.outer_end + _SENTENCE_REACH)
    window = text[lo_cap:hi_cap]
    lo = sentence_around(window, q.outer_start - lo_cap)[0] + lo_cap
    hi = sentence_around(window, max(0, min(q.outer_end, len(text) - 1) - lo_cap))[1] + lo_cap
    return lo, hi


def _full_names(doc: Doc) -> dict[int, str]:
    """Each mention's fullest name, as :func:`full_name` gives it at the mention."""
    return {m.start: full_name(doc, m, m.start) for m in doc.mentions}


def _set_off(text: str, q: QuoteSpan) -> bool:
    """Its content ends in a mark (``"...,"``, ``"...?"``) or a comma or dash follows
    the closing mark."""
    content = text[q.start:q.outer_end].rstrip("\"”»'’ ")
    if content[-1:] in ",.!?…—–-:;":
        return True
    after = text[q.outer_end:q.outer_end + 3].lstrip(" \u00a0")
    return after[:1] in (",", "—", "–", "-", ":", ";", "―", "")


def _closes_sentence(text: str, q: QuoteSpan) -> bool:
    """A quote ending with a full stop (inside or, British style, right after the
    mark) and followed by a capitalised word ends its sentence (``Japan called it "an
    outlaw nation." Russia insisted ...``); news style puts a comma before a trailing
    cue (``"...," Russia said``)."""
    content = text[q.start:q.end].rstrip()
    nxt = text[q.outer_end:q.outer_end + 40].lstrip(" \t\u00a0")
    if nxt[:1] in (".", "!", "?") and nxt[1:2].isspace():
        nxt = nxt[1:].lstrip(" \t\u00a0")
    elif not content.endswith(".") or content.endswith(("..", "…")):
        return False
    return nxt[:1].isupper() and "\n" not in text[q.outer_end:q.outer_end + 2]


def _ends_paragraph(text: str, q: QuoteSpan) -> bool:
    hi = text.find("\n", q.outer_end)
    hi = len(text) if hi == -1 else hi
    return len(text[q.outer_end:hi].strip()) <= 2


def _whole_paragraph(text: str, q: QuoteSpan) -> bool:
    lo = text.rfind("\n", 0, q.outer_start) + 1
    return not text[lo:q.outer_start].strip() and _ends_paragraph(text, q)
