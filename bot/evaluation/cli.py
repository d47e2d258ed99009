"""argparse wiring for ``newsbot eval summaries|quotes|stories``.

``bot/cli.py`` calls :func:`add_eval_parser` on its subparsers; the module
also runs standalone: ``python -m bot.evaluation.cli summaries --data FILE``.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.errors import NewsbotError

if TYPE_CHECKING:
    from bot.settings import Settings

logger = logging.getLogger(__name__)


def _run_summaries(args: argparse.Namespace, settings: Settings | None = None) -> int:
    from bot.evaluation.summaries import run

    return run(args, settings)


def _run_quotes(args: argparse.Namespace, settings: Settings | None = None) -> int:
    from bot.evaluation.quotes import run

    return int(run(args) or 0)


def _run_stories(args: argparse.Namespace, settings: Settings | None = None) -> int:
    from bot.evaluation.stories import run

    return run(args)


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", required=True, help="JSON lines file to evaluate on")
    parser.add_argument("--limit", type=int, default=None, help="only the first N rows")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def add_eval_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``eval`` with its ``summaries``, ``quotes`` and ``stories`` subcommands.

    Each leaf sets ``func`` (``(Namespace, Settings) -> exit code``) as the other commands do.
    """
    parser = subparsers.add_parser(
        "eval", help="measure summaries, quotes and stories on labelled data",
        description="Score newsbot's summaries, quote attribution or story clustering on "
                    "labelled JSON lines, each beside a baseline measured in the same run.",
        epilog="examples:\n  newsbot eval summaries --data ../shared/eval/cnn_dm_dev.jsonl --limit 200\n"
               "  newsbot eval quotes --data ../shared/eval/quotes_dev.jsonl\n"
               "  newsbot eval stories --data ../shared/eval/stories_dev.jsonl",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    inner = parser.add_subparsers(dest="eval_command", required=True)
    _fill(inner)
    return parser


def _fill(inner: argparse._SubParsersAction) -> None:
    summaries = inner.add_parser(
        "summaries", help="ROUGE of the key points vs Lead-3",
        description="ROUGE-1/2/L of the key points against reference highlights, with "
                    "Lead-3 (the first three sentences) scored in the same run.",
        epilog="examples:\n  newsbot eval summaries --data ../shared/eval/cnn_dm_dev.jsonl\n"
               "  newsbot eval summaries --data rows.jsonl --limit 100 --points 3 --json",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_common(summaries)
    summaries.add_argument("--points", type=int, default=3, help="key points per article (default 3)")
    summaries.set_defaults(func=_run_summaries)
    quotes = inner.add_parser(
        "quotes", help="quote extraction and speaker attribution scores (or --train the ranker)",
        description="Score direct-quote extraction and speaker attribution on PolNeAR-format "
                    "rows, or, with --train, rebuild the speaker ranker's weights from them.",
        epilog="examples:\n"
               "  newsbot eval quotes --data ../shared/eval/quotes_dev.jsonl\n"
               "  newsbot eval quotes --train --data ../shared/eval/quotes_train.jsonl",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    from bot.evaluation.quotes import add_arguments

    add_arguments(quotes)
    quotes.set_defaults(func=_run_quotes)
    stories = inner.add_parser(
        "stories", help="story clustering: pairwise and B-cubed scores vs same-run baselines",
        description="Cluster labelled rows {id, cluster, title, text, source, published, url, "
                    "lang} with the product's story assignment, in publication order, and score "
                    "it against the rows' clusters, with the current title-Jaccard rule and a "
                    "plain MiniLM cosine as baselines measured in the same run.",
        epilog="examples:\n  newsbot eval stories --data ../shared/eval/stories_dev.jsonl\n"
               "  newsbot eval stories --data rows.jsonl --cv --show-merges 5",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_common(stories)
    stories.add_argument("--predictions", metavar="OUT.jsonl",
                         help='write {"id", "story"} per row here')
    stories.add_argument("--lead-only", action="store_true",
                         help="use only the first paragraph (at most 60 words) of each text")
    stories.add_argument("--window-days", type=float, default=None,
                         help="story time window in days (default 3)")
    stories.add_argument("--join", type=float, default=None,
                         help="story score needed to join a story (default 0.425)")
    stories.add_argument("--sparse-weight", type=float, default=None,
                         help="share of the tf-idf word cosine in the story score (default 0.5)")
    stories.add_argument("--link", type=float, default=None,
                         help="embedding cosine needed with every kept member (default 0.40)")
    stories.add_argument("--curve", action="store_true", help="also sweep the join threshold")
    stories.add_argument("--cv", action="store_true",
                         help="also report leave-one-year-out figures for the join threshold")
    stories.add_argument("--show-merges", type=int, default=0, metavar="N",
                         help="print up to N predicted stories that mix gold clusters")
    stories.set_defaults(func=_run_stories)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.evaluation.cli")
    _fill(parser.add_subparsers(dest="eval_command", required=True))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return int(args.func(args))
    except NewsbotError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
