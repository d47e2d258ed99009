"""Build an :class:`ArticleSignature` from an article's title, text and metadata.

The only model call of story assignment is here: one MiniLM embedding of the
title and lead (:func:`bot.stories.text.embedding_text`, up to
``EMBED_TOKENS`` tokens), batched when several articles are built at once.
The embedder is passed in (anything with MiniLM's ``embed``), so this module
never imports torch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

import numpy as np

from bot.stories.records import ArticleSignature, StoryConfig
from bot.stories.text import embedding_text, lexical_words, normalize_language, term_counts

#: Title plus 60 words is about 90 word pieces; 128 keeps all of it.
EMBED_TOKENS = 128


class Embedder(Protocol):
    """What :class:`bot.summarize.embedder.MiniLMEmbedder` offers."""

    def embed(self, texts: list[str], *, max_tokens: int | None = None) -> np.ndarray: ...


@dataclass(frozen=True, slots=True)
class ArticleInput:
    """An article as story assignment is handed it (from the pipeline or an eval row)."""

    article_id: str
    title: str
    text: str
    published: datetime
    outlet: str
    language: str | None = None


def _utc(when: datetime) -> datetime:
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def build_signatures(articles: Sequence[ArticleInput], embedder: Embedder | None,
                     config: StoryConfig | None = None) -> list[ArticleSignature]:
    """Signatures for ``articles``; embeddings in one batched call.

    ``embedder=None`` builds signatures without vectors (every article then
    goes through the lexical rule): for tests and for running without the model.
    """
    config = config or StoryConfig()
    languages = [normalize_language(a.language) for a in articles]
    wanted = [i for i, lang in enumerate(languages) if lang in config.embedding_languages]
    vectors: dict[int, np.ndarray] = {}
    if embedder is not None and wanted:
        texts = [embedding_text(articles[i].title, articles[i].text) for i in wanted]
        matrix = embedder.embed(texts, max_tokens=EMBED_TOKENS)
        for row, i in enumerate(wanted):
            if texts[row].strip():
                vectors[i] = np.asarray(matrix[row], dtype=np.float32)
    out = []
    for i, article in enumerate(articles):
        out.append(ArticleSignature(
            article_id=article.article_id, language=languages[i],
            published=_utc(article.published), outlet=article.outlet, title=article.title,
            words=lexical_words(article.title, article.text), vector=vectors.get(i),
            terms=term_counts(article.title, article.text),
        ))
    return out


def build_signature(article: ArticleInput, embedder: Embedder | None,
                    config: StoryConfig | None = None) -> ArticleSignature:
    return build_signatures([article], embedder, config)[0]
