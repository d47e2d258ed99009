"""``newsbot eval quotes``: direct-quote extraction and speaker attribution on PolNeAR rows.

Input rows (JSON lines, one or several files): ``{id, text, attributions: [{source:
{text, spans} | null, cue: {...}, content: {text, spans} | null, direct_quote}]}``,
spans being character offsets into ``text``; ``publisher`` is optional (else it is
read from a PolNeAR id, ``polnear-<split>-<publisher>_<date>_...``).

Independence
    This module shares no code and no word list with the system it scores
    (``bot.summarize``): its few word lists are its own, below, and small on
    purpose. The system is imported only to run it (``extract_quotes``).

What counts as a gold direct quote
    PolNeAR annotates direct quotes, indirect speech and paraphrase alike, and its
    ``direct_quote`` flag is only "content starts with a quote mark". So every
    segment *delimited by quote marks inside a gold content span* is a gold quote
    (double marks ``" “ ” ''``; single marks ``‘ ’ '`` only when the content has no
    double marks; marks paired in order, an odd leftover opener runs to the span
    end). A segment found in several attributions belongs to the one with the
    shortest content; segments inside another segment are dropped.

Matching
    A predicted quote matches a gold one when their character overlap is at least
    half of the shorter span; one-to-one, greedy by overlap.

Gold source kinds and the speaker rule
    The *head* of a source is the last word of its first noun phrase (cut at the
    first ``,`` ``(`` or ``of/who/from/at/for/in/on/with``), possessive and
    ``Jr./II`` stripped, lower-cased; an office title keeps its "of" (``Secretary
    of State John F. Kerry`` -> ``kerry``) and a lower-case description followed by
    an appositive name uses the name (``Another critic, Laurence H. Tribe,`` ->
    ``tribe``). A predicted speaker is correct when the head of its last word equals
    the gold head (or, for a pronoun, the resolved head). ``None`` is wrong.

    Every gold source is one of three kinds, scored and printed apart:

    - **named**: the head word is capitalised in the source (``Josh Earnest``,
      ``Fox News``, ``Democrats``). This is the headline figure: it needs no
      coreference at all.
    - **pronoun**: a source that is one pronoun (``he``, ``she``, ``they``, ``it``,
      ``who``, ``I``, ``we``, ``his``...). PolNeAR has no coreference links, so the
      antecedent is approximated by this rule, independent of the system: the nearest
      preceding *named* gold source of the document whose head the text also shows as
      the last word of a name of two or more capitalised words, or after an honorific
      (``Mr.``, ``Ms.``, ``Mrs.``, ``Dr.``), and that is not an organisation's head word
      (``Fox News``; a short list of the scorer's own); for ``he``/``she``, one the text
      never gives the other gender's honorific (``Mrs. Clinton`` is no ``he``). Either
      the pronoun itself or that head is accepted; with no such source before it, the
      quote is not scored. Approximate by construction: read it as a trend, never as
      the target figure. (No gender is guessed from given names: that would need a
      name list, which is what the system uses.)
    - **description**: everything else (``the senator``, ``Border Patrol agents``,
      ``one former executive``): the head itself (``agents``) or the head of the
      nearest preceding named gold source is accepted. Also approximate.

Figures (always printed)
    quote P/R/F1; speaker accuracy on named sources (the target figure), on pronoun
    and description sources, and on all; coverage (share of matched gold quotes with
    a scorable source that got a non-null speaker); precision among the attributed
    (accuracy when the engine abstentions are left out); ``key_quotes`` speaker
    precision (among the engine's key quotes that match a gold quote with a named
    source, and with any scorable source), and key quotes per article for articles
    with two or more attributed direct quotes; named accuracy per publisher.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.errors import NewsbotError

logger = logging.getLogger(__name__)

_DOUBLE = re.compile(r"''|[\"“”„«»]")
_SINGLE_OPEN = re.compile(r"(?<![\w])[‘'](?=\w)")
_SINGLE_CLOSE = re.compile(r"(?<=[\w.,!?])[’'](?!\w)")
_WORD = re.compile(r"[^\W_][\w.\-'’]*", re.UNICODE)
_CUT = re.compile(r",|\(|\s(?:of|who|from|at|for|in|on|with)\s", re.IGNORECASE)
# The scorer's own small word lists (never the system's).
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
_PRONOUNS = frozenset({"he", "she", "him", "her", "his", "hers", "who", "whom", "i", "we",
                       "me", "us", "my", "our", "they", "them", "their", "it", "its", "you",
                       "your", "one", "himself", "herself", "themselves", "itself"})
_HE, _SHE = frozenset({"he", "him", "his", "himself"}), frozenset({"she", "her", "hers",
                                                                    "herself"})
_HONORIFIC = re.compile(r"\b(Mr|Mrs|Ms|Miss|Dr)\.?\s+([A-Z][\w'’\-]+)")
_OFFICE_TITLES = frozenset({"secretary", "attorney", "minister", "director", "chief",
                            "chairman", "chairwoman", "chair", "president", "governor",
                            "speaker", "administrator", "commissioner", "head"})
_OFFICE_WORDS = frozenset({"state", "defense", "defence", "homeland", "treasury", "labor",
                           "commerce", "health", "energy", "education", "agriculture",
                           "transportation", "justice", "interior", "veterans", "housing",
                           "foreign", "finance"})
# Head words of organisations and outlets that look like names ("Fox News"): never the
# antecedent of he/she.
_ORG_HEADS = frozenset({"news", "times", "post", "journal", "house", "department", "committee",
                        "campaign", "party", "office", "agency", "council", "court", "senate",
                        "congress", "administration", "association", "foundation", "group",
                        "company", "corporation", "inc", "network", "press", "tribune",
                        "magazine", "institute", "university", "center", "centre", "union",
                        "service", "bureau", "commission", "ministry", "board", "fund",
                        "reuters", "cnn", "nbc", "abc", "cbs", "msnbc", "ap", "fbi", "cia",
                        "pac", "gop", "dnc", "rnc", "un", "nato", "politifact"})
_NAME = re.compile(r"\b[A-Z][\w'’\-]*\.?(?:\s+[A-Z][\w'’\-]*\.?)+")


@dataclass(frozen=True, slots=True)
class GoldQuote:
    start: int
    end: int
    heads: frozenset[str]  # acceptable speaker heads; empty = no gold source
    kind: str  # "named", "pronoun", "description", or "" (no source)

    @property
    def named(self) -> bool:
        return self.kind == "named"


@dataclass(slots=True)
class _Tally:
    scored: int = 0
    correct: int = 0
    attributed: int = 0  # scored quotes with a non-null prediction

    def add(self, ok: bool, attributed: bool) -> None:
        self.scored += 1
        self.correct += ok
        self.attributed += attributed

    def rate(self) -> float:
        return round(self.correct / self.scored, 4) if self.scored else 0.0


@dataclass(slots=True)
class Scores:
    gold: int = 0
    predicted: int = 0
    matched: int = 0
    documents: int = 0
    seconds: float = 0.0
    by_kind: dict[str, _Tally] = field(default_factory=dict)
    by_publisher: dict[str, _Tally] = field(default_factory=dict)
    key_named: _Tally = field(default_factory=_Tally)
    key_all: _Tally = field(default_factory=_Tally)
    key_unmatched: int = 0  # key quotes matching no gold quote
    multi_articles: int = 0  # articles with >= 2 gold quotes that have a source
    multi_key_quotes: int = 0  # key quotes shown in those articles

    def tally(self, kind: str) -> _Tally:
        return self.by_kind.setdefault(kind, _Tally())

    def as_dict(self) -> dict[str, Any]:
        p = self.matched / self.predicted if self.predicted else 0.0
        r = self.matched / self.gold if self.gold else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        every = _Tally()
        for t in self.by_kind.values():
            every.scored += t.scored
            every.correct += t.correct
            every.attributed += t.attributed
        named = self.tally("named")
        return {
            "documents": self.documents,
            "gold_quotes": self.gold,
            "predicted_quotes": self.predicted,
            "matched": self.matched,
            "precision": round(p, 4),
            "recall": round(r, 4),
            "f1": round(f, 4),
            "speaker_accuracy_named": named.rate(),
            "named_scored": named.scored,
            "speaker_accuracy_pronoun": self.tally("pronoun").rate(),
            "pronoun_scored": self.tally("pronoun").scored,
            "speaker_accuracy_description": self.tally("description").rate(),
            "description_scored": self.tally("description").scored,
            "speaker_accuracy": every.rate(),
            "speaker_scored": every.scored,
            "coverage": round(every.attributed / every.scored, 4) if every.scored else 0.0,
            "coverage_named": round(named.attributed / named.scored, 4) if named.scored else 0.0,
            "precision_attributed_named": round(named.correct / named.attributed, 4)
            if named.attributed else 0.0,
            "key_quotes_precision_named": self.key_named.rate(),
            "key_quotes_named_scored": self.key_named.scored,
            "key_quotes_precision": self.key_all.rate(),
            "key_quotes_scored": self.key_all.scored,
            "key_quotes_unmatched": self.key_unmatched,
            "key_quotes_per_article": round(self.multi_key_quotes / self.multi_articles, 3)
            if self.multi_articles else 0.0,
            "articles_with_2plus_attributed_quotes": self.multi_articles,
            "named_by_publisher": {k: {"accuracy": t.rate(), "n": t.scored}
                                   for k, t in sorted(self.by_publisher.items())},
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
    title = _WORD.findall(before)
    rest = _WORD.findall(_CUT.split(after, maxsplit=1)[0])
    return (bool(title) and title[-1].lower().rstrip(".") in _OFFICE_TITLES and len(rest) >= 3
            and rest[0].lower() in _OFFICE_WORDS and all(w[:1].isupper() for w in rest))


def _first_phrase(source: str) -> str:
    """The source's first noun phrase (see the module docstring)."""
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


def _head_word(source: str) -> str:
    """The head as written (case kept), '' when the source has no word."""
    words = _WORD.findall(_first_phrase(source)) or _WORD.findall(source)
    while len(words) > 1 and words[-1].lower().rstrip(".") in _SUFFIXES:
        words.pop()
    if not words:
        return ""
    word = words[-1]
    for suffix in ("'s", "’s"):
        if word.endswith(suffix):
            word = word[: -len(suffix)]
    return word.rstrip(".")


def source_head(source: str) -> str:
    """Head word of a gold source phrase, lower-cased (see the module docstring)."""
    return _head_word(source).lower()


def source_kind(source: str) -> str:
    """'named', 'pronoun' or 'description' (see the module docstring)."""
    words = _WORD.findall(source.strip())
    if len(words) == 1 and words[0].lower() in _PRONOUNS:
        return "pronoun"
    head = _head_word(source)
    return "named" if head[:1].isupper() else "description"


@dataclass(frozen=True, slots=True)
class _Named:
    position: int
    head: str
    person: bool  # the text shows the head as a person's name


def _people(text: str) -> tuple[set[str], set[str], set[str]]:
    """Heads the text shows as the last word of a multi-word capitalised name or after
    an honorific; and the heads it gives a man's / a woman's honorific."""
    person: set[str] = set()
    men: set[str] = set()
    women: set[str] = set()
    for m in _NAME.finditer(text):
        person.add(m.group().split()[-1].rstrip(".").lower().removesuffix("'s").removesuffix("’s"))
    for m in _HONORIFIC.finditer(text):
        head = m.group(2).lower().removesuffix("'s").removesuffix("’s")
        person.add(head)
        if m.group(1) == "Mr":
            men.add(head)
        elif m.group(1) in ("Mrs", "Ms", "Miss"):
            women.add(head)
    return person, men, women


def gold_quotes(row: dict[str, Any]) -> list[GoldQuote]:
    """The gold direct quotes of one PolNeAR row (see the module docstring)."""
    text: str = row["text"]
    attrs = [a for a in row.get("attributions") or [] if a.get("content")]
    person, men, women = _people(text)
    named: list[_Named] = []
    for a in row.get("attributions") or []:
        src = a.get("source")
        if src and src.get("text") and src.get("spans") and source_kind(src["text"]) == "named":
            head = source_head(src["text"])
            named.append(_Named(src["spans"][0][0], head,
                                head in person and head not in _ORG_HEADS))
    named.sort(key=lambda n: n.position)

    def heads_for(a: dict[str, Any]) -> tuple[frozenset[str], str]:
        src = a.get("source")
        if not src or not src.get("text"):
            return frozenset(), ""
        head = source_head(src["text"])
        kind = source_kind(src["text"])
        if kind == "named" or not head:
            return frozenset({head}), kind
        pos = src["spans"][0][0] if src.get("spans") else 0
        earlier = [n for n in named if n.position < pos]
        if kind == "pronoun":
            other = women if head in _HE else men if head in _SHE else set()
            for n in reversed(earlier):
                if n.person and n.head not in other:
                    return frozenset({head, n.head}), kind
            return frozenset(), kind  # no antecedent among the named sources: not scored
        if earlier:
            return frozenset({head, earlier[-1].head}), kind
        return frozenset({head}), kind

    found: dict[tuple[int, int], tuple[int, GoldQuote]] = {}
    for a in attrs:
        spans = a["content"].get("spans") or []
        size = sum(e - s for s, e in spans)
        heads, kind = heads_for(a)
        for lo, hi in spans:
            for s, e in _pair_segments(text, lo, hi):
                s, e = _trim(text, s, e)
                if e <= s:
                    continue
                prev = found.get((s, e))
                if prev is None or size < prev[0]:
                    found[(s, e)] = (size, GoldQuote(s, e, heads, kind))
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
    while len(words) > 1 and words[-1].lower().rstrip(".") in _SUFFIXES:
        words.pop()
    return source_head(words[-1]) if words else ""


def publisher_of(row: dict[str, Any]) -> str:
    """The row's ``publisher``, else the one a PolNeAR id names, else '?'."""
    pub = row.get("publisher")
    if isinstance(pub, str) and pub:
        return pub
    m = re.match(r"polnear-[a-z]+-([a-z\-]+?)_", str(row.get("id", "")))
    return m.group(1) if m else "?"


def score_rows(rows: Iterable[dict[str, Any]], progress: bool = False,
               max_key_quotes: int = 2) -> Scores:
    from bot.summarize.quoting import find_quotes

    scores = Scores()
    iterator: Iterable[dict[str, Any]] = rows
    if progress:
        from tqdm import tqdm

        iterator = tqdm(rows, desc="eval quotes", unit="doc", file=sys.stderr)
    for row in iterator:
        gold = gold_quotes(row)
        t0 = time.perf_counter()
        quotes, key = find_quotes(row["text"], max_key_quotes)
        scores.seconds += time.perf_counter() - t0
        pred = list(quotes)
        scores.documents += 1
        scores.gold += len(gold)
        scores.predicted += len(pred)
        pairs = match([(q.start, q.end) for q in pred], [(g.start, g.end) for g in gold])
        scores.matched += len(pairs)
        pub = scores.by_publisher.setdefault(publisher_of(row), _Tally())
        for i, j in pairs:
            g = gold[j]
            if not g.heads:
                continue
            ok = speaker_head(pred[i].speaker) in g.heads
            scores.tally(g.kind).add(ok, pred[i].speaker is not None)
            if g.named:
                pub.add(ok, pred[i].speaker is not None)
        # key quotes: what a digest shows
        key_pairs = dict(match([(q.start, q.end) for q in key], [(g.start, g.end) for g in gold]))
        for i, q in enumerate(key):
            if i not in key_pairs:
                scores.key_unmatched += 1
                continue
            g = gold[key_pairs[i]]
            if not g.heads:
                continue
            ok = speaker_head(q.speaker) in g.heads
            scores.key_all.add(ok, q.speaker is not None)
            if g.named:
                scores.key_named.add(ok, q.speaker is not None)
        if sum(1 for g in gold if g.heads) >= 2:
            scores.multi_articles += 1
            scores.multi_key_quotes += len(key)
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


def read_all(paths: Sequence[Path], limit: int | None = None) -> list[dict[str, Any]]:
    """Rows of several files in order; ``limit`` counts over all of them."""
    rows: list[dict[str, Any]] = []
    for path in paths:
        left = None if limit is None else limit - len(rows)
        if left is not None and left <= 0:
            break
        rows.extend(read_rows(Path(path), left))
    return rows


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register ``eval quotes`` flags (the CLI owns the sub-command itself)."""
    parser.add_argument("--data", required=True, type=Path, nargs="+", metavar="FILE",
                        help="PolNeAR-format JSON lines, one or several files "
                             "(e.g. ../shared/eval/quotes_dev.jsonl)")
    parser.add_argument("--limit", type=int, default=None,
                        help="score only the first N rows (over all files)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--train", action="store_true",
                        help="instead of scoring, rebuild the speaker model's weights from "
                             "--data (the PolNeAR train split) and print its k-fold figures")
    parser.add_argument("--folds", type=int, default=5, help="folds for --train (default 5)")
    parser.add_argument("--out", type=Path, default=None,
                        help="with --train: where to write the weights (default: the "
                             "packaged bot/summarize/speaker_weights.json)")


def format_table(result: dict[str, Any]) -> str:
    def acc(name: str, key: str, n: str) -> tuple[str, str]:
        return name, f"{result[key]:.3f} (n={result[n]})"

    rows = [
        ("documents", str(result["documents"])),
        ("gold / predicted / matched",
         f"{result['gold_quotes']} / {result['predicted_quotes']} / {result['matched']}"),
        ("quote precision / recall / F1",
         f"{result['precision']:.3f} / {result['recall']:.3f} / {result['f1']:.3f}"),
        acc("speaker accuracy, named sources", "speaker_accuracy_named", "named_scored"),
        ("  coverage / precision if attributed",
         f"{result['coverage_named']:.3f} / {result['precision_attributed_named']:.3f}"),
        acc("  pronoun sources (approximate)", "speaker_accuracy_pronoun", "pronoun_scored"),
        acc("  description sources (approx.)", "speaker_accuracy_description",
            "description_scored"),
        acc("  all scored sources", "speaker_accuracy", "speaker_scored"),
        ("coverage (non-null speaker)", f"{result['coverage']:.3f}"),
        acc("key_quotes precision, named", "key_quotes_precision_named",
            "key_quotes_named_scored"),
        acc("key_quotes precision, all", "key_quotes_precision", "key_quotes_scored"),
        ("key_quotes / article (>= 2 gold)",
         f"{result['key_quotes_per_article']:.2f} "
         f"(articles={result['articles_with_2plus_attributed_quotes']})"),
    ]
    for pub, v in result["named_by_publisher"].items():
        rows.append((f"  named, {pub}", f"{v['accuracy']:.3f} (n={v['n']})"))
    rows.append(("ms / document", f"{result['ms_per_document']:.2f}"))
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k.ljust(width)}  {v}" for k, v in rows)


def run(args: argparse.Namespace) -> int:
    """Entry point for ``newsbot eval quotes``; returns the exit status."""
    limit = getattr(args, "limit", None)
    if limit is not None and limit < 0:
        raise NewsbotError("--limit must be >= 0")
    paths = args.data if isinstance(args.data, list | tuple) else [args.data]
    rows = read_all([Path(p) for p in paths], limit)
    if getattr(args, "train", False):
        from bot.evaluation.speaker_training import train_command

        return train_command(rows, folds=getattr(args, "folds", 5),
                             out=getattr(args, "out", None),
                             data=[str(p) for p in paths], as_json=getattr(args, "json", False))
    scores = score_rows(rows, progress=sys.stderr.isatty())
    result = scores.as_dict()
    if getattr(args, "json", False):
        print(json.dumps(result, sort_keys=True))
    else:
        print(format_table(result))
    return 0
