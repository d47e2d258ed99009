"""Names in the article: capitalised runs analysed into person/organisation mentions.

:func:`build_doc` tokenises the text around the quotes, splits titles from names
(``Republican Indiana Gov. Mike Pence`` -> ``Mike Pence``), tells people from
organisations, places and events, and records which surnames surely name people
(a title, an initial, a known first name, a gendered role noun, a full name in
the headline) and which mentions sit in subject position. Coreference
(:mod:`bot.summarize.speaker_coref`) builds on these facts.
"""

from __future__ import annotations

import logging

from bot.summarize.quote_marks import QuoteSpan, paragraph_bounds
from bot.summarize.quote_names import (
    CUE_FORMS,
    DEMONYMS,
    EVENT_NOUNS,
    FEMALE_NAMES,
    GENDERED_NOUNS,
    MALE_NAMES,
    NAME_PREFIX_TITLES,
    NOT_NAME,
    ORG_WORDS,
    PERSON_TITLES,
    PLACES,
    TITLE_ONLY,
)
from bot.summarize.speaker_tokens import (
    ABBREV_OK,
    PARTICLES,
    SENT_END,
    SUFFIXES,
    VERBISH,
    Doc,
    Mention,
    Token,
    is_name_word,
    strip_possessive,
    tokenize,
)

logger = logging.getLogger(__name__)


def analyse_run(words: list[Token]) -> Mention | None:
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
                t.low.replace(".", "") not in PARTICLES and t.low not in MALE_NAMES
                and t.low not in FEMALE_NAMES for t in name_toks[:k]):
            titles.extend(t.low.replace(".", "") for t in name_toks[:k])
            name_toks = name_toks[k:]
            break
    # "NBC's Dante Chinni": an affiliation in the possessive, then a full name.
    if len(name_toks) >= 3 and name_toks[0].text.endswith(("'s", "’s")) and all(
            is_name_word(t) and not t.text.endswith(("'s", "’s")) for t in name_toks[1:]):
        titles.append(strip_possessive(name_toks[0].text)[0].lower())
        name_toks = name_toks[1:]
    if len(name_toks) > 4:
        return None  # a title-case headline, not a name
    name = []
    possessive = False
    for t in name_toks:
        w, poss = strip_possessive(t.text)
        name.append(w.rstrip(",") if not w.endswith(".") or ABBREV_OK.match(w) or
                    w.lower().rstrip(".") in SUFFIXES else w.rstrip("."))
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
        if is_name_word(t) or (cur and t.low in PARTICLES and i + 1 < len(tokens)
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


def build_doc(text: str, spans: list[QuoteSpan]) -> Doc:
    """The tokens outside the quote spans (each quote leaves a marker token) and the
    article's name mentions, analysed as described in the module docstring."""
    outside: list[Token] = []
    pos = 0
    for q in spans:
        outside.extend(tokenize(text, pos, q.outer_start))
        outside.append(Token("\u201c", q.outer_start, q.outer_start))  # boundary marker
        pos = max(pos, q.outer_end)
    outside.extend(tokenize(text, pos, len(text)))
    doc = Doc(text, outside)
    paras = paragraph_bounds(text)
    doc.paras = paras
    head_end = paras[0][1] if len(paras) > 1 and _is_headline(text, *paras[0]) else 0
    doc.head_end = head_end
    # Mentions: runs end at a quote's marker ("Curiel [quote] Trump" is two names) and
    # are split at newlines too (headlines vs body).
    for run in _runs([t for t in outside if t.start >= head_end]):
        pieces: list[list[Token]] = [[]]
        for a, b in zip(run, [*run[1:], None], strict=False):
            pieces[-1].append(a)
            if b is not None and "\n" in text[a.end:b.start]:
                pieces.append([])
        for piece in pieces:
            m = analyse_run(piece)
            if m is not None and m.name:
                doc.mentions.append(m)
    _role_gender(doc)
    _propagate_gender(doc)
    _mark_persons(doc)
    if head_end:
        _headline_names(doc, [t for t in outside if t.text != "\u201c" and t.end <= head_end])
    return doc


def _headline_names(doc: Doc, head: list[Token]) -> None:
    """A headline often gives the only full name of someone the body calls by surname
    (``Hillary Clinton Goes After ...`` then ``Clinton said``): a known first name there
    makes the body's surname a gendered, confident person. Headline runs are not
    mentions themselves (their capitals are unreliable)."""
    known: dict[str, str] = {}
    for i in range(len(head) - 1):
        first, last = head[i].low, strip_possessive(head[i + 1].text)[0]
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


def _role_gender(doc: Doc) -> None:
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


def _mark_persons(doc: Doc) -> None:
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
        sentence_initial = k < 0 or tokens[k].text in SENT_END or tokens[k].text == "\u201c" \
            or "\n" in doc.text[tokens[k].end:tokens[k + 1].start if k + 1 < len(tokens) else k]
        j = i
        while j < len(tokens) and tokens[j].start < m.end:
            j += 1
        followed = j < len(tokens) and (tokens[j].low in CUE_FORMS or tokens[j].low in VERBISH
                                        or (tokens[j].text == "," and not sentence_initial))
        if sentence_initial or followed:
            doc.salient.add(m.start)


def _propagate_gender(doc: Doc) -> None:
    """Share known genders between mentions of the same surname and first name."""
    by_full: dict[str, str] = {}
    for m in doc.mentions:
        if m.gender and not m.is_org:
            by_full.setdefault(m.text, m.gender)
    for m in doc.mentions:
        if not m.gender and m.text in by_full:
            m.gender = by_full[m.text]


_SMALL_WORDS = {"a", "an", "the", "of", "to", "in", "on", "at", "for", "and", "or", "but", "by",
                "as", "is", "with", "from", "if", "into", "vs", "over"}


def _is_headline(text: str, lo: int, hi: int) -> bool:
    """A title-case first line (most words capitalised, short, no sentence run-on)."""
    words = [w.strip("\"“”‘’'(),.:;!?") for w in text[lo:hi].split()]
    words = [w for w in words if w and w[0].isalpha() and w.lower() not in _SMALL_WORDS]
    if not 2 <= len(words) <= 30:
        return False
    return len(words) >= 3 and all(w[0].isupper() for w in words)
