"""Noun phrases next to a speech verb: the subject left of a cue, the name right of it.

``Mr. Morgan of the Sierra Club said``, ``Donna Rawlings, 59, of Ashton, Md., who
watched ..., said``, ``said Trump spokeswoman Hope Hicks``: these functions find the
phrase that fills the speaker slot, skipping appositives, party-state
parentheticals and prepositional post-modifiers, and return it as a
:class:`~bot.summarize.speaker_tokens.Subject` (a name, a pronoun or a
common-noun phrase) for coreference to resolve.
"""

from __future__ import annotations

import logging

from bot.summarize.quote_names import (
    AUX_ADVERBS,
    CUE_FORMS,
    DEPARTMENT_WORDS,
    GENERIC_SPEAKERS,
    MONTHS_DAYS,
    NOT_NAME,
    ORG_WORDS,
    PERSON_NOUNS,
    PERSON_TITLES,
    PLACES,
    PRONOUNS,
    STATE_ABBREVIATIONS,
)
from bot.summarize.speaker_mentions import analyse_run
from bot.summarize.speaker_tokens import (
    DASHES,
    DETERMINERS,
    NP_STOP,
    PARTICLES,
    SENT_END,
    Subject,
    Token,
    first_at,
    is_name_word,
)

logger = logging.getLogger(__name__)


# Lower-case role nouns before a name (``9/11 widow Terry Strada``).
ROLE_NOUNS = {"widow", "widower", "host", "economist", "chief", "columnist", "editor",
              "organizer", "organiser", "spokesman", "spokeswoman", "spokesperson",
              "correspondent", "commentator", "pundit", "lawyer", "attorney", "adviser",
              "advisor", "aide", "manager", "chair", "president", "member", "niece",
              "nephew", "mother", "father", "son", "daughter", "wife", "husband"}
# Words opening an introductory phrase before a sentence's subject.
INTRO_PREPS = {"in", "at", "on", "during", "after", "before", "following", "since", "over",
               "with", "for", "from", "last", "earlier", "later", "meanwhile", "like", "unlike"}


def np_left(tokens: list[Token], j: int, lo: int) -> Subject | None:
    """The subject phrase ending at token j (inclusive), scanning no further left than lo."""
    if j < lo:
        return None
    t = tokens[j]
    if t.text == ")":
        k = _open_paren(tokens, j, lo)
        return np_left(tokens, k - 1, lo) if k is not None and k - 1 >= lo \
            and tokens[k - 1].cap else None
    if t.low in PRONOUNS and t.low not in ("him", "her"):
        return Subject("pronoun", [t], t.start)
    if is_name_word(t) or (t.cap and t.text.endswith(("'s", "’s"))):
        k = j
        while k - 1 >= lo and ((tokens[k - 1].cap and tokens[k - 1].low not in NOT_NAME
                               and tokens[k - 1].low not in MONTHS_DAYS)
                               or tokens[k - 1].low in PARTICLES):
            k -= 1
        run = tokens[k:j + 1]
        owner = max((n for n, x in enumerate(run[:-1]) if x.possessive), default=-1)
        if owner >= 0 and all(is_name_word(x) or x.low in PARTICLES for x in run[owner + 1:]):
            # "The New Republic's Jeet Heer", "CNN's Jake Tapper": the person.
            return Subject("name", run[owner + 1:], run[owner + 1].start)
        if k - 1 >= lo and tokens[k - 1].low in DETERMINERS and not (
                tokens[k - 1].low in ("that", "this") and not tokens[k - 1].cap
                and is_name_word(run[0]) and len(run) >= 2):
            return Subject("np", tokens[k - 1:j + 1], tokens[k - 1].start)
        if org_run(run):
            return Subject("np", run, run[0].start)
        return Subject("name", run, run[0].start)
    if not t.text[:1].isalnum() or t.low in NP_STOP or t.low in CUE_FORMS:
        return None
    k = j
    while k - 1 >= lo and j - k < 5:
        prev = tokens[k - 1]
        if prev.low in DETERMINERS:
            k -= 1
            break
        if not prev.text[:1].isalnum() or prev.low in NP_STOP or prev.low in CUE_FORMS:
            break
        if prev.text.endswith(("'s", "’s")):  # "Trump's campaign"
            k -= 1
            continue
        k -= 1
    phrase = tokens[k:j + 1]
    if phrase[0].low not in DETERMINERS and t.low not in GENERIC_SPEAKERS and not (
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
        if tokens[k].text in SENT_END or tokens[k].text in ("\u201c", ")"):
            return None
        k -= 1
    return None


def org_run(run: list[Token]) -> bool:
    """Whether a capitalised run names an organisation. An organisation word in the
    title part of a person's name does not count: ``House Speaker Paul Ryan``,
    ``White House Press Secretary Josh Earnest`` are people."""
    if not any(x.low in ORG_WORDS for x in run):
        return False
    m = analyse_run(run)
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
        if tokens[k].text in SENT_END or tokens[k].text == "\u201c":
            return -1
        k -= 1
    return -1


_LY_NOUNS = {"family", "ally", "assembly", "rally", "supply", "anomaly", "monopoly", "belly",
             "bully", "folly", "reply", "daily", "weekly", "monthly", "quarterly", "homily"}


def manner_adverb(t: Token) -> bool:
    """A lower-case -ly adverb between a subject and its verb (``Jane Roe forcefully
    told ...``); not the -ly nouns (``the family said``)."""
    return not t.cap and len(t.low) > 4 and t.low.endswith("ly") and t.low.isalpha() \
        and t.low not in _LY_NOUNS


def subject_left(tokens: list[Token], cue: int, lo: int) -> Subject | None:
    """The subject of the cue verb at ``cue``: the phrase before it, past adverbs, a
    day and appositives, then past a prepositional post-modifier (no further left
    than ``lo``)."""
    j = cue - 1
    while j >= lo and ((tokens[j].low in AUX_ADVERBS and not tokens[j].cap)
                       or tokens[j].low in MONTHS_DAYS or manner_adverb(tokens[j])):
        j -= 1
    appositive: Subject | None = None
    if j >= lo and tokens[j].text in DASHES:
        dashed = _dash_appositive(tokens, j, lo)
        if dashed is not None:
            return dashed
    if j >= lo and tokens[j].text in (",", ")"):
        if tokens[j].text == ",":
            appositive = np_left(tokens, j - 1, lo)
        j = _skip_appositive_chain(tokens, j, lo)
        while j >= lo and tokens[j].low in AUX_ADVERBS and not tokens[j].cap:
            j -= 1
    if j < lo:
        return None
    subj = np_left(tokens, j, lo)
    if subj is None:
        return None
    subj = _home_town_subject(tokens, subj, lo) or _postmodified_head(tokens, subj, lo)
    if subj.kind == "np" and appositive is not None and _full_name(appositive) \
            and _comma_before(tokens, appositive, lo):
        return appositive  # "Santilli's attorney, Thomas Coan, argued" -> Thomas Coan
    return _name_before_description(tokens, subj, lo) or subj


def _dash_appositive(tokens: list[Token], j: int, lo: int) -> Subject | None:
    """``A former candidate -- John McCain, who lost in 2008 -- said``: the name
    opening the part set off by dashes, else the phrase before it."""
    while j - 1 >= lo and tokens[j - 1].text in DASHES:
        j -= 1  # "--" is two tokens
    d = next((c for c in range(j - 1, max(lo - 1, j - 25), -1)
              if tokens[c].text in DASHES or tokens[c].text in SENT_END
              or tokens[c].text == "\u201c"), None)
    if d is None or tokens[d].text not in DASHES:
        return None
    before = d
    while before - 1 >= lo and tokens[before - 1].text in DASHES:
        before -= 1
    if d + 1 < j and is_name_word(tokens[d + 1]):
        end = d + 1
        while end + 1 < j and (is_name_word(tokens[end + 1]) or tokens[end + 1].low in PARTICLES):
            end += 1
        name = np_left(tokens, end, d + 1)
        if name is not None and name.kind == "name":
            return name
    return np_left(tokens, before - 1, lo) if before - 1 >= lo else None


def is_place(words: list[Token]) -> bool:
    """A run that is exactly a country, US state, large city or state abbreviation."""
    low = " ".join(w.low for w in words)
    return low in PLACES or low in STATE_ABBREVIATIONS


def _home_town_subject(tokens: list[Token], subj: Subject, lo: int) -> Subject | None:
    """``Stacy Baker of Columbia, South Carolina says`` -> Stacy Baker: the state
    closing a home town is not the subject; the phrase before ``of``/``from``/``in``
    is. None when ``subj`` is no such state."""
    if subj.kind != "name" or not is_place(subj.tokens):
        return None
    k = first_at(tokens, subj.tokens[0].start)
    if k - 2 < lo or tokens[k - 1].text != ",":
        return None
    town = np_left(tokens, k - 2, lo)
    if town is None or town.kind != "name":
        return None
    t = first_at(tokens, town.tokens[0].start)
    if t - 2 < lo or tokens[t - 1].low not in ("of", "from", "in"):
        return None
    outer = np_left(tokens, t - 2, lo)
    return outer if outer is not None and outer.kind != "pronoun" else None


def _full_name(s: Subject | None) -> bool:
    return s is not None and s.kind == "name" and len(s.tokens) >= 2


def _comma_before(tokens: list[Token], s: Subject, lo: int) -> bool:
    k = first_at(tokens, s.tokens[0].start)
    return k - 1 >= lo and tokens[k - 1].text == ","


def _name_before_description(tokens: list[Token], subj: Subject, lo: int) -> Subject | None:
    """``Anthony Anton, president and CEO of the association stated``: a full name,
    a comma, then a short description with no closing comma; the name is the
    speaker, not the description's last word."""
    if _full_name(subj):
        return None
    k = first_at(tokens, subj.tokens[0].start)
    for c in range(k - 1, max(lo, k - 7) - 1, -1):
        t = tokens[c]
        if t.text == ",":
            name = np_left(tokens, c - 1, lo)
            if name is None or not _full_name(name):
                return None
            n = first_at(tokens, name.tokens[0].start)
            opens = n == lo or tokens[n - 1].text in SENT_END or tokens[n - 1].text == "\u201c"
            return name if opens else None
        if not t.text[:1].isalnum() or t.low in CUE_FORMS or t.low in PRONOUNS:
            return None
    return None


_POSTMODIFIER_PREPS = {"of", "in", "at", "from", "on", "for", "with"}


def _postmodified_head(tokens: list[Token], subj: Subject, lo: int) -> Subject:
    """The head of a subject with a prepositional post-modifier: ``Mr. Morgan of the
    Sierra Club said``, ``a narrator in the ad asks``, ``A document on the campaign's
    website states`` -> the phrase before the preposition (the speaker), not the
    object of the preposition. Keeps ``subj`` when no phrase parses there."""
    for _ in range(3):
        k = first_at(tokens, subj.tokens[0].start)
        if k >= len(tokens) or tokens[k].start != subj.tokens[0].start or k - 2 < lo \
                or tokens[k - 1].low not in _POSTMODIFIER_PREPS or tokens[k - 1].cap:
            return subj
        outer = np_left(tokens, k - 2, lo)
        if outer is None or outer.kind == "pronoun":
            return subj
        if all(t.low in PERSON_TITLES or t.low in ("former", "then", "acting")
               for t in outer.tokens):
            return _drop_department(subj)  # "Secretary of State John Kerry"
        subj = _appositive_name(tokens, outer, lo) or outer
    return subj


def _appositive_name(tokens: list[Token], np: Subject, lo: int) -> Subject | None:
    """The name before an indefinite description set off by a comma: ``Robert Abrams,
    a psychiatrist at the hospital said`` -> Robert Abrams (the closing comma is
    often dropped)."""
    if np.kind != "np" or np.tokens[0].low not in ("a", "an"):
        return None
    k = first_at(tokens, np.tokens[0].start)
    if k - 2 < lo or tokens[k - 1].text != ",":
        return None
    name = np_left(tokens, k - 2, lo)
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
            # ("After winning Ohio, Gov. John Kasich (R-OH), said": when the first
            # skip already reached the introductory phrase, the subject is the
            # segment right after it, before the cue's comma.)
            if tokens[seg_start].low in INTRO_PREPS:
                return first if seg_end != first else j - 1
            return seg_end
        opener = tokens[seg_start]
        prev_start = seg_start - 1
        while prev_start - 1 >= lo and tokens[prev_start - 1].text not in (",", ".", "!", "?",
                                                                          "\u201c"):
            prev_start -= 1
        # A home town after a name ("X, of Ashton, Md.,"): the "of" segment follows a
        # comma; "Of Carson, Levine, ..., said" opens the sentence with it.
        place = (seg_end - seg_start <= 1 and opener.cap
                 and prev_start < seg_start - 1
                 and tokens[prev_start].low in ("of", "from", "in")
                 and prev_start - 1 >= lo and tokens[prev_start - 1].text == ",")
        role = not opener.cap and (opener.low in PERSON_NOUNS or opener.low in ROLE_NOUNS
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
    lower = [i for i, x in enumerate(phrase) if not x.cap and x.low not in PARTICLES]
    if not lower:
        return []
    last = lower[-1]
    tail = phrase[last + 1:]
    if not tail or not all(is_name_word(x) or x.low in PARTICLES for x in tail):
        return []
    # A full name (two words or more) after any lower-case noun is the head ("Clinton
    # ally James Carville", "Republican political consultant Chris Russell"); a single
    # word only after a known role noun ("9/11 widow Strada").
    if len(tail) < 2 and phrase[last].low not in PERSON_NOUNS \
            and phrase[last].low not in PERSON_TITLES and phrase[last].low not in ROLE_NOUNS:
        return []
    if org_run(tail):
        return []
    return tail


def np_right(tokens: list[Token], j: int, hi: int) -> Subject | None:
    """The phrase filling the speaker slot after a cue, from token ``j`` (before
    ``hi``): a pronoun, a name (past a title or role noun: ``said Trump spokeswoman
    Hope Hicks``) or a common-noun phrase (``said the senator``)."""
    if j >= hi:
        return None
    t = tokens[j]
    if t.low in PRONOUNS:
        return Subject("pronoun", [t], t.start)
    k = j
    if t.low in DETERMINERS:
        k += 1
    phrase: list[Token] = []
    while k < hi and len(phrase) < 8:
        x = tokens[k]
        if x.low in NP_STOP or (not x.text[:1].isalnum() and x.text not in ("-",)):
            break
        if x.low in CUE_FORMS and phrase:
            break
        phrase.append(x)
        if x.text.endswith(("'s", "’s")) and not x.cap:
            break
        k += 1
    if not phrase:
        return None
    if t.low not in DETERMINERS:
        # A name run: keep the leading capitalised part ("Hope Hicks" of "Hope Hicks told").
        run = []
        for x in phrase:
            if not (x.cap or x.low in PARTICLES):
                break
            run.append(x)
        tail = _title_then_name(phrase)
        if tail:
            return Subject("name", tail, tail[0].start)
        if run and is_name_word(run[-1]) and not org_run(run):
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
        if is_name_word(x):
            caps_tail.insert(0, x)
        else:
            break
    if caps_tail and not org_run(caps_tail) and (
            len(caps_tail) < len(phrase) or len(caps_tail) >= 2 or tokens[j].low != "the"):
        return Subject("name", caps_tail, caps_tail[0].start)
    return Subject("np", [tokens[j], *phrase], tokens[j].start)


def after_parenthetical(tokens: list[Token], i: int, b: int) -> int:
    """Index just past a short parenthetical starting at ``i`` (``(D-Nev.)``), else i."""
    if i < b and tokens[i].text == "(":
        for k in range(i + 1, min(b, i + 7)):
            if tokens[k].text == ")":
                return k + 1
    return i
