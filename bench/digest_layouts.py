"""How long a 10-story digest is in each layout, on real articles and real summaries.

Prints figures, asserts nothing::

    python bench/digest_layouts.py --data ../shared/eval/cnndm_dev.jsonl [--stories 10]
        [--offset 0] [--runs 3]

Takes ``--stories`` articles of the CNN/DailyMail dev file (``--runs`` disjoint
sets, one after the other from ``--offset``), summarizes them with the default
summarizer (MiniLM extractive: key points and quotes), builds a digest the way
scheduled digests are built and renders it for Telegram (characters as
Telegram counts them, after HTML parsing, and messages), Slack (characters
of section and context text, messages) and the terminal. The baseline,
measured in the same run, is the layout before issue 14: 3 key points and 2
quotes per story, nothing left out for repeating a quote. Also printed: how
many key points repeat a quote shown with them (baseline vs each layout).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.adapters.slack import render as slack
from bot.adapters.telegram import render as telegram
from bot.digest.builder import compose, to_story
from bot.digest.layout import repeats
from bot.digest.text import digest_text
from bot.domain import LAYOUTS, ChatInfo, ChatRef, ChatSettings, Digest, Schedule
from bot.records import StoryRecord

NOW = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)
CHAT = ChatRef("telegram", "1")


def _records(rows: list[dict[str, str]], engine: object) -> list[StoryRecord]:
    out = []
    for i, row in enumerate(rows):
        text = row["article"]
        title = row.get("title") or text.split(". ")[0][:90]
        summary = engine.summarize(text)  # type: ignore[attr-defined]
        out.append(StoryRecord(
            article_id=i + 1, title=title, url=row.get("url") or f"https://example.com/{i}",
            source="CNN" if "cnn" in (row.get("url") or "") else "Daily Mail",
            published=NOW - timedelta(minutes=13 * i), ingested_at=NOW - timedelta(minutes=13 * i),
            text_length=len(text), summary=summary,
        ))
    return out


def _slack_chars(digest: Digest) -> tuple[int, int]:
    payloads = slack.render_digest(digest)
    chars = 0
    for p in payloads:
        for block in p["blocks"]:
            if "text" in block:
                chars += len(block["text"]["text"])
            for el in block.get("elements", []):
                chars += len(el.get("text", "")) if isinstance(el.get("text"), str) else 0
    return chars, len(payloads)


def _repeated(digest: Digest) -> int:
    return sum(1 for s in digest.stories for p in s.key_points
               if any(repeats(p, q.text) for q in s.key_quotes))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, required=True, help="cnndm_dev.jsonl of the eval data")
    ap.add_argument("--stories", type=int, default=10)
    ap.add_argument("--offset", type=int, default=0)
    ap.add_argument("--runs", type=int, default=3, help="disjoint sets of articles")
    args = ap.parse_args()

    from bot.summarize.extractive import ExtractiveSummarizer

    engine = ExtractiveSummarizer()
    engine.load()
    lines = args.data.read_text(encoding="utf-8").splitlines()
    figures: dict[str, list[tuple[int, int, int, int, int]]] = {}
    for run in range(args.runs):
        start = args.offset + run * args.stories
        rows = [json.loads(line) for line in lines[start : start + args.stories]]
        records = _records(rows, engine)
        chat = ChatInfo(id=1, ref=CHAT, kind="private", title=None, active=True,
                        inactive_reason=None, settings=ChatSettings(),
                        schedule=Schedule(mode="daily", timezone="Europe/London"))
        built = compose(chat, records, now=NOW)
        assert built is not None
        full = compose(chat, records, now=NOW, layout="full")
        assert full is not None
        # The baseline: today's stories before issue 14 (3 points, 2 quotes, no repetition check).
        order = [s.article_id for s in full[0].stories]
        by_id = {r.article_id: r for r in records}
        baseline = replace(full[0], title=f"Your news digest — {len(order)} stories", timezone=None,
                           stories=tuple(replace(to_story([by_id[i]], 3, True),
                                                 key_quotes=by_id[i].summary.key_quotes[:2])
                                         for i in order))
        digests = {"before (full, issue 3)": baseline}
        for layout in LAYOUTS:
            made = compose(chat, records, now=NOW, layout=layout)
            assert made is not None
            digests[layout] = made[0]
        for name, digest in digests.items():
            tg = telegram.render_digest(digest)
            tg_chars = sum(telegram.shown_len(p["text"]) for p in tg)
            sl_chars, sl_msgs = _slack_chars(digest)
            figures.setdefault(name, []).append(
                (tg_chars, len(tg), sl_chars, sl_msgs, len(digest_text(digest))))
            figures.setdefault(name + " repeats", []).append((_repeated(digest), 0, 0, 0, 0))
    print(f"{args.runs} runs of {args.stories} CNN/DailyMail articles (offset {args.offset}), "
          "medians over runs [min-max]")
    print(f"{'layout':24} {'telegram chars':>20} {'tg msgs':>8} {'slack chars':>18} "
          f"{'slack msgs':>10} {'terminal chars':>20} {'points repeating a quote':>26}")
    for name in digests:
        rows_ = figures[name]

        def col(i: int, rows: list[tuple[int, int, int, int, int]] = rows_) -> str:
            vals = [r[i] for r in rows]
            return f"{statistics.median(vals):.0f} [{min(vals)}-{max(vals)}]"

        rep = [r[0] for r in figures[name + " repeats"]]
        print(f"{name:24} {col(0):>20} {col(1):>8} {col(2):>18} {col(3):>10} {col(4):>20} "
              f"{sum(rep):>26}")


if __name__ == "__main__":
    main()
