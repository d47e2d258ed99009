"""The learned candidate ranker: which proposed speaker is the quote's, and how sure.

For each quote, every rule of :mod:`bot.summarize.speaker_rules` proposes
speakers; proposals naming the same person (same last word) are one candidate.
Each candidate gets a feature vector (:func:`features`): which rules proposed it,
how many, whether the article shows it as a person or a body, how often and how
near it is named, whether it spoke the quote before. A logistic regression over
these features (weights in ``speaker_weights.json``, learned on the PolNeAR
train split by ``newsbot eval quotes --train``; provenance inside the file)
gives each candidate the probability that it is the speaker. The best candidate
is the speaker when that probability reaches ``abstain_below``; otherwise the
quote's speaker is ``None`` (a null is better than a wrong name).
``speaker_confidence`` is that probability; ``speaker_rule`` names the strongest
rule behind the winner.

Decoding runs quote by quote in text order, since conventions such as "a quote
paragraph after a quote paragraph keeps its speaker" read earlier decisions;
those arrive as an immutable sequence, never as shared state.
"""

from __future__ import annotations

import bisect
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from bot.summarize.quote_names import CUE_FORMS
from bot.summarize.speaker_context import Attribution, Prepared, QuoteSite, speaker_key
from bot.summarize.speaker_rules import CUE_RULES, RULES, Proposal, Rule
from bot.summarize.speaker_tokens import first_at

__all__ = ["Candidate", "ExtraFeatures", "Model", "decode", "features", "load_model",
           "speaker_key"]

_WEIGHTS_FILE = "speaker_weights.json"


@dataclass(slots=True)
class Candidate:
    key: str  # last word of the name, lower-cased: proposals naming the same person merge
    speaker: str  # the fullest form proposed
    rules: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Model:
    weights: dict[str, float]
    abstain_below: float  # a best candidate under this probability gives speaker None
    key_quote_min: float  # key quotes need at least this confidence


def candidates(ctx: Prepared, site: QuoteSite, earlier: Sequence[Attribution],
               rules: Sequence[Rule] = RULES) -> list[Candidate]:
    """All rules' proposals for one site, merged by person (first proposal's order)."""
    merged: dict[str, Candidate] = {}
    for rule in rules:
        for p in rule(ctx, site, earlier):
            _add(merged, p)
    return list(merged.values())


def _add(merged: dict[str, Candidate], p: Proposal) -> None:
    key = speaker_key(p.speaker)
    if not key:
        return
    c = merged.get(key)
    if c is None:
        merged[key] = Candidate(key, p.speaker, [p.rule])
        return
    if p.rule not in c.rules:
        c.rules.append(p.rule)
    # The fullest form wins, except over a cue's: resolving the cue's subject already
    # expanded it where the text allows ("Mr. Obama" stays Obama after "Michelle Obama").
    if len(p.speaker) > len(c.speaker) and p.speaker[:1].isupper() \
            and (_cue_rule(p.rule) or not _cue_rule(c.rules[0])):
        c.speaker = p.speaker


def _cue_rule(rule: str) -> bool:
    return rule.split(".")[0] in CUE_RULES


_SPEAKER_WINDOW = 30  # earlier quotes counted for a candidate's share of the speech


def features(ctx: Prepared, site: QuoteSite, earlier: Sequence[Attribution],
             cand: Candidate, site_has_cue: bool = True) -> dict[str, float]:
    """The candidate's feature vector (names -> values; absent means 0).
    ``site_has_cue``: some candidate of this quote came from a cue next to it
    (when none did, the conventions and the sentence's names weigh differently)."""
    f: dict[str, float] = {"bias": 1.0}
    for r in cand.rules:
        f["rule:" + r] = 1.0
        f["family:" + r.split(".")[0]] = 1.0
        if not site_has_cue:
            f["no_cue:" + r.split(".")[0]] = 1.0
    f["n_rules"] = float(len(cand.rules))
    starts = ctx.key_starts.get(cand.key)
    if starts:
        is_org, is_person, confirmed = ctx.key_kinds[cand.key]
        f["is_org"] = float(is_org)
        f["is_person"] = float(is_person)
        f["confirmed_person"] = float(confirmed)
        f["log_mentions"] = math.log1p(len(starts))
        k = bisect.bisect_left(starts, site.span.outer_start)
        if k > 0:
            f["log_dist_before"] = math.log1p((site.span.outer_start - starts[k - 1]) / 100)
        else:
            f["not_named_before"] = 1.0
            a = bisect.bisect_left(starts, site.span.outer_end)
            if a < len(starts):
                f["log_dist_after"] = math.log1p((starts[a] - site.span.outer_end) / 100)
        _sentence_features(ctx, site, cand, f)
    else:
        f["not_a_mention"] = 1.0
    if not cand.speaker[:1].isupper():
        f["lower_case"] = 1.0
    elif len(cand.speaker.split()) >= 2:
        f["multi_word"] = 1.0
    if earlier and earlier[-1].speaker and speaker_key(earlier[-1].speaker) == cand.key:
        f["previous_quote_speaker"] = 1.0
    said = sum(1 for a in earlier[-_SPEAKER_WINDOW:]
               if a.speaker and speaker_key(a.speaker) == cand.key)
    if said:
        f["log_quotes_said"] = math.log1p(said)
        if not site_has_cue:
            f["no_cue:log_quotes_said"] = math.log1p(said)
    n_words = len(ctx.text[site.span.start:site.span.end].split())
    if n_words < 4:
        f["short_quote"] = 1.0
        for r in cand.rules:
            f["short:" + r.split(".")[0]] = 1.0
    if site.span.single:
        f["single_marks"] = 1.0
    return f


_PREPOSITIONS = frozenset({"of", "to", "with", "for", "about", "against", "on", "at", "from",
                           "than", "like", "between", "toward", "towards", "into", "over"})


def _sentence_features(ctx: Prepared, site: QuoteSite, cand: Candidate,
                       f: dict[str, float]) -> None:
    """Where the candidate sits in the quote's sentence: subject position, next to a
    speech verb, after a preposition, possessive, nearest to the quote."""
    doc = ctx.doc
    tokens = doc.tokens
    q = site.span
    mentions = [m for m in ctx.mentions_between(site.sentence_start, site.sentence_end)
                if not (q.outer_start <= m.start < q.outer_end)]
    key_at = ctx.key_at
    inside = [m for m in mentions if key_at[m.start] == cand.key]
    if not inside:
        return
    f["in_sentence"] = 1.0
    before = [m for m in mentions if m.start < q.outer_start]
    after = [m for m in mentions if m.start >= q.outer_end]
    if before and key_at[before[-1].start] == cand.key:
        f["nearest_before"] = 1.0
    if after and key_at[after[0].start] == cand.key:
        f["nearest_after"] = 1.0
    if mentions and key_at[mentions[0].start] == cand.key:
        f["first_in_sentence"] = 1.0
    for m in inside:
        if m.start in doc.salient:
            f["subject_position"] = 1.0
        i = first_at(tokens, m.start)
        j = first_at(tokens, m.end)
        if i > 0 and tokens[i - 1].low in _PREPOSITIONS:
            f["after_preposition"] = 1.0
        if i > 0 and tokens[i - 1].low == "by":
            f["after_by"] = 1.0
        if j > 0 and tokens[j - 1].text.endswith(("'s", "’s")):
            f["possessive"] = 1.0
        near = tokens[j:j + 3] + tokens[max(0, i - 2):i]
        if any(t.low in CUE_FORMS for t in near):
            f["next_to_speech_verb"] = 1.0
        gap = abs(site.marker - i) if m.start < q.outer_start else abs(i - site.marker)
        f["log_token_gap"] = min(f.get("log_token_gap", 9.0), math.log1p(gap))


def score(model: Model, feats: dict[str, float]) -> float:
    """The probability that a candidate is the speaker."""
    z = sum(model.weights.get(k, 0.0) * v for k, v in feats.items())
    if z < -30:
        return 0.0
    return 1.0 / (1.0 + math.exp(-z))


@dataclass(frozen=True, slots=True)
class SiteTrace:
    """What the ranker saw for one quote (for training and debugging)."""

    candidates: tuple[Candidate, ...]
    features: tuple[dict[str, float], ...]
    probabilities: tuple[float, ...]


# Optional features from outside the engine (experiments only, e.g. a parser's view in
# bench/speakers_spacy.py): (document, site, candidate) -> more feature values.
ExtraFeatures = Callable[[Prepared, QuoteSite, Candidate], dict[str, float]]


def decode(ctx: Prepared, model: Model, trace: list[SiteTrace] | None = None,
           extra_features: ExtraFeatures | None = None) -> list[Attribution]:
    """Attribute every quote of a prepared document, in text order. ``extra_features``
    (default none: the engine's own features only) adds to each candidate's vector."""
    out: list[Attribution] = []
    for site in ctx.sites:
        cands = candidates(ctx, site, out)
        has_cue = any(r.split(".")[0] in CUE_RULES for c in cands for r in c.rules)
        feats = [features(ctx, site, out, c, has_cue) for c in cands]
        if extra_features is not None:
            for c, f in zip(cands, feats, strict=True):
                f.update(extra_features(ctx, site, c))
        probs = [score(model, f) for f in feats]
        if trace is not None:
            trace.append(SiteTrace(tuple(cands), tuple(feats), tuple(probs)))
        if not cands:
            out.append(Attribution(None, 0.0, "none"))
            continue
        best = max(range(len(cands)), key=lambda i: (probs[i], -i))
        c, p = cands[best], probs[best]
        rule = _strongest_rule(model, c)
        by_cue = any(r.split(".")[0] in CUE_RULES for r in c.rules)
        if p < model.abstain_below:
            out.append(Attribution(None, round(p, 4), "abstain:" + rule, False))
        else:
            out.append(Attribution(c.speaker, round(p, 4), rule, by_cue))
    return out


def _strongest_rule(model: Model, c: Candidate) -> str:
    return max(c.rules, key=lambda r: model.weights.get("rule:" + r, 0.0)
               + model.weights.get("family:" + r.split(".")[0], 0.0))


def model_from_json(data: dict[str, object]) -> Model:
    weights = data.get("weights")
    if not isinstance(weights, dict):
        raise ValueError("speaker weights file has no 'weights' object")
    return Model({str(k): float(v) for k, v in weights.items()},
                 float(data.get("abstain_below", 0.5)),  # type: ignore[arg-type]
                 float(data.get("key_quote_min", 0.8)))  # type: ignore[arg-type]


@cache
def load_model() -> Model:
    """The packaged model (``bot/summarize/speaker_weights.json``), read once."""
    text = resources.files("bot.summarize").joinpath(_WEIGHTS_FILE).read_text("utf-8")
    return model_from_json(json.loads(text))
