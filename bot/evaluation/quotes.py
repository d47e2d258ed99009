"""``newsbot eval quotes``: direct-quote extraction and speaker accuracy on PolNeAR rows.

Input rows (JSON lines): ``{id, text, attributions: [{source: {text, spans} | null,
cue: {...}, content: {text, spans} | null, direct_quote}]}``, spans being
character offsets into ``text``.

What counts as a gold direct quote
    PolNeAR annotates direct quotes, indirect speech and paraphrase alike, and its
    ``direct_quote`` flag is only "content starts with a quote mark" (it misses
    quotes that start mid-content and NYT's doubled-apostrophe marks). So we
    ignore the flag: every segment *delimited by quote marks inside a gold
    content span* is a gold quote (double marks ``" “ ” ''``; single marks
    ``‘ ’ '`` only when the content has no double marks; marks paired in order,
    an odd leftover opener runs to the span end, as in multi-paragraph quotes).
    A segment found in several attributions (nested attribution) belongs to the
    one with the shortest content; segments inside another segment (a quote in
    a quote) are dropped. Quoted text outside any attribution content (titles,
    scare quotes nobody is said to have said) is not gold, so extracting it
    costs precision.

Matching
    A predicted quote matches a gold one when their character overlap is at
    least half of the shorter span; matching is one-to-one, greedy by overlap.

Speaker rule
    The *head* of a gold source is the last word of its first noun phrase (text
    cut at the first ``,`` ``(`` or ``of/who/from/at/for/in``), possessive
    stripped, lower-cased: ``White House press secretary Josh Earnest`` ->
    ``earnest``, ``Flynn, a top Trump surrogate,`` -> ``flynn``; an office title
    keeps its "of" (``Secretary of State John F. Kerry`` -> ``kerry``) and a
    lower-case description followed by a name uses the name (``Another critic,
    Laurence H. Tribe,`` -> ``tribe``).

    PolNeAR has no coreference links, so pronoun and description sources are
    resolved by an approximation, and the accuracy on named gold sources is
    reported separately. ``it``, ``they``, ``who`` and definite descriptions
    (``the senator``) take the nearest preceding gold source in the document whose
    head is a capitalised name. ``he`` and ``she`` take the nearest preceding named
    gold source that is a *person* of a compatible gender, and when there is none,
    the nearest person the text names. A person is a capitalised head that is not
    a party, nationality, organisation or place, nor one capitalised plural word
    ("Democrats", "Delegates"); people the text names are surnames after a given
    name, an initial or a title ("Tina Houchins", "Mr. Tribe"), given names on
    their own, and gold-source surnames after any capitalised word ("Rakeyia
    Scott"). Gender comes from a gendered role in the source ("widow", "Mr."),
    then a given name before the surname, then the document's mentions of the
    same name (of the same first name when the source gives one; the gender named
    more than twice as often as the other). A predicted speaker is
    correct when its last word (lower-cased) equals the gold head or the resolved
    antecedent's head. ``None`` is wrong. Matched gold quotes whose attribution
    has no source are left out of speaker accuracy.

    The he/she rule was checked by hand against the earlier "nearest named gold
    source" rule on quotes_dev: of the 47 pronoun quotes where the two disagree,
    the new rule names the true speaker in 34 and the old one in none (both are
    wrong in 13, mostly where the true antecedent is not a gold source).
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from bot.errors import NewsbotError

logger = logging.getLogger(__name__)

_DOUBLE = re.compile(r"''|[\"“”„«»]")
_SINGLE_OPEN = re.compile(r"(?<![\w])[‘'](?=\w)")
_SINGLE_CLOSE = re.compile(r"(?<=[\w.,!?])[’'](?!\w)")
_WORD = re.compile(r"[^\W_][\w.\-'’]*", re.UNICODE)
_SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}
_CUT = re.compile(r",|\(|\s(?:of|who|from|at|for|in|on|with)\s", re.IGNORECASE)
_PRONOUNS = {"he": "m", "she": "f", "him": "m", "her": "f", "who": "", "i": "", "we": "",
             "they": "", "it": "", "whom": ""}


@dataclass(frozen=True, slots=True)
class GoldQuote:
    start: int
    end: int
    heads: frozenset[str]  # acceptable speaker heads; empty = no gold source
    named: bool  # the gold source itself is a name (no resolution needed)


@dataclass(slots=True)
class Scores:
    gold: int = 0
    predicted: int = 0
    matched: int = 0
    speaker_scored: int = 0
    speaker_correct: int = 0
    named_scored: int = 0
    named_correct: int = 0
    documents: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        p = self.matched / self.predicted if self.predicted else 0.0
        r = self.matched / self.gold if self.gold else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {
            "documents": self.documents,
            "gold_quotes": self.gold,
            "predicted_quotes": self.predicted,
            "matched": self.matched,
            "precision": round(p, 4),
            "recall": round(r, 4),
            "f1": round(f, 4),
            "speaker_scored": self.speaker_scored,
            "speaker_accuracy": round(self.speaker_correct / self.speaker_scored, 4)
            if self.speaker_scored else 0.0,
            "speaker_accuracy_named_gold": round(self.named_correct / self.named_scored, 4)
            if self.named_scored else 0.0,
            "named_gold_scored": self.named_scored,
            "ms_per_document": round(1000 * self.seconds / self.documents, 2)
            if self.documents else 0.0,
        }


# --------------------------------------------------------------------------- gold


def _pair_segments(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    marks = [(m.start(), m.end()) for m in _DOUBLE.finditer(text, lo, hi)]
    segs: list[tuple[int, int]] = []
    if marks:
        if len(marks) % 2 == 1:
            if marks[0][0] - lo <= 1:
                marks.append((hi, hi))  # an opener left open to the span end
            else:
                marks.insert(0, (lo, lo))  # content starts inside a quote
        for (_, a), (b, _) in zip(marks[0::2], marks[1::2], strict=True):
            segs.append((a, b))
        return segs
    opens = [m.start() for m in _SINGLE_OPEN.finditer(text, lo, hi)]
    closes = [m.start() for m in _SINGLE_CLOSE.finditer(text, lo, hi)]
    pos = lo
    for o in opens:
        if o < pos:
            continue
        after = [c for c in closes if c > o]
        if after:
            segs.append((o + 1, after[-1] if len(opens) == 1 else after[0]))
            pos = segs[-1][1] + 1
    return segs


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and (text[b - 1].isspace() or text[b - 1] == ","):
        b -= 1
    return a, b


def _is_office_title(before: str, after: str) -> bool:
    """"Secretary of | State John F. Kerry": a title, "of", a department, then a name."""
    from bot.summarize.quote_names import DEPARTMENT_WORDS, PERSON_TITLES

    title = _WORD.findall(before)
    rest = _WORD.findall(_CUT.split(after, maxsplit=1)[0])
    return (bool(title) and title[-1].lower().rstrip(".") in PERSON_TITLES and len(rest) >= 3
            and rest[0].lower() in DEPARTMENT_WORDS and all(w[:1].isupper() for w in rest))


def _first_phrase(source: str) -> str:
    """The source's first noun phrase: cut at the first ``,`` ``(`` or preposition,
    except that "of" inside a capitalised title keeps its name ("Secretary of State
    John F. Kerry") and a lower-case description followed by an appositive name uses
    the name ("Another critic, Laurence H. Tribe," -> "Laurence H. Tribe")."""
    text = source.strip()
    pos = 0
    while True:
        m = _CUT.search(text, pos)
        if m is None:
            return text
        if m.group().strip().lower() == "of" and _is_office_title(text[:m.start()],
                                                                  text[m.end():]):
            pos = m.end()
            continue
        first = text[:m.start()]
        if m.group() == ",":
            first_words = _WORD.findall(first)
            appositive = _CUT.split(text[m.end():].lstrip(), maxsplit=1)[0]
            names = _WORD.findall(appositive)
            if (first_words and first_words[-1][:1].islower() and len(names) >= 2
                    and all(w[:1].isupper() for w in names)):
                return appositive
        return first


def source_head(source: str) -> str:
    """Head word of a gold source phrase (see the module docstring)."""
    first = _first_phrase(source)
    words = _WORD.findall(first)
    if not words:
        words = _WORD.findall(source)
    while len(words) > 1 and words[-1].lower().rstrip(".") in _SUFFIXES:
        words.pop()
    if not words:
        return ""
    word = words[-1]
    for suffix in ("'s", "’s"):
        if word.endswith(suffix):
            word = word[: -len(suffix)]
    return word.lower().rstrip(".")


def _gender(source: str) -> str:
    """'m' / 'f' for a person whose gender the source shows, 'n' for an organisation
    (never the antecedent of he/she), '' when unknown. Only the source's first noun
    phrase counts ("Trump campaign spokesman Jason Miller" is a man, not a campaign);
    a gendered role beats a given name ("9/11 widow Terry Strada")."""
    from bot.summarize.quote_names import GENDERED_NOUNS, ORG_WORDS

    words = [w.lower().rstrip(".") for w in _WORD.findall(_first_phrase(source))]
    if not words:
        return ""
    if words[-1] in ORG_WORDS and not any(w in GENDERED_NOUNS for w in words):
        return "n"
    for w in words:
        if w in GENDERED_NOUNS:
            return GENDERED_NOUNS[w]
    given = _lexicon().given
    for w in words[:-1] if len(words) > 1 else words:  # "Rakeyia Scott" is no Scott
        if given.get(w):
            return given[w]
    return ""


@dataclass(frozen=True, slots=True)
class _Mention:
    position: int
    head: str
    gender: str  # 'm', 'f', '' unknown, 'n' not a person
    person: bool  # may be the antecedent of he/she


@dataclass(frozen=True, slots=True)
class _Lexicon:
    given: dict[str, str]  # given name -> 'm', 'f' or '' (used for both)
    gender_of: dict[str, str]  # given names and person titles -> gender or ''
    not_person: frozenset[str]  # words that never name a person


@cache
def _lexicon() -> _Lexicon:
    """The name lists the resolution rules read, combined once per process."""
    from bot.summarize.quote_names import (
        DEMONYMS,
        FEMALE_NAMES,
        MALE_NAMES,
        MONTHS_DAYS,
        NOT_NAME,
        ORG_WORDS,
        PERSON_TITLES,
        PLACES,
    )

    given = {**{n: "m" for n in MALE_NAMES - FEMALE_NAMES},
             **{n: "f" for n in FEMALE_NAMES - MALE_NAMES},
             **{n: "" for n in MALE_NAMES & FEMALE_NAMES}}
    return _Lexicon(given, {**PERSON_TITLES, **given},
                    frozenset(NOT_NAME | DEMONYMS | ORG_WORDS | MONTHS_DAYS | PLACES))


def _name_mentions(text: str, also_names: set[str]) -> list[tuple[int, str, str, str]]:
    """People the text names, as (position, surname, gender or '', the word before the
    surname, lower-cased, or '' for a given name alone): a capitalised word
    right after a given name, an initial or a person title ("Barack Obama", "Laurence
    H. Tribe", "Mr. Tribe"), a known given name on its own ("Melanie said"), and a word
    of ``also_names`` (the heads of gold sources) after any capitalised word
    ("Rakeyia Scott")."""
    lex = _lexicon()
    given, gender_of, not_person = lex.given, lex.gender_of, lex.not_person
    found: list[tuple[int, str, str, str]] = []
    words = list(_WORD.finditer(text))
    for prev, word in zip([None, *words], words, strict=False):
        w = word.group()
        if not w[:1].isupper():
            continue
        if w.lower() in given:
            found.append((word.start(), w.lower(), given[w.lower()], ""))
        if prev is None or text[prev.end():word.start()] != " ":
            continue
        p = prev.group()
        head = source_head(w)
        key = p.lower().rstrip(".")
        if not p[:1].isupper() or head in not_person or len(head) < 2:
            continue
        if (len(p) == 2 and p.endswith(".")) or key in gender_of:
            found.append((prev.start(), head, gender_of.get(key, ""), key))
        elif key not in not_person and head in also_names:
            found.append((prev.start(), head, "", key))  # "Rakeyia Scott", a source elsewhere
    return found


def _majority(genders: Iterable[str]) -> str:
    """'m' or 'f' when one is clearly more frequent (a surname two people share, such as
    Donald and Melania Trump, goes to the one named more often), else ''."""
    counts = Counter(genders)
    m, f = counts["m"], counts["f"]
    return "m" if m > 2 * f else "f" if f > 2 * m else ""


def _antecedents(row: dict[str, Any]) -> tuple[list[_Mention], list[_Mention]]:
    """Named gold sources, and people the text names, by position, for resolving
    pronoun and description sources (see the module docstring)."""
    from bot.summarize.quote_names import GENDERED_NOUNS, PERSON_TITLES

    text: str = row["text"]
    source_heads = {source_head(a["source"]["text"]) for a in row.get("attributions") or []
                    if a.get("source") and a["source"].get("text")}
    mentions = _name_mentions(text, source_heads)
    by_head: dict[str, list[str]] = {}
    by_full: dict[tuple[str, str], list[str]] = {}  # (word before, surname)
    for _pos, head, gender, before in mentions:
        by_head.setdefault(head, []).append(gender)
        by_full.setdefault((before, head), []).append(gender)
    sources: list[tuple[int, str, str, str]] = []
    for a in row.get("attributions") or []:
        src = a.get("source")
        if src and src.get("spans") and _needs_resolution(src["text"]) is None:
            head = source_head(src["text"])
            if head and any(w[:1].isupper() for w in _WORD.findall(src["text"])):
                gender = _gender(src["text"])
                sources.append((src["spans"][0][0], head, gender, src["text"]))
                by_head.setdefault(head, []).append(gender)
    not_person = _lexicon().not_person
    named: list[_Mention] = []
    for pos, head, gender, source in sorted(sources):
        words = _WORD.findall(_first_phrase(source))
        # "Rakeyia Scott" is not "Keith Lamont Scott": a source with a first name takes
        # the gender of that name's mentions only; a bare surname, of all of them.
        before = words[-2].lower().rstrip(".") if len(words) > 1 and words[-2][:1].isupper() \
            else ""
        if before in PERSON_TITLES:  # "President Obama" is any Obama
            before = ""
        gender = gender or _majority(by_full.get((before, head), ()) if before
                                     else by_head.get(head, ()))
        capitalised = any(w[:1].isupper() and source_head(w) == head for w in words)
        if gender == "n":
            person = False
        elif head in GENDERED_NOUNS:  # "My father"
            person = True
        elif not capitalised or head in not_person:
            person = False
        else:  # a name the text shows as a person's, or one word that is not a plural
            person = head in by_head and any(g != "n" for g in by_head[head]) and (
                len(words) > 1 or any(m[1] == head for m in mentions)
                or not head.endswith("s") or head.endswith(("ss", "us", "is")))
        named.append(_Mention(pos, head, gender, person))
    people = [_Mention(pos, head, gender or _majority(by_full[(before, head)] if before
                                                       else by_head[head]), True)
              for pos, head, gender, before in mentions]
    return named, people


def _needs_resolution(source: str) -> str | None:
    """'m'/'f'/'' for pronouns and definite descriptions, None for names and others."""
    words = _WORD.findall(source.strip())
    if not words:
        return None
    first = words[0].lower()
    if len(words) == 1 and first in _PRONOUNS:
        return _PRONOUNS[first]
    head = source_head(source)
    if first == "the" and head and head == head.lower() and _WORD.findall(
            _CUT.split(source.strip(), maxsplit=1)[0])[-1][:1].islower():
        return ""
    return None


def gold_quotes(row: dict[str, Any]) -> list[GoldQuote]:
    """The gold direct quotes of one PolNeAR row (see the module docstring)."""
    text: str = row["text"]
    attrs = [a for a in row.get("attributions") or [] if a.get("content")]
    named, people = _antecedents(row)

    def heads_for(a: dict[str, Any]) -> tuple[frozenset[str], bool]:
        src = a.get("source")
        if not src or not src.get("text"):
            return frozenset(), False
        head = source_head(src["text"])
        need = _needs_resolution(src["text"])
        if need is None:
            return frozenset({head}), True
        pos = src["spans"][0][0] if src.get("spans") else 0
        if not need:  # who, it, they, "the senator": the nearest named source
            for m in reversed(named):
                if m.position < pos:
                    return frozenset({head, m.head}), False
            return frozenset({head}), False
        # he/she: the nearest named source that is a person of a compatible gender,
        # else the nearest person the text names.
        for pool in (named, people):
            for m in reversed(pool):
                if m.position < pos and m.person and m.gender in ("", need):
                    return frozenset({head, m.head}), False
        return frozenset({head}), False

    found: dict[tuple[int, int], tuple[int, GoldQuote]] = {}
    for a in attrs:
        spans = a["content"].get("spans") or []
        size = sum(e - s for s, e in spans)
        heads, is_named = heads_for(a)
        for lo, hi in spans:
            for s, e in _pair_segments(text, lo, hi):
                s, e = _trim(text, s, e)
                if e <= s:
                    continue
                prev = found.get((s, e))
                if prev is None or size < prev[0]:
                    found[(s, e)] = (size, GoldQuote(s, e, heads, is_named))
    units = sorted((g for _, g in found.values()), key=lambda g: (g.start, -g.end))
    kept: list[GoldQuote] = []
    for g in units:
        if any(k.start <= g.start and g.end <= k.end and (k.start, k.end) != (g.start, g.end)
               for k in kept):
            continue
        kept.append(g)
    return kept


# --------------------------------------------------------------------------- scoring


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def match(pred: list[tuple[int, int]], gold: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """One-to-one greedy matching: pairs (pred index, gold index)."""
    cands = []
    for i, p in enumerate(pred):
        for j, g in enumerate(gold):
            ov = _overlap(p, g)
            shorter = min(p[1] - p[0], g[1] - g[0])
            if ov > 0 and shorter > 0 and ov * 2 >= shorter:
                cands.append((ov, i, j))
    cands.sort(key=lambda c: (-c[0], c[1], c[2]))
    used_p: set[int] = set()
    used_g: set[int] = set()
    pairs = []
    for _ov, i, j in cands:
        if i in used_p or j in used_g:
            continue
        used_p.add(i)
        used_g.add(j)
        pairs.append((i, j))
    return pairs


def speaker_head(speaker: str | None) -> str:
    if not speaker:
        return ""
    words = _WORD.findall(speaker)
    while len(words) > 1 and words[-1].lower().rstrip(".") in ("jr", "sr", "ii", "iii"):
        words.pop()
    return source_head(words[-1]) if words else ""


def score_rows(rows: Iterable[dict[str, Any]], progress: bool = False) -> Scores:
    from bot.summarize.quotes import extract_quotes

    scores = Scores()
    iterator: Iterable[dict[str, Any]] = rows
    if progress:
        from tqdm import tqdm

        iterator = tqdm(rows, desc="eval quotes", unit="doc", file=sys.stderr)
    for row in iterator:
        gold = gold_quotes(row)
        t0 = time.perf_counter()
        pred = extract_quotes(row["text"])
        scores.seconds += time.perf_counter() - t0
        scores.documents += 1
        scores.gold += len(gold)
        scores.predicted += len(pred)
        pairs = match([(q.start, q.end) for q in pred], [(g.start, g.end) for g in gold])
        scores.matched += len(pairs)
        for i, j in pairs:
            g = gold[j]
            if not g.heads:
                continue
            ok = speaker_head(pred[i].speaker) in g.heads
            scores.speaker_scored += 1
            scores.speaker_correct += ok
            if g.named:
                scores.named_scored += 1
                scores.named_correct += ok
    return scores


def read_rows(path: Path, limit: int | None = None) -> Iterator[dict[str, Any]]:
    """PolNeAR-format rows from a JSON-lines file; one clear error on bad input."""
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise NewsbotError(f"cannot read {path}: {exc.strerror or exc}") from exc
    with handle:
        count = 0
        for lineno, line in enumerate(handle, 1):
            if limit is not None and count >= limit:
                return
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise NewsbotError(f"{path}:{lineno}: not JSON ({exc.msg})") from exc
            if not isinstance(row, dict) or not isinstance(row.get("text"), str):
                raise NewsbotError(f"{path}:{lineno}: row has no 'text' string")
            count += 1
            yield row


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register ``eval quotes`` flags (the CLI owns the sub-command itself)."""
    parser.add_argument("--data", required=True, type=Path,
                        help="PolNeAR-format JSON lines (e.g. ../shared/eval/quotes_dev.jsonl)")
    parser.add_argument("--limit", type=int, default=None, help="score only the first N rows")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def format_table(result: dict[str, Any]) -> str:
    rows = [
        ("documents", str(result["documents"])),
        ("gold / predicted / matched",
         f"{result['gold_quotes']} / {result['predicted_quotes']} / {result['matched']}"),
        ("precision", f"{result['precision']:.3f}"),
        ("recall", f"{result['recall']:.3f}"),
        ("F1", f"{result['f1']:.3f}"),
        ("speaker accuracy", f"{result['speaker_accuracy']:.3f} (n={result['speaker_scored']})"),
        ("  on named gold sources",
         f"{result['speaker_accuracy_named_gold']:.3f} (n={result['named_gold_scored']})"),
        ("ms / document", f"{result['ms_per_document']:.2f}"),
    ]
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k.ljust(width)}  {v}" for k, v in rows)


def run(args: argparse.Namespace) -> int:
    """Entry point for ``newsbot eval quotes``; returns the exit status."""
    limit = getattr(args, "limit", None)
    if limit is not None and limit < 0:
        raise NewsbotError("--limit must be >= 0")
    rows = list(read_rows(Path(args.data), limit))
    scores = score_rows(rows, progress=sys.stderr.isatty())
    result = scores.as_dict()
    if getattr(args, "json", False):
        print(json.dumps(result, sort_keys=True))
    else:
        print(format_table(result))
    return 0
