"""argparse wiring for ``newsbot eval summaries|quotes``.

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


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", required=True, help="JSON lines file to evaluate on")
    parser.add_argument("--limit", type=int, default=None, help="only the first N rows")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def add_eval_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``eval`` with its ``summaries`` and ``quotes`` subcommands.

    Each leaf sets ``func`` (``(Namespace, Settings) -> exit code``) as the other commands do.
    """
    parser = subparsers.add_parser("eval", help="measure summaries and quotes on labelled data")
    inner = parser.add_subparsers(dest="eval_command", required=True)
    _fill(inner)
    return parser


def _fill(inner: argparse._SubParsersAction) -> None:
    summaries = inner.add_parser("summaries", help="ROUGE of the key points vs Lead-3")
    _add_common(summaries)
    summaries.add_argument("--points", type=int, default=3, help="key points per article (default 3)")
    summaries.set_defaults(func=_run_summaries)
    quotes = inner.add_parser("quotes", help="quote extraction and speaker attribution scores")
    _add_common(quotes)
    quotes.set_defaults(func=_run_quotes)


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
