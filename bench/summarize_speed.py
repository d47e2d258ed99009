"""Speed of the default summarizer vs a distilbart-sized seq2seq model.

Prints figures, asserts nothing::

    python bench/summarize_speed.py --data ../shared/eval/cnndm_dev.jsonl [--limit N]
        [--seq2seq-articles 3] [--threads T]

Reports: model load time, articles/s sustained over the rows (key points and
quotes, model already loaded), p50/p95 latency of one article, peak RSS, and
the time of a seq2seq model with distilbart-cnn-12-6's architecture (random
weights, greedy, 60 new tokens) on the first few of the same articles, as a
ratio. The machine's load average is printed too: other processes on a
2-core box change every figure.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

logger = logging.getLogger(__name__)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[k]


def _articles(path: Path, limit: int | None) -> list[str]:
    out: list[str] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                out.append(json.loads(line)["article"])
            if limit is not None and len(out) >= limit:
                break
    return out


def bench_default(articles: list[str], threads: int | None) -> dict[str, float]:
    from bot.summarize.embedder import MiniLMEmbedder
    from bot.summarize.extractive import ExtractiveSummarizer

    engine = ExtractiveSummarizer(MiniLMEmbedder(threads=threads))
    t0 = time.perf_counter()
    engine.load()
    load_s = time.perf_counter() - t0
    engine.summarize(articles[0])  # warm-up
    latencies: list[float] = []
    t0 = time.perf_counter()
    for text in articles:
        t = time.perf_counter()
        engine.summarize(text)
        latencies.append(time.perf_counter() - t)
    total = time.perf_counter() - t0
    return {
        "load_s": load_s,
        "articles": len(articles),
        "articles_per_s": len(articles) / total,
        "p50_ms": 1000 * statistics.median(latencies),
        "p95_ms": 1000 * _percentile(latencies, 0.95),
        "max_ms": 1000 * max(latencies),
        "peak_rss_mb": _peak_rss_mb(),
    }


def bench_seq2seq(articles: list[str], input_tokens: int = 800, new_tokens: int = 60) -> dict[str, float]:
    """distilbart-cnn-12-6 dimensions, random weights: speed only, output is noise."""
    import torch
    from transformers import BartConfig, BartForConditionalGeneration

    config = BartConfig(
        vocab_size=50264, d_model=1024, encoder_layers=12, decoder_layers=6,
        encoder_attention_heads=16, decoder_attention_heads=16,
        encoder_ffn_dim=4096, decoder_ffn_dim=4096, max_position_embeddings=1024,
    )
    torch.manual_seed(0)
    model = BartForConditionalGeneration(config).eval()
    per_article: list[float] = []
    for text in articles:
        # ~1.3 tokens per word for BPE; ids are random because weights are too.
        n = min(input_tokens, max(8, int(len(text.split()) * 1.3)))
        ids = torch.randint(4, config.vocab_size, (1, n))
        t = time.perf_counter()
        with torch.inference_mode():
            model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), num_beams=1,
                           do_sample=False, min_new_tokens=new_tokens, max_new_tokens=new_tokens)
        per_article.append(time.perf_counter() - t)
    return {"articles": len(articles), "s_per_article": statistics.mean(per_article),
            "peak_rss_mb": _peak_rss_mb()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, type=Path)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--seq2seq-articles", type=int, default=3)
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: auto)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    articles = _articles(args.data, args.limit)
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    d = bench_default(articles, args.threads)
    print(f"default engine (extractive-minilm): model load {d['load_s']:.1f}s")
    print(f"  {d['articles']} articles, {d['articles_per_s']:.1f} articles/s sustained")
    print(f"  latency p50 {d['p50_ms']:.0f} ms, p95 {d['p95_ms']:.0f} ms, max {d['max_ms']:.0f} ms")
    print(f"  peak RSS {d['peak_rss_mb']:.0f} MB")
    if args.seq2seq_articles > 0:
        s = bench_seq2seq(articles[: args.seq2seq_articles])
        per_default = 1 / d["articles_per_s"]
        print(f"seq2seq (distilbart-cnn-12-6 architecture, random weights, greedy, 60 tokens): "
              f"{s['s_per_article']:.2f} s/article over {s['articles']} articles")
        print(f"  ratio: default engine is {s['s_per_article'] / per_default:.0f}x faster; "
              f"peak RSS with both loaded {s['peak_rss_mb']:.0f} MB")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
