"""Rule-based speaker attribution for direct quotes (no model).

For each quote, in this order:

1. a cue right after the quote, in the same sentence: ``"...," X said``,
   ``"...," said X``, ``"...," X, a spokesman, said``, ``"...," according to X``;
2. a cue before the quote in the same sentence: ``X said: "..."``,
   ``In a statement, X said "..."``, ``X called it "a disaster"``,
   ``X tweeted Sunday, saying "..."``;
3. the news conventions for cue-less quotes: a quote continuing an unclosed
   quote from the previous paragraph, or another quote in the same paragraph,
   keeps that quote's speaker; a paragraph that is nothing but a quote takes the
   speaker of the quote just before it when that quote closed the previous
   paragraph.

Cue-less quotes also follow the sentence they sit in: its subject (after a
dateline, an introductory or participle phrase), the one person it names, the
cue of an earlier quote in the same sentence, or, for a quote closing a
paragraph, the named subject of the sentence before it.

A subject found by a cue is then resolved to a full name: a full name stays;
a surname or ``Mr Blinken`` becomes the full name mentioned in the text
(``Antony Blinken``); a pronoun or a definite description (``the senator``,
``the 45-year-old``) becomes the nearest preceding gender-compatible person
(the person opening the paragraph first, then recent speakers; a gendered noun
such as ``the businessman`` gives the gender); anonymous or collective subjects
(``a source``, ``officials``, ``his surrogates``, ``the White House``) are kept
as written. Anything else is
``None``: never a guess presented as fact.

Where the rules live (all under :mod:`bot.summarize`):

- ``speaker_tokens``: tokens and the shared Token/Mention/Subject/Doc types;
- ``speaker_mentions``: name analysis, the prepared document (:func:`build_doc`);
- ``speaker_phrases``: the subject left of a cue, the name right of it, appositives;
- ``speaker_clauses``: the subject opening a sentence (datelines, openers);
- ``speaker_cues``: speech verbs and the cue patterns around a quote;
- ``speaker_coref``: full names, pronouns and descriptions;
- ``speaker_labels``: headline and transcript labels;
- ``speaker_sentences``: the quote's sentence when no cue names the speaker;
- ``speaker_inheritance``: speakers carried over from earlier quotes;
- this module: :func:`attribute`, which applies them in order.
"""

from __future__ import annotations

import logging

from bot.summarize.quote_marks import QuoteSpan, paragraph_bounds
from bot.summarize.speaker_coref import confirm_person, resolve
from bot.summarize.speaker_cues import (
    cue_after,
    cue_before,
    cue_ending_previous_sentence,
    intro_paragraph,
)
from bot.summarize.speaker_inheritance import (
    inherit,
    previous_body,
    previous_speaker,
    shares_sentence,
)
from bot.summarize.speaker_labels import headline_speaker, label_speaker, topic_label
from bot.summarize.speaker_mentions import build_doc
from bot.summarize.speaker_sentences import (
    embedding_subject,
    previous_sentence_subject,
    sentence_subject_for,
    speech_noun_possessor,
)
from bot.summarize.speaker_tokens import Token, first_at

logger = logging.getLogger(__name__)


def attribute(text: str, spans: list[QuoteSpan]) -> list[str | None]:
    """The speaker of each quote span (same order), or None when not attributable."""
    if not spans:
        return []
    doc = build_doc(text, spans)
    paras = paragraph_bounds(text)
    tokens = doc.tokens
    markers = [i for i, t in enumerate(tokens) if t.text == "\u201c"]
    para_of = [q.paragraph for q in spans]
    speakers: list[str | None] = [None] * len(spans)
    found_by_cue = [False] * len(spans)
    for qi, q in enumerate(spans):
        m_idx = markers[qi]
        para_start, para_end = paras[q.paragraph]
        a, b = _quote_frame(tokens, markers, qi, para_start, para_end)
        if q.paragraph == 0 and doc.head_end:
            speakers[qi] = headline_speaker(doc, tokens, a, b, para_end)
            if speakers[qi] is not None:
                found_by_cue[qi] = True
                continue
        subj = label_speaker(text, q, tokens, para_start)
        if subj is None and q.paragraph == 0:
            subj = topic_label(doc, q)
        if subj is None and not _closes_sentence(text, q):
            subj = cue_after(tokens, m_idx + 1, b, _set_off(text, q))
        if subj is None:
            subj = cue_before(tokens, a, m_idx)
            if subj is not None and subj.kind == "pronoun":
                subj = sentence_subject_for(doc, tokens, a, m_idx, subj)
        if subj is None and shares_sentence(text, spans, qi, tokens, a, m_idx):
            # A second quote in the sentence of the one before: that quote's cue
            # (or the lack of one) holds for both ("He said that Clinton's "only
            # experience" was her "criminal" attempt").
            speakers[qi] = speakers[qi - 1]
            continue
        if subj is None and a < m_idx:
            subj = cue_ending_previous_sentence(tokens, a, m_idx)
        if subj is None and a < m_idx and _ends_paragraph(text, q):
            subj = previous_sentence_subject(doc, tokens, first_at(tokens, para_start), m_idx)
        if subj is None and a == m_idx and para_start > 0:
            subj = intro_paragraph(text, tokens, para_start)
        if subj is None and a < m_idx:
            subj = embedding_subject(doc, tokens, a, m_idx)
        if subj is None and a < m_idx:
            subj = speech_noun_possessor(tokens, a, m_idx)
        if subj is not None:
            speakers[qi] = resolve(doc, subj)
            if subj.kind == "pronoun" and qi > 0:
                prev = previous_speaker(doc, spans, speakers, found_by_cue, qi, subj)
                speakers[qi] = prev or speakers[qi]
            if subj.kind == "pronoun" and speakers[qi] is None:
                speakers[qi] = previous_body(doc, spans, speakers, found_by_cue, qi, subj)
            if subj.kind == "name" and speakers[qi] is not None:
                confirm_person(doc, subj)
            found_by_cue[qi] = speakers[qi] is not None
    inherit(doc, spans, speakers, found_by_cue, para_of, text)
    return speakers


def _quote_frame(tokens: list[Token], markers: list[int], qi: int,
                 para_start: int, para_end: int) -> tuple[int, int]:
    """The tokens around quote ``qi`` where its cue may be: ``tokens[a:m]`` before it
    and ``tokens[m + 1:b]`` after it (``m`` its marker), from the quote before to the
    quote after, limited to the quote's paragraph."""
    m_idx = markers[qi]
    b = markers[qi + 1] if qi + 1 < len(markers) else len(tokens)
    while b > m_idx + 1 and tokens[b - 1].start >= para_end:
        b -= 1
    a = markers[qi - 1] + 1 if qi > 0 else 0
    while a < m_idx and tokens[a].start < para_start:
        a += 1
    return a, b


def _set_off(text: str, q: QuoteSpan) -> bool:
    """Whether punctuation closes the quote off from the words after it: its content
    ends in a mark (``"...,"``, ``"...?"``) or a comma or dash follows the closing mark."""
    content = text[q.start:q.outer_end].rstrip("\"”»'’ ")
    if content[-1:] in ",.!?…—–-:;":
        return True
    after = text[q.outer_end:q.outer_end + 3].lstrip(" \u00a0")
    return after[:1] in (",", "—", "–", "-", ":", ";", "―", "")


def _closes_sentence(text: str, q: QuoteSpan) -> bool:
    """A quote whose content ends with a full stop (or that a full stop follows, in
    British style), followed by a capitalised word, ends its sentence: what follows
    is a new sentence, not the quote's cue (``Japan called it "an outlaw nation."
    Russia insisted ...``). News style puts a comma, not a full stop, before a
    trailing cue (``"...," Russia said``)."""
    content = text[q.start:q.end].rstrip()
    nxt = text[q.outer_end:q.outer_end + 40].lstrip(" \t\u00a0")
    if nxt[:1] in (".", "!", "?") and nxt[1:2].isspace():
        nxt = nxt[1:].lstrip(" \t\u00a0")  # the British full stop after the mark
    elif not content.endswith(".") or content.endswith(("..", "…")):
        return False
    return nxt[:1].isupper() and "\n" not in text[q.outer_end:q.outer_end + 2]


def _ends_paragraph(text: str, q: QuoteSpan) -> bool:
    """At most two characters (closing punctuation) follow the quote in its paragraph."""
    hi = text.find("\n", q.outer_end)
    hi = len(text) if hi == -1 else hi
    return len(text[q.outer_end:hi].strip()) <= 2
