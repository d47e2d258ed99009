"""What story assignment needs from the store, and an in-memory implementation.

The store (``bot/store/``) implements :class:`StoryRepository` over its
``stories`` and ``story_articles`` tables; :class:`MemoryStoryRepository` is
the same contract in a dict, used by ``newsbot eval stories``, the benchmark
and the tests. Contract:

* ``stories_in_window(start, end)``: every story with an article published in
  ``[start, end]``, with its members' signatures (at most ``members_kept`` per
  story: the first and the latest) so the clusterer can warm its index after a
  restart.
* ``stories_updated_since(since, known_size)``: stories created or joined at
  or after ``since``, first seen at or after ``first_seen_from`` (older ones
  cannot be joined any more), whose size differs from ``known_size(story_id)``
  (the caller's copy; ``None`` when it has none), so an index kept in memory
  catches up with what other processes assigned before it decides, reading
  back only what changed.
* ``exclusive(language)``: an async context in which no other process
  assigns articles of ``language`` (refresh, decide and save happen in it).
* ``save_assignment(article, story_id, decision)``: record that the article
  belongs to ``story_id``, or create a story for it when ``story_id`` is
  ``None``; return the story's id (``decision`` is kept for tracing). Saving the same article twice keeps its first story
  (idempotent: ``INSERT ... ON CONFLICT DO NOTHING`` on the article id).
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime
from typing import Protocol

from bot.stories.records import ArticleSignature, Decision, StoryConfig, StoryState


class StoryRepository(Protocol):
    async def stories_in_window(self, start: datetime, end: datetime) -> list[StoryState]: ...

    async def stories_updated_since(self, since: datetime, known_size: Callable[[str], int | None],
                                    first_seen_from: datetime | None = None) -> list[StoryState]: ...

    def exclusive(self, language: str) -> AbstractAsyncContextManager[None]: ...

    async def save_assignment(self, article: ArticleSignature, story_id: str | None,
                              decision: Decision | None = None) -> str: ...


class MemoryStoryRepository:
    """Stories in a dict: the reference implementation of :class:`StoryRepository`."""

    def __init__(self, config: StoryConfig | None = None) -> None:
        self.config = config or StoryConfig()
        self.stories: dict[str, StoryState] = {}
        self.story_of: dict[str, str] = {}
        self.updated: dict[str, datetime] = {}  # insertion-ordered: oldest update first
        self._ids = itertools.count(1)

    async def stories_in_window(self, start: datetime, end: datetime) -> list[StoryState]:
        # Copies, as a database read would give: the caller's index updates its own.
        return [copy.deepcopy(s) for s in self.stories.values()
                if s.last_seen >= start and s.first_seen <= end]

    async def stories_updated_since(self, since: datetime, known_size: Callable[[str], int | None],
                                    first_seen_from: datetime | None = None) -> list[StoryState]:
        out = []
        for sid in reversed(self.updated):  # newest first; stop at the first older one
            if self.updated[sid] < since:
                break
            story = self.stories[sid]
            if first_seen_from is not None and story.first_seen < first_seen_from:
                continue
            if known_size(sid) != story.size:
                out.append(copy.deepcopy(self.stories[sid]))
        return out

    @asynccontextmanager
    async def exclusive(self, language: str) -> AsyncIterator[None]:
        yield  # one process: the assigner's own lock is enough

    async def save_assignment(self, article: ArticleSignature, story_id: str | None,
                              decision: Decision | None = None) -> str:
        existing = self.story_of.get(article.article_id)
        if existing is not None:
            return existing
        if story_id is None or story_id not in self.stories:
            story_id = f"s{next(self._ids)}"
            self.stories[story_id] = StoryState.start(story_id, article)
        else:
            self.stories[story_id].add(article, self.config.members_kept)
        self.story_of[article.article_id] = story_id
        self.updated.pop(story_id, None)  # re-insert: the dict stays in update order
        self.updated[story_id] = datetime.now(UTC)
        return story_id
