"""The default engine end to end with the real MiniLM model (one shared instance)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.domain import Summary
from bot.settings import Settings
from bot.summarize.base import Summarizer
from bot.summarize.extractive import ExtractiveSummarizer
from bot.summarize.factory import build_summarizer
from tests.conftest import EVAL_DIR

ARTICLE = (
    "(CNN)The city council voted on Tuesday to close the old bridge over the river after "
    "engineers found deep cracks in its supports.\n"
    "The bridge, built in 1932, carries about 20,000 cars a day between the two halves of town.\n"
    "Photo: Getty Images\n"
    '"We cannot take any risks with people\'s lives," Mayor Anna Berg said. '
    '"The bridge will stay closed until it is safe."\n'
    "A temporary ferry service will start next week, the council said.\n"
    "Engineers expect repairs to take at least eighteen months and cost about $40 million.\n"
    "Want a quick and expert briefing on the biggest news stories? Listen to our latest podcasts\n"
    "Local shop owners worry that the closure will cut the number of customers sharply.\n"
)


def test_protocol_and_factory() -> None:
    summarizer = build_summarizer(Settings(summarizer="extractive"))
    assert isinstance(summarizer, ExtractiveSummarizer)
    assert isinstance(summarizer, Summarizer)
    assert summarizer.name == "extractive-minilm"


def test_key_points_are_verbatim_clean_and_in_order(engine: ExtractiveSummarizer) -> None:
    summary = engine.summarize(ARTICLE, title="Council closes cracked bridge")
    assert isinstance(summary, Summary)
    assert summary.engine == "extractive-minilm"
    assert len(summary.key_points) == 3
    positions = [ARTICLE.index(p) for p in summary.key_points]
    assert positions == sorted(positions)
    assert summary.key_points[0].startswith("The city council voted")  # dateline gone
    joined = " ".join(summary.key_points)
    assert "Getty" not in joined and "podcast" not in joined


def test_quotes_come_from_the_quote_extractor(engine: ExtractiveSummarizer) -> None:
    summary = engine.summarize(ARTICLE, max_quotes=1)
    try:
        from bot.summarize.quotes import extract_quotes
    except ImportError:
        assert summary.quotes == () and summary.key_quotes == ()
        return
    assert list(summary.quotes) == extract_quotes(ARTICLE)
    assert len(summary.key_quotes) <= 1
    assert set(summary.key_quotes) <= set(summary.quotes)
    for quote in summary.quotes:
        assert ARTICLE[quote.start:quote.end] == quote.text


def test_max_points_is_respected(engine: ExtractiveSummarizer) -> None:
    assert len(engine.summarize(ARTICLE, max_points=1).key_points) == 1
    assert len(engine.summarize(ARTICLE, max_points=5).key_points) == 5
    assert engine.summarize(ARTICLE, max_points=0).key_points == ()


def test_no_near_duplicate_key_points(engine: ExtractiveSummarizer) -> None:
    lede = "The city council voted on Tuesday to close the old bridge over the river."
    text = "\n".join([lede, lede.replace("Tuesday", "Tuesday night"),
                      "Repairs will cost about $40 million and take a year and a half.",
                      "A ferry service will run in the meantime, officials said.",
                      "Shop owners fear they will lose many of their customers."])
    points = engine.summarize(text).key_points
    assert len(points) == 3
    assert not (lede in points and lede.replace("Tuesday", "Tuesday night") in points)


@pytest.mark.parametrize("text,expected", [
    ("", 0),
    ("   \n  ", 0),
    ("Only one sentence here about the weather today.", 1),
    ("The mayor resigned on Friday. Her deputy takes over until the election.", 2),
])
def test_short_and_empty_input(engine: ExtractiveSummarizer, text: str, expected: int) -> None:
    summary = engine.summarize(text)
    assert len(summary.key_points) == expected


def test_huge_article_no_quotes_and_unbalanced_marks(engine: ExtractiveSummarizer) -> None:
    sentence = "The committee discussed the annual budget for the regional transport network again. "
    huge = sentence * 4000  # ~50,000 words
    summary = engine.summarize(huge)
    assert 1 <= len(summary.key_points) <= 3
    unbalanced = ('He said "this will never end. The crowd left at noon. '
                  "Officials counted about 3,000 people in the square. It rained all day.")
    summary = engine.summarize(unbalanced)
    assert summary.key_points
    for point in summary.key_points:
        assert point in unbalanced


def test_non_english_uses_position(engine: ExtractiveSummarizer) -> None:
    text = ("Die Bundesregierung hat am Montag ein neues Klimagesetz beschlossen. "
            "Es soll die Emissionen bis 2030 um die Hälfte senken. "
            "Umweltverbände kritisierten die Pläne als unzureichend. "
            "Die Opposition kündigte Widerstand im Bundestag an. "
            "Das Gesetz tritt voraussichtlich im Mai in Kraft.")
    summary = engine.summarize(text, language="de")
    assert summary.language == "de"
    assert summary.key_points[0] == "Die Bundesregierung hat am Montag ein neues Klimagesetz beschlossen."
    chinese = "政府周一宣布了新的气候法。该法律旨在到2030年将排放量减少一半。环保组织批评该计划不足。"
    assert engine.summarize(chinese, language="zh").key_points


def test_real_dev_articles_have_no_boilerplate_key_points(engine: ExtractiveSummarizer) -> None:
    path = EVAL_DIR / "cnndm_dev.jsonl"
    if not path.is_file():
        pytest.skip("shared eval data not present")
    rows = [json.loads(line) for line in path.open(encoding="utf-8")][:15]
    for row in rows:
        for point in engine.key_points(row["article"]):
            assert point in row["article"]
            assert not point.startswith("(CNN)")
            assert not re.search(r"Scroll down|Daily Mail Reporter|PUBLISHED:", point)


@pytest.mark.slow  # a fresh interpreter
def test_model_is_not_loaded_at_import_or_construction() -> None:
    """In a fresh interpreter (this one has the model loaded by other tests): importing
    newsbot, building the engine and summarizing text too short to need it load neither
    torch nor transformers."""
    script = (
        "import sys\n"
        "import bot.app, bot.cli\n"
        "from bot.summarize.embedder import MiniLMEmbedder\n"
        "from bot.summarize.extractive import ExtractiveSummarizer\n"
        "fresh = ExtractiveSummarizer(MiniLMEmbedder())\n"
        "assert fresh.summarize('Too short.').key_points == ()\n"
        "print(fresh.embedder.loaded, sorted({'torch', 'transformers'} & set(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[2], timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False []"
