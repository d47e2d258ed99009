"""Key point hygiene: how often a key point reads badly on its own.

An independent scorer for ``newsbot eval summaries``: it shares no code and no
word list with the sentence splitter or the key point selector it judges
(``bot/extract/sentences.py``, ``bot/summarize/keypoints.py``). Its lists were
written from the AP style guide's abbreviations and an English grammar's
closed word classes, not from the evaluation data.

Three shares, each over all key points produced:

* **dependent start**: the point opens with a word that needs an earlier
  sentence to make sense: a personal pronoun ("He said...", "They were...")
  or a conjunction or connective ("But it took...",
  "However, ..."). Counted only for the *first* point of an article, the one a
  brief digest shows alone, and separately for all points.
* **cut at an abbreviation**: the point ends on something that cannot end a
  sentence in edited news copy: a courtesy or military title, a month
  abbreviation, a lone initial, or a dotted acronym followed by nothing
  ("...the villa in St.", "...after the U.").
* **fragment**: fewer than six words ("Guilty across the board.").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# Personal pronouns whose referent is in an earlier sentence. Demonstratives
# ("This week...", "These photos...") are left out: in news copy they are
# mostly determiners that need nothing before them.
_NEEDS_ANTECEDENT = frozenset(["he", "she", "it", "they", "him", "them", "his", "hers", "its", "their", "theirs"])
# Coordinating conjunctions and sentence connectives that continue a thought.
_CONTINUES = frozenset(
    ["but", "and", "or", "nor", "so", "yet", "however", "moreover", "meanwhile", "also", "still", "instead", "nevertheless", "nonetheless", "furthermore", "besides", "thus", "hence", "therefore", "otherwise"]
)
# AP-style abbreviations that never end a sentence of edited copy (as written:
# "No." the number sign, not "no." the word).
_NEVER_FINAL = frozenset(
    ["Mr", "Mrs", "Ms", "Dr", "St", "Mt", "Ft", "Gov", "Sen", "Rep", "Lt", "Gen", "Col", "Sgt", "Capt", "Cmdr", "Adm", "Maj", "Rev", "Prof", "Jan", "Feb", "Aug", "Sept", "Oct", "Nov", "Dec", "No"]
)
_FIRST_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_LAST_TOKEN = re.compile(r"(\S+)\s*$")


def starts_dependent(point: str) -> bool:
    """True when the point's first word needs an earlier sentence."""
    match = _FIRST_WORD.search(point[:40])
    if match is None:
        return False
    word = match.group(0).casefold()
    return word in _NEEDS_ANTECEDENT or word in _CONTINUES


def ends_at_abbreviation(point: str) -> bool:
    """True when the point ends on an abbreviation that cannot close a sentence."""
    match = _LAST_TOKEN.search(point)
    if match is None:
        return False
    token = match.group(1).rstrip("\"'”’)")
    if not token.endswith("."):
        return False
    bare = token[:-1].lstrip("(\"'“‘")
    if bare in _NEVER_FINAL:
        return True
    # A lone initial ("John F.") or an unfinished dotted acronym ("the U.").
    return len(bare) == 1 and bare.isupper()


def is_fragment(point: str) -> bool:
    """Fewer than six words."""
    return len(point.split()) < 6


@dataclass(frozen=True, slots=True)
class Hygiene:
    """Shares (0..1) over ``points`` key points of ``articles`` articles."""

    articles: int
    points: int
    first_dependent: float
    dependent: float
    abbreviation_cut: float
    fragment: float

    def as_dict(self) -> dict[str, float | int]:
        return {
            "articles": self.articles, "points": self.points,
            "first_point_dependent": round(self.first_dependent, 4),
            "dependent": round(self.dependent, 4),
            "abbreviation_cut": round(self.abbreviation_cut, 4),
            "fragment": round(self.fragment, 4),
        }

    def line(self) -> str:
        return (f"key point hygiene over {self.points} points of {self.articles} articles: "
                f"first point dependent {100 * self.first_dependent:.1f}%, "
                f"any point dependent {100 * self.dependent:.1f}%, "
                f"cut at an abbreviation {100 * self.abbreviation_cut:.1f}%, "
                f"under 6 words {100 * self.fragment:.1f}%")


def measure(per_article: Iterable[list[str]]) -> Hygiene:
    """Hygiene shares of key points, given each article's points in display order."""
    articles = points = first_dep = dep = cut = frag = 0
    for article_points in per_article:
        articles += 1
        if article_points and starts_dependent(article_points[0]):
            first_dep += 1
        for point in article_points:
            points += 1
            dep += starts_dependent(point)
            cut += ends_at_abbreviation(point)
            frag += is_fragment(point)
    n = max(1, points)
    return Hygiene(articles, points, first_dep / max(1, articles), dep / n, cut / n, frag / n)
