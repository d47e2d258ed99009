"""Speaker attribution for direct quotes: rules propose, a learned ranker decides.

The pipeline, one document at a time:

1. :func:`bot.summarize.speaker_context.prepare`: tokens outside quotes, the name
   mentions and the document-level entity list, built in one pass; one
   :class:`~bot.summarize.speaker_context.QuoteSite` per quote.
2. :mod:`bot.summarize.speaker_rules`: named rules with one signature, each
   proposing candidate speakers for a site (cue verbs before and after the quote,
   labels, the sentence's subject, the people the sentence names, the news
   conventions that carry a speaker to the next quote).
3. :mod:`bot.summarize.speaker_model`: proposals naming the same person merge into
   one candidate; a logistic regression learned on the PolNeAR train split scores
   each; the best becomes the speaker when its probability reaches the model's
   abstention threshold, else the speaker is ``None``.

Pronouns and descriptions are resolved to the entity they refer to
(:func:`bot.summarize.speaker_coref.resolve`: "the senator" becomes the senator's
name), so a speaker is a name, a body ("the White House") or an anonymous source
kept as written ("a campaign aide"), never a bare pronoun.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from bot.summarize.quote_marks import QuoteSpan
from bot.summarize.speaker_context import Attribution, prepare
from bot.summarize.speaker_model import ExtraFeatures, Model, decode, load_model

__all__ = ["Attribution", "attribute", "attribute_all", "current_model",
           "using_extra_features", "using_model"]

_override: ContextVar[Model | None] = ContextVar("speaker_model_override", default=None)
_extra: ContextVar[ExtraFeatures | None] = ContextVar("speaker_extra_features", default=None)


@contextmanager
def using_model(model: Model) -> Iterator[None]:
    """Attribute with ``model`` instead of the packaged one (training and its CV)."""
    token = _override.set(model)
    try:
        yield
    finally:
        _override.reset(token)


@contextmanager
def using_extra_features(extra: ExtraFeatures | None) -> Iterator[None]:
    """Give the ranker more features per candidate (experiments such as
    ``bench/speakers_spacy.py``; the engine itself never sets this)."""
    token = _extra.set(extra)
    try:
        yield
    finally:
        _extra.reset(token)


def current_model() -> Model:
    """The model in use: an override from :func:`using_model`, else the packaged one."""
    return _override.get() or load_model()


def attribute_all(text: str, spans: list[QuoteSpan]) -> list[Attribution]:
    """The attribution of each quote span (same order)."""
    if not spans:
        return []
    return decode(prepare(text, spans), current_model(), extra_features=_extra.get())


def attribute(text: str, spans: list[QuoteSpan]) -> list[str | None]:
    """The speaker of each quote span (same order), or None when not attributable."""
    return [a.speaker for a in attribute_all(text, spans)]
