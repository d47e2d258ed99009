"""Clustering scores for ``newsbot eval stories``: pairwise and B-cubed.

Written apart from the clusterer on purpose (it imports nothing from
``bot.stories``): a scorer that shared code with the system it scores could
share its bugs.

* Pairwise: every unordered pair of articles is a decision; precision is the
  share of predicted same-story pairs that are gold same-story pairs.
* B-cubed (Bagga and Baldwin, 1998): for each article, precision is the share
  of its predicted cluster that shares its gold label, recall the share of its
  gold cluster found in its predicted cluster; both are averaged over articles.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class ClusterScores:
    b3_precision: float
    b3_recall: float
    b3_f1: float
    pair_precision: float
    pair_recall: float
    pair_f1: float
    gold_clusters: int
    predicted_clusters: int
    articles: int


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _pairs(sizes: Mapping[Any, int]) -> int:
    return sum(n * (n - 1) // 2 for n in sizes.values())


def score_clusters(gold: Mapping[str, str], predicted: Mapping[str, str]) -> ClusterScores:
    """Score ``predicted`` (article -> story) against ``gold`` (article -> cluster)
    over the articles both name."""
    ids = [i for i in gold if i in predicted]
    if not ids:
        raise ValueError("no article is both labelled and predicted")
    gold_size = Counter(gold[i] for i in ids)
    pred_size = Counter(predicted[i] for i in ids)
    joint = Counter((gold[i], predicted[i]) for i in ids)
    precision = recall = 0.0
    for i in ids:
        both = joint[(gold[i], predicted[i])]
        precision += both / pred_size[predicted[i]]
        recall += both / gold_size[gold[i]]
    precision /= len(ids)
    recall /= len(ids)
    true_pairs = _pairs(joint)
    pred_pairs = _pairs(pred_size)
    gold_pairs = _pairs(gold_size)
    pair_p = true_pairs / pred_pairs if pred_pairs else 1.0
    pair_r = true_pairs / gold_pairs if gold_pairs else 1.0
    return ClusterScores(
        b3_precision=precision, b3_recall=recall, b3_f1=_f1(precision, recall),
        pair_precision=pair_p, pair_recall=pair_r, pair_f1=_f1(pair_p, pair_r),
        gold_clusters=len(gold_size), predicted_clusters=len(pred_size), articles=len(ids),
    )


def false_merges(gold: Mapping[str, str], predicted: Mapping[str, str]) -> list[list[str]]:
    """Predicted stories that mix gold clusters (each as its article ids), for reading."""
    members: dict[str, list[str]] = defaultdict(list)
    for i, story in predicted.items():
        if i in gold:
            members[story].append(i)
    return [ids for ids in members.values() if len({gold[i] for i in ids}) > 1]
