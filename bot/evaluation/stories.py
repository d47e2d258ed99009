"""``newsbot eval stories``: the product's story clusterer on labelled rows.

Rows are JSON lines ``{id, cluster, title, text, source, published, url, lang}``
(``cluster`` may be missing: such rows are clustered and written to
``--predictions`` but not scored). They go through the same code path as
ingestion (signature -> :class:`bot.stories.StoryAssigner` over the in-memory
repository), one at a time in order of publication.

Same-run baselines on the same rows: the current digest rule (title-word
Jaccard >= 0.5, greedy, in the window) and a plain MiniLM cosine of title +
first 60 words >= 0.6 against each story's first article, greedy, in the
window. ``--curve`` sweeps the join threshold; ``--cv`` reports leave-one-
year-out figures (the threshold chosen on the other years, scored on the
held-out year), the stability check asked of every setting.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from bot.errors import ConfigError, NewsbotError
from bot.evaluation.story_scores import false_merges, score_clusters
from bot.stories import (
    ArticleInput,
    ArticleSignature,
    MemoryStoryRepository,
    StoryAssigner,
    StoryConfig,
    build_signatures,
)
from bot.stories.text import lead_text

logger = logging.getLogger(__name__)

CURVE = tuple(round(0.35 + 0.025 * i, 3) for i in range(11))  # 0.35 .. 0.60
PRECISION_FLOOR = 0.97


@dataclass(frozen=True, slots=True)
class Row:
    id: str
    cluster: str | None
    title: str
    text: str
    source: str
    published: datetime
    lang: str | None


def _parse_time(value: object, where: str) -> datetime:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: 'published' must be an ISO date or time")
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(f"{where}: 'published' is not an ISO date or time: {value!r}") from None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def read_rows(path: Path, limit: int | None = None) -> list[Row]:
    """Read the JSON lines; one clear error naming the line for a bad row."""
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read evaluation data {path}: {exc.strerror}") from None
    rows: list[Row] = []
    seen: set[str] = set()
    with handle:
        for number, line in enumerate(handle, 1):
            if limit is not None and len(rows) >= limit:
                break
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ConfigError(f"{where}: not JSON ({exc.msg})") from None
            if not isinstance(obj, dict) or obj.get("id") in (None, ""):
                raise ConfigError(f"{where}: a row needs an 'id'")
            row_id = str(obj["id"])
            if row_id in seen:
                raise ConfigError(f"{where}: duplicate id {row_id!r}")
            seen.add(row_id)
            title, text = str(obj.get("title") or ""), str(obj.get("text") or "")
            if not (title.strip() or text.strip()):
                raise ConfigError(f"{where}: row {row_id!r} has neither title nor text")
            cluster = obj.get("cluster")
            rows.append(Row(
                id=row_id, cluster=None if cluster in (None, "") else str(cluster), title=title,
                text=text, source=str(obj.get("source") or obj.get("url") or ""),
                published=_parse_time(obj.get("published"), where),
                lang=obj.get("lang") or None,
            ))
    if not rows:
        raise ConfigError(f"{path}: no rows")
    return rows


def in_date_order(rows: Sequence[Row]) -> list[Row]:
    """Publication order, file order among equal times (what ingestion sees)."""
    return [row for _, row in sorted(enumerate(rows), key=lambda p: (p[1].published, p[0]))]


def signatures(rows: Sequence[Row], lead_only: bool, config: StoryConfig) -> list[ArticleSignature]:
    from bot.summarize.embedder import shared_embedder

    inputs = [ArticleInput(r.id, r.title, lead_text(r.text) if lead_only else r.text,
                           r.published, r.source, r.lang) for r in rows]
    return build_signatures(inputs, shared_embedder(), config)


def cluster(sigs: Sequence[ArticleSignature], config: StoryConfig) -> dict[str, str]:
    """Assign in order through the product's service; article id -> story id."""
    async def go() -> dict[str, str]:
        assigner = StoryAssigner(MemoryStoryRepository(config), config)
        out = {}
        for sig in sigs:
            out[sig.article_id] = (await assigner.assign(sig)).story_id
        return out

    return asyncio.run(go())


# --- same-run baselines (deliberately simple, independent of bot.stories) ---

_BASELINE_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)
# The former digest rule's stop list, verbatim.
_STOP = frozenset(
    ["the", "and", "for", "with", "that", "this", "from", "have", "has", "had", "was", "were",
     "are", "but", "not", "you", "your", "they", "their", "his", "her", "its", "our", "who",
     "what", "when", "where", "which", "will", "would", "could", "should", "into", "over",
     "after", "about", "than", "then", "them", "there", "these", "those", "been", "being",
     "said", "says", "also", "more", "most", "just", "like", "out", "new"]
)


def baseline_title_jaccard(rows: Sequence[Row], threshold: float = 0.5,
                           window: timedelta = timedelta(days=3)) -> dict[str, str]:
    """The digest's former rule (``bot/digest/cluster.py`` until stories
    replaced it): title words, stop words out, Jaccard >= 0.5 with a story's
    first article, greedy."""
    heads: list[tuple[frozenset[str], datetime, str]] = []
    out = {}
    for row in rows:
        words = frozenset(w for w in _BASELINE_WORD.findall(row.title.lower()) if w not in _STOP)
        for head_words, when, story in heads:
            union = words | head_words
            if abs(row.published - when) <= window and union and \
                    len(words & head_words) / len(union) >= threshold:
                out[row.id] = story
                break
        else:
            out[row.id] = row.id
            heads.append((words, row.published, row.id))
    return out


def baseline_cosine(rows: Sequence[Row], sigs: Sequence[ArticleSignature], threshold: float = 0.6,
                    window: timedelta = timedelta(days=3)) -> dict[str, str]:
    """Plain MiniLM cosine of title + first 60 words with each story's first
    article, best story at or above ``threshold``, greedy, in the window."""
    heads: list[tuple[np.ndarray, datetime, str]] = []
    out = {}
    for row, sig in zip(rows, sigs, strict=True):
        best, best_story = threshold, None
        if sig.vector is not None:
            for vector, when, story in heads:
                if abs(row.published - when) <= window:
                    score = float(vector @ sig.vector)
                    if score >= best:
                        best, best_story = score, story
        if best_story is None:
            best_story = row.id
            if sig.vector is not None:
                heads.append((sig.vector, row.published, row.id))
        out[row.id] = best_story
    return out


# --- reporting ---

def _gold(rows: Sequence[Row]) -> dict[str, str]:
    return {r.id: r.cluster for r in rows if r.cluster is not None}


def _scores(gold: dict[str, str], predicted: dict[str, str]) -> dict[str, Any]:
    return {k: round(v, 4) if isinstance(v, float) else v
            for k, v in asdict(score_clusters(gold, predicted)).items()}


def _year(row: Row) -> int:
    return row.published.year


def leave_years_out(rows: Sequence[Row], sigs: Sequence[ArticleSignature], config: StoryConfig,
                    grid: Sequence[float] = CURVE) -> dict[str, Any]:
    """For each year: pick the join threshold with the best B-cubed F1 among
    those keeping precision >= 0.97 on the *other* years, score the held-out
    year with it. Returns the per-year choices and the pooled held-out scores."""
    years = sorted({_year(r) for r in rows})
    if len(years) < 2:
        return {"error": "needs rows from at least two years"}
    gold = _gold(rows)
    runs = {t: cluster(sigs, replace(config, join=t)) for t in grid}
    pooled: dict[str, str] = {}
    chosen: dict[int, float] = {}
    for year in years:
        train = {r.id for r in rows if _year(r) != year and r.id in gold}

        def fit(t: float, train: set[str] = train) -> tuple[bool, float]:
            s = score_clusters({i: gold[i] for i in train}, runs[t])
            return s.b3_precision >= PRECISION_FLOOR, s.b3_f1

        best = max(grid, key=fit)
        chosen[year] = best
        for r in rows:
            if _year(r) == year:
                pooled[r.id] = f"{year}:{runs[best][r.id]}"
    return {"chosen_join": chosen, "held_out": _scores(gold, pooled),
            "join_min": min(chosen.values()), "join_max": max(chosen.values())}


def config_from_args(args: Any) -> StoryConfig:
    base = StoryConfig()
    window = getattr(args, "window_days", None)
    overrides: dict[str, Any] = {}
    if window is not None:
        overrides["window"] = timedelta(days=window)
    for name in ("join", "link", "sparse_weight"):
        value = getattr(args, name, None)
        if value is not None:
            overrides[name] = value
    try:
        return replace(base, **overrides)
    except ValueError as exc:
        raise NewsbotError(f"bad story setting: {exc}") from None


def evaluate(rows: list[Row], config: StoryConfig, *, lead_only: bool = False,
             curve: bool = False, cv: bool = False, show_merges: int = 0) -> dict[str, Any]:
    ordered = in_date_order(rows)
    started = time.perf_counter()
    sigs = signatures(ordered, lead_only, config)
    embed_seconds = time.perf_counter() - started
    started = time.perf_counter()
    predicted = cluster(sigs, config)
    assign_seconds = time.perf_counter() - started
    gold = _gold(ordered)
    result: dict[str, Any] = {
        "rows": len(rows), "labelled": len(gold), "lead_only": lead_only,
        "config": {"window_days": config.window.total_seconds() / 86400, "join": config.join,
                   "sparse_weight": config.sparse_weight, "link": config.link},
        "stories": len(set(predicted.values())),
        "signature_articles_per_s": round(len(rows) / max(embed_seconds, 1e-9), 1),
        "assign_articles_per_s": round(len(rows) / max(assign_seconds, 1e-9), 1),
        "predictions": {r.id: predicted[r.id] for r in rows},  # file order
    }
    if gold:
        result["system"] = _scores(gold, predicted)
        window = config.window
        result["baselines"] = {
            "title_jaccard_0.5": _scores(gold, baseline_title_jaccard(ordered, 0.5, window)),
            "minilm_cosine_0.6": _scores(gold, baseline_cosine(ordered, sigs, 0.6, window)),
            "singletons": _scores(gold, {r.id: r.id for r in ordered}),
        }
        if curve:
            result["curve"] = {
                str(t): _scores(gold, cluster(sigs, replace(config, join=t)))
                for t in CURVE
            }
        if cv:
            result["leave_years_out"] = leave_years_out(ordered, sigs, config)
        if show_merges:
            titles = {r.id: r.title for r in ordered}
            result["false_merges"] = [[f"{gold[i]}: {titles[i]}" for i in ids]
                                      for ids in false_merges(gold, predicted)[:show_merges]]
    return result


def format_report(result: dict[str, Any]) -> str:
    lines = [f"rows {result['rows']} (labelled {result['labelled']}), "
             f"{'lead paragraph only' if result['lead_only'] else 'full text'}; "
             f"config {result['config']}",
             f"stories predicted: {result['stories']}; signatures "
             f"{result['signature_articles_per_s']} articles/s (MiniLM), assignment "
             f"{result['assign_articles_per_s']} articles/s"]
    if "system" in result:
        lines.append(f"{'method':<22} {'B3 P':>6} {'B3 R':>6} {'B3 F1':>6} {'pair P':>7} "
                     f"{'pair R':>7} {'pair F1':>7} {'stories':>7}")

        def line(name: str, s: dict[str, Any]) -> str:
            return (f"{name:<22} {s['b3_precision']:6.3f} {s['b3_recall']:6.3f} {s['b3_f1']:6.3f} "
                    f"{s['pair_precision']:7.3f} {s['pair_recall']:7.3f} {s['pair_f1']:7.3f} "
                    f"{s['predicted_clusters']:7d}")

        lines.append(line("newsbot stories", result["system"]))
        for name, s in result["baselines"].items():
            lines.append(line(name, s))
        lines.append(f"gold stories: {result['system']['gold_clusters']}")
    if "curve" in result:
        lines.append("join threshold curve:")
        lines.extend(line(f"  join {t}", s) for t, s in result["curve"].items())
    if "leave_years_out" in result:
        cv = result["leave_years_out"]
        if "error" in cv:
            lines.append(f"leave-years-out: {cv['error']}")
        else:
            lines.append(f"leave-years-out: join chosen per held-out year {cv['chosen_join']}")
            lines.append(line("  held-out pooled", cv["held_out"]))
    for group in result.get("false_merges", []):
        lines.append("false merge: " + " | ".join(group))
    return "\n".join(lines)


def write_predictions(path: Path, predicted: dict[str, str]) -> None:
    try:
        with path.open("w", encoding="utf-8") as handle:
            for article_id, story in predicted.items():
                handle.write(json.dumps({"id": article_id, "story": story}) + "\n")
    except OSError as exc:
        raise ConfigError(f"cannot write predictions to {path}: {exc.strerror}") from None


def run(args: Any) -> int:
    """Entry point for ``newsbot eval stories``; returns the exit status."""
    limit = getattr(args, "limit", None)
    if limit is not None and limit < 0:
        raise NewsbotError("--limit must be >= 0")
    config = config_from_args(args)
    rows = read_rows(Path(args.data), limit)
    result = evaluate(rows, config, lead_only=args.lead_only, curve=args.curve, cv=args.cv,
                      show_merges=args.show_merges)
    if args.predictions:
        write_predictions(Path(args.predictions), result["predictions"])
    result.pop("predictions")
    if args.json:
        print(json.dumps(result, sort_keys=True))
    else:
        print(format_report(result))
    if "system" not in result:
        print("no row has a 'cluster': nothing scored", file=sys.stderr)
    return 0 if not math.isnan(float(result.get("system", {}).get("b3_f1", 0.0))) else 1
