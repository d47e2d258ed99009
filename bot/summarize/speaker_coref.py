"""Resolving a cue's subject to a speaker: full names, pronouns and descriptions.

A full name stays; a surname or ``Mr Blinken`` becomes the full name mentioned in
the text; a pronoun or a definite description (``the senator``, ``the
45-year-old``) becomes the nearest preceding gender-compatible person (the
person opening the paragraph first, then recent speakers, with a tie-break for
the story's protagonist); anonymous or collective subjects (``a source``,
``his surrogates``, ``the White House``) are kept as written; anything else is
``None``.
"""

from __future__ import annotations

import bisect
import logging

from bot.summarize.quote_names import (
    CUE_FORMS,
    GENDERED_NOUNS,
    GENERIC_SPEAKERS,
    NOT_NAME,
    ORG_DESCRIPTION_NOUNS,
    ORG_WORDS,
    PARTICIPLES,
    PERSON_NOUNS,
    PRONOUNS,
    TITLE_ABBREVIATIONS,
)
from bot.summarize.speaker_clauses import first_subject
from bot.summarize.speaker_cues import is_cue
from bot.summarize.speaker_mentions import analyse_run
from bot.summarize.speaker_phrases import np_right, subject_left
from bot.summarize.speaker_tokens import (
    DETERMINERS,
    SENT_END,
    Doc,
    Mention,
    Subject,
    first_at,
    plural_noun,
    sentence_start,
)

logger = logging.getLogger(__name__)


def _name_index(doc: Doc) -> dict[str, tuple[list[int], list[Mention]]]:
    """Multi-word person mentions by first word and by surname, ascending (built once)."""
    if doc.name_index is None:
        index: dict[str, tuple[list[int], list[Mention]]] = {}
        for m in sorted(doc.mentions, key=lambda m: m.start):
            if not m.is_org and len(m.name) >= 2:
                for word in {m.surname, m.name[0]}:
                    starts, found = index.setdefault(word, ([], []))
                    starts.append(m.start)
                    found.append(m)
        doc.name_index = index
    return doc.name_index


def full_name(doc: Doc, mention: Mention, pos: int) -> str:
    """The fullest name the text gives for a (possibly short) person mention: the
    nearest full name before ``pos`` sharing the word, else the first one after."""
    if mention.is_org:
        return mention.text
    words = mention.name
    if len(words) >= 2:
        return mention.text
    word = words[0]
    starts, candidates = _name_index(doc).get(word, ([], []))

    def fits(m: Mention) -> bool:
        # "Mr. Obama" is never expanded to "Michelle Obama": keep the surname instead.
        return not mention.gender or m.gender in ("", mention.gender)

    k = bisect.bisect_left(starts, pos)
    # A surname first: "Trump" is "Donald Trump", not "Trump National Doral"; a name
    # starting with the word only when none ends with it ("Hillary", "Mr. Lou Jiwei").
    for surname_only in (True, False):
        for i in range(k - 1, -1, -1):
            m = candidates[i]
            if fits(m) and (m.surname == word or not surname_only):
                return m.text
        for m in candidates[k:]:
            if fits(m) and (m.surname == word or not surname_only):
                return m.text
    return word


def gender_of(doc: Doc, name: str) -> str:
    """The gender of a full name from its mentions, else the one gender its surname's
    mentions agree on; "" when unknown. Mentions with another first name are another
    person ("Rakeyia Scott" is not "Keith Lamont Scott", nor the bare "Scott" who
    may be either): a full name takes only mentions with its first name."""
    cached = doc.gender_cache.get(name)
    if cached is not None:
        return cached
    doc.gender_cache[name] = found = _gender_of(doc, name)
    return found


def _gender_of(doc: Doc, name: str) -> str:
    for m in doc.mentions:
        if m.text == name and m.gender:
            return m.gender
    words = name.split()
    short = [m for m in doc.mentions if m.gender and m.surname == words[-1]
             and (len(words) == 1 or m.name[0] == words[0])]
    return short[0].gender if len({m.gender for m in short}) == 1 else ""


def is_person(doc: Doc, m: Mention) -> bool:
    """A mention of someone the article surely presents as a person."""
    return not m.is_org and m.surname in doc.confident


def _persons(doc: Doc) -> list[Mention]:
    """The document's person mentions by position (built once, and again after
    :func:`confirm_person` adds a surname)."""
    if doc.persons is None:
        doc.persons = sorted((m for m in doc.mentions if is_person(doc, m)),
                             key=lambda m: m.start)
        doc.person_starts = [m.start for m in doc.persons]
    return doc.persons


def _by_recency(doc: Doc, gender: str, pos: int,
                title_hint: str = "") -> tuple[str, int] | None:
    """Nearest preceding compatible person (and where it was found); subjects in the
    recent text first."""
    all_persons = _persons(doc)
    k = bisect.bisect_left(doc.person_starts, pos)
    persons = all_persons[max(0, k - 200):k][::-1]  # the nearest 200 are plenty
    if not title_hint:
        said = _recent_speech_subject(doc, gender, pos)
        if said is not None:
            return said
    if not persons:
        return None
    if title_hint:
        titled = [m for m in persons if title_hint in m.titles and "vice" not in m.titles]
        if titled:
            return full_name(doc, titled[0], pos), titled[0].start
    window = [m for m in persons if pos - m.start < 1500]
    for pool in ([m for m in window if m.start in doc.salient], persons):
        for m in pool:
            full = full_name(doc, m, pos)
            g = m.gender or gender_of(doc, full)
            if not gender or g in (gender, ""):
                return full, m.start
    return None


def _resolve_pronoun(doc: Doc, gender: str, pos: int, title_hint: str = "") -> str | None:
    """Recency first; when other compatible people were mentioned in the same stretch
    of text as the recency pick, the one the article has mentioned most so far wins
    (news pronouns mostly refer to the story's protagonist)."""
    found = None
    if gender in ("m", "f") and not title_hint:
        found = _paragraph_topic(doc, gender, pos)
        introduced = None if found else _introduced_source(doc, gender, pos)
        if introduced is not None:
            return introduced[0]
    found = found or _by_recency(doc, gender, pos, title_hint)
    if found is None:
        return None
    best, anchor = found
    if gender not in ("m", "f") or title_hint:
        return best
    lo, hi = sentence_around(doc.text, anchor)
    hi = min(hi, pos)
    persons = _persons(doc)
    k = bisect.bisect_left(doc.person_starts, lo)
    rivals: dict[str, int] = {}
    while k < len(persons) and persons[k].start < hi:
        m = persons[k]
        k += 1
        if m.start not in doc.salient:
            continue  # only people in subject position compete
        full = full_name(doc, m, pos)
        if full in rivals or full == best:
            continue
        g = m.gender or gender_of(doc, full)
        if g == gender or (not g and len(m.name) >= 2):
            rivals[full] = _mention_count(doc, full, pos)
    if not rivals:
        return best
    top, n = max(rivals.items(), key=lambda kv: kv[1])
    return top if n > _mention_count(doc, best, pos) else best


def sentence_around(text: str, anchor: int) -> tuple[int, int]:
    """The sentence holding the recency pick: people mentioned in it are "equally
    recent" for the salience tie-break."""
    i = anchor
    while i > 0:
        c = text[i - 1]
        if c == "\n" or (c in ".!?" and text[i:i + 1] in (" ", "\n")
                          and not _abbrev_before(text, i - 1)):
            break
        i -= 1
    j = anchor
    while j < len(text):
        c = text[j]
        if c == "\n" or (c in ".!?" and text[j + 1:j + 2] in (" ", "\n", "")
                          and not _abbrev_before(text, j)):
            break
        j += 1
    return i, j


def _abbrev_before(text: str, dot: int) -> bool:
    j = dot
    while j > 0 and text[j - 1].isalpha():
        j -= 1
    word = text[j:dot].lower()
    return word in TITLE_ABBREVIATIONS or len(word) == 1


def _mention_count(doc: Doc, full: str, pos: int) -> int:
    """How often the article has named this person (by surname) before ``pos``."""
    if not doc.surname_starts:
        for m in doc.mentions:
            if not m.is_org:
                doc.surname_starts.setdefault(m.surname, []).append(m.start)
    surname = full.split()[-1] if full else ""
    return bisect.bisect_left(doc.surname_starts.get(surname, []), pos)


_SPEECH_WINDOW = 1200  # characters back in which a speech subject is still "current"


def _speech_subjects(doc: Doc) -> None:
    """Collect the named subjects of every speech verb outside quotes, indirect
    speech included ("McLenney said Clinton ..."): pronouns in news copy mostly
    continue the last person reported as speaking."""
    tokens = doc.tokens
    out: list[tuple[int, str]] = []
    for i, t in enumerate(tokens):
        if t.low not in CUE_FORMS or t.low in PARTICIPLES or not is_cue(tokens, i):
            continue
        s = sentence_start(tokens, i, max(0, i - 60))
        subj = subject_left(tokens, i, s)
        if subj is None and i + 1 < len(tokens) and tokens[i + 1].cap:
            subj = np_right(tokens, i + 1, min(len(tokens), i + 12))
        if subj is None or subj.kind != "name":
            continue
        m = analyse_run(subj.tokens)
        if m is None or not m.name or m.is_org:
            continue
        out.append((subj.pos, full_name(doc, m, subj.pos)))
    out.sort()
    doc.speech_subjects = out
    doc.speech_starts = [p for p, _ in out]


def _recent_speech_subject(doc: Doc, gender: str, pos: int) -> tuple[str, int] | None:
    if doc.speech_subjects is None:
        _speech_subjects(doc)
    assert doc.speech_subjects is not None
    k = bisect.bisect_left(doc.speech_starts, pos)
    for start, name in reversed(doc.speech_subjects[max(0, k - 20):k]):
        if pos - start > _SPEECH_WINDOW:
            break
        g = gender_of(doc, name)
        if not gender or g in (gender, ""):
            return name, start
    return None


_TITLE_FOR_NOUN = {"senator": "sen", "president": "president", "governor": "gov",
                   "congressman": "rep", "congresswoman": "rep", "mayor": "mayor",
                   "general": "gen", "judge": "judge", "secretary": "secretary"}


def _paragraph_topic(doc: Doc, gender: str, pos: int) -> tuple[str, int] | None:
    """News paragraphs open with their topic: ``Ultimately, Mr. Clarke hopes ... That
    worries environmentalists. "It's all I can afford," he said.`` A he/she in a
    paragraph whose first sentence has a named person as its subject refers to that
    person; in a paragraph that opens with the quote, to the person opening the
    paragraph just before (``House Speaker Paul Ryan, R-Wis., despite ... /
    "I do think ...," he said.``)."""
    k = bisect.bisect_right(doc.paras, pos, key=lambda p: p[0]) - 1
    if k < 0:
        return None
    lo, _hi = doc.paras[k]
    if doc.text[lo:lo + 1] in "\"“”'‘„«":
        if k == 0 or doc.text[lo:pos].count(".") > 1:
            return None
        lo, _hi = doc.paras[k - 1]
        if doc.text[lo:lo + 1] in "\"“”'‘„«":
            return None
    if lo < doc.head_end:
        return None
    s = first_at(doc.tokens, lo)
    e = s
    while e < len(doc.tokens) and doc.tokens[e].text not in SENT_END \
            and doc.tokens[e].text != "\u201c" and doc.tokens[e].start < pos:
        e += 1
    first = first_subject(doc.tokens, s, e)
    if first is None or first.kind != "name" or first.pos >= pos:
        return None
    m = analyse_run(first.tokens)
    if m is None or not m.name or m.is_org:
        return None
    full = full_name(doc, m, first.pos)
    g = gender_of(doc, full) or m.gender
    if g != gender and not (not g and m.surname in doc.confident):
        return None
    return full, first.pos


def _introduced_source(doc: Doc, gender: str, pos: int) -> tuple[str, int] | None:
    """News introduces a new source by full name and role just before quoting them:
    ``... which concerns Henry Crespo, president of the state's black caucus. / "No one
    is writing songs for her," he said.`` A he/she right after such a sentence refers
    to the person it introduces, even when someone else spoke a paragraph earlier."""
    k = bisect.bisect_right(doc.paras, pos, key=lambda p: p[0]) - 1
    if k < 1:
        return None
    para = doc.paras[k][0]
    last_mark = max(doc.text.rfind(q, para, pos) for q in "\"”")
    if doc.text[para:para + 1] not in "\"“”'‘„«" or "." in doc.text[last_mark + 1:pos]:
        return None  # only the cue right after a quote that opens the paragraph
    i = para
    while i > 0 and doc.text[i - 1].isspace():
        i -= 1
    lo, _hi = sentence_around(doc.text, i - 1)
    persons = _persons(doc)
    k = bisect.bisect_left(doc.person_starts, para)
    if k == 0 or persons[k - 1].start < lo or persons[k - 1].start < doc.head_end:
        return None
    m = persons[k - 1]
    if len(m.name) < 2 or _mention_count(doc, m.text, m.start) > 0:
        return None  # not a full name, or not the first time the article names them
    after = doc.text[m.end:m.end + 3]
    if not (after.startswith(", ") and after[2:3].islower()):
        return None  # no appositive role ("Henry Crespo, president of ...")
    g = m.gender or gender_of(doc, m.text)
    if g not in ("", gender):
        return None
    return m.text, m.start


def resolve(doc: Doc, subj: Subject) -> str | None:
    """The speaker a cue's subject names (see the module docstring), or None."""
    if subj.kind == "pronoun":
        g = PRONOUNS.get(subj.tokens[0].low, "")
        if g in ("m", "f"):
            return _resolve_pronoun(doc, g, subj.pos)
        return None
    if subj.kind == "name":
        m = analyse_run(subj.tokens)
        if m is None or not m.name:
            return None
        return full_name(doc, m, subj.pos)
    # Common-noun phrase.
    words = [t.low for t in subj.tokens]
    head = words[-1]
    det = words[0] if words[0] in DETERMINERS else ""
    caps = [t for t in subj.tokens if t.cap and t.low not in NOT_NAME]
    if caps and any(t.low in ORG_WORDS for t in caps):
        org = " ".join(t.text for t in subj.tokens if t.low not in DETERMINERS)
        return org
    if det == "the" and len(caps) == len(subj.tokens) - 1 and subj.tokens[0].low == "the" \
            and head not in PERSON_NOUNS:
        return " ".join(t.text for t in caps)  # a publication or body: "The New Yorker"
    if det == "the" and (head in PERSON_NOUNS or head.endswith("-old")) \
            and head not in GENERIC_SPEAKERS:
        # "the businessman" is a man, "the congresswoman" a woman.
        return _resolve_pronoun(doc, GENDERED_NOUNS.get(head, ""), subj.pos,
                                _TITLE_FOR_NOUN.get(head, ""))
    if det == "the" and head in ORG_DESCRIPTION_NOUNS:
        named_org = _nearest_organisation(doc, subj.pos)
        if named_org is not None:
            return named_org  # "the American space agency" -> NASA
    if head in GENERIC_SPEAKERS or head in PERSON_NOUNS:
        return " ".join(t.text for t in subj.tokens)
    if det in _POSSESSIVE_DETS and len(subj.tokens) <= 3 and plural_noun(head):
        return " ".join(t.text for t in subj.tokens)  # "his surrogates", "their lawyers"
    return None


_POSSESSIVE_DETS = {"his", "her", "their", "its", "our"}
_ORG_REACH = 2500  # characters back in which "the agency" may still name an organisation


def _nearest_organisation(doc: Doc, pos: int) -> str | None:
    """The organisation the article named last before ``pos``: a mention analysed as an
    organisation, or an acronym (``NASA``, ``FEMA``)."""
    k = bisect.bisect_left(doc.mentions, pos, key=lambda m: m.start)
    for m in reversed(doc.mentions[max(0, k - 60):k]):
        if pos - m.start > _ORG_REACH:
            break
        acronym = len(m.name) == 1 and len(m.name[0]) >= 2 and m.name[0].isupper() \
            and m.name[0].isalpha()
        if (m.is_org and len(m.name) >= 2) or acronym:
            return m.text
    return None


def confirm_person(doc: Doc, subj: Subject) -> None:
    """The subject of a speech verb is a person (or a body): let pronouns find it
    later even when its first name is unknown ("Johnnie Wilson ... said")."""
    m = analyse_run(subj.tokens)
    if m is None or not m.name or m.is_org or m.surname in doc.confident:
        return
    if len(m.name) < 2 and not m.titles:
        return  # a lone word may be a place or a paper ("Reuters said")
    doc.confident.add(m.surname)
    doc.persons = None
