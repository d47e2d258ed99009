"""Speech cues and the patterns that tie a quote to one.

:func:`is_cue` decides whether a token is a speech verb here (not the noun
``the charges`` nor the infinitive ``to say``). The patterns: a cue right after a
quote (``"...," X said``, ``"...," said X``, ``"...," X, a spokesman, said``,
``according to X``, a dash credit ``"..." ― Jane Doe``), a cue before it in the
same sentence (``X said: "..."``), a cue closing the previous sentence
(``..., Schiff said. "..."``) and a ``He said:`` introducing a quoted paragraph.
"""

from __future__ import annotations

import logging

from bot.summarize.quote_names import (
    AUX_ADVERBS,
    CUE_FORMS,
    GENERIC_SPEAKERS,
    PARTICIPLES,
    PRONOUNS,
)
from bot.summarize.speaker_clauses import first_subject, main_clause_start
from bot.summarize.speaker_phrases import (
    after_parenthetical,
    manner_adverb,
    np_left,
    np_right,
    subject_left,
)
from bot.summarize.speaker_tokens import (
    CLAUSE_PUNCT,
    DASHES,
    DETERMINERS,
    NP_STOP,
    PARTICLES,
    SENT_END,
    Subject,
    Token,
    first_at,
    is_name_word,
    sentence_start,
    strip_possessive,
)

logger = logging.getLogger(__name__)


_MAX_CUE_AFTER = 14  # tokens after a quote within which its cue must start


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
        return k > 0 and tokens[k - 1].text[:1].isalpha() and tokens[k - 1].low not in NP_STOP \
            and tokens[k - 1].low not in ("it", "this", "which", "what")
    if tokens[i].low not in _BARE_CUES:
        return False
    if tokens[i].low == "call":  # "what they call", "what we call"
        return prev.low in _PLURAL_PRONOUNS and k > 0 and tokens[k - 1].low == "what"
    if tokens[i].low == "say":
        return prev.low in _PLURAL_PRONOUNS or (prev.text[:1].isalpha() and (
            prev.low in GENERIC_SPEAKERS or (prev.low.endswith("s") and prev.low not in
                                             NP_STOP and prev.low not in CUE_FORMS
                                             and prev.low not in AUX_ADVERBS
                                             and not prev.low.endswith("ss"))))
    nxt = tokens[i + 1].text if i + 1 < len(tokens) else "."
    return nxt in (".", ",", ":", "\u201c") and prev.text[:1].isalpha() and (
        prev.low in GENERIC_SPEAKERS or prev.low == "it" or (
            k > 0 and tokens[k - 1].low in DETERMINERS))


def _possessive(t: Token) -> bool:
    """``Obama's``, ``Sanders'``, ``the campaign's`` (not the contractions ``he's``,
    ``it's``)."""
    if t.apostrophe:
        return True
    base, poss = strip_possessive(t.text)
    return poss and base.lower() not in PRONOUNS and base.lower() not in (
        "that", "who", "what", "there", "here", "it", "where", "let")


def is_cue(tokens: list[Token], i: int) -> bool:
    """Whether token ``i`` is a speech verb used as one here: not a noun (``the
    charges``, ``Obama's remarks``), a base form only in a plain clause, ``point``
    and ``put`` only in ``point out`` / ``put it``; ``Said Ellis:`` is inverted."""
    t = tokens[i]
    if t.text in ("Said", "Says") and (i == 0 or tokens[i - 1].text in SENT_END) \
            and i + 1 < len(tokens) and tokens[i + 1].cap:
        return True  # inverted: "Said Ellis: ..."
    if (t.low in _BARE_CUES or t.low in _CUE_LEMMAS) and not t.cap:
        return _bare_cue(tokens, i)
    if t.cap or t.low not in CUE_FORMS:
        return False
    if i > 0 and (tokens[i - 1].low in DETERMINERS | {"of", "to", "in", "on", "for", "with"}
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
    if lemma == "rule":  # "could not be ruled out": no verdict, no speaker
        ruled_out = i + 1 < len(tokens) and tokens[i + 1].low == "out"
        passive = i > 0 and tokens[i - 1].low in ("be", "been", "being")
        return not (ruled_out or passive)
    return not (lemma in ("begin", "start", "continue") and i + 1 < len(tokens)
                and tokens[i + 1].low in ("to", "a", "the"))


def _according_to(tokens: list[Token], i: int, hi: int) -> Subject | None:
    if tokens[i].low == "according" and i + 2 <= hi and i + 1 < len(tokens) \
            and tokens[i + 1].low == "to":
        return np_right(tokens, i + 2, hi)
    return None


def _initial(t: Token) -> bool:
    """A middle initial: ``A.`` in ``Julie A. Diaz``."""
    return len(t.text) == 2 and t.text[0].isupper() and t.text[1] == "."


def _dash_credit(tokens: list[Token], a: int, b: int, start: int) -> Subject | None:
    """A credit line after a quote: ``"..." ― Jane Doe`` (a name and nothing else)."""
    if a >= b or tokens[a].text not in DASHES:
        return None
    start = a + 1
    end = start
    while end < b and (is_name_word(tokens[end]) or (end > start and (
            tokens[end].low in PARTICLES or _initial(tokens[end])))):
        end += 1
    if end == start or end - start > 5:
        return None
    if end < b and tokens[end].text not in SENT_END and tokens[end].text != "\u201c":
        return None
    return Subject("name", tokens[start:end], tokens[start].start)


def credit_line(tokens: list[Token], k: int) -> Subject | None:
    """A credit paragraph after a quoted one: ``- Sanders.``, ``-President Obama,
    tweeting after ...``, ``—Michelle Marks, Philadelphia.``: a dash, a name of one to
    five words, then the end, a full stop or a comma."""
    if k >= len(tokens) or tokens[k].text not in DASHES:
        return None
    start = end = k + 1
    while end < len(tokens) and end - start < 6 and (
            is_name_word(tokens[end]) or (end > start and (
                tokens[end].low in PARTICLES or _initial(tokens[end])))):
        end += 1
    if end == start or end - start > 5:
        return None
    if end < len(tokens) and tokens[end].text not in SENT_END and tokens[end].text != ",":
        return None
    return Subject("name", tokens[start:end], tokens[start].start)


def cue_after(tokens: list[Token], a: int, b: int, set_off: bool = True) -> Subject | None:
    """Cue in the clause right after a quote: tokens[a:b].

    ``set_off`` tells whether punctuation ends the quote (``"...," said X``); an
    inverted cue needs it: in ``the ad "wrongfully" suggests that Phoenix ...`` the
    verb after the quote belongs to the sentence the quote sits in."""
    start = a
    while start < b and tokens[start].text in CLAUSE_PUNCT | {"."}:
        start += 1
    dashed = _dash_credit(tokens, a, b, start)
    if dashed is not None:
        return dashed
    # Initial subject then a (possibly long) appositive: "X, director of ..., said".
    initial = None
    if start < b:
        end = start
        while end + 1 < b and (tokens[end + 1].cap or tokens[end + 1].low in PARTICLES):
            end += 1
        if tokens[start].cap or tokens[start].low in PRONOUNS:
            initial = np_left(tokens, end, start)
            comma = after_parenthetical(tokens, end + 1, b)
            if initial is not None and comma < b and tokens[comma].text == ",":
                for i in range(comma + 1, min(b, comma + 44)):
                    if tokens[i].text in SENT_END or tokens[i].text == "\u201c":
                        break
                    if tokens[i - 1].text == "," and is_cue(tokens, i) \
                            and tokens[i].low not in PARTICIPLES:
                        return initial
    limit = min(b, start + _MAX_CUE_AFTER)
    for i in range(start, limit):
        tok = tokens[i]
        if tok.text in SENT_END or tok.text == "\u201c":
            break
        subj = _according_to(tokens, i, b)
        if subj is not None:
            return subj
        if not is_cue(tokens, i):
            continue
        if tok.low in PARTICIPLES:
            return None
        if (i == start or all(tokens[x].low in AUX_ADVERBS for x in range(start, i))) \
                and set_off:
            right = np_right(tokens, i + 1, b)
            if right is not None:
                return right
        left = subject_left(tokens, i, start)
        # The cue's clause must begin at the quote: not "..." when he said.
        if left is not None and (left.tokens[0].start == tokens[start].start
                                 or _plain_prefix(tokens, start, left.tokens[0].start)):
            return left
        return None
    return None


_CONTINUING_PREPS = {"for", "of", "in", "on", "at", "to", "with", "from", "about", "by", "into",
                     "over", "under", "through", "during"}


_SUBORDINATORS = NP_STOP | {"as", "because", "so", "whether", "what", "how", "where", "why"}


def _plain_prefix(tokens: list[Token], start: int, subj_start: int) -> bool:
    """Whether the tokens between a quote and a cue's subject leave that subject
    the clause's own: title nouns (``IMF chief economist Maury Obstfeld said``,
    ``Trump lawyer Marc Kasowitz said``) or the rest of a partial quote's sentence
    ending in a comma (``"..." of the plans, Mr. Holtz-Eakin said``). Never a
    subordinate clause: ``"..." when he said``."""
    between = tokens[start:max(start, first_at(tokens, subj_start))]  # not a scan to the end
    if not between or len(between) > 12:
        return False
    if len(between) == 1 and between[0].low == "as":
        return True  # "...," as the memo put it / as Trump said
    if between[-1].possessive and len(between) <= 5 and all(
            t.text[:1].isalnum() for t in between):
        return True  # the subject's possessor: "...," the Zionist Union Party's Nachman Shai
    if any(t.text in SENT_END or t.text == "\u201c" or t.low in CUE_FORMS for t in between):
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
        and (t.low not in DETERMINERS or t.cap) for t in between)  # "CBS This Morning"


def cue_before(tokens: list[Token], a: int, b: int) -> Subject | None:
    """Last cue with a subject in the sentence part before a quote: tokens[a:b]
    (in the main clause: not the cue of an opening ``When X suggested ...,``)."""
    s = main_clause_start(tokens, sentence_start(tokens, b, a), b)
    for i in range(b - 1, s - 1, -1):
        subj = _according_to(tokens, i, b)
        if subj is not None:
            return subj
        if not is_cue(tokens, i):
            continue
        if tokens[i].low in PARTICIPLES:
            subj = None
            j = i - 1
            while j > s and manner_adverb(tokens[j]):
                j -= 1  # ", with Trump reportedly yelling"
            if j >= s and tokens[j].cap:
                # An absolute clause: ", with Trump saying ..." (not the object in
                # "tweeted back at Trump pointing out ...").
                subj = np_left(tokens, j, s)
                if subj is not None:
                    k = first_at(tokens, subj.tokens[0].start)
                    if k > s and tokens[k - 1].text != "," and tokens[k - 1].low != "with":
                        subj = None
            if subj is None:
                for k in range(i - 1, s - 1, -1):
                    if is_cue(tokens, k) and tokens[k].low not in PARTICIPLES:
                        subj = subject_left(tokens, k, s)
                        break
            if subj is None:
                subj = first_subject(tokens, s, i)
        else:
            if i > s and tokens[i - 1].low in ("who", "which", "that"):
                continue  # a relative clause ("a woman who suggested ..."): look further left
            subj = _passive_agent(tokens, i, b) or subject_left(tokens, i, s) \
                or _coordinated_subject(tokens, i, s)
            if subj is None and i + 1 < b \
                    and CUE_FORMS.get(tokens[i].low, tokens[i].low) not in _OBJECT_CUES \
                    and tokens[i + 1].low != "that":
                subj = _inverted_subject(tokens, i + 1, b)  # "Said Ellis: ..."
        if subj is not None:
            return subj
    return None


_BE = {"was", "were", "is", "are", "been", "being", "be"}


def _passive_agent(tokens: list[Token], cue: int, b: int) -> Subject | None:
    """``Sanders was asked by host Bill Maher, "..."``: the agent of a passive cue."""
    if cue < 1 or tokens[cue - 1].low not in _BE or cue + 2 >= b \
            or tokens[cue + 1].low != "by":
        return None
    return np_right(tokens, cue + 2, b)


def _inverted_subject(tokens: list[Token], j: int, b: int) -> Subject | None:
    """The subject after an inverted cue (``Said Ellis: "..."``): the phrase must end
    the clause; in ``... said Trump had "..."`` Trump is the subject of ``had``."""
    subj = np_right(tokens, j, b)
    if subj is None:
        return None
    k = first_at(tokens, subj.tokens[-1].end)
    if k < b and tokens[k].text[:1].islower() and tokens[k].text[:1].isalpha():
        return None
    return subj


_COORDINATORS = {"and", "but"}


def _coordinated_subject(tokens: list[Token], cue: int, s: int) -> Subject | None:
    """The subject of a cue coordinated with an earlier verb of its clause: ``Lena
    Voss paused and said``, ``X used to support Paul, but now said``. The clause's
    subject (a name or pronoun), else None."""
    j = cue - 1
    while j > s and tokens[j].low in AUX_ADVERBS and not tokens[j].cap:
        j -= 1
    if j <= s or tokens[j].low not in _COORDINATORS:
        return None
    subj = first_subject(tokens, s, j)
    return subj if subj is not None and subj.kind in ("name", "pronoun") else None


# Cues whose right-hand noun phrase is their object, never an inverted subject:
# "called Mr. Obama's remarks ...", "told reporters ...".
_OBJECT_CUES = {"tell", "call", "dub", "label", "brand", "liken", "describe", "urge", "hail",
                "scold", "warn", "charge", "promise"}


def cue_ending_previous_sentence(tokens: list[Token], a: int, b: int) -> Subject | None:
    """``..., Schiff said. "..."``: a quote opening a sentence right after one that
    ends with a subject + speech verb (+ a short adverbial) continues that speech."""
    if b - 1 < a or tokens[b - 1].text not in SENT_END:
        return None
    s = sentence_start(tokens, b - 1, a)
    for i in range(b - 2, max(s - 1, b - 9), -1):
        t = tokens[i]
        if t.text in CLAUSE_PUNCT or t.text == "\u201c":
            return None
        if is_cue(tokens, i) and t.low not in PARTICIPLES \
                and not tokens[i - 1].text.endswith(("'s", "’s")):
            subj = subject_left(tokens, i, s)
            if subj is None or subj.kind == "np":
                return None
            return subj
    return None


def intro_paragraph_subject(text: str, tokens: list[Token], para_start: int) -> Subject | None:
    """``Trump issued the following statement:`` ending the previous paragraph, with no
    speech verb: the subject of that sentence (a name or pronoun)."""
    b = _colon_before(text, tokens, para_start)
    if b is None:
        return None
    s = sentence_start(tokens, b, 0)
    subj = first_subject(tokens, s, b)
    return subj if subj is not None and subj.kind in ("name", "pronoun") else None


def _colon_before(text: str, tokens: list[Token], para_start: int) -> int | None:
    """Index of the colon token ending the paragraph before ``para_start``, or None."""
    prev_end = para_start
    while prev_end > 0 and text[prev_end - 1].isspace():
        prev_end -= 1
    if prev_end == 0 or text[prev_end - 1] != ":":
        return None
    b = first_at(tokens, prev_end) - 1
    return b if b >= 0 and tokens[b].text == ":" else None


def intro_paragraph(text: str, tokens: list[Token], para_start: int) -> Subject | None:
    """``He said:`` ending the previous paragraph introduces a paragraph-long quote."""
    b = _colon_before(text, tokens, para_start)
    if b is None:
        return None
    s = sentence_start(tokens, b, 0)
    for i in range(b - 1, s - 1, -1):
        if is_cue(tokens, i) and tokens[i].low not in PARTICIPLES:
            return subject_left(tokens, i, s)
    return None
