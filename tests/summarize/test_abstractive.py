"""The abstractive backend through the real from_pretrained + generate path.

A tiny random-weight BART and a word-level tokenizer are built and saved to
tmp_path; nothing is downloaded (HF_HUB_OFFLINE=1).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import ConfigError, SummarizerError
from bot.settings import Settings
from bot.summarize.abstractive import AbstractiveSummarizer
from bot.summarize.factory import build_summarizer

WORDS = ["the", "council", "voted", "to", "close", "bridge", "after", "engineers", "found", "cracks", "in", "supports", ".", "mayor", "said", "we", "cannot", "take", "risks", "with", "lives", "ferry", "will", "start", "next", "week", "repairs", "cost", "million", "dollars", "shop", "owners", "worry", "about", "customers"]


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import BartConfig, BartForConditionalGeneration, PreTrainedTokenizerFast

    folder = tmp_path_factory.mktemp("tiny-bart")
    specials = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    vocab = {tok: i for i, tok in enumerate(specials + sorted(set(WORDS)))}
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=tok, bos_token="<s>", eos_token="</s>", pad_token="<pad>",
        unk_token="<unk>", mask_token="<mask>", model_max_length=32,
    )
    tokenizer.save_pretrained(folder)
    config = BartConfig(
        vocab_size=len(vocab), d_model=16, encoder_layers=1, decoder_layers=1,
        encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=32,
        decoder_ffn_dim=32, max_position_embeddings=64, pad_token_id=1, bos_token_id=0,
        eos_token_id=2, decoder_start_token_id=2, forced_bos_token_id=None,
    )
    torch.manual_seed(0)
    model = BartForConditionalGeneration(config)
    # Make "." likely so the random model emits several sentences.
    with torch.no_grad():
        model.final_logits_bias[0, vocab["."]] = 4.0
    model.save_pretrained(folder)
    return folder


ARTICLE = ("The council voted to close the bridge after engineers found cracks in its supports. "
           '"We cannot take risks with lives," the mayor said. ' * 6)


def test_generates_key_points_and_takes_quotes_from_the_text(tiny_model: Path) -> None:
    engine = AbstractiveSummarizer(str(tiny_model), num_beams=1, max_new_tokens=24)
    summary = engine.summarize(ARTICLE, max_points=3, max_quotes=1)
    assert summary.engine == "abstractive:" + tiny_model.name
    assert 1 <= len(summary.key_points) <= 3
    assert all(p.strip() for p in summary.key_points)
    assert engine.device == "cpu"
    for quote in summary.quotes:  # never generated text
        assert ARTICLE[quote.start:quote.end] == quote.text


def test_long_article_is_chunked_to_the_model_input_size(tiny_model: Path) -> None:
    engine = AbstractiveSummarizer(str(tiny_model), num_beams=1, max_new_tokens=8, max_chunks=3)
    engine.load()
    chunks = engine._chunks(ARTICLE * 20)
    assert 1 < len(chunks) <= 3
    tok = engine._tokenizer
    assert all(len(tok(c, add_special_tokens=False)["input_ids"]) <= engine._max_input_tokens()
               for c in chunks)
    assert engine.summarize(ARTICLE * 200, max_points=2).key_points is not None


def test_empty_text(tiny_model: Path) -> None:
    engine = AbstractiveSummarizer(str(tiny_model))
    assert engine.summarize("").key_points == ()


def test_missing_model_is_one_clear_line(tmp_path: Path) -> None:
    engine = AbstractiveSummarizer(str(tmp_path / "nowhere"))
    with pytest.raises(SummarizerError) as info:
        engine.summarize("Some text about things that happened today in town.")
    message = str(info.value)
    assert "\n" not in message
    assert "huggingface-cli download" in message and "NEWSBOT_SUMMARIZER_MODEL" in message
    hub = AbstractiveSummarizer("sshleifer/distilbart-cnn-12-6-not-cached-here")
    with pytest.raises(SummarizerError):
        hub.load()


def test_factory(tiny_model: Path) -> None:
    engine = build_summarizer(Settings(summarizer="abstractive", summarizer_model=str(tiny_model)))
    assert isinstance(engine, AbstractiveSummarizer)
    with pytest.raises(ConfigError):
        build_summarizer(Settings(summarizer="abstractive"))
