"""Rebuild the speaker ranker's weights from PolNeAR training rows, with k-fold CV.

``newsbot eval quotes --train --data ../shared/eval/quotes_train.jsonl`` runs
:func:`train_command`: it fits the logistic regression of
:mod:`bot.summarize.speaker_model` on every row, reports grouped k-fold figures
(articles annotated twice stay in one fold), chooses the key-quote confidence
floor on the out-of-fold predictions, and writes ``speaker_weights.json`` with
its provenance (data files and their SHA-256, the git commit, the command).

Labels: a candidate is right when its last word is the head of the gold source of
the gold quote the extracted quote matches (the scorer's gold, see
:mod:`bot.evaluation.quotes`), per kind of source (:func:`_label_heads`):

- *named* sources: the head (exact);
- *pronoun* sources: the scorer's stated antecedent (the nearest preceding named
  person source of a compatible gender). An approximation, but the only signal
  for how far a resolved pronoun may be trusted;
- *description* sources ("a longtime adviser"): only the description itself. An
  anonymous source said it, so a name there is wrong; the scorer also accepts
  the nearest preceding named source, and learning that taught the ranker that
  the last speaker said everything (train 5-fold CV, 2026-12-02: named accuracy
  0.921 with it, 0.926 without; wrong names shown on all scored quotes 1,393 ->
  1,342 of 9,237; docs/speakers.md has what it costs).

Conventions read earlier decisions, so the features depend on the model: the
fit alternates decoding with the current weights and refitting (``ROUNDS``),
starting from the hand-set priors in :data:`PRIOR`.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import math
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.evaluation.quotes import GoldQuote, source_head, source_kind
from bot.summarize.quote_marks import find_quote_spans
from bot.summarize.speaker_context import prepare
from bot.summarize.speaker_model import ExtraFeatures, Model, SiteTrace, decode

logger = logging.getLogger(__name__)

ROUNDS = 3
L2 = 1.0  # ridge penalty of the logistic regression (on the summed log-loss)
# Abstention: a best candidate whose probability is under ``abstain_below`` gives
# speaker None. The threshold is read off the out-of-fold figures: the highest grid
# value below which every band of guesses is more often wrong than right (see
# choose_abstention). The CV figures are printed and stored beside the weights.
ABSTAIN_GRID = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)
ABSTAIN_BELOW = 0.2  # used inside the CV folds for the key-quote figures
KEY_FLOORS = (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)
KEY_PRECISION_GOAL = 0.97
PRIOR: dict[str, float] = {
    "bias": -2.0, "family:cue_after": 4, "family:cue_before": 4, "family:label": 4,
    "family:cue_sentence_end": 3, "family:intro_subject": 2, "family:credit_line": 3,
    "family:headline": 3, "family:cue_previous_sentence": 3, "family:intro_paragraph": 3,
    "family:speech_noun": 2, "family:continued_quote": 4, "family:same_sentence_quote": 3,
    "family:same_paragraph_quote": 2.5, "family:quote_paragraph_after_quote": 2.5,
    "family:sentence_subject": 1.5, "family:previous_sentence": 1.5,
    "family:previous_paragraph_cue": 2, "family:previous_paragraph": 1,
    "family:recent_speaker": 0.5, "family:sentence_mention": 0.3,
}


@dataclass(slots=True)
class Example:
    features: list[dict[str, float]]  # one per candidate
    labels: list[int]


def _examples(rows: Sequence[dict[str, Any]], model: Model,
              kinds: tuple[str, ...] = ("named", "pronoun", "description"),
              extra_features: ExtraFeatures | None = None) -> list[Example]:
    from bot.evaluation.quotes import gold_quotes, match, speaker_head

    out: list[Example] = []
    for row in rows:
        text = row["text"]
        spans = find_quote_spans(text)
        if not spans:
            continue
        trace: list[SiteTrace] = []
        decode(prepare(text, spans), model, trace, extra_features)
        gold = gold_quotes(row)
        named = _named_heads(row)
        for i, j in match([(s.start, s.end) for s in spans], [(g.start, g.end) for g in gold]):
            g = gold[j]
            if g.kind not in kinds or not trace[i].candidates:
                continue
            heads = _label_heads(g, named)
            if not heads:
                continue
            labels = [int(speaker_head(c.speaker) in heads) for c in trace[i].candidates]
            out.append(Example(list(trace[i].features), labels))
    return out


def _named_heads(row: dict[str, Any]) -> frozenset[str]:
    """Heads of the row's named gold sources."""
    return frozenset(source_head(a["source"]["text"]) for a in row.get("attributions") or []
                     if (a.get("source") or {}).get("text")
                     and source_kind(a["source"]["text"]) == "named")


def _label_heads(g: GoldQuote, named: frozenset[str]) -> frozenset[str]:
    """The heads that make a candidate right for training (see the module docstring):
    a description source's own head only, not the named source the scorer also
    accepts for it."""
    if g.kind == "description":
        return g.heads - named
    return g.heads


def fit(examples: Sequence[Example], l2: float = L2) -> dict[str, float]:
    """Logistic regression by Newton's method (IRLS) with a ridge penalty."""
    import numpy as np

    names = sorted({k for ex in examples for f in ex.features for k in f})
    index = {k: i for i, k in enumerate(names)}
    rows = [f for ex in examples for f in ex.features]
    y = np.array([lab for ex in examples for lab in ex.labels], dtype=float)
    x = np.zeros((len(rows), len(names)))
    for r, f in enumerate(rows):
        for k, v in f.items():
            x[r, index[k]] = v
    w = np.zeros(len(names))
    penalty = np.full(len(names), l2)
    penalty[index["bias"]] = 0.0
    for _ in range(25):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ w, -30, 30)))
        grad = x.T @ (p - y) + penalty * w
        hess = (x * (p * (1 - p))[:, None]).T @ x + np.diag(penalty + 1e-6)
        step = np.linalg.solve(hess, grad)
        w -= step
        if float(np.abs(step).max()) < 1e-6:
            break
    return {k: round(float(w[i]), 4) for k, i in index.items() if abs(w[i]) >= 1e-4}


def train(rows: Sequence[dict[str, Any]], rounds: int = ROUNDS,
          abstain_below: float = ABSTAIN_BELOW, key_quote_min: float = 0.8,
          extra_features: ExtraFeatures | None = None) -> Model:
    """``extra_features``: optional features beyond the engine's (experiments only)."""
    model = Model(dict(PRIOR), abstain_below, key_quote_min)
    for _ in range(rounds):
        model = Model(fit(_examples(rows, model, extra_features=extra_features)),
                      abstain_below, key_quote_min)
    return model


def _folds(rows: Sequence[dict[str, Any]], k: int) -> list[list[int]]:
    """Row indices per fold; rows of one article (annotated twice) share a fold."""
    articles = sorted({str(r.get("article_id") or r.get("id")) for r in rows},
                      key=lambda a: hashlib.sha256(a.encode()).hexdigest())
    fold_of = {a: i % k for i, a in enumerate(articles)}
    folds: list[list[int]] = [[] for _ in range(k)]
    for i, r in enumerate(rows):
        folds[fold_of[str(r.get("article_id") or r.get("id"))]].append(i)
    return folds


def _score(rows: Sequence[dict[str, Any]], model: Model,
           extra_features: ExtraFeatures | None = None) -> dict[str, Any]:
    from bot.evaluation.quotes import score_rows
    from bot.summarize.speakers import using_extra_features, using_model

    with using_model(model), using_extra_features(extra_features):
        return score_rows(rows).as_dict()


def cross_validate(rows: Sequence[dict[str, Any]], k: int,
                   floors: Sequence[float] = KEY_FLOORS,
                   abstains: Sequence[float] = ABSTAIN_GRID,
                   extra_features: ExtraFeatures | None = None) -> dict[str, Any]:
    """Out-of-fold figures, pooled over the folds: for each key-quote floor (with the
    shipped abstention threshold), and for each abstention threshold (reported only).
    ``extra_features``: optional features beyond the engine's (experiments only)."""
    by_floor: dict[float, list[dict[str, Any]]] = {f: [] for f in floors}
    by_abstain: dict[float, list[dict[str, Any]]] = {a: [] for a in abstains}
    for fold, held in enumerate(_folds(rows, k)):
        held_set = set(held)
        train_rows = [r for i, r in enumerate(rows) if i not in held_set]
        model = train(train_rows, extra_features=extra_features)
        test_rows = [rows[i] for i in held]
        for floor in floors:
            m = Model(model.weights, model.abstain_below, floor)
            by_floor[floor].append(_score(test_rows, m, extra_features))
        for a in abstains:
            by_abstain[a].append(_score(test_rows, Model(model.weights, a, 0.8), extra_features))
        print(f"fold {fold + 1}/{k}: named accuracy "
              f"{by_floor[floors[0]][-1]['speaker_accuracy_named']:.3f}", file=sys.stderr)
    return {"by_key_quote_min": {str(f): _pool(parts) for f, parts in by_floor.items()},
            "by_abstain_below": {str(a): _pool(parts) for a, parts in by_abstain.items()}}


def _pool(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """Pool per-fold figures by their counts."""
    def rate(acc: str, n: str) -> float:
        total = sum(p[n] for p in parts)
        return round(sum(p[acc] * p[n] for p in parts) / total, 4) if total else 0.0

    arts = sum(p["articles_with_2plus_attributed_quotes"] for p in parts)
    return {
        "speaker_accuracy_named": rate("speaker_accuracy_named", "named_scored"),
        "named_scored": sum(p["named_scored"] for p in parts),
        "speaker_accuracy": rate("speaker_accuracy", "speaker_scored"),
        "coverage_named": rate("coverage_named", "named_scored"),
        "key_quotes_precision_named": rate("key_quotes_precision_named",
                                           "key_quotes_named_scored"),
        "key_quotes_named_scored": sum(p["key_quotes_named_scored"] for p in parts),
        "key_quotes_precision": rate("key_quotes_precision", "key_quotes_scored"),
        "key_quotes_per_article": round(sum(
            p["key_quotes_per_article"] * p["articles_with_2plus_attributed_quotes"]
            for p in parts) / arts, 3) if arts else 0.0,
        "fold_named_accuracy": [p["speaker_accuracy_named"] for p in parts],
    }


def choose_key_floor(by_floor: dict[str, dict[str, Any]]) -> float:
    """The lowest key-quote floor whose out-of-fold named precision meets the goal
    with one standard error to spare: the goal is met on articles nobody has, and
    a floor that only just meets it on train (precision 0.970 at 0.9 with the
    weights of 2026-12-02) would miss it about half the time there."""
    for f, v in sorted(by_floor.items(), key=lambda kv: float(kv[0])):
        p, n = v["key_quotes_precision_named"], v["key_quotes_named_scored"]
        if n and p - math.sqrt(p * (1 - p) / n) >= KEY_PRECISION_GOAL:
            return float(f)
    return KEY_FLOORS[-1]


def choose_abstention(by_abstain: dict[str, dict[str, Any]]) -> float:
    """The highest threshold of the grid under which each band of guesses (between two
    neighbouring thresholds) was right less than half the time, out of fold, on named
    sources: abstaining there removes more wrong names than right ones."""
    grid = sorted(by_abstain, key=float)
    chosen = float(grid[0])
    for lo, hi in itertools.pairwise(grid):
        a, b = by_abstain[lo], by_abstain[hi]
        covered = a["coverage_named"] - b["coverage_named"]
        right = a["speaker_accuracy_named"] - b["speaker_accuracy_named"]
        if covered <= 0 or right / covered >= 0.5:
            break
        chosen = float(hi)
    return chosen


def _commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True,
                             timeout=10, cwd=Path(__file__).parent, check=False)
        return out.stdout.strip() or "unknown"
    except OSError:
        return "unknown"


def _sha256(path: str) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return "unreadable"


def train_command(rows: Sequence[dict[str, Any]], folds: int, out: Path | None,
                  data: Sequence[str], as_json: bool = False) -> int:
    """``newsbot eval quotes --train``: CV figures, then the weights on all rows."""
    if folds < 2:
        from bot.errors import NewsbotError

        raise NewsbotError("--folds must be >= 2")
    cv = cross_validate(rows, folds)
    floor = choose_key_floor(cv["by_key_quote_min"])
    abstain = choose_abstention(cv["by_abstain_below"])
    model = train(rows, abstain_below=abstain, key_quote_min=floor)
    target = out or Path(__file__).parent.parent / "summarize" / "speaker_weights.json"
    payload = {
        "provenance": {
            "data": [{"path": Path(p).name, "sha256": _sha256(p)} for p in data],
            "rows": len(rows),
            "commit": _commit(),
            "command": "newsbot eval quotes --train --data " + " ".join(
                Path(p).name for p in data) + f" --folds {folds}",
            "method": f"logistic regression (IRLS, L2={L2}), {ROUNDS} decode/refit rounds, "
                      "labels from named sources, pronoun sources by the scorer's antecedent "
                      "rule, description sources by their own head",
            "cross_validation": {"folds": folds, **cv},
        },
        "abstain_below": model.abstain_below,
        "key_quote_min": model.key_quote_min,
        "weights": dict(sorted(model.weights.items())),
    }
    target.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    if as_json:
        print(json.dumps({"cross_validation": cv, "key_quote_min": floor, "out": str(target)}))
    else:
        print(f"{folds}-fold CV (grouped by article), abstain below {ABSTAIN_BELOW}; "
              "by key-quote floor:")
        print(f"chosen abstain_below: {abstain}")
        for f, v in cv["by_key_quote_min"].items():
            print(f"  key_quote_min {f}: {v}")
        print("by abstention threshold (key-quote floor 0.8):")
        for a, v in cv["by_abstain_below"].items():
            print(f"  abstain_below {a}: {v}")
        print(f"chosen key_quote_min: {floor} (lowest whose out-of-fold named key-quote "
              f"precision, less one standard error, is >= {KEY_PRECISION_GOAL})")
        print(f"weights written to {target}")
    return 0
