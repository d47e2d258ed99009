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
"""

from __future__ import annotations

import bisect
import logging
import re
from dataclasses import dataclass, field

from bot.summarize.quote_marks import QuoteSpan, paragraph_bounds
from bot.summarize.quote_names import (
    AUX_ADVERBS,
    CUE_FORMS,
    DEMONYMS,
    DEPARTMENT_WORDS,
    EVENT_NOUNS,
    FEMALE_NAMES,
    GENDERED_NOUNS,
    GENERIC_SPEAKERS,
    MALE_NAMES,
    MONTHS_DAYS,
    NAME_PREFIX_TITLES,
    NOT_NAME,
    ORG_WORDS,
    PARTICIPLES,
    PERSON_NOUNS,
    PERSON_TITLES,
    PLACES,
    PRONOUNS,
    STATE_ABBREVIATIONS,
    TITLE_ONLY,
)

logger = logging.getLogger(__name__)

_TOKEN = re.compile(r"[^\W\d_][\w'’.\-]*|\d[\w'’.,/\-]*\w|\d|[^\w\s]", re.UNICODE)
_ABBREV_OK = re.compile(r"^(?:[A-Za-z]\.)+$|^[A-Z]$")
_DETERMINERS = {"the", "a", "an", "his", "her", "their", "its", "this", "that", "these", "those",
                "our", "my", "your"}
_PARTICLES = {"de", "van", "von", "bin", "al", "da", "del", "la", "le", "der", "di", "du", "st"}
_SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}
_NP_STOP = {"in", "on", "at", "to", "that", "who", "which", "of", "during", "after", "before",
            "when", "while", "for", "from", "with", "about", "and", "but", "as", "because",
            "if", "than", "since", "until", "by", "into", "via", "through", "over", "under"}
_SENT_END = {".", "!", "?"}
_CLAUSE_PUNCT = {",", ";", ":", "—", "–", "-", "(", ")"}
_MAX_CUE_AFTER = 14  # tokens after a quote within which its cue must start


@dataclass(slots=True)
class Token:
    text: str
    start: int
    end: int
    low: str = ""

    def __post_init__(self) -> None:
        self.low = self.text.lower().rstrip(".")

    @property
    def cap(self) -> bool:
        return self.text[:1].isupper()


@dataclass(slots=True)
class Mention:
    """A capitalised run outside quotes, analysed as a person or organisation."""

    name: tuple[str, ...]  # name words without titles, possessive stripped
    start: int
    end: int
    gender: str  # "m", "f" or ""
    is_org: bool
    titles: tuple[str, ...] = ()

    @property
    def surname(self) -> str:
        words = [w for w in self.name if w.lower().rstrip(".") not in _SUFFIXES]
        return (words or list(self.name))[-1]

    @property
    def text(self) -> str:
        return " ".join(self.name)


@dataclass(slots=True)
class Subject:
    """What a cue's subject slot held: a name run, a pronoun or a common-noun phrase."""

    kind: str  # "name", "pronoun", "np"
    tokens: list[Token]
    pos: int  # character offset, for resolution

    @property
    def text(self) -> str:
        return " ".join(t.text for t in self.tokens)


@dataclass(slots=True)
class _Doc:
    text: str
    tokens: list[Token]
    mentions: list[Mention] = field(default_factory=list)
    confident: set[str] = field(default_factory=set)  # surnames of confident persons
    salient: set[int] = field(default_factory=set)  # starts of subject-position mentions
    persons: list[Mention] | None = None
    person_starts: list[int] = field(default_factory=list)
    person_names: set[str] = field(default_factory=set)
    head_end: int = 0  # end of a title-case headline line, 0 when there is none
    mention_starts: list[int] = field(default_factory=list)
    # (offset, full name) of every named subject of a speech verb, quoted or not.
    speech_subjects: list[tuple[int, str]] | None = None
    speech_starts: list[int] = field(default_factory=list)
    surname_starts: dict[str, list[int]] = field(default_factory=dict)
    paras: list[tuple[int, int]] = field(default_factory=list)


def _tokenize(text: str, lo: int, hi: int) -> list[Token]:
    out: list[Token] = []
    for m in _TOKEN.finditer(text, lo, hi):
        word = m.group()
        if len(word) > 1 and word.endswith(".") and word[0].isalpha():
            base = word[:-1]
            nxt = text[m.end():m.end() + 1]
            keep = (_ABBREV_OK.match(word) or "." in base
                    or (nxt in (",", ")") and ("-" in base or len(base) <= 3
                                               or base.lower() in STATE_ABBREVIATIONS))
                    or base.lower() in NAME_PREFIX_TITLES or base.lower() in _SUFFIXES
                    or base.lower() in {"st", "mt", "ft", "no", "vs", "inc", "corp", "co",
                                        "ltd", "jan", "feb", "aug", "sept", "oct", "nov", "dec"})
            if not keep:
                out.append(Token(base, m.start(), m.end() - 1))
                out.append(Token(".", m.end() - 1, m.end()))
                continue
        if word[-1:] in "'’" and len(word) > 1:
            out.append(Token(word[:-1], m.start(), m.end() - 1))
            continue
        out.append(Token(word, m.start(), m.end()))
    return out


def _strip_possessive(word: str) -> tuple[str, bool]:
    for suffix in ("'s", "’s"):
        if word.endswith(suffix):
            return word[: -len(suffix)], True
    return word, False


def _is_name_word(tok: Token) -> bool:
    if not tok.cap or tok.low in NOT_NAME or tok.low in MONTHS_DAYS:
        return False
    return tok.low not in PRONOUNS


def _analyse_run(words: list[Token]) -> Mention | None:
    """Split titles from a capitalised run and decide person vs organisation."""
    if not words:
        return None
    titles: list[str] = []
    i = 0
    while i < len(words) - 1 and words[i].low.replace(".", "") in NAME_PREFIX_TITLES:
        titles.append(words[i].low.replace(".", ""))
        i += 1
    name_toks = words[i:]
    # "Republican Indiana Gov. Mike Pence": the name follows the last title word.
    for k in range(len(name_toks) - 2, -1, -1):
        low = name_toks[k].low.replace(".", "")
        if low in TITLE_ONLY and low not in ("general", "state"):
            titles.extend(t.low.replace(".", "") for t in name_toks[:k + 1])
            name_toks = name_toks[k + 1:]
            break
    # "First Selectman David Okafor": capitalised role words before a known first name.
    for k in range(1, len(name_toks) - 1):
        low = name_toks[k].low
        if (low in MALE_NAMES or low in FEMALE_NAMES) and all(
                t.low.replace(".", "") not in _PARTICLES and t.low not in MALE_NAMES
                and t.low not in FEMALE_NAMES for t in name_toks[:k]):
            titles.extend(t.low.replace(".", "") for t in name_toks[:k])
            name_toks = name_toks[k:]
            break
    if len(name_toks) > 4:
        return None  # a title-case headline, not a name
    name = []
    possessive = False
    for t in name_toks:
        w, poss = _strip_possessive(t.text)
        name.append(w.rstrip(",") if not w.endswith(".") or _ABBREV_OK.match(w) or
                    w.lower().rstrip(".") in _SUFFIXES else w.rstrip("."))
        possessive = possessive or poss
        if poss:
            break
    name_low = [w.lower().rstrip(".") for w in name]
    is_org = any(w in ORG_WORDS for w in name_low) or (any(
        t in ("house", "white", "senate", "state") for t in titles) and len(name) < 2)
    is_org = is_org or _not_a_person(name_low, titles)
    gender = ""
    for title in titles:
        gender = gender or PERSON_TITLES.get(title, "")
    if not gender and name_low:
        first = name_low[0]
        if first in FEMALE_NAMES and first not in MALE_NAMES:
            gender = "f"
        elif first in MALE_NAMES and first not in FEMALE_NAMES:
            gender = "m"
    start = words[0].start
    return Mention(tuple(name), start, name_toks[-1].end, gender, is_org, tuple(titles))


def _not_a_person(low: list[str], titles: list[str]) -> bool:
    """Capitalised runs that are never people: party/nationality adjectives alone
    ("Republican", "North Korean"), events ("Obama Speech", "Presidential Debate")
    and places ("North Korea", "Chicago"). They are kept as bodies (a country may
    "say" something) but never become persons for names or pronouns."""
    if not low:
        return False
    if all(w in DEMONYMS or w in ("north", "south", "new") for w in low) \
            and any(w in DEMONYMS for w in low):
        return True
    if low[-1] in EVENT_NOUNS:
        return True
    return " ".join(low) in PLACES and not any(
        t in NAME_PREFIX_TITLES and t not in DEMONYMS for t in titles)


def _opening_gerund(tokens: list[Token], i: int) -> bool:
    """'Watching McLean perform, ...', 'During Obama's term': a capitalised -ing word
    opening a sentence is a verb or preposition, not a first name."""
    t = tokens[i]
    if not (t.cap and t.low.endswith("ing") and len(t.low) > 5):
        return False
    if t.low in MALE_NAMES or t.low in FEMALE_NAMES:
        return False
    return i == 0 or tokens[i - 1].text.endswith((".", "!", "?", ":", '"', "”", "’"))


def _runs(tokens: list[Token]) -> list[list[Token]]:
    """Maximal runs of name-like capitalised tokens (with inner particles)."""
    runs: list[list[Token]] = []
    cur: list[Token] = []
    for i, t in enumerate(tokens):
        if not cur and _opening_gerund(tokens, i):
            continue
        if _is_name_word(t) or (cur and t.low in _PARTICLES and i + 1 < len(tokens)
                                and tokens[i + 1].cap):
            cur.append(t)
            if t.text.endswith(("'s", "’s")):
                runs.append(cur)
                cur = []
            continue
        if cur:
            runs.append(cur)
            cur = []
    if cur:
        runs.append(cur)
    return runs


def _build_doc(text: str, spans: list[QuoteSpan]) -> _Doc:
    outside: list[Token] = []
    pos = 0
    for q in spans:
        outside.extend(_tokenize(text, pos, q.outer_start))
        outside.append(Token("\u201c", q.outer_start, q.outer_start))  # boundary marker
        pos = max(pos, q.outer_end)
    outside.extend(_tokenize(text, pos, len(text)))
    doc = _Doc(text, outside)
    paras = paragraph_bounds(text)
    doc.paras = paras
    head_end = paras[0][1] if len(paras) > 1 and _is_headline(text, *paras[0]) else 0
    doc.head_end = head_end
    # Mentions: split runs at newlines too (headlines vs body).
    for run in _runs([t for t in outside if t.text != "\u201c" and t.start >= head_end]):
        pieces: list[list[Token]] = [[]]
        for a, b in zip(run, [*run[1:], None], strict=False):
            pieces[-1].append(a)
            if b is not None and "\n" in text[a.end:b.start]:
                pieces.append([])
        for piece in pieces:
            m = _analyse_run(piece)
            if m is not None and m.name:
                doc.mentions.append(m)
    _role_gender(doc)
    _propagate_gender(doc)
    _mark_persons(doc)
    if head_end:
        _headline_names(doc, [t for t in outside if t.text != "\u201c" and t.end <= head_end])
    return doc


def _headline_names(doc: _Doc, head: list[Token]) -> None:
    """A headline often gives the only full name of someone the body calls by surname
    (``Hillary Clinton Goes After ...`` then ``Clinton said``): a known first name there
    makes the body's surname a gendered, confident person. Headline runs are not
    mentions themselves (their capitals are unreliable)."""
    known: dict[str, str] = {}
    for i in range(len(head) - 1):
        first, last = head[i].low, _strip_possessive(head[i + 1].text)[0]
        if not head[i].cap or not head[i + 1].cap:
            continue
        if first in FEMALE_NAMES and first not in MALE_NAMES:
            known.setdefault(last, "f")
        elif first in MALE_NAMES and first not in FEMALE_NAMES:
            known.setdefault(last, "m")
    if not known:
        return
    for m in doc.mentions:
        g = known.get(m.surname)
        if g is None or m.is_org or (m.gender and m.gender != g):
            continue
        if not m.gender and len(m.name) == 1:
            m.gender = g
        doc.confident.add(m.surname)


def _role_gender(doc: _Doc) -> None:
    """A gendered role noun right before a name gives its gender ("9/11 widow Terry
    Strada", "his mother, Jane Doe") and marks it a person."""
    starts = {t.start: i for i, t in enumerate(doc.tokens)}
    for m in doc.mentions:
        i = starts.get(m.start)
        if i is None or m.is_org:
            continue
        k = i - 1
        if k >= 0 and doc.tokens[k].text == ",":
            k -= 1
        if k >= 0 and not doc.tokens[k].cap and doc.tokens[k].low in GENDERED_NOUNS:
            m.gender = GENDERED_NOUNS[doc.tokens[k].low]
            doc.confident.add(m.surname)


_VERBISH = {"is", "was", "has", "had", "will", "would", "did", "does", "could", "can", "also",
            "who", "then", "later", "now", "still"}


def _mark_persons(doc: _Doc) -> None:
    """Decide which surnames name real people and which mentions are subjects."""
    for m in doc.mentions:
        if m.is_org:
            continue
        low = [w.lower().rstrip(".") for w in m.name]
        person_title = any(t in PERSON_TITLES and t not in ("house", "senate", "white", "state",
                                                              "press", "foreign", "defense",
                                                              "first", "majority", "minority")
                           for t in m.titles)
        initial = any(len(w) == 1 for w in low[1:-1])
        known_first = len(low) >= 2 and (low[0] in MALE_NAMES or low[0] in FEMALE_NAMES)
        if person_title or initial or known_first:
            doc.confident.add(m.surname)
    tokens = doc.tokens
    starts = {t.start: i for i, t in enumerate(tokens)}
    for m in doc.mentions:
        i = starts.get(m.start)
        if i is None:
            continue
        k = i - 1
        while k >= 0 and ((tokens[k].low in NOT_NAME and tokens[k].cap)
                          or tokens[k].low.replace(".", "") in NAME_PREFIX_TITLES
                          or (tokens[k].text in (",",) and k == i - 1 and False)):
            k -= 1
        sentence_initial = k < 0 or tokens[k].text in _SENT_END or tokens[k].text == "\u201c" \
            or "\n" in doc.text[tokens[k].end:tokens[k + 1].start if k + 1 < len(tokens) else k]
        j = i
        while j < len(tokens) and tokens[j].start < m.end:
            j += 1
        followed = j < len(tokens) and (tokens[j].low in CUE_FORMS or tokens[j].low in _VERBISH
                                        or (tokens[j].text == "," and not sentence_initial))
        if sentence_initial or followed:
            doc.salient.add(m.start)


def _propagate_gender(doc: _Doc) -> None:
    """Share known genders between mentions of the same surname and first name."""
    by_full: dict[str, str] = {}
    for m in doc.mentions:
        if m.gender and not m.is_org:
            by_full.setdefault(m.text, m.gender)
    for m in doc.mentions:
        if not m.gender and m.text in by_full:
            m.gender = by_full[m.text]


# --------------------------------------------------------------------------- resolution


def _persons_before(doc: _Doc, pos: int) -> list[Mention]:
    return [m for m in doc.mentions if m.start < pos and not m.is_org]


def _full_name(doc: _Doc, mention: Mention, pos: int) -> str:
    """The fullest name the text gives for a (possibly short) person mention."""
    if mention.is_org:
        return mention.text
    words = mention.name
    if len(words) >= 2:
        return mention.text
    word = words[0]
    candidates = [m for m in doc.mentions if not m.is_org and len(m.name) >= 2
                  and (m.surname == word or m.name[0] == word)]
    if mention.gender:
        # "Mr. Obama" is never expanded to "Michelle Obama": keep the surname instead.
        candidates = [m for m in candidates if m.gender in ("", mention.gender)]
    if not candidates:
        return word
    before = [m for m in candidates if m.start < pos]
    best = max(before, key=lambda m: m.start) if before else min(candidates, key=lambda m: m.start)
    return best.text


def _gender_of(doc: _Doc, name: str) -> str:
    for m in doc.mentions:
        if m.text == name and m.gender:
            return m.gender
    short = [m for m in doc.mentions if m.gender and m.surname == name.split()[-1]]
    return short[0].gender if len({m.gender for m in short}) == 1 else ""


def _is_person(doc: _Doc, m: Mention) -> bool:
    return not m.is_org and m.surname in doc.confident


def _by_recency(doc: _Doc, gender: str, pos: int,
                title_hint: str = "") -> tuple[str, int] | None:
    """Nearest preceding compatible person (and where it was found); subjects in the
    recent text first."""
    if doc.persons is None:
        doc.persons = sorted((m for m in doc.mentions if _is_person(doc, m)),
                             key=lambda m: m.start)
        doc.person_starts = [m.start for m in doc.persons]
    k = bisect.bisect_left(doc.person_starts, pos)
    persons = doc.persons[max(0, k - 200):k][::-1]  # the nearest 200 are plenty
    if not title_hint:
        said = _recent_speech_subject(doc, gender, pos)
        if said is not None:
            return said
    if not persons:
        return None
    if title_hint:
        titled = [m for m in persons if title_hint in m.titles and "vice" not in m.titles]
        if titled:
            return _full_name(doc, titled[0], pos), titled[0].start
    window = [m for m in persons if pos - m.start < 1500]
    for pool in ([m for m in window if m.start in doc.salient], persons):
        for m in pool:
            full = _full_name(doc, m, pos)
            g = m.gender or _gender_of(doc, full)
            if not gender or g in (gender, ""):
                return full, m.start
    return None


def _resolve_pronoun(doc: _Doc, gender: str, pos: int, title_hint: str = "") -> str | None:
    """Recency first; when other compatible people were mentioned in the same stretch
    of text as the recency pick, the one the article has mentioned most so far wins
    (news pronouns mostly refer to the story's protagonist)."""
    found = (_paragraph_topic(doc, gender, pos) if gender in ("m", "f") and not title_hint
             else None) or _by_recency(doc, gender, pos, title_hint)
    if found is None:
        return None
    best, anchor = found
    if gender not in ("m", "f") or title_hint:
        return best
    lo, hi = _sentence_around(doc.text, anchor)
    hi = min(hi, pos)
    if doc.persons is None:
        _by_recency(doc, gender, pos)
    assert doc.persons is not None
    k = bisect.bisect_left(doc.person_starts, lo)
    rivals: dict[str, int] = {}
    while k < len(doc.persons) and doc.persons[k].start < hi:
        m = doc.persons[k]
        k += 1
        if m.start not in doc.salient:
            continue  # only people in subject position compete
        full = _full_name(doc, m, pos)
        if full in rivals or full == best:
            continue
        g = m.gender or _gender_of(doc, full)
        if g == gender or (not g and len(m.name) >= 2):
            rivals[full] = _mention_count(doc, full, pos)
    if not rivals:
        return best
    top, n = max(rivals.items(), key=lambda kv: kv[1])
    return top if n > _mention_count(doc, best, pos) else best


def _sentence_around(text: str, anchor: int) -> tuple[int, int]:
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
    return word in NAME_PREFIX_TITLES or len(word) == 1


def _mention_count(doc: _Doc, full: str, pos: int) -> int:
    """How often the article has named this person (by surname) before ``pos``."""
    if not doc.surname_starts:
        for m in doc.mentions:
            if not m.is_org:
                doc.surname_starts.setdefault(m.surname, []).append(m.start)
    surname = full.split()[-1] if full else ""
    return bisect.bisect_left(doc.surname_starts.get(surname, []), pos)


_SPEECH_WINDOW = 1200  # characters back in which a speech subject is still "current"


def _speech_subjects(doc: _Doc) -> None:
    """Collect the named subjects of every speech verb outside quotes, indirect
    speech included ("McLenney said Clinton ..."): pronouns in news copy mostly
    continue the last person reported as speaking."""
    tokens = doc.tokens
    out: list[tuple[int, str]] = []
    for i, t in enumerate(tokens):
        if t.low not in CUE_FORMS or t.low in PARTICIPLES or not _is_cue(tokens, i):
            continue
        s = _sentence_start(tokens, i, max(0, i - 60))
        subj = _subject_left(tokens, i, s)
        if subj is None and i + 1 < len(tokens) and tokens[i + 1].cap:
            subj = _np_right(tokens, i + 1, min(len(tokens), i + 12))
        if subj is None or subj.kind != "name":
            continue
        m = _analyse_run(subj.tokens)
        if m is None or not m.name or m.is_org:
            continue
        out.append((subj.pos, _full_name(doc, m, subj.pos)))
    out.sort()
    doc.speech_subjects = out
    doc.speech_starts = [p for p, _ in out]


def _recent_speech_subject(doc: _Doc, gender: str, pos: int) -> tuple[str, int] | None:
    if doc.speech_subjects is None:
        _speech_subjects(doc)
    assert doc.speech_subjects is not None
    k = bisect.bisect_left(doc.speech_starts, pos)
    for start, name in reversed(doc.speech_subjects[max(0, k - 20):k]):
        if pos - start > _SPEECH_WINDOW:
            break
        g = _gender_of(doc, name)
        if not gender or g in (gender, ""):
            return name, start
    return None


_TITLE_FOR_NOUN = {"senator": "sen", "president": "president", "governor": "gov",
                   "congressman": "rep", "congresswoman": "rep", "mayor": "mayor",
                   "general": "gen", "judge": "judge", "secretary": "secretary"}


def _paragraph_topic(doc: _Doc, gender: str, pos: int) -> tuple[str, int] | None:
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
    s = _first_at(doc.tokens, lo)
    e = s
    while e < len(doc.tokens) and doc.tokens[e].text not in _SENT_END \
            and doc.tokens[e].text != "\u201c" and doc.tokens[e].start < pos:
        e += 1
    first = _first_subject(doc.tokens, s, e)
    if first is None or first.kind != "name" or first.pos >= pos:
        return None
    m = _analyse_run(first.tokens)
    if m is None or not m.name or m.is_org:
        return None
    full = _full_name(doc, m, first.pos)
    g = _gender_of(doc, full) or m.gender
    if g != gender and not (not g and m.surname in doc.confident):
        return None
    return full, first.pos


def _resolve(doc: _Doc, subj: Subject) -> str | None:
    if subj.kind == "pronoun":
        g = PRONOUNS.get(subj.tokens[0].low, "")
        if g in ("m", "f"):
            return _resolve_pronoun(doc, g, subj.pos)
        return None
    if subj.kind == "name":
        m = _analyse_run(subj.tokens)
        if m is None or not m.name:
            return None
        return _full_name(doc, m, subj.pos)
    # Common-noun phrase.
    words = [t.low for t in subj.tokens]
    head = words[-1]
    det = words[0] if words[0] in _DETERMINERS else ""
    caps = [t for t in subj.tokens if t.cap and t.low not in NOT_NAME]
    if caps and any(t.low in ORG_WORDS for t in caps):
        org = " ".join(t.text for t in subj.tokens if t.low not in _DETERMINERS)
        return org
    if det == "the" and len(caps) == len(subj.tokens) - 1 and subj.tokens[0].low == "the" \
            and head not in PERSON_NOUNS:
        return " ".join(t.text for t in caps)  # a publication or body: "The New Yorker"
    if det == "the" and (head in PERSON_NOUNS or head.endswith("-old")) \
            and head not in GENERIC_SPEAKERS:
        # "the businessman" is a man, "the congresswoman" a woman.
        return _resolve_pronoun(doc, GENDERED_NOUNS.get(head, ""), subj.pos,
                                _TITLE_FOR_NOUN.get(head, ""))
    if head in GENERIC_SPEAKERS or head in PERSON_NOUNS:
        return " ".join(t.text for t in subj.tokens)
    if det in _POSSESSIVE_DETS and len(subj.tokens) <= 3 and _plural_noun(head):
        return " ".join(t.text for t in subj.tokens)  # "his surrogates", "their lawyers"
    return None


_POSSESSIVE_DETS = {"his", "her", "their", "its", "our"}


def _plural_noun(word: str) -> bool:
    """A plain plural common noun (``surrogates``, ``allies``), not a verb form."""
    return word.isalpha() and len(word) > 3 and word.endswith("s") \
        and not word.endswith(("ss", "us", "is")) and word not in CUE_FORMS


# --------------------------------------------------------------------------- subjects


def _np_left(tokens: list[Token], j: int, lo: int) -> Subject | None:
    """The subject phrase ending at token j (inclusive), scanning no further left than lo."""
    if j < lo:
        return None
    t = tokens[j]
    if t.text == ")":
        k = _open_paren(tokens, j, lo)
        return _np_left(tokens, k - 1, lo) if k is not None and k - 1 >= lo \
            and tokens[k - 1].cap else None
    if t.low in PRONOUNS and t.low not in ("him", "her"):
        return Subject("pronoun", [t], t.start)
    if _is_name_word(t) or (t.cap and t.text.endswith(("'s", "’s"))):
        k = j
        while k - 1 >= lo and ((tokens[k - 1].cap and tokens[k - 1].low not in NOT_NAME
                               and tokens[k - 1].low not in MONTHS_DAYS)
                               or tokens[k - 1].low in _PARTICLES):
            k -= 1
        run = tokens[k:j + 1]
        if k - 1 >= lo and tokens[k - 1].low in _DETERMINERS and not (
                tokens[k - 1].low in ("that", "this") and not tokens[k - 1].cap
                and _is_name_word(run[0]) and len(run) >= 2):
            return Subject("np", tokens[k - 1:j + 1], tokens[k - 1].start)
        if _org_run(run):
            return Subject("np", run, run[0].start)
        return Subject("name", run, run[0].start)
    if not t.text[:1].isalnum() or t.low in _NP_STOP or t.low in CUE_FORMS:
        return None
    k = j
    while k - 1 >= lo and j - k < 5:
        prev = tokens[k - 1]
        if prev.low in _DETERMINERS:
            k -= 1
            break
        if not prev.text[:1].isalnum() or prev.low in _NP_STOP or prev.low in CUE_FORMS:
            break
        if prev.text.endswith(("'s", "’s")):  # "Trump's campaign"
            k -= 1
            continue
        k -= 1
    phrase = tokens[k:j + 1]
    if phrase[0].low not in _DETERMINERS and t.low not in GENERIC_SPEAKERS and not (
            phrase[0].text.endswith(("'s", "’s")) and t.low in PERSON_NOUNS):
        return None
    return Subject("np", phrase, phrase[0].start)


def _open_paren(tokens: list[Token], j: int, lo: int) -> int | None:
    """Index of the ``(`` of a short parenthetical closing at ``j`` (a party and state
    after a name, ``Rep. Jim Jordan (R-Ohio)``), or None."""
    k = j - 1
    while k >= lo and j - k <= 6:
        if tokens[k].text == "(":
            return k
        if tokens[k].text in _SENT_END or tokens[k].text in ("\u201c", ")"):
            return None
        k -= 1
    return None


def _org_run(run: list[Token]) -> bool:
    """Whether a capitalised run names an organisation. An organisation word in the
    title part of a person's name does not count: ``House Speaker Paul Ryan``,
    ``White House Press Secretary Josh Earnest`` are people."""
    if not any(x.low in ORG_WORDS for x in run):
        return False
    m = _analyse_run(run)
    return m is None or not m.name or any(w.lower().rstrip(".") in ORG_WORDS for w in m.name)


def _skip_appositive(tokens: list[Token], j: int, lo: int) -> int:
    """Index of the last token of the NP before ``, appositive ,`` ending at j."""
    if tokens[j].text == ")":
        k = j
        while k > lo and tokens[k].text != "(":
            k -= 1
        return k - 1 if k > lo else j
    if tokens[j].text != ",":
        return j
    k = j - 1
    while k >= lo and j - k < 30:
        if tokens[k].text == ",":
            return k - 1
        if tokens[k].text in _SENT_END or tokens[k].text == "\u201c":
            return -1
        k -= 1
    return -1


_LY_NOUNS = {"family", "ally", "assembly", "rally", "supply", "anomaly", "monopoly", "belly",
             "bully", "folly", "reply", "daily", "weekly", "monthly", "quarterly", "homily"}


def _manner_adverb(t: Token) -> bool:
    """A lower-case -ly adverb between a subject and its verb (``Jane Roe forcefully
    told ...``); not the -ly nouns (``the family said``)."""
    return not t.cap and len(t.low) > 4 and t.low.endswith("ly") and t.low.isalpha() \
        and t.low not in _LY_NOUNS


def _subject_left(tokens: list[Token], cue: int, lo: int) -> Subject | None:
    j = cue - 1
    while j >= lo and ((tokens[j].low in AUX_ADVERBS and not tokens[j].cap)
                       or tokens[j].low in MONTHS_DAYS or _manner_adverb(tokens[j])):
        j -= 1
    if j >= lo and tokens[j].text in (",", ")"):
        j = _skip_appositive_chain(tokens, j, lo)
        while j >= lo and tokens[j].low in AUX_ADVERBS and not tokens[j].cap:
            j -= 1
    if j < lo:
        return None
    subj = _np_left(tokens, j, lo)
    return _postmodified_head(tokens, subj, lo) if subj is not None else None


_POSTMODIFIER_PREPS = {"of", "in", "at", "from", "on", "for", "with"}


def _postmodified_head(tokens: list[Token], subj: Subject, lo: int) -> Subject:
    """The head of a subject with a prepositional post-modifier: ``Mr. Morgan of the
    Sierra Club said``, ``a narrator in the ad asks``, ``A document on the campaign's
    website states`` -> the phrase before the preposition (the speaker), not the
    object of the preposition. Keeps ``subj`` when no phrase parses there."""
    for _ in range(3):
        k = _first_at(tokens, subj.tokens[0].start)
        if k >= len(tokens) or tokens[k].start != subj.tokens[0].start or k - 2 < lo \
                or tokens[k - 1].low not in _POSTMODIFIER_PREPS or tokens[k - 1].cap:
            return subj
        outer = _np_left(tokens, k - 2, lo)
        if outer is None or outer.kind == "pronoun":
            return subj
        if len(outer.tokens) == 1 and outer.tokens[0].low in PERSON_TITLES:
            return _drop_department(subj)  # "Secretary of State John Kerry"
        subj = _appositive_name(tokens, outer, lo) or outer
    return subj


def _appositive_name(tokens: list[Token], np: Subject, lo: int) -> Subject | None:
    """The name before an indefinite description set off by a comma: ``Robert Abrams,
    a psychiatrist at the hospital said`` -> Robert Abrams (the closing comma is
    often dropped)."""
    if np.kind != "np" or np.tokens[0].low not in ("a", "an"):
        return None
    k = _first_at(tokens, np.tokens[0].start)
    if k - 2 < lo or tokens[k - 1].text != ",":
        return None
    name = _np_left(tokens, k - 2, lo)
    return name if name is not None and name.kind == "name" else None


def _drop_department(subj: Subject) -> Subject:
    """``State John Kerry`` of ``Secretary of State John Kerry`` -> ``John Kerry``."""
    toks = list(subj.tokens)
    while len(toks) > 1 and toks[0].low in DEPARTMENT_WORDS:
        toks.pop(0)
    return Subject(subj.kind, toks, toks[0].start)


_APPOSITIVE_OPENERS = {"who", "which", "of", "from", "in", "a", "an", "the", "whose", "now",
                       "then", "once", "also", "both", "himself", "herself", "one", "age"}


def _skip_appositive_chain(tokens: list[Token], j: int, lo: int) -> int:
    """Like :func:`_skip_appositive` but through a chain of appositives:
    ``Donna Rawlings, 59, of Ashton, Md., who watched ..., said`` -> ``Rawlings``.

    Segments that open like an appositive (a relative pronoun, a preposition, an
    article, a number) are skipped, and so is a short capitalised segment right
    after an ``of``/``from``/``in`` segment (the state of a home town). Falls back to
    the single-appositive answer when the chain ends without a name."""
    first = _skip_appositive(tokens, j, lo)
    k = first
    for _ in range(6):
        if k < lo:
            break
        seg_end = k
        seg_start = seg_end
        while seg_start - 1 >= lo and tokens[seg_start - 1].text not in (",", ".", "!", "?",
                                                                        "\u201c"):
            seg_start -= 1
        if seg_start - 1 < lo or tokens[seg_start - 1].text != ",":
            # The sentence start: this segment holds the subject, unless it is an
            # introductory phrase ("In Washington, the senator, who ..., said").
            return first if tokens[seg_start].low in _INTRO_PREPS else seg_end
        opener = tokens[seg_start]
        prev_start = seg_start - 1
        while prev_start - 1 >= lo and tokens[prev_start - 1].text not in (",", ".", "!", "?",
                                                                          "\u201c"):
            prev_start -= 1
        place = (seg_end - seg_start <= 1 and opener.cap
                 and prev_start < seg_start - 1
                 and tokens[prev_start].low in ("of", "from", "in"))
        role = not opener.cap and (opener.low in PERSON_NOUNS or opener.low in _ROLE_NOUNS
                                   or opener.low in PERSON_TITLES)
        if opener.low in _APPOSITIVE_OPENERS or opener.text[:1].isdigit() or place or role:
            k = seg_start - 2
            continue
        if opener.cap and opener.low not in NOT_NAME:
            return seg_end
        break
    return first


def _title_then_name(phrase: list[Token]) -> list[Token]:
    """``MSNBC host Chris Matthews``, ``9/11 widow Terry Strada``: the capitalised name
    after a lower-case role noun, else []."""
    lower = [i for i, x in enumerate(phrase) if not x.cap and x.low not in _PARTICLES]
    if not lower:
        return []
    last = lower[-1]
    tail = phrase[last + 1:]
    if not tail or not all(_is_name_word(x) or x.low in _PARTICLES for x in tail):
        return []
    if phrase[last].low not in PERSON_NOUNS and phrase[last].low not in PERSON_TITLES \
            and phrase[last].low not in _ROLE_NOUNS:
        return []
    if _org_run(tail):
        return []
    return tail


_ROLE_NOUNS = {"widow", "widower", "host", "economist", "chief", "columnist", "editor",
               "organizer", "organiser", "spokesman", "spokeswoman", "spokesperson",
               "correspondent", "commentator", "pundit", "lawyer", "attorney", "adviser",
               "advisor", "aide", "manager", "chair", "president", "member", "niece",
               "nephew", "mother", "father", "son", "daughter", "wife", "husband"}


def _np_right(tokens: list[Token], j: int, hi: int) -> Subject | None:
    if j >= hi:
        return None
    t = tokens[j]
    if t.low in PRONOUNS:
        return Subject("pronoun", [t], t.start)
    k = j
    if t.low in _DETERMINERS:
        k += 1
    phrase: list[Token] = []
    while k < hi and len(phrase) < 8:
        x = tokens[k]
        if x.low in _NP_STOP or (not x.text[:1].isalnum() and x.text not in ("-",)):
            break
        if x.low in CUE_FORMS and phrase:
            break
        phrase.append(x)
        if x.text.endswith(("'s", "’s")) and not x.cap:
            break
        k += 1
    if not phrase:
        return None
    if t.low not in _DETERMINERS:
        # A name run: keep the leading capitalised part ("Hope Hicks" of "Hope Hicks told").
        run = []
        for x in phrase:
            if not (x.cap or x.low in _PARTICLES):
                break
            run.append(x)
        tail = _title_then_name(phrase)
        if tail:
            return Subject("name", tail, tail[0].start)
        if run and _is_name_word(run[-1]) and not _org_run(run):
            # Title then name: "said Trump spokeswoman Hope Hicks" -> take the last run.
            return Subject("name", run, run[0].start)
        if run:
            return Subject("np", run, run[0].start)
        if phrase[-1].low in GENERIC_SPEAKERS:
            return Subject("np", phrase, phrase[0].start)
        return None
    # "said the senator", "said a spokesman": keep the trailing capitalised name if any.
    caps_tail: list[Token] = []
    for x in reversed(phrase):
        if _is_name_word(x):
            caps_tail.insert(0, x)
        else:
            break
    if caps_tail and not _org_run(caps_tail) and (
            len(caps_tail) < len(phrase) or len(caps_tail) >= 2 or tokens[j].low != "the"):
        return Subject("name", caps_tail, caps_tail[0].start)
    return Subject("np", [tokens[j], *phrase], tokens[j].start)


# --------------------------------------------------------------------------- cues


_BARE_CUES = {"say", "read", "call"}
_CUE_LEMMAS = set(CUE_FORMS.values()) - {"put", "read", "begin", "start", "continue", "point"}
_MODALS = {"would", "will", "could", "might", "may", "should", "must", "can"}
_NOUNISH_CUES = {"states", "reports", "claims", "charges", "comments", "remarks", "posts",
                 "calls", "notes", "promises", "demands", "tweets", "labels", "statements"}
_PLURAL_PRONOUNS = {"they", "we", "i", "you"}


def _bare_cue(tokens: list[Token], i: int) -> bool:
    """Base forms that are cues only in a plain clause: ``Mexicans often say, "..."``,
    ``critics say`` (a plural or first/second-person subject; never ``to say``,
    ``let's say``); ``"...," the sign read.`` (past ``read`` right before the
    clause ends, after a noun: never the imperative ``Read more``)."""
    k = i - 1
    while k >= 0 and tokens[k].low in AUX_ADVERBS and tokens[k].low not in (
            "would", "could", "might", "may", "will", "did", "do", "does", "not"):
        k -= 1
    if k < 0:
        return False
    prev = tokens[k]
    if prev.low in _MODALS:  # "A reader would now ask: ..."
        return k > 0 and tokens[k - 1].text[:1].isalpha() and tokens[k - 1].low not in _NP_STOP \
            and tokens[k - 1].low not in ("it", "this", "which", "what")
    if tokens[i].low not in _BARE_CUES:
        return False
    if tokens[i].low == "call":  # "what they call", "what we call"
        return prev.low in _PLURAL_PRONOUNS and k > 0 and tokens[k - 1].low == "what"
    if tokens[i].low == "say":
        return prev.low in _PLURAL_PRONOUNS or (prev.text[:1].isalpha() and (
            prev.low in GENERIC_SPEAKERS or (prev.low.endswith("s") and prev.low not in
                                             _NP_STOP and prev.low not in CUE_FORMS
                                             and prev.low not in AUX_ADVERBS
                                             and not prev.low.endswith("ss"))))
    nxt = tokens[i + 1].text if i + 1 < len(tokens) else "."
    return nxt in (".", ",", ":", "\u201c") and prev.text[:1].isalpha() and (
        prev.low in GENERIC_SPEAKERS or prev.low == "it" or (
            k > 0 and tokens[k - 1].low in _DETERMINERS))


def _possessive(t: Token) -> bool:
    """``Obama's``, ``the campaign's`` (not the contractions ``he's``, ``it's``)."""
    base, poss = _strip_possessive(t.text)
    return poss and base.lower() not in PRONOUNS and base.lower() not in (
        "that", "who", "what", "there", "here", "it", "where", "let")


def _is_cue(tokens: list[Token], i: int) -> bool:
    t = tokens[i]
    if t.text in ("Said", "Says") and (i == 0 or tokens[i - 1].text in _SENT_END) \
            and i + 1 < len(tokens) and tokens[i + 1].cap:
        return True  # inverted: "Said Ellis: ..."
    if (t.low in _BARE_CUES or t.low in _CUE_LEMMAS) and not t.cap:
        return _bare_cue(tokens, i)
    if t.cap or t.low not in CUE_FORMS:
        return False
    if i > 0 and (tokens[i - 1].low in _DETERMINERS | {"of", "to", "in", "on", "for", "with"}
                  or _possessive(tokens[i - 1])):
        return False  # a noun: "the charges", "news reports", "Obama's remarks"
    if i > 1 and t.low.endswith("s") and tokens[i - 1].cap and tokens[i - 1].low not in PRONOUNS \
            and tokens[i - 2].low in ("of", "%"):
        return False  # a plural noun with a modifier: "32% of Republican claims"
    if t.low in _NOUNISH_CUES and i + 1 < len(tokens) and tokens[i + 1].text in (",", ".", ";", ")"):
        return False  # a plural noun closing a phrase: "in the swing states,"
    lemma = CUE_FORMS[t.low]
    if lemma == "point":
        return i + 1 < len(tokens) and tokens[i + 1].low == "out"
    if lemma == "put":  # "as The New Yorker put it"
        return i + 1 < len(tokens) and tokens[i + 1].low == "it"
    return not (lemma in ("begin", "start", "continue") and i + 1 < len(tokens)
                and tokens[i + 1].low in ("to", "a", "the"))


def _according_to(tokens: list[Token], i: int, hi: int) -> Subject | None:
    if tokens[i].low == "according" and i + 2 <= hi and i + 1 < len(tokens) \
            and tokens[i + 1].low == "to":
        return _np_right(tokens, i + 2, hi)
    return None


def _sentence_start(tokens: list[Token], i: int, lo: int) -> int:
    k = i
    while k > lo and tokens[k - 1].text not in _SENT_END and tokens[k - 1].text != "\u201c":
        k -= 1
    return k


_INTRO_PREPS = {"in", "at", "on", "during", "after", "before", "following", "since", "over",
                "with", "for", "from", "last", "earlier", "later", "meanwhile", "like", "unlike"}


def _first_subject(tokens: list[Token], s: int, e: int) -> Subject | None:
    """The clause subject at a sentence start, for participle cues ("..., saying")."""
    k = _skip_dateline(tokens, s, e)
    if k < e and tokens[k].low in _INTRO_PREPS:
        # An introductory phrase: "At Monday's debate, Clinton cited ...";
        # 'On "Face the Nation," Sen. Jane Roe said' (a title quote, comma inside).
        comma = next((c for c in range(k + 1, min(e, k + 25)) if tokens[c].text == ","), None)
        if k + 2 < e and tokens[k + 1].text == "\u201c" and tokens[k + 2].cap:
            k += 2
        elif comma is not None:
            k = comma + 1
    while k < e and (tokens[k].text in _CLAUSE_PUNCT or (tokens[k].low in NOT_NAME
                     and tokens[k].low not in PRONOUNS)
                     or (tokens[k].low.endswith("ly") and k + 1 < e
                         and tokens[k + 1].text == ",")):  # "Conversely, X rated ..."
        k += 1
    k = _skip_participle_opener(tokens, k, e)
    if k >= e:
        return None
    if k + 1 < e and tokens[k].cap and tokens[k].low.endswith("ing") and tokens[k + 1].cap \
            and tokens[k].low not in MALE_NAMES and tokens[k].low not in FEMALE_NAMES:
        return None  # a gerund with its object: "Watching McLean perform is ...
    if tokens[k].low in PRONOUNS:
        return Subject("pronoun", [tokens[k]], tokens[k].start)
    if _is_name_word(tokens[k]):
        end = k
        while end + 1 < e and (_is_name_word(tokens[end + 1]) or tokens[end + 1].cap):
            end += 1
        described = _described_subject(tokens, k, end, e)
        if described is not None:
            return described
        if _adjective_run(tokens, k, end, e):
            # "The Republican nominee said ...": a definite description of a person;
            # "With Democratic leaders worried, ...": not a subject at all.
            if k > s and tokens[k - 1].low == "the":
                # "The Republican presidential nominee": up to two adjectives between.
                for n in range(end + 1, min(e, end + 4)):
                    if tokens[n].low in PERSON_NOUNS:
                        return Subject("np", tokens[k - 1:n + 1], tokens[k - 1].start)
                    if not tokens[n].text[:1].islower() or tokens[n].low in CUE_FORMS:
                        break
            return None
        return _np_left(tokens, end, k)
    return _group_subject(tokens, s, k, e)


def _group_subject(tokens: list[Token], s: int, k: int, e: int) -> Subject | None:
    """A lower-case group noun phrase opening a clause: ``several environmental
    groups granted ...``, ``Many voters say ...`` -> the phrase (kept as written)."""
    for j in range(k, min(e - 1, k + 4)):
        t = tokens[j]
        if not t.text[:1].islower() or not t.text.isalpha() or t.low in _NP_STOP:
            return None
        if t.low in GENERIC_SPEAKERS and _plural_noun(t.low) and tokens[j + 1].text[:1].islower():
            lo = k
            while lo > s and tokens[lo - 1].text[:1].islower() and tokens[lo - 1].text.isalpha():
                lo -= 1
            return Subject("np", tokens[lo:j + 1], tokens[lo].start)
    return None


def _skip_dateline(tokens: list[Token], s: int, e: int) -> int:
    """Past a wire-copy dateline opening a sentence: ``FLINT, Mich., Oct. 4 (UPI) —
    Former President Bill Clinton criticized ...`` (an upper-case place, then a dash)."""
    t = tokens[s] if s < e else None
    if t is None or len(t.text) < 2 or not t.text.isupper() or not t.text.isalpha():
        return s
    for d in range(s + 1, min(e, s + 14)):
        if tokens[d].text in _DASHES or tokens[d].text == "―":
            return d + 1
        if tokens[d].text in _SENT_END:
            break
    return s


def _skip_participle_opener(tokens: list[Token], k: int, e: int) -> int:
    """Past an opening participle phrase: ``Bemoaning the "phony system," Trump ...``,
    ``Lamenting their luck, Mexicans say ...`` (the -ing word is no name: it is
    followed by a lower-case word, never by a verb as a name subject would be)."""
    t = tokens[k] if k < e else None
    if t is None or not t.cap or not t.low.endswith("ing") or k + 1 >= e \
            or tokens[k + 1].cap or not tokens[k + 1].text[:1].isalpha():
        return k
    for c in range(k + 1, min(e, k + 16)):
        if tokens[c].text == ",":
            return c + 1
        if tokens[c].text in _SENT_END:
            break
    return k


def _described_subject(tokens: list[Token], k: int, end: int, e: int) -> Subject | None:
    """A capitalised modifier before a common noun at a sentence start:
    ``Democratic presidential nominee Hillary Clinton chimed in`` -> the name after
    the role noun; ``Small groups of protesters chanted`` / ``Trump supporters
    chanted`` -> the noun phrase (a group, not the capitalised word)."""
    phrase: list[Token] = []
    i = end + 1
    while i < e and len(phrase) < 4 and tokens[i].text[:1].islower() \
            and tokens[i].low not in CUE_FORMS and tokens[i].low not in _VERBISH \
            and tokens[i].low not in AUX_ADVERBS and tokens[i].low not in _NP_STOP:
        phrase.append(tokens[i])
        i += 1
    if not phrase:
        return None
    names: list[Token] = []
    while i < e and _is_name_word(tokens[i]) and len(names) < 4:
        names.append(tokens[i])
        i += 1
    role = phrase[-1].low
    if not names and tokens[end].text.endswith(("'s", "’s")) and phrase[0].low in GENERIC_SPEAKERS:
        # "Clinton's campaign is seeking ...": the possessed noun is the subject.
        return Subject("np", tokens[k:end + 2], tokens[k].start)
    if names and (role in PERSON_NOUNS or role in PERSON_TITLES or role in _ROLE_NOUNS) \
            and not _org_run(names):
        if names[-1].text.endswith(("'s", "’s")):
            # "... candidate Gary Johnson's doctor is calling ...": the possessed noun.
            if i < e and tokens[i].low in PERSON_NOUNS | GENERIC_SPEAKERS:
                return Subject("np", [*names, tokens[i]], names[0].start)
            return None
        return Subject("name", names, names[0].start)
    if not names and len(phrase) == 1 and role in GENERIC_SPEAKERS and role.endswith("s"):
        return Subject("np", tokens[k:end + 2], tokens[k].start)
    return None


def _adjective_run(tokens: list[Token], k: int, end: int, e: int) -> bool:
    """A party/nationality adjective run modifying a following common noun
    ("Democratic leaders", "Republican nominee")."""
    if not all(t.low in DEMONYMS or t.low in ("north", "south") for t in tokens[k:end + 1]):
        return False
    nxt = tokens[end + 1] if end + 1 < e else None
    return nxt is not None and nxt.text[:1].islower() and nxt.low not in CUE_FORMS \
        and nxt.low not in _VERBISH and nxt.low not in AUX_ADVERBS


_DASHES = {"―", "—", "–", "-", "--"}


def _dash_credit(tokens: list[Token], a: int, b: int, start: int) -> Subject | None:
    """A credit line after a quote: ``"..." ― Jane Doe`` (a name and nothing else)."""
    if a >= b or tokens[a].text not in _DASHES:
        return None
    start = a + 1
    end = start
    while end < b and (_is_name_word(tokens[end]) or (tokens[end].low in _PARTICLES and end > start)):
        end += 1
    if end == start or end - start > 5:
        return None
    if end < b and tokens[end].text not in _SENT_END and tokens[end].text != "\u201c":
        return None
    return Subject("name", tokens[start:end], tokens[start].start)


def _cue_after(tokens: list[Token], a: int, b: int, set_off: bool = True) -> Subject | None:
    """Cue in the clause right after a quote: tokens[a:b].

    ``set_off`` tells whether punctuation ends the quote (``"...," said X``); an
    inverted cue needs it: in ``the ad "wrongfully" suggests that Phoenix ...`` the
    verb after the quote belongs to the sentence the quote sits in."""
    start = a
    while start < b and tokens[start].text in _CLAUSE_PUNCT | {"."}:
        start += 1
    dashed = _dash_credit(tokens, a, b, start)
    if dashed is not None:
        return dashed
    # Initial subject then a (possibly long) appositive: "X, director of ..., said".
    initial = None
    if start < b:
        end = start
        while end + 1 < b and (tokens[end + 1].cap or tokens[end + 1].low in _PARTICLES):
            end += 1
        if tokens[start].cap or tokens[start].low in PRONOUNS:
            initial = _np_left(tokens, end, start)
            comma = _after_parenthetical(tokens, end + 1, b)
            if initial is not None and comma < b and tokens[comma].text == ",":
                for i in range(comma + 1, min(b, comma + 44)):
                    if tokens[i].text in _SENT_END or tokens[i].text == "\u201c":
                        break
                    if tokens[i - 1].text == "," and _is_cue(tokens, i) \
                            and tokens[i].low not in PARTICIPLES:
                        return initial
    limit = min(b, start + _MAX_CUE_AFTER)
    for i in range(start, limit):
        tok = tokens[i]
        if tok.text in _SENT_END or tok.text == "\u201c":
            break
        subj = _according_to(tokens, i, b)
        if subj is not None:
            return subj
        if not _is_cue(tokens, i):
            continue
        if tok.low in PARTICIPLES:
            return None
        if (i == start or all(tokens[x].low in AUX_ADVERBS for x in range(start, i))) \
                and set_off:
            right = _np_right(tokens, i + 1, b)
            if right is not None:
                return right
        left = _subject_left(tokens, i, start)
        # The cue's clause must begin at the quote: not "..." when he said.
        if left is not None and (left.tokens[0].start == tokens[start].start
                                 or _plain_prefix(tokens, start, left.tokens[0].start)):
            return left
        return None
    return None


_CONTINUING_PREPS = {"for", "of", "in", "on", "at", "to", "with", "from", "about", "by", "into",
                     "over", "under", "through", "during"}
def _after_parenthetical(tokens: list[Token], i: int, b: int) -> int:
    """Index just past a short parenthetical starting at ``i`` (``(D-Nev.)``), else i."""
    if i < b and tokens[i].text == "(":
        for k in range(i + 1, min(b, i + 7)):
            if tokens[k].text == ")":
                return k + 1
    return i


_SUBORDINATORS = _NP_STOP | {"as", "because", "so", "whether", "what", "how", "where", "why"}


def _plain_prefix(tokens: list[Token], start: int, subj_start: int) -> bool:
    """Whether the tokens between a quote and a cue's subject leave that subject
    the clause's own: title nouns (``IMF chief economist Maury Obstfeld said``,
    ``Trump lawyer Marc Kasowitz said``) or the rest of a partial quote's sentence
    ending in a comma (``"..." of the plans, Mr. Holtz-Eakin said``). Never a
    subordinate clause: ``"..." when he said``."""
    between = [t for t in tokens[start:] if t.start < subj_start]
    if not between or len(between) > 12:
        return False
    if len(between) == 1 and between[0].low == "as":
        return True  # "...," as the memo put it / as Trump said
    if any(t.text in _SENT_END or t.text == "\u201c" or t.low in CUE_FORMS for t in between):
        return False
    if between[-1].text == ",":
        # A prepositional phrase finishing the quoted clause ("..." for criminal
        # behavior, she said) leaves the cue's subject its own; a subordinate
        # clause ("..." when he said) does not.
        return (between[0].low not in _SUBORDINATORS or between[0].low in _CONTINUING_PREPS) \
            and not any(
            t.low in ("when", "while", "after", "before", "as", "because", "if", "since",
                      "who", "which", "that", "until") for t in between)
    return len(between) <= 4 and all(
        t.text[:1].isalnum() and t.low not in _SUBORDINATORS and t.low not in PRONOUNS
        and t.low not in _DETERMINERS for t in between)


def _cue_before(tokens: list[Token], a: int, b: int) -> Subject | None:
    """Last cue with a subject in the sentence part before a quote: tokens[a:b]."""
    s = _sentence_start(tokens, b, a)
    for i in range(b - 1, s - 1, -1):
        subj = _according_to(tokens, i, b)
        if subj is not None:
            return subj
        if not _is_cue(tokens, i):
            continue
        if tokens[i].low in PARTICIPLES:
            subj = None
            if i - 1 >= s and tokens[i - 1].cap:
                subj = _np_left(tokens, i - 1, s)
            if subj is None:
                for k in range(i - 1, s - 1, -1):
                    if _is_cue(tokens, k) and tokens[k].low not in PARTICIPLES:
                        subj = _subject_left(tokens, k, s)
                        break
            if subj is None:
                subj = _first_subject(tokens, s, i)
        else:
            if i > s and tokens[i - 1].low in ("who", "which", "that"):
                continue  # a relative clause ("a woman who suggested ..."): look further left
            subj = _subject_left(tokens, i, s)
            if subj is None and i + 1 < b \
                    and CUE_FORMS.get(tokens[i].low, tokens[i].low) not in _OBJECT_CUES \
                    and tokens[i + 1].low != "that":
                subj = _np_right(tokens, i + 1, b)  # inverted: "Said Ellis: ..."
        if subj is not None:
            return subj
    return None


# Cues whose right-hand noun phrase is their object, never an inverted subject:
# "called Mr. Obama's remarks ...", "told reporters ...".
_OBJECT_CUES = {"tell", "call", "dub", "label", "brand", "liken", "describe", "urge", "hail",
                "scold", "warn", "charge", "promise"}


# --------------------------------------------------------------------------- driver


def attribute(text: str, spans: list[QuoteSpan]) -> list[str | None]:
    """The speaker of each quote span (same order), or None when not attributable."""
    if not spans:
        return []
    doc = _build_doc(text, spans)
    paras = paragraph_bounds(text)
    tokens = doc.tokens
    markers = [i for i, t in enumerate(tokens) if t.text == "\u201c"]
    para_of = [q.paragraph for q in spans]
    speakers: list[str | None] = [None] * len(spans)
    found_by_cue = [False] * len(spans)
    for qi, q in enumerate(spans):
        m_idx = markers[qi]
        nxt = markers[qi + 1] if qi + 1 < len(markers) else len(tokens)
        prv = markers[qi - 1] + 1 if qi > 0 else 0
        # Limit frames to the quote's paragraph.
        para_start, para_end = paras[q.paragraph]
        b = nxt
        while b > m_idx + 1 and tokens[b - 1].start >= para_end:
            b -= 1
        a = prv
        while a < m_idx and tokens[a].start < para_start:
            a += 1
        if q.paragraph == 0 and doc.head_end:
            speakers[qi] = _headline_speaker(doc, tokens, a, b, para_end)
            if speakers[qi] is not None:
                found_by_cue[qi] = True
                continue
        subj = _label_speaker(text, q, tokens, para_start)
        if subj is None and q.paragraph == 0:
            subj = _topic_label(doc, q)
        if subj is None and not _closes_sentence(text, q):
            subj = _cue_after(tokens, m_idx + 1, b, _set_off(text, q))
        if subj is None:
            subj = _cue_before(tokens, a, m_idx)
            if subj is not None and subj.kind == "pronoun":
                subj = _sentence_subject_for(doc, tokens, a, m_idx, subj)
        if subj is None and _shares_sentence(text, spans, qi, tokens, a, m_idx):
            # A second quote in the sentence of the one before: that quote's cue
            # (or the lack of one) holds for both ("He said that Clinton's "only
            # experience" was her "criminal" attempt").
            speakers[qi] = speakers[qi - 1]
            continue
        if subj is None and a < m_idx:
            subj = _cue_ending_previous_sentence(tokens, a, m_idx)
        if subj is None and a < m_idx and _ends_paragraph(text, q):
            subj = _previous_sentence_subject(doc, tokens, _first_at(tokens, para_start), m_idx)
        if subj is None and a == m_idx and para_start > 0:
            subj = _intro_paragraph(text, tokens, para_start)
        if subj is None and a < m_idx:
            subj = _embedding_subject(doc, tokens, a, m_idx)
        if subj is None and a < m_idx:
            subj = _speech_noun_possessor(tokens, a, m_idx)
        if subj is not None:
            speakers[qi] = _resolve(doc, subj)
            if subj.kind == "pronoun" and qi > 0:
                prev = _previous_speaker(doc, spans, speakers, found_by_cue, qi, subj)
                speakers[qi] = prev or speakers[qi]
            if subj.kind == "pronoun" and speakers[qi] is None:
                speakers[qi] = _previous_body(doc, spans, speakers, found_by_cue, qi, subj)
            if subj.kind == "name" and speakers[qi] is not None:
                _confirm_person(doc, subj)
            found_by_cue[qi] = speakers[qi] is not None
    _inherit(doc, spans, speakers, found_by_cue, para_of, text)
    return speakers


def _shares_sentence(text: str, spans: list[QuoteSpan], qi: int, tokens: list[Token],
                     a: int, m_idx: int) -> bool:
    """Whether quote ``qi`` continues the sentence of the quote before it: same
    paragraph, that quote does not end a sentence, no sentence end in between."""
    if qi == 0 or spans[qi - 1].paragraph != spans[qi].paragraph:
        return False
    prev = spans[qi - 1]
    if text[prev.start:prev.outer_end].rstrip("\"”»'’ ")[-1:] in (".", "!", "?"):
        return False
    return tokens[a - 1].text == "\u201c" and not any(
        t.text in _SENT_END or t.text == ";" or (t.text == ":" and k < m_idx - 1)
        for k, t in enumerate(tokens[a:m_idx], a))


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


def _confirm_person(doc: _Doc, subj: Subject) -> None:
    """The subject of a speech verb is a person (or a body): let pronouns find it
    later even when its first name is unknown ("Johnnie Wilson ... said")."""
    m = _analyse_run(subj.tokens)
    if m is None or not m.name or m.is_org or m.surname in doc.confident:
        return
    if len(m.name) < 2 and not m.titles:
        return  # a lone word may be a place or a paper ("Reuters said")
    doc.confident.add(m.surname)
    doc.persons = None


def _previous_body(doc: _Doc, spans: list[QuoteSpan], speakers: list[str | None],
                   by_cue: list[bool], qi: int, subj: Subject) -> str | None:
    """``"...," it said`` / ``they wrote``: the speaker of the cued quote just before
    (same or previous paragraph) when that speaker is not a named person (a document,
    an organisation, a group)."""
    pron = subj.tokens[0].low
    if pron not in ("it", "they"):
        return None
    for j in range(qi - 1, -1, -1):
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


def _previous_speaker(doc: _Doc, spans: list[QuoteSpan], speakers: list[str | None],
                      by_cue: list[bool], qi: int, subj: Subject) -> str | None:
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
    g = _gender_of(doc, name)
    if g and g != gender:
        return None
    k = bisect.bisect_left(doc.mention_starts, lo)
    while k < len(doc.mentions) and doc.mentions[k].start < subj.pos:
        m = doc.mentions[k]
        if not m.is_org and m.start in doc.salient and _full_name(doc, m, m.start) != name:
            return None
        k += 1
    return name


_HEADLINE_VERBS = {"says", "calls", "sees", "speaks", "slams", "rips", "blasts", "hammers",
                   "warns", "accuses", "compares", "mocks", "urges", "vows", "tells", "asks",
                   "predicts", "admits", "claims", "insists", "denies", "defends", "attacks",
                   "praises", "questions", "dismisses", "rejects", "responds", "tweets"}
_SMALL_WORDS = {"a", "an", "the", "of", "to", "in", "on", "at", "for", "and", "or", "but", "by",
                "as", "is", "with", "from", "if", "into", "vs", "over"}


def _is_headline(text: str, lo: int, hi: int) -> bool:
    """A title-case first line (most words capitalised, short, no sentence run-on)."""
    words = [w.strip("\"“”‘’'(),.:;!?") for w in text[lo:hi].split()]
    words = [w for w in words if w and w[0].isalpha() and w.lower() not in _SMALL_WORDS]
    if not 2 <= len(words) <= 30:
        return False
    return len(words) >= 3 and all(w[0].isupper() for w in words)


def _headline_speaker(doc: _Doc, tokens: list[Token], a: int, b: int, para_end: int) -> str | None:
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
        run.insert(0, _strip_possessive(line[k].text)[0])
        k -= 1
    for m in body:
        if m.surname in run and (len(m.name) < 2 or m.name[0] in run or run[-1] == m.surname):
            return _full_name(doc, m, m.start + 1)
    return None


_LABEL = re.compile(r"\s*([\"“]?)\s*([A-Z][A-Za-z.'’\- ]{1,40}?)\s*:\s")


_TOPIC_LABEL = re.compile(r"\s*((?:[A-Z][\w.'’\-]*\s+){0,2}[A-Z][\w'’\-]*)\s+on\s+[^:\n]{2,60}:\s")


def _topic_label(doc: _Doc, q: QuoteSpan) -> Subject | None:
    """Headline convention ``Obama on Climate Change: The Trends Are 'Terrifying'``:
    the person before ``on`` speaks, when the article names them as a person."""
    line_start = doc.text.rfind("\n", 0, q.outer_start) + 1
    m = _TOPIC_LABEL.match(doc.text, line_start, q.outer_start)
    if m is None:
        return None
    words = m.group(1).split()
    if any(w.lower() in NOT_NAME for w in words):
        return None
    surname = _strip_possessive(words[-1])[0]
    if not any(x.surname == surname and not x.is_org for x in doc.mentions):
        return None
    toks = [Token(w, m.start(1), m.end(1)) for w in words]
    return Subject("name", toks, m.start(1))


def _label_speaker(text: str, q: QuoteSpan, tokens: list[Token], para_start: int) -> Subject | None:
    """Transcript and headline labels: ``"PENCE: Well, ..."``, ``Pence: Trump Was 'Mocking'``."""
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


def _joins_verbs(tokens: list[Token], t: Token) -> bool:
    """``... made a condemnation and pledged to ...``: an ``and`` followed by a
    lower-case word (a second verb of the same subject), not by a new subject."""
    i = bisect.bisect_left(tokens, t.start, key=lambda x: x.start)
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    return nxt is not None and nxt.text[:1].islower() and nxt.low not in PRONOUNS \
        and nxt.low not in _DETERMINERS and nxt.low.endswith("ed")


def _body_subject(doc: _Doc, first: Subject) -> Subject | None:
    """``it``/``they`` in a clause whose sentence opens with a body or group refers to
    it: ``The Security Council ... condemned what it called "..."``, ``Clinton's
    campaign contrasts her plan with what they call "..."``. Never a person."""
    if first.kind == "name":
        m = _analyse_run(first.tokens)
        return first if m is not None and m.name and m.is_org and _resolve(doc, first) else None
    if first.kind != "np":
        return None
    head = first.tokens[-1].low
    if head in PERSON_NOUNS and head not in GENERIC_SPEAKERS:
        return None
    return first if _resolve(doc, first) is not None else None


def _sentence_subject_for(doc: _Doc, tokens: list[Token], a: int, b: int,
                          subj: Subject) -> Subject:
    """A pronoun cue inside a clause whose sentence opens with a named subject refers
    to that subject: ``Ban Ki-moon condemned what he called "..."``, ``Trump said he
    would "..."`` (not to the speaker of some earlier quote)."""
    s = _sentence_start(tokens, b, a)
    first = _first_subject(tokens, s, b)
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
    m = _analyse_run(first.tokens)
    if m is None or m.is_org:
        return subj
    g = _gender_of(doc, m.text) or m.gender
    if g != gender and not (not g and m.surname in doc.confident):
        return subj
    return first


def _cue_ending_previous_sentence(tokens: list[Token], a: int, b: int) -> Subject | None:
    """``..., Schiff said. "..."``: a quote opening a sentence right after one that
    ends with a subject + speech verb (+ a short adverbial) continues that speech."""
    if b - 1 < a or tokens[b - 1].text not in _SENT_END:
        return None
    s = _sentence_start(tokens, b - 1, a)
    for i in range(b - 2, max(s - 1, b - 9), -1):
        t = tokens[i]
        if t.text in _CLAUSE_PUNCT or t.text == "\u201c":
            return None
        if _is_cue(tokens, i) and t.low not in PARTICIPLES \
                and not tokens[i - 1].text.endswith(("'s", "’s")):
            subj = _subject_left(tokens, i, s)
            if subj is None or subj.kind == "np":
                return None
            return subj
    return None


def _first_at(tokens: list[Token], pos: int) -> int:
    """Index of the first token starting at or after ``pos``."""
    return bisect.bisect_left(tokens, pos, key=lambda t: t.start)


def _ends_paragraph(text: str, q: QuoteSpan) -> bool:
    hi = text.find("\n", q.outer_end)
    hi = len(text) if hi == -1 else hi
    return len(text[q.outer_end:hi].strip()) <= 2


def _previous_sentence_subject(doc: _Doc, tokens: list[Token], a: int, b: int) -> Subject | None:
    """A cue-less quote that closes a paragraph right after a sentence about a named
    person quotes that person: ``Sen. Jane Roe (Vt.) singled out young voters on
    Sunday. "They are tired of it."`` (no other quote or person subject between)."""
    if tokens[b - 1].text not in _SENT_END:
        return None
    s = b - 1
    while s > a and tokens[s - 1].text not in _SENT_END and b - s < 80:
        s -= 1
    if any(t.low in CUE_FORMS for t in tokens[s:b - 1]):
        return None  # a sentence with its own speech (and maybe its own quote)
    subj = _first_subject(tokens, s, b - 1)
    if subj is None or subj.kind != "name":
        return None
    m = _analyse_run(subj.tokens)
    if m is None or not m.name or m.is_org or not (m.titles or m.surname in doc.confident):
        return None
    return subj


_SPEECH_NOUNS = {"claim", "claims", "statement", "statements", "remark", "remarks", "comment",
                 "comments", "words", "assertion", "promise", "pledge", "warning", "vow",
                 "tweet", "tweets", "description", "charge", "argument", "prediction"}


def _speech_noun_possessor(tokens: list[Token], a: int, b: int) -> Subject | None:
    """A scare quote in a sentence about someone's words: ``Trump's claim that there
    have been "..."``, ``Trump's statement was "..."`` -> the possessor."""
    s = _sentence_start(tokens, b, a)
    for i in range(b - 1, s, -1):
        if tokens[i].low not in _SPEECH_NOUNS or tokens[i].cap:
            continue
        owner = tokens[i - 1]
        if not owner.cap or not owner.text.endswith(("'s", "’s")):
            continue
        subj = _np_left(tokens, i - 1, s)
        if subj is not None and subj.kind == "name":
            bare = Token(_strip_possessive(owner.text)[0], owner.start, owner.end - 2)
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
    while end < len(tokens) and end - i < 5 and (_is_name_word(tokens[end])
                                                   or tokens[end].low in _PARTICLES):
        end += 1
    if end == i or end >= len(tokens) or not tokens[end].text[:1].islower() \
            or tokens[end].low in _NP_STOP:
        return None
    return Subject("name", tokens[i:end], tokens[i].start)


def _embedding_subject(doc: _Doc, tokens: list[Token], a: int, b: int) -> Subject | None:
    """A partial quote inside a sentence with no speech verb ("X called it "a mess"",
    "X took to Twitter to accuse ... of being "duped""): the sentence's subject, when it
    is a name or a pronoun."""
    s = _sentence_start(tokens, b, a)
    if s >= b:
        return None
    if _skip_participle_opener(tokens, s, b) == s and tokens[s].cap \
            and tokens[s].low.endswith("ing") and s + 1 < b and not tokens[s + 1].cap:
        return _subject_after_opener(tokens, b)
    subj = _first_subject(tokens, s, b)
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
    if nxt and ((nxt[0].text in _CLAUSE_PUNCT and nxt[0].text != ",") or nxt[0].low in _NP_STOP):
        return None
    return subj


def _known_name(doc: _Doc, word: str) -> bool:
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
    parenthetical (``Harry Reid (D-Nev.)``) and a home-state or affiliation phrase
    (``Gov. Earl Ray Tomblin of West Virginia``)."""
    i = _after_parenthetical(tokens, i, b)
    if i + 1 < b and tokens[i].low in ("of", "from") and _is_name_word(tokens[i + 1]):
        k = i + 1
        while k < b and (_is_name_word(tokens[k]) or tokens[k].low in _PARTICLES):
            k += 1
        if k < b and tokens[k].text[:1].islower():
            i = k
    return i


def _group(subj: Subject) -> bool:
    """A group of people as a subject: ``Oversight Committee Republicans``,
    ``several environmental groups`` (a plural speaker noun heads the phrase)."""
    head = subj.tokens[-1].low
    return head in GENERIC_SPEAKERS and _plural_noun(head)


def _definite_person(subj: Subject) -> bool:
    """"The Republican nominee", "the senator": a definite description of a person."""
    words = [t.low for t in subj.tokens]
    return len(words) >= 2 and words[0] == "the" and words[-1] in PERSON_NOUNS \
        and words[-1] not in GENERIC_SPEAKERS


def _intro_paragraph(text: str, tokens: list[Token], para_start: int) -> Subject | None:
    """``He said:`` ending the previous paragraph introduces a paragraph-long quote."""
    prev_end = para_start
    while prev_end > 0 and text[prev_end - 1].isspace():
        prev_end -= 1
    if prev_end == 0 or text[prev_end - 1] != ":":
        return None
    idx = [i for i, t in enumerate(tokens) if t.end <= prev_end]
    if not idx:
        return None
    b = idx[-1]  # the colon token
    s = _sentence_start(tokens, b, 0)
    for i in range(b - 1, s - 1, -1):
        if _is_cue(tokens, i) and tokens[i].low not in PARTICIPLES:
            return _subject_left(tokens, i, s)
    return None


def _inherit(doc: _Doc, spans: list[QuoteSpan], speakers: list[str | None],
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


def _own_sentence_person(doc: _Doc, q: QuoteSpan, inherited: str | None) -> str | None:
    """A cue-less quote in a sentence about someone else than the paragraph's
    speaker belongs to the one person that sentence names before it: ``All this has
    led the journalist Jane Roe to fear a "..."`` (not the speaker quoted earlier in
    the paragraph)."""
    lo, _hi = _sentence_around(doc.text, q.outer_start)
    names: set[str] = set()
    for m in doc.mentions:
        if lo <= m.start < q.outer_start and not m.is_org \
                and (len(m.name) >= 2 or _is_person(doc, m)):
            names.add(_full_name(doc, m, m.start))
    if len(names) != 1 or inherited in names:
        return None
    return names.pop()


def _is_whole_paragraph(text: str, q: QuoteSpan) -> bool:
    lo = text.rfind("\n", 0, q.outer_start) + 1
    hi = text.find("\n", q.outer_end)
    hi = len(text) if hi == -1 else hi
    return not text[lo:q.outer_start].strip() and len(text[q.outer_end:hi].strip()) <= 2
