"""News conventions that carry a speaker from one quote to the next.

A quote continuing an unclosed quote from the previous paragraph, or another
quote in the same paragraph or sentence, keeps that quote's speaker; a
paragraph that is nothing but a quote takes the speaker of the quoted paragraph
just before it; ``"...," he said`` / ``"...," it said`` continue the speaker of
the cued quote just before when nothing else intervened.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Sequence

from bot.summarize.quote_marks import QuoteSpan
from bot.summarize.quote_names import PRONOUNS
from bot.summarize.speaker_coref import full_name, gender_of, is_person, sentence_around
from bot.summarize.speaker_tokens import SENT_END, Doc, Subject, Token

logger = logging.getLogger(__name__)


def shares_sentence(text: str, spans: Sequence[QuoteSpan], qi: int, tokens: list[Token],
                    a: int, m_idx: int) -> bool:
    """Whether quote ``qi`` continues the sentence of the quote before it: same
    paragraph, that quote does not end a sentence, no sentence end in between."""
    if qi == 0 or spans[qi - 1].paragraph != spans[qi].paragraph:
        return False
    prev = spans[qi - 1]
    if text[prev.start:prev.outer_end].rstrip("\"”»'’ ")[-1:] in (".", "!", "?"):
        return False
    return tokens[a - 1].text == "\u201c" and not any(
        t.text in SENT_END or t.text == ";" or (t.text == ":" and k < m_idx - 1)
        for k, t in enumerate(tokens[a:m_idx], a))


def previous_body(doc: Doc, spans: Sequence[QuoteSpan], speakers: Sequence[str | None],
                  by_cue: Sequence[bool], qi: int, subj: Subject) -> str | None:
    """``"...," it said`` / ``they wrote``: the speaker of the cued quote just before
    (same or previous paragraph) when that speaker is not a named person (a document,
    an organisation, a group)."""
    pron = subj.tokens[0].low
    if pron not in ("it", "they"):
        return None
    for j in range(qi - 1, max(-1, qi - 13), -1):  # bounded: huge paragraphs stay linear
        if spans[qi].paragraph - spans[j].paragraph > 1:
            return None
        if not by_cue[j] or speakers[j] is None:
            continue
        name = speakers[j]
        assert name is not None
        if not doc.person_names:
            doc.person_names = {m.text for m in doc.mentions if not m.is_org}
            doc.mention_starts = [m.start for m in doc.mentions]
        if name in doc.person_names and not any(
                m.is_org for m in doc.mentions if m.text == name):
            return None
        return name
    return None


def previous_speaker(doc: Doc, spans: Sequence[QuoteSpan], speakers: Sequence[str | None],
                     by_cue: Sequence[bool], qi: int, subj: Subject) -> str | None:
    """News convention: ``"...," he said`` continues with the speaker of the quote just
    before (same or previous paragraph) when no other person became the subject in
    between and the gender fits."""
    gender = PRONOUNS.get(subj.tokens[0].low, "")
    if gender not in ("m", "f"):
        return None
    j = qi - 1
    if not by_cue[j] or speakers[j] is None or spans[qi].paragraph - spans[j].paragraph > 1:
        return None
    name = speakers[j]
    assert name is not None
    if not doc.person_names:
        doc.person_names = {m.text for m in doc.mentions if not m.is_org}
        doc.mention_starts = [m.start for m in doc.mentions]
    if name not in doc.person_names:
        return None  # not a named person (a source, an organisation)
    lo = spans[j].outer_end
    if subj.pos - lo > 1500:
        return None
    g = gender_of(doc, name)
    if g and g != gender:
        return None
    k = bisect.bisect_left(doc.mention_starts, lo)
    while k < len(doc.mentions) and doc.mentions[k].start < subj.pos:
        m = doc.mentions[k]
        if not m.is_org and m.start in doc.salient and full_name(doc, m, m.start) != name:
            return None
        k += 1
    return name


def inherit(doc: Doc, spans: list[QuoteSpan], speakers: list[str | None],
            by_cue: list[bool], para_of: list[int], text: str) -> None:
    """Apply the paragraph-continuation conventions to quotes without a cue."""
    n = len(spans)
    cued_in_para: dict[int, list[int]] = {}
    for j in range(n):
        if by_cue[j]:
            cued_in_para.setdefault(para_of[j], []).append(j)
    for qi in range(n):
        if speakers[qi] is not None:
            continue
        q = spans[qi]
        if q.continues_previous and qi > 0 and speakers[qi - 1] is not None:
            speakers[qi] = speakers[qi - 1]
            continue
        same = cued_in_para.get(para_of[qi], [])
        if same and not q.single:
            k = bisect.bisect_left(same, qi)
            inherited = speakers[same[k - 1] if k > 0 else same[0]]
            speakers[qi] = _own_sentence_person(doc, q, inherited) or inherited
            continue
        # A paragraph that is only a quote, right after a quoted paragraph.
        if qi > 0 and para_of[qi - 1] == para_of[qi] - 1 and speakers[qi - 1] is not None \
                and _is_whole_paragraph(text, q):
            speakers[qi] = speakers[qi - 1]


def _own_sentence_person(doc: Doc, q: QuoteSpan, inherited: str | None) -> str | None:
    """A cue-less quote in a sentence about someone else than the paragraph's
    speaker belongs to the one person that sentence names before it: ``All this has
    led the journalist Jane Roe to fear a "..."`` (not the speaker quoted earlier in
    the paragraph)."""
    lo, _hi = sentence_around(doc.text, q.outer_start)
    names: set[str] = set()
    for m in doc.mentions:
        if lo <= m.start < q.outer_start and not m.is_org \
                and (len(m.name) >= 2 or is_person(doc, m)):
            names.add(full_name(doc, m, m.start))
    if len(names) != 1 or inherited in names:
        return None
    return names.pop()


def _is_whole_paragraph(text: str, q: QuoteSpan) -> bool:
    lo = text.rfind("\n", 0, q.outer_start) + 1
    hi = text.find("\n", q.outer_end)
    hi = len(text) if hi == -1 else hi
    return not text[lo:q.outer_start].strip() and len(text[q.outer_end:hi].strip()) <= 2
