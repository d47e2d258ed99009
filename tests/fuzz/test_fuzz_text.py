"""Property tests: HTML extraction, sentence splitting and quote extraction never raise.

HTML inputs are the saved pages of ``tests/fixtures/pages`` and the entry
HTML of the eval feeds, mutated (tags cut, nested, duplicated), plus HTML
generated from scratch; text inputs are generated with quote marks, dashes,
abbreviations and odd whitespace, where splitters and quote finders trip.
"""

from __future__ import annotations

import time
from functools import lru_cache
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from bot.extract.html import extract_article, html_to_text
from bot.extract.sentences import split_sentences
from bot.summarize.quotes import extract_quotes
from tests.fuzz.conftest import CALL_BUDGET_S

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"


@lru_cache(maxsize=1)
def page_seeds() -> tuple[bytes, ...]:
    pages = sorted(p for p in PAGES.rglob("*.htm*") if p.stat().st_size < 1_000_000)
    return tuple(p.read_bytes() for p in pages[:30]) or (b"<html><body><p>x</p></body></html>",)


_TAGS = ["<p>", "</p>", "<div>", "</div>", "<script>", "</script>", "<br>", "<!--", "-->",
         "<article>", "<h1>", "&nbsp;", "&#x0;", "<![CDATA[", "<table><tr><td>", "<svg>", "\x00",
         "<meta charset='koi8-r'>", "<html lang='xx-YY'>", "<time datetime='9999-99-99'>"]


@st.composite
def mutated_html(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(page_seeds())))
    for _ in range(draw(st.integers(0, 5))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["cut", "tag", "nest", "dup", "bytes"]))
        if kind == "cut":
            del data[at : at + draw(st.integers(1, 5000))]
        elif kind == "tag":
            data[at:at] = draw(st.sampled_from(_TAGS)).encode()
        elif kind == "nest":
            depth = draw(st.integers(1, 3000))
            data[at:at] = b"<div>" * depth + b"text " * 5 + b"</div>" * depth
        elif kind == "dup":
            data[at:at] = data[at : at + draw(st.integers(1, 3000))] * draw(st.integers(1, 4))
        else:
            data[at:at] = draw(st.binary(max_size=30))
    return bytes(data)


_WORDS = st.sampled_from([
    "The", "minister", "said", "Mr.", "Dr.", "U.S.", "“", "”", "\"", "'", "‘", "’", "«", "»", "—", "-",
    "...", "…", ".", "?", "!", ",", "\n", "\n\n", "\t", "\u00a0", "\u200b", "e.g.", "No.", "3.5",
    "“We will not back down,”", "she said.", "according to", "Smith", "(AP)", "WASHINGTON —", "ﬁ",
    "\u202e", "a" * 200, "Ä", "日本語", "।", "。",
])
TEXT = st.lists(_WORDS, max_size=300).map(" ".join) | st.text(max_size=3000)


def _timed(started: float) -> None:
    assert time.monotonic() - started < CALL_BUDGET_S


@given(mutated_html())
def test_extract_article_on_mutated_pages(html: bytes) -> None:
    started = time.monotonic()
    extracted = extract_article(html, "http://fuzz.example/page")
    _timed(started)
    if extracted is not None:
        assert isinstance(extracted.text, str)


@given(st.text(max_size=3000) | st.lists(st.sampled_from(_TAGS) | st.text(max_size=20), max_size=200).map("".join))
def test_html_to_text(html: str) -> None:
    started = time.monotonic()
    text = html_to_text(html)
    _timed(started)
    assert "\n\n\n" not in text


@given(TEXT, st.sampled_from([None, "en", "de", "fr", "ja", "zz", "", "en-GB"]))
def test_split_sentences_offsets(text: str, language: str | None) -> None:
    started = time.monotonic()
    sentences = split_sentences(text, language)
    _timed(started)
    for s in sentences:
        assert 0 <= s.start <= s.end <= len(text)
        assert text[s.start : s.end] == s.text


@given(TEXT)
def test_extract_quotes_spans(text: str) -> None:
    started = time.monotonic()
    quotes = extract_quotes(text)
    _timed(started)
    for q in quotes:
        assert 0 <= q.start <= q.end <= len(text)
        assert text[q.start : q.end] == q.text
