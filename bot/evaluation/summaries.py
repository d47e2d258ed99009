"""``newsbot eval summaries``: ROUGE of the engine against Lead-3 on the same rows.

Rows are JSON lines ``{"article": ..., "highlights": ...}`` (CNN/DailyMail
style; an optional ``title`` is passed to the engine). Scores follow the
published protocol: rouge-score with ``use_stemmer=True``; rougeLsum on
newline-joined sentences, with the one-line PTB-tokenised highlights split
into sentences by plain pysbd, as Lead-3's sentences are; Lead-3 is the first
three plain-pysbd sentences of the raw article, computed in the same run.

The delta to Lead-3 comes with its paired standard error (the standard
deviation of the per-article differences over sqrt(n)): on 250 CNN/DM rows it
is about 0.2 ROUGE-2 points, so two engines closer than that are not told
apart by the sample.
"""

from __future__ import annotations

import json
import logging
import math
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.errors import ConfigError
from bot.evaluation.keypoint_hygiene import Hygiene, measure
from bot.extract.sentences import plain_sentences

if TYPE_CHECKING:
    from bot.settings import Settings

logger = logging.getLogger(__name__)

METRICS = ("rouge1", "rouge2", "rougeLsum")


@dataclass(frozen=True, slots=True)
class Row:
    article: str
    highlights: str
    title: str | None = None


@dataclass(frozen=True, slots=True)
class Scores:
    """Mean F1 in points (0-100)."""

    rouge1: float
    rouge2: float
    rougeLsum: float


@dataclass(frozen=True, slots=True)
class Report:
    rows: int
    engine_name: str
    engine: Scores
    lead3: Scores
    articles_per_s: float
    seconds: float
    delta_se: Scores = Scores(0.0, 0.0, 0.0)  # paired standard error of engine - Lead-3
    hygiene: Hygiene | None = None  # how the engine's key points read on their own

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["hygiene"] = self.hygiene.as_dict() if self.hygiene else None
        data["delta"] = {m: round(getattr(self.engine, m) - getattr(self.lead3, m), 2) for m in METRICS}
        return data


def read_rows(path: Path, limit: int | None = None) -> list[Row]:
    """Read ``{article, highlights}`` JSON lines; one clear error for bad files."""
    rows: list[Row] = []
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read evaluation data {path}: {exc.strerror}") from None
    with handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
                rows.append(Row(str(obj["article"]), str(obj["highlights"]), obj.get("title")))
            except (json.JSONDecodeError, KeyError, TypeError):
                raise ConfigError(
                    f"{path}:{number}: expected a JSON object with 'article' and 'highlights'"
                ) from None
            if limit is not None and len(rows) >= limit:
                break
    if not rows:
        raise ConfigError(f"{path}: no rows")
    return rows


def lead3(article: str) -> list[str]:
    """The published baseline: first three plain-pysbd sentences of the raw article."""
    return plain_sentences(article)[:3]


def reference_sentences(highlights: str) -> list[str]:
    return plain_sentences(highlights)


class RougeAverager:
    """Accumulates ROUGE F1 over pairs of (reference, candidate) sentence lists."""

    def __init__(self) -> None:
        from rouge_score import rouge_scorer

        self._scorer = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)
        self._sums = dict.fromkeys(METRICS, 0.0)
        self.rows: list[dict[str, float]] = []
        self.count = 0

    def add(self, reference: list[str], candidate: list[str]) -> dict[str, float]:
        result = self._scorer.score("\n".join(reference), "\n".join(candidate))
        scores = {m: result[m].fmeasure for m in METRICS}
        for m in METRICS:
            self._sums[m] += scores[m]
        self.rows.append(scores)
        self.count += 1
        return scores

    def mean(self) -> Scores:
        n = max(1, self.count)
        return Scores(**{m: round(100 * self._sums[m] / n, 2) for m in METRICS})


def paired_standard_error(a: RougeAverager, b: RougeAverager) -> Scores:
    """Standard error (points) of the mean per-row difference a - b."""
    n = min(a.count, b.count)
    if n < 2:
        return Scores(0.0, 0.0, 0.0)
    out: dict[str, float] = {}
    for m in METRICS:
        diffs = [100 * (x[m] - y[m]) for x, y in zip(a.rows, b.rows, strict=False)]
        mean = sum(diffs) / n
        var = sum((d - mean) ** 2 for d in diffs) / (n - 1)
        out[m] = round(math.sqrt(var / n), 2)
    return Scores(**out)


def evaluate(rows: list[Row], summarize: Callable[[Row], list[str]], engine_name: str,
             progress: Iterable[Row] | None = None) -> Report:
    """Score ``summarize`` and Lead-3 on ``rows``; articles/s counts the engine only."""
    engine_avg, lead_avg = RougeAverager(), RougeAverager()
    engine_seconds = 0.0
    started = time.perf_counter()
    produced: list[list[str]] = []
    for row in progress if progress is not None else rows:
        reference = reference_sentences(row.highlights)
        t0 = time.perf_counter()
        points = summarize(row)
        engine_seconds += time.perf_counter() - t0
        produced.append(points)
        engine_avg.add(reference, points)
        lead_avg.add(reference, lead3(row.article))
    return Report(
        rows=len(rows), engine_name=engine_name, engine=engine_avg.mean(), lead3=lead_avg.mean(),
        articles_per_s=round(len(rows) / engine_seconds, 2) if engine_seconds > 0 else 0.0,
        seconds=round(time.perf_counter() - started, 1),
        delta_se=paired_standard_error(engine_avg, lead_avg),
        hygiene=measure(produced),
    )


def _progress(rows: list[Row], enabled: bool) -> Iterator[Row]:
    from tqdm import tqdm

    return iter(tqdm(rows, desc="summaries", unit="article", file=sys.stderr, disable=not enabled))


def format_table(report: Report) -> str:
    lines = [
        f"{report.rows} articles, engine {report.engine_name}: {report.articles_per_s} articles/s",
        f"{'':12}{'ROUGE-1':>9}{'ROUGE-2':>9}{'RLsum':>9}",
    ]
    for label, scores in ((report.engine_name, report.engine), ("lead-3", report.lead3)):
        lines.append(f"{label[:12]:12}" + "".join(f"{getattr(scores, m):9.2f}" for m in METRICS))
    lines.append(f"{'delta':12}" + "".join(
        f"{getattr(report.engine, m) - getattr(report.lead3, m):+9.2f}" for m in METRICS))
    lines.append(f"{'  paired SE':12}" + "".join(
        f"{getattr(report.delta_se, m):9.2f}" for m in METRICS))
    if report.hygiene is not None:
        lines.append(report.hygiene.line())
    return "\n".join(lines)


def run(args: object, settings: Settings | None = None) -> int:
    """Entry point for ``newsbot eval summaries`` (argparse namespace in, exit code out).
    The engine is the one the settings choose (``NEWSBOT_SUMMARIZER``...)."""
    from bot.settings import load_settings
    from bot.summarize.factory import build_summarizer

    data = Path(args.data)  # type: ignore[attr-defined]
    limit = args.limit  # type: ignore[attr-defined]
    as_json = bool(args.json)  # type: ignore[attr-defined]
    points = int(getattr(args, "points", 3))
    rows = read_rows(data, limit)
    summarizer = build_summarizer(settings or load_settings())
    loader = getattr(summarizer, "load", None)
    if callable(loader):
        loader()  # keep model loading out of the articles/s figure

    def summarize(row: Row) -> list[str]:
        return list(summarizer.summarize(row.article, title=row.title, max_points=points,
                                         max_quotes=0).key_points)

    report = evaluate(rows, summarize, summarizer.name,
                      _progress(rows, enabled=sys.stderr.isatty()))
    print(json.dumps(report.as_dict()) if as_json else format_table(report))
    return 0
