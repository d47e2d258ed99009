"""Sentence splitting for news text, with character offsets.

pysbd (rule-based, pure Python) does the splitting; this module adds what
news text needs on top of it:

* paragraph breaks (newlines) are hard boundaries, so a heading or a caption
  on its own line never fuses with the next sentence;
* a sentence that is only the tail of a quotation (``" she said.``) or starts
  in lower case after a closing quote is glued back onto the sentence before;
* datelines such as ``(CNN)``, ``LONDON —`` or ``WASHINGTON (Reuters) -``
  are cut off the start of the sentence that carries them.

Every :class:`Sentence` keeps ``start``/``end`` offsets into the original text
and ``text == original[start:end]``, so key points are verbatim wording.
"""

from __future__ import annotations

import itertools
import logging
import re
from dataclasses import dataclass
from functools import lru_cache

import pysbd
from pysbd.languages import LANGUAGE_CODES

logger = logging.getLogger(__name__)

#: Paragraphs longer than this are split in slices before pysbd sees them:
#: pysbd's regexes are roughly linear but slow on huge unbroken blobs.
_MAX_PARAGRAPH_CHARS = 20_000

_PARAGRAPH = re.compile(r"[^\n]+")

_AGENCY = r"(?:CNN(?:\s+Student\s+News|\s*Money|\s*Espanol)?|Reuters|AP|AFP|UPI|dpa|Bloomberg|EW\.com|Mashable|CNET|[A-Z][A-Za-z.]{1,20})"
_DATELINE = re.compile(
    r"""^\s*(?:
        # [City[, State|Country]] (Agency) [--|—]   e.g. "(CNN)", "Washington (CNN) --", "LONDON (Reuters) -"
        (?:[A-Z][\w.'’-]*(?:[ ,]+[A-Z][\w.'’-]*){0,4},?\s*)?
        (?:\([^()]{0,30}\)\s*)?
        \(""" + _AGENCY + r"""\)\s*(?:[-—–]{1,2}\s*)?
      |
        # ALL-CAPS CITY[, Country][, date] —    e.g. "LONDON —", "NEW YORK, March 3 -"
        [A-Z][A-Z.'’-]+(?:[ ][A-Z][A-Z.'’-]+){0,3}(?:,[ ][A-Z][\w.]*(?:[ ][\w.]+){0,3})?\s*[-—–]{1,2}\s+
    )""",
    re.VERBOSE,
)

_OPEN_QUOTES = "\"“‘'«„"
_CLOSE_QUOTES = "\"”’'»“"

# --- run-on repair -------------------------------------------------------
# Pages often lose the line break between an image caption and the next
# sentence ("... in Liverpool The amount of drugs ..."), and pysbd never
# splits inside quotation marks, so a five-sentence quoted paragraph comes back
# as one "sentence". These cut such run-ons at positions that are sentence
# starts with near certainty; every piece keeps exact offsets.
_SCROLL = re.compile(r"^\s*(?:Scroll|Click)\s+down\s+(?:for|to\s+(?:see|watch))\s+(?:the\s+)?videos?\b\.?\s*",
                     re.IGNORECASE)
_RUNON_STARTERS = (
    "The|A|An|He|She|It|They|We|But|However|His|Her|Their|Its|This|These|Those|There|"
    "Police|Officers|Mr|Mrs|Ms|Dr|Meanwhile|Now|Then|After|When|While|Although|Earlier|Later"
)
_RUNON = re.compile(r"(?<=[a-z0-9)%])[ \t\xa0]+(?=(?:" + _RUNON_STARTERS + r")[ \xa0,])")
_CAPTION_LABEL = re.compile(
    r"(?<=[a-z0-9)%])[ \t\xa0]+(?=[A-Z][\w'’-]*(?:[ \xa0][\w'’-]+){0,3}:[ \xa0]+\S)"
)
_SAYS = re.compile(r"\b(?:said|says|added|told|explained|wrote|tweeted|replied|asked|insisted|"
                   r"continued|posted|claimed|stated|admitted|warned)\b", re.IGNORECASE)
# Words after which a capitalised word is a name or title, not a new sentence.
_GLUE_WORDS = frozenset(
    ["a", "an", "the", "by", "of", "in", "at", "to", "from", "for", "and", "or", "with", "on", "as", "that", "told", "said", "says", "like", "called", "named", "about", "into", "than", "via", "against", "under", "over", "near", "between", "is", "was", "are", "were", "be", "been", "star", "including", "include", "includes", "versus", "vs"]
)
_QUOTED_BOUNDARY = re.compile(r"(?<=[.!?])(?:['’\"”]+)?[ \t\xa0]+(?=['‘\"“]?[A-Z])")
_ABBREV_END = re.compile(r"(?:\b(?:Mr|Mrs|Ms|Dr|St|Sgt|Lt|Col|Gen|Gov|Sen|Rep|Prof|No|Jr|Sr|Inc|Ltd|Co|vs|Mt|Ft)"
                         r"|\b[A-Z]|\b(?:[A-Za-z]\.){1,3}[A-Za-z])\.['’\"”]*$")
_LONG_WORDS = 30


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence: ``text`` is exactly ``original[start:end]``."""

    text: str
    start: int
    end: int
    paragraph: int = 0


def _pysbd_language(language: str | None) -> str:
    code = (language or "en").split("-")[0].split("_")[0].lower()
    return code if code in LANGUAGE_CODES else "en"


@lru_cache(maxsize=16)
def _segmenter(language: str) -> pysbd.Segmenter:
    return pysbd.Segmenter(language=language, clean=False, char_span=True)


def strip_dateline(sentence: str) -> int:
    """Return how many leading characters of ``sentence`` are a dateline (0 if none)."""
    match = _DATELINE.match(sentence)
    if not match:
        return 0
    cut = match.end()
    rest = sentence[cut:]
    # Keep the cut only when a real sentence follows it.
    if len(rest.strip()) < 10 or not (rest.lstrip()[:1].isupper() or rest.lstrip()[:1] in _OPEN_QUOTES
                                      or rest.lstrip()[:1].isdigit()):
        return 0
    return cut


def _trimmed(text: str, start: int, end: int, paragraph: int) -> Sentence | None:
    """Strip whitespace at both ends, keeping offsets exact."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start >= end:
        return None
    return Sentence(text[start:end], start, end, paragraph)


def _slices(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut an over-long paragraph at spaces so pysbd never sees a huge blob."""
    out: list[tuple[int, int]] = []
    while end - start > _MAX_PARAGRAPH_CHARS:
        cut = text.rfind(". ", start, start + _MAX_PARAGRAPH_CHARS)
        if cut <= start:
            cut = text.rfind(" ", start, start + _MAX_PARAGRAPH_CHARS)
        cut = cut + 1 if cut > start else start + _MAX_PARAGRAPH_CHARS
        out.append((start, cut))
        start = cut
    out.append((start, end))
    return out


def split_sentences(text: str, language: str | None = None, *,
                    strip_datelines: bool = True, max_chars: int | None = None) -> list[Sentence]:
    """Split ``text`` into sentences with offsets into ``text``.

    ``max_chars`` stops splitting after that many characters of input (the
    summarizer only looks at the head of very long articles).
    """
    if not text or not text.strip():
        return []
    segmenter = _segmenter(_pysbd_language(language))
    limit = len(text) if max_chars is None else min(len(text), max_chars)
    sentences: list[Sentence] = []
    for paragraph, match in enumerate(_PARAGRAPH.finditer(text, 0, limit)):
        if not match.group().strip():
            continue
        para: list[Sentence] = []
        for s_start, s_end in _slices(text, match.start(), match.end()):
            chunk = text[s_start:s_end]
            try:
                spans = segmenter.segment(chunk)
            except Exception:  # pysbd has crashed on odd input before; never lose the text
                logger.warning("pysbd failed on a paragraph; keeping it as one sentence")
                spans = []
            if not spans:
                sent = _trimmed(text, s_start, s_end, paragraph)
                if sent:
                    para.append(sent)
                continue
            for span in spans:
                whole = _trimmed(text, s_start + span.start, s_start + span.end, paragraph)
                if whole is None:
                    continue
                for a, b in _repair_runons(whole.text):
                    sent = _trimmed(text, whole.start + a, whole.start + b, paragraph)
                    if sent is None:
                        continue
                    if para and (_is_quote_tail(sent.text, para[-1].text)
                                 or _is_clock_tail(sent.text, para[-1].text)):
                        prev = para.pop()
                        sent = Sentence(text[prev.start:sent.end], prev.start, sent.end, paragraph)
                    para.append(sent)
        sentences.extend(para)
    if strip_datelines and sentences:
        first = sentences[0]
        cut = strip_dateline(first.text)
        if cut:
            trimmed = _trimmed(text, first.start + cut, first.end, first.paragraph)
            sentences[0] = trimmed if trimmed else first
    return sentences


def _repair_runons(sentence: str) -> list[tuple[int, int]]:
    """Cut a pysbd sentence into pieces at caption/run-on/quoted boundaries.

    Returns ``(start, end)`` offsets into ``sentence``; one piece when nothing
    needs cutting (the common case, and always for short sentences).
    """
    cuts: set[int] = set()
    scroll = _SCROLL.match(sentence)
    if scroll and scroll.end() < len(sentence):
        cuts.add(scroll.end())
    words = sentence.count(" ") + 1
    if words >= 12:
        for m in _RUNON.finditer(sentence):
            before = sentence[:m.start()].rsplit(None, 1)
            if before and before[-1].lower() not in _GLUE_WORDS and not _letter_label(
                    before[-1], sentence, m.end()):
                cuts.add(m.end())
        for m in _CAPTION_LABEL.finditer(sentence):
            label = sentence[m.end():sentence.index(":", m.end())]
            if not _SAYS.search(label):
                cuts.add(m.end())
    if words >= _LONG_WORDS:
        for m in _QUOTED_BOUNDARY.finditer(sentence):
            head = sentence[:m.start()].rstrip()
            if not _ABBREV_END.search(head):
                cuts.add(m.end())
    if not cuts:
        return [(0, len(sentence))]
    bounds = [0, *sorted(cuts), len(sentence)]
    pieces: list[tuple[int, int]] = []
    for a, b in itertools.pairwise(bounds):
        # Never leave a one- or two-word scrap: glue it to the piece before.
        if pieces and len(sentence[a:b].split()) < 3:
            pieces[-1] = (pieces[-1][0], b)
        else:
            pieces.append((a, b))
    return pieces


def _letter_label(previous_word: str, sentence: str, at: int) -> bool:
    """'Nurse A with her training', 'Plan A was': a capitalised word then a
    one-letter 'A' is a label, not the start of a sentence that lost its stop."""
    return previous_word[:1].isupper() and sentence.startswith("A ", at)


def _is_quote_tail(fragment: str, previous: str) -> bool:
    """True when ``fragment`` continues ``previous`` (e.g. '" she said.')."""
    if not fragment:
        return False
    if fragment[0] in _CLOSE_QUOTES and len(fragment) <= 3:
        return True
    # '"We know where to look." she said.' split after the closing quote
    if fragment[0].islower() and previous.rstrip()[-1:] in _CLOSE_QUOTES + ".!?":
        return bool(previous) and previous.rstrip()[-1:] in _CLOSE_QUOTES
    return False


_CLOCK_END = re.compile(r"\b\d{1,2}(?::\d\d)?\s?[ap]\.m\.$")
_CLOCK_TAIL = re.compile(r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b|(?:ET|EST|EDT|PT|PST|PDT|GMT|BST|UTC)\b|"
                         r"(?:local|on|in|at|to|and|or|until|till|when|local|yesterday|today|tomorrow)\b")


def _is_clock_tail(fragment: str, previous: str) -> bool:
    """'... at 10 a.m.' + 'Tuesday, police said.': pysbd ends a sentence at every
    'a.m.'; glue it back when what follows is the time's own day, zone or a
    lower-case word."""
    return bool(_CLOCK_END.search(previous.rstrip())) and bool(_CLOCK_TAIL.match(fragment))


def plain_sentences(text: str, language: str | None = None) -> list[str]:
    """pysbd sentences with no news fixes: what the published Lead-3 baseline uses."""
    if not text or not text.strip():
        return []
    segmenter = pysbd.Segmenter(language=_pysbd_language(language), clean=False)
    return [s.strip() for s in segmenter.segment(text) if s.strip()]
