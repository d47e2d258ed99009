"""The learned ranker: merging proposals, scoring, abstaining, the shipped weights."""

from __future__ import annotations

import json
from importlib import resources

from bot.summarize.quote_marks import find_quote_spans
from bot.summarize.speaker_context import prepare, speaker_key
from bot.summarize.speaker_model import Model, SiteTrace, candidates, decode, load_model
from bot.summarize.speakers import attribute_all, using_extra_features, using_model


def test_speaker_key_merges_forms_of_one_name() -> None:
    assert speaker_key("Donald Trump") == speaker_key("Trump's") == "trump"
    assert speaker_key("Martin Luther King Jr.") == "king"
    assert speaker_key("") == ""


def test_proposals_naming_one_person_are_one_candidate() -> None:
    text = 'Senator Ida Moss spoke.\n\n"We agree," Moss said.'
    ctx = prepare(text, find_quote_spans(text))
    (cand,) = [c for c in candidates(ctx, ctx.sites[0], []) if c.key == "moss"]
    assert cand.speaker == "Ida Moss"
    assert any(r.startswith("cue_after") for r in cand.rules)


def test_abstains_below_the_threshold() -> None:
    text = '"We agree," Ida Moss said.'
    sure = Model({"bias": 5.0}, abstain_below=0.5, key_quote_min=0.9)
    unsure = Model({"bias": -5.0}, abstain_below=0.5, key_quote_min=0.9)
    ctx = prepare(text, find_quote_spans(text))
    assert decode(ctx, sure)[0].speaker == "Ida Moss"
    (a,) = decode(ctx, unsure)
    assert a.speaker is None and a.rule.startswith("abstain:") and a.confidence < 0.5


def test_the_ranker_prefers_the_cue_over_a_name_nearby() -> None:
    text = 'After meeting Tom Ash, "the room went quiet," Lisa Marsh recalled.'
    (a,) = attribute_all(text, find_quote_spans(text))
    assert a.speaker == "Lisa Marsh"


def test_shipped_weights_have_provenance_and_sane_thresholds() -> None:
    data = json.loads(resources.files("bot.summarize").joinpath("speaker_weights.json")
                      .read_text("utf-8"))
    prov = data["provenance"]
    assert prov["data"] and prov["commit"] and "--train" in prov["command"]
    assert prov["cross_validation"]["folds"] >= 2
    model = load_model()
    assert 0.0 <= model.abstain_below < model.key_quote_min <= 1.0
    assert model.weights["bias"] < 0  # an unsupported candidate is unlikely


def test_using_model_overrides_only_inside_the_block() -> None:
    text = '"We agree," Ida Moss said.'
    spans = find_quote_spans(text)
    with using_model(Model({"bias": -9.0}, 0.5, 0.9)):
        assert attribute_all(text, spans)[0].speaker is None
    assert attribute_all(text, spans)[0].speaker == "Ida Moss"


def test_extra_features_are_optional_and_only_add() -> None:
    text = 'After meeting Tom Ash, "the room went quiet," Ida Moss recalled. "Fine," she said.'
    spans = find_quote_spans(text)
    plain: list[SiteTrace] = []
    assert decode(prepare(text, spans), load_model(), plain) == \
        decode(prepare(text, spans), load_model(), None, None)
    model = Model({**load_model().weights, "x:ash": 20.0}, 0.2, 0.9)
    traced: list[SiteTrace] = []
    out = decode(prepare(text, spans), model, traced,
                 lambda ctx, site, cand: {"x:ash": 1.0} if cand.key == "ash" else {})
    assert out[0].speaker == "Tom Ash"
    a, b = plain[0], traced[0]  # the first quote: no earlier decision differs yet
    for fa, fb, c in zip(a.features, b.features, b.candidates, strict=True):
        assert fb == ({**fa, "x:ash": 1.0} if c.key == "ash" else fa)
    extra = lambda ctx, site, cand: {"x:ash": 1.0} if cand.key == "ash" else {}  # noqa: E731
    with using_extra_features(extra), using_model(model):
        assert attribute_all(text, spans)[0].speaker == "Tom Ash"
    with using_model(model):
        assert attribute_all(text, spans)[0].speaker == "Ida Moss"


def test_how_often_a_candidate_has_spoken_is_a_feature() -> None:
    from bot.summarize.speaker_context import Attribution
    from bot.summarize.speaker_model import features

    text = 'Ida Moss and Tom Ash met.\n\n"We agree," Moss said.\n\n"Fine."'
    ctx = prepare(text, find_quote_spans(text))
    said = [Attribution("Ida Moss", 0.9, "cue_after.name", True)]
    cands = {c.key: c for c in candidates(ctx, ctx.sites[1], said)}
    moss = features(ctx, ctx.sites[1], said, cands["moss"], False)
    assert moss["log_quotes_said"] > 0 and moss["no_cue:log_quotes_said"] > 0
    if "ash" in cands:
        assert "log_quotes_said" not in features(ctx, ctx.sites[1], said, cands["ash"], False)
