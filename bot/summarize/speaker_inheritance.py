"""Helpers for the conventions that carry a speaker from one quote to the next
(the rules themselves are in :mod:`bot.summarize.speaker_rules`): whether a quote
continues the sentence of the one before, and ``"...," he said`` / ``"...," it
said`` continuing the speaker of the cued quote just before when nothing else
intervened."""

from __future__ import annotations

import bisect
import logging
from collections.abc import Sequence

from bot.summarize.quote_marks import QuoteSpan
from bot.summarize.quote_names import PRONOUNS
from bot.summarize.speaker_coref import full_name, gender_of
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
