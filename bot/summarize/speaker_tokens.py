"""Tokens and the small data types shared by the speaker-attribution modules.

Attribution works on the tokens *outside* quotes (quoted text never names its
own speaker); each quote leaves a ``\u201c`` marker token where it stood. The
word classes here (determiners, name particles, clause stops) are the ones
several rule modules test tokens against.
"""

from __future__ import annotations

import bisect
import logging
import re
from dataclasses import dataclass, field

from bot.summarize.quote_names import (
    CUE_FORMS,
    MONTHS_DAYS,
    NOT_NAME,
    PRONOUNS,
    STATE_ABBREVIATIONS,
    TITLE_ABBREVIATIONS,
)

logger = logging.getLogger(__name__)


_TOKEN = re.compile(r"[^\W\d_][\w'’.\-]*|\d[\w'’.,/\-]*\w|\d|[^\w\s]", re.UNICODE)
ABBREV_OK = re.compile(r"^(?:[A-Za-z]\.)+$|^[A-Z]$")
DETERMINERS = {"the", "a", "an", "his", "her", "their", "its", "this", "that", "these", "those",
               "our", "my", "your"}
PARTICLES = {"de", "van", "von", "bin", "al", "da", "del", "la", "le", "der", "di", "du", "st"}
SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}
NP_STOP = {"in", "on", "at", "to", "that", "who", "which", "of", "during", "after", "before",
           "when", "while", "for", "from", "with", "about", "and", "but", "as", "because",
           "if", "than", "since", "until", "by", "into", "via", "through", "over", "under"}
SENT_END = {".", "!", "?"}
CLAUSE_PUNCT = {",", ";", ":", "—", "–", "-", "(", ")"}
DASHES = {"―", "—", "–", "-", "--"}
# Words that follow a subject where a verb would (not a name continuing).
VERBISH = {"is", "was", "has", "had", "will", "would", "did", "does", "could", "can", "also",
           "who", "then", "later", "now", "still"}


@dataclass(slots=True)
class Token:
    """A word or punctuation mark outside quotes; ``low`` is lower-case without a final
    full stop."""

    text: str
    start: int
    end: int
    low: str = ""
    apostrophe: bool = False  # a trailing apostrophe was dropped: "Jones'" (plural possessive)

    def __post_init__(self) -> None:
        self.low = self.text.lower().rstrip(".")

    @property
    def cap(self) -> bool:
        return self.text[:1].isupper()

    @property
    def possessive(self) -> bool:
        """``Obama's``, ``Sanders'`` (also the contractions ``he's``, ``it's``)."""
        return self.apostrophe or self.text.endswith(("'s", "’s"))


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
        words = [w for w in self.name if w.lower().rstrip(".") not in SUFFIXES]
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
class Doc:
    """The article prepared for attribution: its tokens outside quotes, the name
    mentions and what is known about them, and caches the resolvers fill lazily."""

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
    # Caches (deterministic, filled on first use): multi-word person names by their
    # first word and surname, as (starts, mentions) ascending; genders by name.
    name_index: dict[str, tuple[list[int], list[Mention]]] | None = None
    gender_cache: dict[str, str] = field(default_factory=dict)


def tokenize(text: str, lo: int, hi: int) -> list[Token]:
    """Tokens of ``text[lo:hi]``. A final full stop is split off a word unless it ends
    an abbreviation (``U.S.``, ``Gov.``, ``Jr.``, ``R-Ky.,``); a trailing apostrophe
    is dropped (``Jones'``)."""
    out: list[Token] = []
    for m in _TOKEN.finditer(text, lo, hi):
        word = m.group()
        if len(word) > 1 and word.endswith(".") and word[0].isalpha():
            base = word[:-1]
            nxt = text[m.end():m.end() + 1]
            keep = (ABBREV_OK.match(word) or "." in base
                    or (nxt in (",", ")") and ("-" in base or len(base) <= 3
                                               or base.lower() in STATE_ABBREVIATIONS))
                    or base.lower() in TITLE_ABBREVIATIONS or base.lower() in SUFFIXES
                    or base.lower() in {"st", "mt", "ft", "no", "vs", "inc", "corp", "co",
                                        "ltd", "jan", "feb", "aug", "sept", "oct", "nov", "dec"})
            if not keep:
                out.append(Token(base, m.start(), m.end() - 1))
                out.append(Token(".", m.end() - 1, m.end()))
                continue
        if word[-1:] in "'’" and len(word) > 1:
            out.append(Token(word[:-1], m.start(), m.end() - 1, apostrophe=True))
            continue
        out.append(Token(word, m.start(), m.end()))
    return out


def strip_possessive(word: str) -> tuple[str, bool]:
    """``Obama's`` -> ``("Obama", True)``; any other word is returned with False."""
    for suffix in ("'s", "’s"):
        if word.endswith(suffix):
            return word[: -len(suffix)], True
    return word, False


def is_name_word(tok: Token) -> bool:
    """A capitalised word that may be part of a name: not a pronoun, month, day or
    other capitalised non-name."""
    if not tok.cap or tok.low in NOT_NAME or tok.low in MONTHS_DAYS:
        return False
    return tok.low not in PRONOUNS


def plural_noun(word: str) -> bool:
    """A plain plural common noun (``surrogates``, ``allies``), not a verb form."""
    return word.isalpha() and len(word) > 3 and word.endswith("s") \
        and not word.endswith(("ss", "us", "is")) and word not in CUE_FORMS


def sentence_start(tokens: list[Token], i: int, lo: int) -> int:
    """Index of the first token of the sentence holding token ``i`` (not left of
    ``lo``); a quote marker counts as a sentence boundary."""
    k = i
    while k > lo and tokens[k - 1].text not in SENT_END and tokens[k - 1].text != "\u201c":
        k -= 1
    return k


def first_at(tokens: list[Token], pos: int) -> int:
    """Index of the first token starting at or after ``pos``."""
    return bisect.bisect_left(tokens, pos, key=lambda t: t.start)
