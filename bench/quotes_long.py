"""Quote extraction and attribution time as an article grows (prints, asserts nothing)::

    python bench/quotes_long.py [--sizes 500 1000 2000]

Each size is a number of paragraphs of a made-up wire story (about 25 words and
4 quotes each); 2,000 paragraphs is a 50,000-word article. Linear growth means the
ms per paragraph stays about the same from one size to the next.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PARAGRAPH = ('"We will win this race in the end," Ann Bell said. Her rival, Tom Ray, '
             'called it "nonsense." "No," he said, and Bell replied: "Yes."\n\n')


def main() -> int:
    from bot.summarize.quotes import extract_quotes

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[250, 500, 1000, 2000])
    args = parser.parse_args()
    for n in args.sizes:
        text = PARAGRAPH * n
        t0 = time.perf_counter()
        quotes = extract_quotes(text)
        dt = time.perf_counter() - t0
        print(f"{n:6d} paragraphs, {len(text.split()):6d} words, {len(quotes):5d} quotes: "
              f"{dt:6.2f} s ({1000 * dt / n:.2f} ms per paragraph)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
