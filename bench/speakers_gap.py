"""Is dev's lead over train-CV overfitting, or an easy sample? (issue #12; prints only)::

    python bench/speakers_gap.py --train-data ../shared/eval/quotes_train.jsonl \\
        --dev-data ../shared/eval/quotes_dev.jsonl [--folds 5] [--samples 5000]

Issue #12 asks that the named-source speaker accuracy of train-CV be within two
points of dev's, since a larger gap means overfitting. Dev has 94 documents, so
its own figure has a spread; this measures it with the trainer and scorer of
this checkout:

1. Out-of-fold named accuracy per train document: the same grouped folds and
   trainer as ``newsbot eval quotes --train``, at the shipped thresholds.
2. The spread of that figure over random samples of dev's size (articles drawn
   without replacement, both annotations of an article together): the range a
   94-document set drawn like train would show with no overfitting at all.
3. Dev scored once with the packaged weights (trained on all of train; check
   only), and where it falls in that spread.
4. Train-CV per publisher, re-weighted by dev's mix of publishers.

Nothing here is fitted or chosen: it reads the trainer's output.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bot.evaluation.quotes import publisher_of, read_all, score_rows  # noqa: E402
from bot.evaluation.speaker_training import _folds, train  # noqa: E402
from bot.summarize.speaker_model import Model, load_model  # noqa: E402
from bot.summarize.speakers import using_model  # noqa: E402


def _named(rows: list[dict[str, Any]], model: Model) -> list[tuple[int, int]]:
    """(named quotes scored, right) per row."""
    out = []
    with using_model(model):
        for row in rows:
            t = score_rows([row]).tally("named")
            out.append((t.scored, t.correct))
    return out


def _article(row: dict[str, Any]) -> str:
    return str(row.get("article_id") or row.get("id"))


def _by(rows: list[dict[str, Any]], counts: list[tuple[int, int]],
        key: Callable[[dict[str, Any]], str]) -> dict[str, list[int]]:
    """(scored, right) summed per ``key`` of the row."""
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row, (scored, right) in zip(rows, counts, strict=True):
        out[key(row)][0] += scored
        out[key(row)][1] += right
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--train-data", type=Path, required=True, nargs="+")
    parser.add_argument("--dev-data", type=Path, required=True, nargs="+")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--samples", type=int, default=5000)
    args = parser.parse_args()
    rows = read_all(args.train_data)
    dev = read_all(args.dev_data)
    shipped = load_model()

    per_row: list[tuple[int, int]] = [(0, 0)] * len(rows)
    for k, held in enumerate(_folds(rows, args.folds)):
        held_set = set(held)
        fitted = train([r for i, r in enumerate(rows) if i not in held_set])
        model = Model(fitted.weights, shipped.abstain_below, shipped.key_quote_min)
        for i, counts in zip(held, _named([rows[i] for i in held], model), strict=True):
            per_row[i] = counts
        print(f"fold {k + 1}/{args.folds} done", file=sys.stderr)
    n = sum(c[0] for c in per_row)
    cv = sum(c[1] for c in per_row) / n
    print(f"train {args.folds}-fold CV named accuracy: {cv:.4f} ({n} quotes, "
          f"abstain_below {shipped.abstain_below})")

    dev_articles = len({_article(r) for r in dev})
    pool = list(_by(rows, per_row, _article).values())
    rng = random.Random(0)
    accs = []
    for _ in range(args.samples):
        pick = rng.sample(pool, dev_articles)
        accs.append(sum(p[1] for p in pick) / max(1, sum(p[0] for p in pick)))
    accs.sort()
    q = statistics.quantiles(accs, n=20)
    print(f"{args.samples} samples of {dev_articles} train articles (out of fold): "
          f"mean {statistics.fmean(accs):.4f}, sd {statistics.pstdev(accs):.4f}, "
          f"5th-95th percentile {q[0]:.4f}-{q[-1]:.4f}")

    dev_counts = _named(dev, shipped)
    dn = sum(c[0] for c in dev_counts)
    dev_acc = sum(c[1] for c in dev_counts) / dn
    share = sum(a < dev_acc for a in accs) / len(accs)
    print(f"dev named accuracy (packaged weights, check only): {dev_acc:.4f} ({dn} quotes); "
          f"{100 * share:.1f} % of the train samples score lower")

    pubs = _by(rows, per_row, publisher_of)
    dev_mix = {p: counts[0] for p, counts in _by(dev, dev_counts, publisher_of).items()}
    known = {p: w for p, w in dev_mix.items() if pubs.get(p, [0])[0]}
    total = sum(known.values())
    mixed = sum(w * pubs[p][1] / pubs[p][0] for p, w in known.items()) / total
    print(f"train-CV re-weighted to dev's publisher mix: {mixed:.4f}")
    for p in sorted(pubs):
        s, r = pubs[p]
        print(f"  {p:14} train-CV {r / s:.3f} ({s:5d})   dev share {dev_mix.get(p, 0) / dn:.2f}")


if __name__ == "__main__":
    main()
