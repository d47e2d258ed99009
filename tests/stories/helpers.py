"""Helpers for the story tests: signatures from hand-made vectors (no model)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from bot.stories import ArticleSignature
from bot.stories.text import lexical_words, term_counts

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def unit(*weights: float, dims: int = 384) -> np.ndarray:
    """A unit vector whose first coordinates are ``weights``."""
    v = np.zeros(dims, dtype=np.float32)
    v[: len(weights)] = weights
    return v / np.linalg.norm(v)


def sig(article_id: str, vector: np.ndarray | None, *, hours: float = 0.0, language: str = "en",
        outlet: str = "A", title: str = "", text: str = "") -> ArticleSignature:
    return ArticleSignature(
        article_id=article_id, language=language, published=T0 + timedelta(hours=hours),
        outlet=outlet, title=title, words=lexical_words(title, text), vector=vector,
        terms=term_counts(title, text),
    )


