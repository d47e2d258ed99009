"""The quote's sentence as evidence when no cue names the speaker directly.

A pronoun cue inside a sentence that opens with a named subject refers to it
(``Ban Ki-moon condemned what he called "..."``); a partial quote in a sentence
without a speech verb belongs to the sentence's subject (``X called it "a
mess"``); a quote closing a paragraph after a sentence about a named person
quotes that person; a scare quote after ``Trump's claim that`` belongs to the
possessor.
"""

from __future__ import annotations

import bisect
import logging

from bot.summarize.quote_names import CUE_FORMS, DEMONYMS, GENERIC_SPEAKERS, PERSON_NOUNS, PRONOUNS
from bot.summarize.speaker_clauses import first_subject, skip_participle_opener
from bot.summarize.speaker_coref import gender_of, resolve
from bot.summarize.speaker_mentions import analyse_run
from bot.summarize.speaker_phrases import after_parenthetical, np_left
from bot.summarize.speaker_tokens import (
    CLAUSE_PUNCT,
    DETERMINERS,
    NP_STOP,
    PARTICLES,
    SENT_END,
    Doc,
    Subject,
    Token,
    is_name_word,
    plural_noun,
    sentence_start,
    strip_possessive,
)

logger = logging.getLogger(__name__)


def _joins_verbs(tokens: list[Token], t: Token) -> bool:
    """``... made a condemnation and pledged to ...``: an ``and`` followed by a
    lower-case word (a second verb of the same subject), not by a new subject."""
    i = bisect.bisect_left(tokens, t.start, key=lambda x: x.start)
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    return nxt is not None and nxt.text[:1].islower() and nxt.low not in PRONOUNS \
        and nxt.low not in DETERMINERS and nxt.low.endswith("ed")


def _body_subject(doc: Doc, first: Subject) -> Subject | None:
    """``it``/``they`` in a clause whose sentence opens with a body or group refers to
    it: ``The Security Council ... condemned what it called "..."``, ``Clinton's
    campaign contrasts her plan with what they call "..."``. Never a person."""
    if first.kind == "name":
        m = analyse_run(first.tokens)
        return first if m is not None and m.name and m.is_org and resolve(doc, first) else None
    if first.kind != "np":
        return None
    head = first.tokens[-1].low
    if head in PERSON_NOUNS and head not in GENERIC_SPEAKERS:
        return None
    return first if resolve(doc, first) is not None else None


def sentence_subject_for(doc: Doc, tokens: list[Token], a: int, b: int,
                         subj: Subject) -> Subject:
    """A pronoun cue inside a clause whose sentence opens with a named subject refers
    to that subject: ``Ban Ki-moon condemned what he called "..."``, ``Trump said he
    would "..."`` (not to the speaker of some earlier quote)."""
    s = sentence_start(tokens, b, a)
    first = first_subject(tokens, s, b)
    if first is None or first.pos >= subj.pos:
        return subj
    if any(t.text in (";", ":") or t.low in ("but", "while", "whereas")
           or (t.low == "and" and not _joins_verbs(tokens, t))
           for t in tokens[s:b] if first.pos < t.start < subj.pos):
        return subj  # a second clause with its own subject
    gender = PRONOUNS.get(subj.tokens[0].low, "")
    if gender in ("n", "p"):
        return _body_subject(doc, first) or subj
    if gender not in ("m", "f") or first.kind != "name":
        return subj
    m = analyse_run(first.tokens)
    if m is None or m.is_org:
        return subj
    g = gender_of(doc, m.text) or m.gender
    if g != gender and not (not g and m.surname in doc.confident):
        return subj
    return first


def previous_sentence_subject(doc: Doc, tokens: list[Token], a: int, b: int) -> Subject | None:
    """A cue-less quote that closes a paragraph right after a sentence about a named
    person quotes that person: ``Sen. Jane Roe (Vt.) singled out young voters on
    Sunday. "They are tired of it."`` (no other quote or person subject between)."""
    if tokens[b - 1].text not in SENT_END:
        return None
    s = b - 1
    while s > a and tokens[s - 1].text not in SENT_END and b - s < 80:
        s -= 1
    if any(t.low in CUE_FORMS for t in tokens[s:b - 1]):
        return None  # a sentence with its own speech (and maybe its own quote)
    subj = first_subject(tokens, s, b - 1)
    if subj is None or subj.kind != "name":
        return None
    m = analyse_run(subj.tokens)
    if m is None or not m.name or m.is_org or not (m.titles or m.surname in doc.confident):
        return None
    return subj


_SPEECH_NOUNS = {"claim", "claims", "statement", "statements", "remark", "remarks", "comment",
                 "comments", "words", "assertion", "promise", "pledge", "warning", "vow",
                 "tweet", "tweets", "description", "charge", "argument", "prediction"}


def speech_noun_possessor(tokens: list[Token], a: int, b: int) -> Subject | None:
    """A scare quote in a sentence about someone's words: ``Trump's claim that there
    have been "..."``, ``Trump's statement was "..."`` -> the possessor."""
    s = sentence_start(tokens, b, a)
    for i in range(b - 1, s, -1):
        if tokens[i].low not in _SPEECH_NOUNS or tokens[i].cap:
            continue
        owner = tokens[i - 1]
        if not owner.cap or not owner.text.endswith(("'s", "’s")):
            continue
        subj = np_left(tokens, i - 1, s)
        if subj is not None and subj.kind == "name":
            bare = Token(strip_possessive(owner.text)[0], owner.start, owner.end - 2)
            toks = [*subj.tokens[:-1], bare]
            return Subject("name", toks, subj.pos)
        return None
    return None


def _subject_after_opener(tokens: list[Token], b: int) -> Subject | None:
    """The subject after an opening participle phrase that holds the quote:
    ``Bemoaning the "phony system," Trump accused ...`` -> Trump (the comma sits
    inside the quote marks, so the name follows the quote directly)."""
    i = b + 1
    if i < len(tokens) and tokens[i].text == ",":
        i += 1
    end = i
    while end < len(tokens) and end - i < 5 and (is_name_word(tokens[end])
                                                   or tokens[end].low in PARTICLES):
        end += 1
    if end == i or end >= len(tokens) or not tokens[end].text[:1].islower() \
            or tokens[end].low in NP_STOP:
        return None
    return Subject("name", tokens[i:end], tokens[i].start)


def embedding_subject(doc: Doc, tokens: list[Token], a: int, b: int) -> Subject | None:
    """A partial quote inside a sentence with no speech verb ("X called it "a mess"",
    "X took to Twitter to accuse ... of being "duped""): the sentence's subject, when it
    is a name or a pronoun."""
    s = sentence_start(tokens, b, a)
    if s >= b:
        return None
    if skip_participle_opener(tokens, s, b) == s and tokens[s].cap \
            and tokens[s].low.endswith("ing") and s + 1 < b and not tokens[s + 1].cap:
        return _subject_after_opener(tokens, b)
    subj = first_subject(tokens, s, b)
    if subj is None or (subj.kind == "np" and not _definite_person(subj)
                        and not _group(subj)):
        return None
    last = subj.tokens[-1]
    if last.text.endswith(("'s", "’s")):
        return None
    if subj.kind == "name" and len(subj.tokens) == 1 and not _known_name(doc, last.text):
        return None  # "Poor thing actually believes ...": a capitalised sentence opener
    i = next((k for k in range(s, b) if tokens[k].start >= last.end), b)
    i = _skip_name_modifiers(tokens, i, b)
    nxt = tokens[i:i + 1] if i < b else []
    if nxt and ((nxt[0].text in CLAUSE_PUNCT and nxt[0].text != ",") or nxt[0].low in NP_STOP):
        return None
    return subj


def _known_name(doc: Doc, word: str) -> bool:
    """Whether a lone capitalised word is a name the article knows: part of a longer
    name, a confident person, a title's name (``Mr. Lund``), a group (``Democrats``)
    or an acronym (``IMF``)."""
    low = word.lower()
    if low in GENERIC_SPEAKERS or low in DEMONYMS or (word.isupper() and len(word) > 1):
        return True
    return word in doc.confident or any(
        word in m.name and (len(m.name) >= 2 or m.titles) for m in doc.mentions)


def _skip_name_modifiers(tokens: list[Token], i: int, b: int) -> int:
    """Past what may follow a subject's name before its verb: a party-state
    parenthetical (``Harry Reid (D-Nev.)``), a home-state or affiliation phrase
    (``Gov. Earl Ray Tomblin of West Virginia``) and an appositive set off by commas."""
    i = after_parenthetical(tokens, i, b)
    if i + 1 < b and tokens[i].low in ("of", "from") and is_name_word(tokens[i + 1]):
        k = i + 1
        while k < b and (is_name_word(tokens[k]) or tokens[k].low in PARTICLES):
            k += 1
        if k < b and (tokens[k].text[:1].islower() or tokens[k].text == ","):
            i = k
    if i + 1 < b and tokens[i].text == "," and tokens[i + 1].text[:1].islower():
        # An appositive: "Ben Cardin of Maryland, a Democrat on the committee, advocates".
        for c in range(i + 1, min(b, i + 16)):
            if tokens[c].text in SENT_END or tokens[c].text == "\u201c":
                break
            if tokens[c].text == ",":
                if c + 1 < b and tokens[c + 1].text[:1].islower() and tokens[c + 1].text.isalpha():
                    return c + 1
                break
    return i


def _group(subj: Subject) -> bool:
    """A group of people as a subject: ``Oversight Committee Republicans``,
    ``several environmental groups`` (a plural speaker noun heads the phrase)."""
    head = subj.tokens[-1].low
    return head in GENERIC_SPEAKERS and plural_noun(head)


def _definite_person(subj: Subject) -> bool:
    """"The Republican nominee", "the senator": a definite description of a person."""
    words = [t.low for t in subj.tokens]
    return len(words) >= 2 and words[0] == "the" and words[-1] in PERSON_NOUNS \
        and words[-1] not in GENERIC_SPEAKERS
