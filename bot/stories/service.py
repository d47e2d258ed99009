"""Story assignment as the pipeline calls it: decide, save, remember.

One :class:`StoryAssigner` per process. ``assign`` runs under a lock so two
articles handled at once never both start the same story, and inside the
repository's ``exclusive`` section (a PostgreSQL advisory lock) so two
processes never do either; before deciding it catches up with the stories
other processes created or joined since its last decision. The store's save
is idempotent per article, so a retried article keeps its story.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.stories.clusterer import StoryClusterer
from bot.stories.ports import StoryRepository
from bot.stories.records import ArticleSignature, Decision, StoryConfig

logger = logging.getLogger(__name__)

#: Stories updated this long before the last catch-up are read again: a
#: transaction stamped earlier may have committed after that read.
SYNC_MARGIN = timedelta(seconds=30)


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
        self._warm_days: set[int] = set()  # ordinals of the days whose stories are loaded
        self._synced_at: datetime | None = None

    @property
    def config(self) -> StoryConfig:
        return self.clusterer.config

    async def warm(self, now: datetime) -> int:
        """Load the stories an article published around ``now`` could join
        (from the repository into the in-memory index); returns how many were new."""
        window = self.config.window
        stories = await self.repository.stories_in_window(now - 2 * window, now + window)
        loaded = sum(1 for story in stories if self.clusterer.load(story))
        start = (now - 2 * window).date().toordinal()
        self._warm_days.update(range(start, (now + window).date().toordinal() + 1))
        return loaded

    async def _ensure_warm(self, when: datetime) -> None:
        """Warm the index around an article's date unless already done: the
        first article after a restart, or one published far from the others
        (a late article, a feed's backlog), still finds its stories."""
        window = self.config.window
        days = range((when - window).date().toordinal(), (when + window).date().toordinal() + 1)
        if all(day in self._warm_days for day in days):
            return
        await self.warm(when)

    async def _catch_up(self) -> None:
        """Load what other processes assigned since the last decision (with a
        margin for transactions that committed late), before deciding."""
        started = datetime.now(UTC)
        if self._synced_at is not None:
            changed = await self.repository.stories_updated_since(
                self._synced_at - SYNC_MARGIN, self._known_size, self.clusterer.horizon)
            for story in changed:
                self.clusterer.refresh(story)
        self._synced_at = started

    def _known_size(self, story_id: str) -> int | None:
        story = self.clusterer.index.get(story_id)
        return None if story is None else story.size

    async def assign(self, article: ArticleSignature) -> Assignment:
        async with self._lock, self.repository.exclusive(article.language):
            await self._ensure_warm(article.published)
            await self._catch_up()
            decision = self.clusterer.decide(article)
            story_id = await self.repository.save_assignment(article, decision.story_id, decision)
            created = decision.story_id is None or decision.story_id != story_id
            known = self.clusterer.index.get(story_id)
            if known is None or article.article_id not in {m.article_id for m in known.members}:
                self.clusterer.commit(article, story_id)
        logger.debug("article %s -> story %s (%s, %.3f)", article.article_id, story_id,
                     decision.reason, decision.score)
        return Assignment(article.article_id, story_id, created, decision)
