"""One story per event: incremental clustering of articles from several outlets.

Pure code (no SQL, no model import): :mod:`text` reads words, :mod:`signature`
builds what an article contributes (one MiniLM embedding of title and lead,
its word counts), :mod:`index` finds candidate stories in the time
window, :mod:`clusterer` decides, :mod:`ports` is what the store implements,
:mod:`service` is what the pipeline calls.
"""

from bot.stories.clusterer import StoryClusterer
from bot.stories.ports import MemoryStoryRepository, StoryRepository
from bot.stories.records import ArticleSignature, Decision, StoryConfig, StoryState
from bot.stories.service import Assignment, StoryAssigner
from bot.stories.signature import ArticleInput, build_signature, build_signatures

__all__ = [
    "ArticleInput", "ArticleSignature", "Assignment", "Decision", "MemoryStoryRepository",
    "StoryAssigner", "StoryClusterer", "StoryConfig", "StoryRepository", "StoryState",
    "build_signature", "build_signatures",
]
