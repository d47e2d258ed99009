"""Story assignment as the pipeline calls it: decide, save, remember.

One :class:`StoryAssigner` per process. ``assign`` runs under a lock so two
articles handled at once never both start the same story; the store's save is
idempotent per article, so a retried article keeps its story.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime

from bot.stories.clusterer import StoryClusterer
from bot.stories.ports import StoryRepository
from bot.stories.records import ArticleSignature, Decision, StoryConfig

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Assignment:
    article_id: str
    story_id: str
    created: bool
    decision: Decision


class StoryAssigner:
    def __init__(self, repository: StoryRepository, config: StoryConfig | None = None) -> None:
        self.repository = repository
        self.clusterer = StoryClusterer(config)
        self._lock = asyncio.Lock()

    @property
    def config(self) -> StoryConfig:
        return self.clusterer.config

    async def warm(self, now: datetime) -> int:
        """Load the stories an article published around ``now`` could join."""
        window = self.config.window
        stories = await self.repository.stories_in_window(now - 2 * window, now + window)
        for story in stories:
            self.clusterer.load(story)
        return len(stories)

    async def assign(self, article: ArticleSignature) -> Assignment:
        async with self._lock:
            decision = self.clusterer.decide(article)
            story_id = await self.repository.save_assignment(article, decision.story_id)
            created = decision.story_id is None or decision.story_id != story_id
            self.clusterer.commit(article, story_id)
        logger.debug("article %s -> story %s (%s, %.3f)", article.article_id, story_id,
                     decision.reason, decision.score)
        return Assignment(article.article_id, story_id, created, decision)
