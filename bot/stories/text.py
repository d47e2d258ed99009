"""What story assignment reads from an article's words: pure functions, no model.

* :func:`lead_text` is the part of an article that says what happened: the
  first paragraph, capped at ``LEAD_WORDS`` words (feeds often carry only
  that, and the rest of a full text drifts into background).
* :func:`embedding_text` is what MiniLM embeds: the title, then the first
  ``LEAD_WORDS`` words of the text with any dateline cut off.
* :func:`term_counts` are the title-and-lead words weighted by rarity in the
  stream (tf-idf) next to the embedding: names, places and figures that tell
  two events about the same people apart weigh most.
* :func:`lexical_words` is the word set of the conservative rule used where the
  embedding model does not apply (non-English articles).
"""

from __future__ import annotations

import re
import unicodedata

#: Words of the text kept after the title: about one lead paragraph.
LEAD_WORDS = 60

_WORD = re.compile(r"[^\W_]+(?:[.’'\-][^\W_]+)*", re.UNICODE)
# "WASHINGTON —", "LONDON (Reuters) -", "(CNN)", "NEW YORK, Nov. 19 (UPI) —"
_DATELINE = re.compile(
    r"^\s*(?:[A-Z][A-Za-z.'’]*(?:[ ,]+[A-Z0-9][A-Za-z0-9.'’]*){0,4},?\s*)?"
    r"(?:\([A-Za-z .]{1,30}\)\s*)?(?:[—–-]{1,2}\s+|(?<=\))\s*)"
)
_UNSPACED = re.compile("[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")
_POSSESSIVE = re.compile(r"[’']s$")


def normalize_language(language: str | None) -> str:
    """``"en-US"`` -> ``"en"``; unknown -> ``"und"`` (never merged with a known language)."""
    if not language or not language.strip():
        return "und"
    return language.strip().replace("_", "-").split("-")[0].lower() or "und"


def strip_dateline(text: str) -> str:
    """Cut a leading dateline (``WASHINGTON —``, ``(CNN)``) off a lead."""
    match = _DATELINE.match(text)
    if match and match.end() < len(text) and 0 < match.end() <= 60:
        return text[match.end():]
    return text


def first_words(text: str, words: int = LEAD_WORDS) -> str:
    return " ".join(text.split()[:words])


def lead_text(text: str, words: int = LEAD_WORDS) -> str:
    """The first non-empty paragraph, capped at ``words`` words."""
    for paragraph in text.splitlines():
        if paragraph.strip():
            return first_words(paragraph, words)
    return ""


def embedding_text(title: str, text: str, words: int = LEAD_WORDS) -> str:
    """Title, then the first ``words`` words of the text (dateline removed)."""
    lead = first_words(strip_dateline(text.strip()), words)
    title = " ".join(title.split())
    if title and lead:
        joiner = " " if title[-1] in ".!?:;" else ". "
        return f"{title}{joiner}{lead}"
    return title or lead


def _fold(word: str) -> str:
    word = _POSSESSIVE.sub("", word)
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("’", "'")


_TERM = re.compile(r"[^\W\d_]{2,}|\d+(?:[.,]\d+)*", re.UNICODE)


def term_counts(title: str, text: str, words: int = LEAD_WORDS) -> dict[str, int]:
    """Folded words and numbers of the title and lead with their counts: the
    sparse side of the story score (weighted by inverse document frequency
    over the stream, so names and figures count most and no stop list is needed)."""
    counts: dict[str, int] = {}
    for raw in _TERM.findall(embedding_text(title, text, words)):
        term = _fold(raw).replace(",", "")
        counts[term] = counts.get(term, 0) + 1
    return counts


def lexical_words(title: str, text: str, words: int = LEAD_WORDS) -> frozenset[str]:
    """Folded words of the title and lead, 4+ letters (a language-free stand-in
    for a stop list), or character bigrams for scripts written without spaces."""
    body = f"{title} {first_words(strip_dateline(text.strip()), words)}"
    out: set[str] = set()
    for token in (_fold(w) for w in _WORD.findall(body)):
        if _UNSPACED.search(token):
            # Written without spaces (Chinese, Japanese, Thai): character pairs.
            out.update(token[i:i + 2] for i in range(len(token) - 1))
        elif len(token) >= 4 and not token.isdigit():
            out.add(token)
    return frozenset(out)
