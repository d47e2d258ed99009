"""Speakers given by labels rather than speech verbs: headlines and transcripts.

``Obama Sees 'Insult' if ...`` / ``..., Lindsey Graham Says`` (a headline verb),
``Obama on Climate Change: ...`` (a topic label) and ``PENCE: Well, ...`` /
``Pence: Trump Was 'Mocking'`` (transcript and headline labels).
"""

from __future__ import annotations

import logging
import re

from bot.summarize.quote_marks import QuoteSpan
from bot.summarize.quote_names import CUE_FORMS, NOT_NAME, PARTICIPLES
from bot.summarize.speaker_coref import full_name
from bot.summarize.speaker_tokens import Doc, Subject, Token, strip_possessive

logger = logging.getLogger(__name__)


_HEADLINE_VERBS = {"says", "calls", "sees", "speaks", "slams", "rips", "blasts", "hammers",
                   "warns", "accuses", "compares", "mocks", "urges", "vows", "tells", "asks",
                   "predicts", "admits", "claims", "insists", "denies", "defends", "attacks",
                   "praises", "questions", "dismisses", "rejects", "responds", "tweets"}


def headline_speaker(doc: Doc, tokens: list[Token], a: int, b: int, para_end: int) -> str | None:
    """Headline convention: ``Obama Sees 'Insult' if ...``, ``..., Lindsey Graham Says``.
    The speaker is the person named next to a headline verb, matched against the people
    the article body names (headline capitals make raw runs unreliable)."""
    line = [t for t in tokens if t.end <= para_end and t.text != "\u201c"]
    verb = next((i for i, t in enumerate(line)
                 if t.low in _HEADLINE_VERBS or (t.low in CUE_FORMS and t.low.endswith("s")
                                                and t.low not in PARTICIPLES)), None)
    if verb is None:
        return None
    body = [m for m in doc.mentions if m.start >= para_end and not m.is_org]
    if not body:
        return None
    k = verb - 1
    run: list[str] = []
    while k >= 0 and line[k].cap and line[k].low not in NOT_NAME:
        run.insert(0, strip_possessive(line[k].text)[0])
        k -= 1
    for m in body:
        if m.surname in run and (len(m.name) < 2 or m.name[0] in run or run[-1] == m.surname):
            return full_name(doc, m, m.start + 1)
    return None


_LABEL = re.compile(r"\s*([\"“]?)\s*([A-Z][A-Za-z.'’\- ]{1,40}?)\s*:\s")


_TOPIC_LABEL = re.compile(r"\s*((?:[A-Z][\w.'’\-]*\s+){0,2}[A-Z][\w'’\-]*)\s+on\s+[^:\n]{2,60}:\s")


def topic_label(doc: Doc, q: QuoteSpan) -> Subject | None:
    """Headline convention ``Obama on Climate Change: The Trends Are 'Terrifying'``:
    the person before ``on`` speaks, when the article names them as a person."""
    line_start = doc.text.rfind("\n", 0, q.outer_start) + 1
    m = _TOPIC_LABEL.match(doc.text, line_start, q.outer_start)
    if m is None:
        return None
    words = m.group(1).split()
    if any(w.lower() in NOT_NAME for w in words):
        return None
    surname = strip_possessive(words[-1])[0]
    if not any(x.surname == surname and not x.is_org for x in doc.mentions):
        return None
    toks = [Token(w, m.start(1), m.end(1)) for w in words]
    return Subject("name", toks, m.start(1))


_NAME_WORD = r"[A-Z][\w.'’\-]*"
# A label right before a quote, after a sentence, another quote or a dash in the same
# paragraph: 'Clinton: "..." Bush: "..."', '... polls - Frank Newport and Jim Harter: "'.
_INLINE_LABEL = re.compile(
    r"(?:[.!?\"”]\s+|\s[-–—]+\s*)"
    rf"((?:{_NAME_WORD}\s+){{0,3}}{_NAME_WORD}(?:\s+and\s+(?:{_NAME_WORD}\s+){{0,2}}{_NAME_WORD})?)"
    r"\s*:\s*$")


# "Here's Clinton in December 1992: "..."": a presenting sentence ending in a colon.
_HERE_IS = re.compile(
    rf"\bHere(?:'s|’s| is| are)\s+((?:{_NAME_WORD}\s+){{0,3}}{_NAME_WORD})\b[^.!?:\n\"“]{{0,50}}:\s*$")


def inline_label(text: str, q: QuoteSpan, para_start: int) -> Subject | None:
    """A name and a colon right before the quote, inside its paragraph."""
    lo = max(para_start, q.outer_start - 80)
    m = _INLINE_LABEL.search(text, lo, q.outer_start) or _HERE_IS.search(text, lo, q.outer_start)
    if m is None:
        return None
    words = m.group(1).split()
    start = m.start(1)
    if "and" in words:  # two authors: the one next to the quote (resolvable as a name)
        start = m.start(1) + m.group(1).index(" and ") + 5
        words = words[words.index("and") + 1:]
    if words[0].lower() in NOT_NAME or any(w.lower() in CUE_FORMS for w in words):
        return None
    toks = [Token(w, start, m.end(1)) for w in words]
    return Subject("name", toks, start)


def label_speaker(text: str, q: QuoteSpan, tokens: list[Token], para_start: int) -> Subject | None:
    """Transcript and headline labels: ``"PENCE: Well, ..."``, ``Pence: Trump Was 'Mocking'``;
    a label right before the quote inside a paragraph (:func:`inline_label`) comes first."""
    inline = inline_label(text, q, para_start)
    if inline is not None:
        return inline
    for lo, hi in ((q.start, q.end), (para_start, q.outer_start)):
        m = _LABEL.match(text, lo, hi)
        if m is None:
            continue
        label = m.group(2).strip()
        words = label.split()
        if not 1 <= len(words) <= 4 or words[0].lower() in NOT_NAME \
                or not all(w[:1].isupper() for w in words):
            continue
        if (lo == q.start or m.group(1)) and not label.isupper():
            # Inside a quote (or after a paragraph's opening mark, a transcript
            # excerpt: '"PENCE: Well, ...') only an upper-case label counts.
            continue
        toks = [Token(w.title() if w.isupper() else w, m.start(2), m.end(2)) for w in words]
        return Subject("name", toks, m.start(2))
    return None
