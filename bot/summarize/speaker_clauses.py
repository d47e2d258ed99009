"""The subject opening a sentence, past what news copy puts before it.

Used when a cue has no subject of its own (``..., saying "..."``) and by the
cue-less rules: skips a wire dateline (``FLINT, Mich. (UPI) —``), an introductory
phrase (``At Monday's debate,``), a participle opener (``Lamenting their luck,``),
and tells role descriptions (``Democratic presidential nominee Hillary Clinton``)
and groups (``Small groups of protesters``) from plain names.
"""

from __future__ import annotations

import logging

from bot.summarize.quote_names import (
    AUX_ADVERBS,
    CUE_FORMS,
    DEMONYMS,
    DEPARTMENT_WORDS,
    FEMALE_NAMES,
    GENERIC_SPEAKERS,
    MALE_NAMES,
    NOT_NAME,
    PERSON_NOUNS,
    PERSON_TITLES,
    PRONOUNS,
)
from bot.summarize.speaker_phrases import INTRO_PREPS, ROLE_NOUNS, is_place, np_left, org_run
from bot.summarize.speaker_tokens import (
    CLAUSE_PUNCT,
    DASHES,
    NP_STOP,
    PARTICLES,
    SENT_END,
    VERBISH,
    Subject,
    Token,
    is_name_word,
    plural_noun,
)

logger = logging.getLogger(__name__)


def _past_short_opener(tokens: list[Token], k: int, e: int) -> int:
    """Past a short adverbial opener and its comma (``Hours later, Trump ...``, ``Here
    in Columbia, Sanders ...``): up to four words, one of them lower-case, no speech
    verb, then a comma and a capitalised word or pronoun. A list of names (``Cruz,
    Rubio and Kasich said``) has no lower-case word before its first comma."""
    for c in range(k + 1, min(e - 1, k + 5)):
        if tokens[c].text != ",":
            continue
        opener = tokens[k:c]
        nxt = tokens[c + 1]
        if any(t.text[:1].islower() and t.text.isalpha() for t in opener) \
                and not any(t.low in CUE_FORMS for t in opener) \
                and (nxt.cap or nxt.low in PRONOUNS):
            return c + 1
        break
    return k


def _past_intro_tail(tokens: list[Token], k: int, e: int) -> int:
    """Past what continues an introductory phrase after its first comma: the state of
    its town, a second short phrase (``At a rally in Portsmouth, N.H., on Tuesday,
    Senator Bernie Sanders ...``) and an appositive (``In his 2004 speech, a tribute
    to John Kerry, the nominee that year, Mr. Obama ...``)."""
    for _ in range(3):
        comma = next((c for c in range(k + 1, min(e, k + 9)) if tokens[c].text == ","), None)
        if comma is None or comma + 1 >= e:
            return k
        lower_opener = not tokens[k].cap and (tokens[k].low in INTRO_PREPS
                                              or tokens[k].low in ("a", "an", "the"))
        if is_place(tokens[k:comma]) or (lower_opener and not any(
                t.low in CUE_FORMS for t in tokens[k:comma])):
            k = comma + 1
            continue
        return k
    return k


# Conjunctions opening a subordinate clause before a sentence's main clause.
_SUBORDINATE_OPENERS = {"when", "while", "although", "though", "because", "if", "as", "once",
                        "whereas", "unless", "until", "whenever"}


def main_clause_start(tokens: list[Token], s: int, e: int) -> int:
    """Index of the main clause after an opening subordinate clause (``When Trump
    suggested that ..., Rubio fired back: "..."`` -> ``Rubio``), else ``s``. A clause
    that runs up to the quote (``As Trump said, "..."``) is the cue's own."""
    k = _skip_dateline(tokens, s, e)
    if k >= e or tokens[k].low not in _SUBORDINATE_OPENERS:
        return s
    comma = next((c for c in range(k + 1, min(e, k + 30)) if tokens[c].text == ","), None)
    if comma is None or e - comma < 3:
        return s
    # A clause has a lower-case word before its comma; "As John Cornyn, the No. 2 in
    # the leadership, put it:" has an appositive there, and one clause.
    if not any(t.text[:1].islower() and t.text.isalpha() for t in tokens[k + 1:comma]):
        return s
    if tokens[k].low == "as" and any(t.low in CUE_FORMS for t in tokens[k + 1:comma]):
        return s  # "As The Post's Ruth Marcus puts it, ...": the clause is the cue
    return comma + 1


def first_subject(tokens: list[Token], s: int, e: int) -> Subject | None:
    """The clause subject at a sentence start, for participle cues ("..., saying")."""
    k = _skip_dateline(tokens, s, e)
    k = main_clause_start(tokens, k, e)
    if k + 1 < e and tokens[k].low in _FOCUS_ADVERBS and tokens[k + 1].low in INTRO_PREPS:
        k += 1  # "Even before Francis' remarks, Mr. Trump had ..."
    if k < e and tokens[k].low in INTRO_PREPS:
        # An introductory phrase: "At Monday's debate, Clinton cited ...";
        # 'On "Face the Nation," Sen. Jane Roe said' (a title quote, comma inside).
        comma = next((c for c in range(k + 1, min(e, k + 25)) if tokens[c].text == ","), None)
        if k + 2 < e and tokens[k + 1].text == "\u201c" and tokens[k + 2].cap:
            k += 2
        elif comma is not None:
            k = _past_intro_tail(tokens, comma + 1, e)
    else:
        k = _past_short_opener(tokens, k, e)
    k = skip_participle_opener(tokens, k, e)  # before "Speaking" is skipped as a non-name
    while k < e and (tokens[k].text in CLAUSE_PUNCT or (tokens[k].low in NOT_NAME
                     and tokens[k].low not in PRONOUNS)
                     or (tokens[k].low.endswith("ly") and k + 1 < e
                         and tokens[k + 1].text == ",")):  # "Conversely, X rated ..."
        k += 1
    k = skip_participle_opener(tokens, k, e)
    if k >= e:
        return None
    if k + 1 < e and tokens[k].cap and tokens[k].low.endswith("ing") and tokens[k + 1].cap \
            and tokens[k].low not in MALE_NAMES and tokens[k].low not in FEMALE_NAMES:
        return None  # a gerund with its object: "Watching McLean perform is ...
    if tokens[k].low in PRONOUNS:
        return Subject("pronoun", [tokens[k]], tokens[k].start)
    if is_name_word(tokens[k]):
        end = k
        while end + 1 < e and (is_name_word(tokens[end + 1]) or tokens[end + 1].cap):
            end += 1
        described = _described_subject(tokens, k, end, e) or _appositive_after(tokens, end, e) \
            or _title_of_department(tokens, k, end, e)
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
        return np_left(tokens, end, k)
    return _group_subject(tokens, s, k, e)


def _group_subject(tokens: list[Token], s: int, k: int, e: int) -> Subject | None:
    """A lower-case group noun phrase opening a clause: ``several environmental
    groups granted ...``, ``Many voters say ...`` -> the phrase (kept as written)."""
    for j in range(k, min(e - 1, k + 4)):
        t = tokens[j]
        if not t.text[:1].islower() or not t.text.isalpha() or t.low in NP_STOP:
            return None
        if t.low in GENERIC_SPEAKERS and plural_noun(t.low) and tokens[j + 1].text[:1].islower():
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
        if tokens[d].text in DASHES or tokens[d].text == "―":
            return d + 1
        if tokens[d].text in SENT_END:
            break
    return s


def skip_participle_opener(tokens: list[Token], k: int, e: int) -> int:
    """Past an opening participle phrase: ``Bemoaning the "phony system," Trump ...``,
    ``Lamenting their luck, Mexicans say ...`` (the -ing word is no name: it is
    followed by a lower-case word, never by a verb as a name subject would be)."""
    t = tokens[k] if k < e else None
    if t is None or not t.cap or not t.low.endswith("ing") or k + 1 >= e \
            or tokens[k + 1].cap or not tokens[k + 1].text[:1].isalpha():
        return k
    for c in range(k + 1, min(e, k + 16)):
        if tokens[c].text == ",":
            return _past_intro_tail(tokens, c + 1, e)
        if tokens[c].text in SENT_END:
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
            and tokens[i].low not in CUE_FORMS and tokens[i].low not in VERBISH \
            and tokens[i].low not in AUX_ADVERBS and tokens[i].low not in NP_STOP:
        phrase.append(tokens[i])
        i += 1
    if not phrase:
        return None
    names: list[Token] = []
    while i < e and is_name_word(tokens[i]) and len(names) < 4:
        names.append(tokens[i])
        i += 1
    role = phrase[-1].low
    if not names and tokens[end].text.endswith(("'s", "’s")) and phrase[0].low in GENERIC_SPEAKERS:
        # "Clinton's campaign is seeking ...": the possessed noun is the subject.
        return Subject("np", tokens[k:end + 2], tokens[k].start)
    if names and (role in PERSON_NOUNS or role in PERSON_TITLES or role in ROLE_NOUNS) \
            and not org_run(names):
        if names[-1].text.endswith(("'s", "’s")):
            # "... candidate Gary Johnson's doctor is calling ...": the possessed noun.
            if i < e and tokens[i].low in PERSON_NOUNS | GENERIC_SPEAKERS:
                return Subject("np", [*names, tokens[i]], names[0].start)
            return None
        return Subject("name", names, names[0].start)
    if not names and len(phrase) == 1 and role in GENERIC_SPEAKERS and role.endswith("s"):
        return Subject("np", tokens[k:end + 2], tokens[k].start)
    return None


_FOCUS_ADVERBS = {"even", "just", "shortly", "long", "soon", "right", "only", "well"}


def _title_of_department(tokens: list[Token], k: int, end: int, e: int) -> Subject | None:
    """``Former Secretary of State Madeleine Albright urged``: the name after a title
    and its department (not the title)."""
    if not all(t.low in PERSON_TITLES or t.low in NOT_NAME for t in tokens[k:end + 1]) \
            or end + 2 >= e or tokens[end + 1].low != "of" or not tokens[end + 2].cap:
        return None
    j = end + 2
    while j < e and j - end < 8 and (tokens[j].cap or tokens[j].low in PARTICLES):
        j += 1
    names = tokens[end + 2:j]
    while names and names[0].low in DEPARTMENT_WORDS | {"homeland", "state"}:
        names = names[1:]
    if not names or not all(is_name_word(t) for t in names) or org_run(names):
        return None
    return Subject("name", names, names[0].start)


def _appositive_after(tokens: list[Token], end: int, e: int) -> Subject | None:
    """``Trump's Virginia state director, Mike Rubino, reached out``: a description
    whose head is lower-case, then a full name set off by commas: the name."""
    i = end + 1
    n = 0
    while i < e and n < 4 and tokens[i].text[:1].islower() and tokens[i].text.isalpha() \
            and tokens[i].low not in CUE_FORMS and tokens[i].low not in VERBISH \
            and tokens[i].low not in AUX_ADVERBS and tokens[i].low not in NP_STOP:
        i += 1
        n += 1
    if n == 0 or i >= e or tokens[i].text != ",":
        return None
    j = i + 1
    while j < e and is_name_word(tokens[j]) and j - i <= 4:
        j += 1
    names = tokens[i + 1:j]
    if len(names) < 2 or j >= e or tokens[j].text != "," or org_run(names):
        return None
    return Subject("name", names, names[0].start)


def _adjective_run(tokens: list[Token], k: int, end: int, e: int) -> bool:
    """A party/nationality adjective run modifying a following common noun
    ("Democratic leaders", "Republican nominee")."""
    if not all(t.low in DEMONYMS or t.low in ("north", "south") for t in tokens[k:end + 1]):
        return False
    nxt = tokens[end + 1] if end + 1 < e else None
    return nxt is not None and nxt.text[:1].islower() and nxt.low not in CUE_FORMS \
        and nxt.low not in VERBISH and nxt.low not in AUX_ADVERBS
