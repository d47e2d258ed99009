"""Key point selection: which verbatim sentences best summarise an article.

Pure functions over sentences and their embeddings (no model here), so the
scoring can be tested and evaluated without torch. Each candidate gets a
relevance score::

    relevance = exp(-position / tau)                        # lead bias of news writing
              + w_doc   * cos(sentence, document centroid)  # central to the story
              + w_title * cos(sentence, title)              # when a title is given
              - w_len   * |ln(words / target_words)|        # highlight-sized sentences
              - w_quote * quoted_fraction                   # quotes are shown separately

and the best are taken greedily, skipping any sentence whose cosine to one
already chosen exceeds ``max_similarity`` (no two key points saying the same
thing). Chosen sentences are returned in article order.

The weights are round numbers chosen for what they mean, then checked on the
CNN/DM dev set with 5-fold cross-validation (see bot/evaluation/summaries.py
and the report): the position prior dominates, the embedding terms re-rank
within the lead, the length term prefers ~20-word sentences like reference
highlights, and the quote term keeps quotes for the quote section.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.extract.boilerplate import has_caption_label, has_terminal_punctuation, is_boilerplate
from bot.extract.sentences import Sentence

if TYPE_CHECKING:
    import numpy as np

logger = logging.getLogger(__name__)

_QUOTED = re.compile(r"[\"“]([^\"”]+)[\"”]|(?:^|(?<=\s))['‘]([^‘’]{3,}?)[’'](?=[\s.,;:!?]|$)")
_OPENING_QUOTE = "\"“‘'«„"


@dataclass(frozen=True, slots=True)
class SelectionConfig:
    """Weights of the relevance score (see the module docstring)."""

    tau: float = 1.5
    w_doc: float = 0.5
    w_title: float = 0.5
    w_len: float = 0.3
    target_words: float = 20.0
    w_quote: float = 0.4
    max_similarity: float = 0.8
    min_words: int = 4
    max_candidates: int = 6


def quoted_fraction(sentence: str) -> float:
    """Share of the sentence's characters inside quotation marks (0..1)."""
    if not sentence:
        return 0.0
    inside = sum(len(m.group(0)) for m in _QUOTED.finditer(sentence))
    if sentence.lstrip()[:1] in _OPENING_QUOTE:
        inside = max(inside, int(len(sentence) * 0.6))
    return min(1.0, inside / len(sentence))


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\u0e00-\u0e7f]")


def word_count(sentence: str) -> int:
    """Words; for scripts written without spaces (CJK, Thai), characters / 2."""
    words = len(sentence.split())
    cjk = len(_CJK.findall(sentence))
    return max(words, cjk // 2) if cjk else words


def candidate_sentences(sentences: list[Sentence], config: SelectionConfig) -> list[Sentence]:
    """Story sentences that may become key points: no boilerplate, no scraps, no captions
    (neither glued ones without a full stop nor labelled ones such as 'Tragic: ...')."""
    out: list[Sentence] = []
    for sent in sentences:
        if word_count(sent.text) < config.min_words:
            continue
        if not has_terminal_punctuation(sent.text) or is_boilerplate(sent.text):
            continue
        if has_caption_label(sent.text):
            continue
        out.append(sent)
        if len(out) >= config.max_candidates:
            break
    return out


def relevance(candidates: list[Sentence], embeddings: np.ndarray | None,
              title_embedding: np.ndarray | None, config: SelectionConfig) -> list[float]:
    """Relevance of each candidate (higher is better)."""
    import numpy as np

    n = len(candidates)
    scores = [math.exp(-i / config.tau) for i in range(n)]
    if embeddings is not None and n:
        centroid = embeddings.mean(axis=0)
        norm = float(np.linalg.norm(centroid))
        if norm > 0:
            doc_sim = embeddings @ (centroid / norm)
            scores = [s + config.w_doc * float(d) for s, d in zip(scores, doc_sim, strict=True)]
        if title_embedding is not None:
            title_sim = embeddings @ title_embedding
            scores = [s + config.w_title * float(t) for s, t in zip(scores, title_sim, strict=True)]
    for i, sent in enumerate(candidates):
        words = max(1, word_count(sent.text))
        scores[i] -= config.w_len * abs(math.log(words / config.target_words))
        scores[i] -= config.w_quote * quoted_fraction(sent.text)
    return scores


def select(candidates: list[Sentence], scores: list[float], n: int,
           embeddings: np.ndarray | None, config: SelectionConfig) -> list[Sentence]:
    """Greedy pick by score with near-duplicate suppression; article order out."""
    chosen: list[int] = []
    seen_text: set[str] = set()
    for i in sorted(range(len(candidates)), key=lambda k: (-scores[k], k)):
        if len(chosen) >= n:
            break
        key = " ".join(candidates[i].text.lower().split())
        if key in seen_text:
            continue
        if embeddings is not None and any(
            float(embeddings[i] @ embeddings[j]) > config.max_similarity for j in chosen
        ):
            continue
        chosen.append(i)
        seen_text.add(key)
    return [candidates[i] for i in sorted(chosen)]
