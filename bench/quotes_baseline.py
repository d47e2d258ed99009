"""This checkout's quote scorer applied to another tree's engine, for same-run baselines.

``newsbot eval quotes`` scores the engine of its own checkout. To put a figure
of an older engine beside today's in one run (the figures issue #12 asks for),
this loads the scorer of *this* checkout (``bot/evaluation/quotes.py``, which
shares no code or word list with the engine) by file path and lets it import
``bot.summarize.quoting.find_quotes`` from ``--tree``:

    git worktree add --detach /tmp/engine-ec155af ec155af
    python bench/quotes_baseline.py --tree /tmp/engine-ec155af \\
        --data ../shared/eval/quotes_dev.jsonl
    python bench/quotes_baseline.py --tree . --data ../shared/eval/quotes_train.jsonl

The tree's engine runs as it is, with its own word lists and weights (no
training: on train, a rule engine written on dev is simply measured on
articles it never saw).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", type=Path, required=True,
                        help="checkout whose engine (bot/summarize) is scored")
    parser.add_argument("--data", type=Path, nargs="+", required=True, metavar="FILE",
                        help="PolNeAR-style JSONL files (quotes_dev.jsonl, quotes_train.jsonl)")
    args = parser.parse_args()
    tree = args.tree.resolve()
    if not (tree / "bot" / "summarize" / "quoting.py").is_file():
        raise SystemExit(f"{tree}: no bot/summarize/quoting.py there (not a newsbot checkout?)")
    sys.path.insert(0, str(tree))  # the engine under test is the tree's ``bot`` package
    spec = importlib.util.spec_from_file_location("newsbot_scorer",
                                                  REPO / "bot" / "evaluation" / "quotes.py")
    assert spec is not None and spec.loader is not None
    scorer = importlib.util.module_from_spec(spec)
    sys.modules["newsbot_scorer"] = scorer
    spec.loader.exec_module(scorer)
    import bot.summarize.quoting as engine

    assert Path(engine.__file__).resolve().is_relative_to(tree), engine.__file__
    rows = scorer.read_all(args.data)
    print(f"engine of {tree}, scorer of {REPO}, {len(rows)} documents")
    print(scorer.format_table(scorer.score_rows(rows).as_dict()))


if __name__ == "__main__":
    main()
