"""Precision and recall of topic matching (``/follow``, ``/mute``) on labelled news.

The labelled set is built from CNN/DM's own section labels, not from anyone
reading the articles: every ``cnndm_dev.jsonl`` row whose URL names a specific
section (Daily Mail ``/sport/<sport>/``, ``/travel/``, ``/health/``,
``/sciencetech/``, ``/tvshowbiz/``; CNN ``/YYYY/MM/DD/<section>/``) is labelled
with that section's topic; rows from generic sections ("news", "us", "world",
"femail", "opinions"...) are left out because their topic is unknown. Each
topic is queried by the plain name of its section ("formula one", "horse
racing"), written before any score was seen. A (topic, article) pair is
positive when the article's section is the topic's.

The article side is what the product has at digest time: the story signature
text (title and lead, ``bot.stories.text.embedding_text``) and its MiniLM
vector; CNN/DM rows have no title, so the lead alone.

Printed: the labelled set's size per topic; precision/recall/F1 of the exact
keyword path alone, of the embedding path over a threshold curve, and of the
two combined as the product does; and a split-half check of the threshold
(choose the best-F1 threshold on one half of the topics, score the other half,
both ways round). Usage::

    python bench/topics.py --data ../shared/eval/cnndm_dev.jsonl
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

import numpy as np

from bot.digest.topics import FOLLOW_THRESHOLD, MUTE_THRESHOLD, Topic, unit_rows
from bot.stories.signature import EMBED_TOKENS
from bot.stories.text import embedding_text

# section label in the URL -> the query a reader would type
SECTIONS = {
    "football": "football", "golf": "golf", "racing": "horse racing",
    "rugbyunion": "rugby", "rugbyleague": "rugby", "formulaone": "formula one",
    "cricket": "cricket", "tennis": "tennis", "boxing": "boxing",
    "travel": "travel", "health": "health", "sciencetech": "science and technology",
    "tech": "science and technology", "entertainment": "entertainment",
    "tvshowbiz": "entertainment", "showbiz": "entertainment",
}
#: Labelled, but with no topic of their own: negatives for every topic.
NEGATIVE_ONLY = {"othersports"}
_DM = re.compile(r"dailymail\.co\.uk/(?:sport/)?([a-z]+)/")
_CNN = re.compile(r"cnn\.com/\d{4}/\d\d/\d\d/([a-z]+)/")


def section(url: str) -> str | None:
    for pattern in (re.compile(r"dailymail\.co\.uk/sport/([a-z]+)/"), _DM, _CNN):
        match = pattern.search(url or "")
        if match:
            return match.group(1)
    return None


def load(path: Path) -> list[tuple[str, str | None]]:
    """(lead text, topic or None for a labelled negative) of every labelled row."""
    rows = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            obj = json.loads(line)
            sec = section(obj.get("url", ""))
            if sec in SECTIONS:
                rows.append((embedding_text("", obj["article"]), SECTIONS[sec]))
            elif sec in NEGATIVE_ONLY:
                rows.append((embedding_text("", obj["article"]), None))
    return rows


def prf(pred: np.ndarray, gold: np.ndarray) -> tuple[float, float, float]:
    tp = float((pred & gold).sum())
    p = tp / pred.sum() if pred.sum() else 1.0
    r = tp / gold.sum() if gold.sum() else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True, help="cnndm_dev.jsonl")
    args = parser.parse_args()
    from bot.summarize.embedder import shared_embedder

    rows = load(args.data)
    topics = sorted({t for _, t in rows if t})
    print(f"{len(rows)} labelled articles, {len(topics)} topics: "
          + ", ".join(f"{t} {n}" for t, n in sorted(Counter(t for _, t in rows if t).items())))
    embedder = shared_embedder()
    art = unit_rows(embedder.embed([text for text, _ in rows], max_tokens=EMBED_TOKENS))
    top = unit_rows(embedder.embed(topics))
    gold = np.array([[label == t for label in (lab for _, lab in rows)] for t in topics])
    sims = top @ art.T
    kw = np.array([[Topic(t).keyword_hit(text) for text, _ in rows] for t in topics])

    p, r, f = prf(kw, gold)
    print(f"keywords only:            P {p:.3f}  R {r:.3f}  F1 {f:.3f}")
    print("threshold  embed P/R/F1          combined P/R/F1")
    grid = [round(x, 3) for x in np.arange(0.15, 0.55, 0.025)]
    for th in grid:
        ep = prf(sims >= th, gold)
        cp = prf((sims >= th) | kw, gold)
        mark = ("  <- follow" if abs(th - FOLLOW_THRESHOLD) < 1e-9
                else "  <- mute" if abs(th - MUTE_THRESHOLD) < 1e-9 else "")
        print(f"{th:9.3f}  {ep[0]:.3f}/{ep[1]:.3f}/{ep[2]:.3f}    {cp[0]:.3f}/{cp[1]:.3f}/{cp[2]:.3f}{mark}")

    order = list(range(len(topics)))
    halves = (order[0::2], order[1::2])
    for name, (fit, check) in (("A->B", halves), ("B->A", halves[::-1])):
        best = max(grid, key=lambda th: (prf(((sims >= th) | kw)[fit], gold[fit])[2], -th))
        cp = prf(((sims >= best) | kw)[check], gold[check])
        print(f"split-half {name}: chosen {best:.3f} on {[topics[i] for i in fit]}; "
              f"other half P {cp[0]:.3f} R {cp[1]:.3f} F1 {cp[2]:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
