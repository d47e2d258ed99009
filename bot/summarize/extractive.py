"""The default engine: verbatim key points chosen with MiniLM embeddings.

Only the head of the article is split and only the first
``SelectionConfig.max_candidates`` clean sentences are embedded: the lead
carries news, and that keeps one article near 100 ms (p50) on two cores.
"""

from __future__ import annotations

import logging

from bot.domain import Summary
from bot.errors import SummarizerError
from bot.extract.sentences import split_sentences
from bot.summarize.embedder import MiniLMEmbedder, shared_embedder
from bot.summarize.keypoints import (
    SelectionConfig,
    candidate_sentences,
    relevance,
    select,
    self_contained_first,
    without_title_prefix,
)
from bot.summarize.quoting import find_quotes

logger = logging.getLogger(__name__)

#: Characters of the article split into sentences at first (pysbd costs about
#: 10 ms per 1,000 characters); when they hold too few clean candidates the
#: split is redone on up to ``MAX_HEAD_CHARS`` (~2,000 words).
HEAD_CHARS = 2_500
MAX_HEAD_CHARS = 12_000
#: English-centric model: only trust the similarity terms for these languages.
_EMBEDDING_LANGUAGES = frozenset({"en"})


class ExtractiveSummarizer:
    """Key points = verbatim article sentences; quotes from the quote extractor."""

    name = "extractive-minilm"

    def __init__(self, embedder: MiniLMEmbedder | None = None,
                 config: SelectionConfig | None = None) -> None:
        self.embedder = embedder or shared_embedder()
        self.config = config or SelectionConfig()

    def load(self) -> None:
        """Load the embedding model now (otherwise the first summary does)."""
        self.embedder.load()

    def key_points(self, text: str, title: str | None = None, language: str | None = None,
                   max_points: int = 3) -> list[str]:
        """The key point sentences, verbatim, in article order."""
        if max_points <= 0 or not text or not text.strip():
            return []
        candidates = candidate_sentences(without_title_prefix(
            split_sentences(text, language, max_chars=HEAD_CHARS), title), self.config)
        if len(candidates) < self.config.max_candidates and len(text) > HEAD_CHARS:
            candidates = candidate_sentences(without_title_prefix(
                split_sentences(text, language, max_chars=MAX_HEAD_CHARS), title), self.config)
        if not candidates:
            return []
        if len(candidates) <= max_points:
            return [s.text for s in self_contained_first(candidates)]
        embeddings = title_embedding = None
        if _uses_embeddings(language):
            texts = [s.text for s in candidates]
            if title and title.strip():
                texts.append(title.strip())
            try:
                vectors = self.embedder.embed(texts)
            except SummarizerError:
                raise
            except Exception as exc:  # torch/tokenizer failure on odd input
                raise SummarizerError(f"embedding failed: {exc}") from exc
            embeddings = vectors[: len(candidates)]
            if title and title.strip():
                title_embedding = vectors[-1]
        scores = relevance(candidates, embeddings, title_embedding, self.config, text)
        chosen = select(candidates, scores, max_points, embeddings, self.config)
        return [s.text for s in self_contained_first(chosen)]

    def summarize(self, text: str, title: str | None = None, language: str | None = None,
                  max_points: int = 3, max_quotes: int = 2) -> Summary:
        points = self.key_points(text, title, language, max_points)
        quotes, key_quotes = find_quotes(text, max_quotes)
        return Summary(
            key_points=tuple(points), quotes=quotes, key_quotes=key_quotes,
            engine=self.name, language=language,
        )


def _uses_embeddings(language: str | None) -> bool:
    """Unknown language: assume English-like (the embeddings degrade gracefully)."""
    if language is None:
        return True
    return language.split("-")[0].split("_")[0].lower() in _EMBEDDING_LANGUAGES
