"""Pure helpers: what is read from an article, how vectors are stored."""

from __future__ import annotations

import numpy as np
import pytest

from bot.stories.records import pack_vector, unpack_vector
from bot.stories.text import (
    embedding_text,
    lead_text,
    lexical_words,
    normalize_language,
    strip_dateline,
    term_counts,
)


def test_lead_is_the_first_paragraph_capped_at_60_words() -> None:
    text = "\n\n" + " ".join(f"w{i}" for i in range(100)) + "\nSecond paragraph."
    lead = lead_text(text)
    assert lead.split()[0] == "w0" and len(lead.split()) == 60
    assert lead_text("One short paragraph.\nAnother.") == "One short paragraph."
    assert lead_text("  \n ") == ""


@pytest.mark.parametrize("text,expected", [
    ("WASHINGTON — Senators voted.", "Senators voted."),
    ("LONDON (Reuters) - Prices rose.", "Prices rose."),
    ("(CNN)They may not be aliens.", "They may not be aliens."),
    ("NEW YORK, Nov. 19 (UPI) — Clinton spoke.", "Clinton spoke."),
    ("The mayor said no.", "The mayor said no."),
])
def test_datelines_are_cut(text: str, expected: str) -> None:
    assert strip_dateline(text) == expected


def test_embedding_text_is_title_then_lead() -> None:
    assert embedding_text("Fire in Lisbon", "LISBON — A blaze tore through.") == \
        "Fire in Lisbon. A blaze tore through."
    assert embedding_text("Why?", "Because.") == "Why? Because."
    assert embedding_text("", "Only text") == "Only text"
    assert len(embedding_text("T", " ".join(["w"] * 500)).split()) == 61


def test_languages_normalise_and_unknown_is_its_own() -> None:
    assert normalize_language("en-US") == "en"
    assert normalize_language("pt_BR") == "pt"
    assert normalize_language(None) == normalize_language("  ") == "und"


def test_term_counts_fold_case_accents_and_thousands() -> None:
    counts = term_counts("Clinton wins 2,383 delegates", "Clinton's Café: 2,383 delegates.")
    assert counts["clinton"] == 2 and counts["2383"] == 2 and counts["cafe"] == 1


def test_lexical_words_use_bigrams_for_unspaced_scripts() -> None:
    assert lexical_words("Brand in Lissabon", "Ein Feuer zerstört Lagerhallen.") >= {"brand", "lissabon", "feuer"}
    words = lexical_words("东京发生地震", "")
    assert {"东京", "地震"} <= words


def test_vectors_pack_to_float16_and_back() -> None:
    rng = np.random.default_rng(1)
    v = rng.standard_normal(384).astype(np.float32)
    blob = pack_vector(v)
    assert len(blob) == 768
    back = unpack_vector(blob)
    assert abs(float(back @ (v / np.linalg.norm(v))) - 1.0) < 1e-3
    with pytest.raises(ValueError):
        unpack_vector(b"\x00")
