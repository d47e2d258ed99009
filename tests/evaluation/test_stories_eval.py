"""`eval stories`: the scorer by hand, row reading, and one run end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.errors import ConfigError
from bot.evaluation import stories as ev
from bot.evaluation.cli import main as eval_main
from bot.evaluation.story_scores import false_merges, score_clusters


def test_scores_by_hand() -> None:
    gold = {"a": "1", "b": "1", "c": "2"}
    s = score_clusters(gold, {"a": "x", "b": "y", "c": "y"})
    # B3: a P 1 R 1/2; b P 1/2 R 1/2; c P 1/2 R 1. No predicted pair is a gold pair.
    assert s.b3_precision == pytest.approx(2 / 3) and s.b3_recall == pytest.approx(2 / 3)
    assert s.pair_precision == 0.0 and s.pair_recall == 0.0 and s.pair_f1 == 0.0
    assert (s.gold_clusters, s.predicted_clusters, s.articles) == (2, 2, 3)
    perfect = score_clusters(gold, {"a": "p", "b": "p", "c": "q"})
    assert perfect.b3_f1 == perfect.pair_f1 == 1.0
    lumped = score_clusters(gold, {"a": "p", "b": "p", "c": "p"})
    assert lumped.b3_recall == 1.0 and lumped.b3_precision == pytest.approx((2 / 3 * 2 + 1 / 3) / 3)
    assert lumped.pair_precision == pytest.approx(1 / 3) and lumped.pair_recall == 1.0
    assert false_merges(gold, {"a": "p", "b": "p", "c": "p"}) == [["a", "b", "c"]]


def test_unpredicted_or_unlabelled_rows_are_left_out_of_scores() -> None:
    s = score_clusters({"a": "1", "b": "1"}, {"a": "x", "b": "x", "z": "x"})
    assert s.articles == 2 and s.b3_f1 == 1.0
    with pytest.raises(ValueError):
        score_clusters({"a": "1"}, {"b": "x"})


def _write(path: Path, rows: list[object]) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows))
    return path


ROW = {"id": "1", "cluster": "c", "title": "T", "text": "x", "source": "S",
       "published": "2019-01-02", "url": "u", "lang": "en"}


@pytest.mark.parametrize("rows,message", [
    (["{nope"], ":1: not JSON"),
    ([{**ROW, "id": ""}], "needs an 'id'"),
    ([ROW, ROW], "duplicate id"),
    ([{**ROW, "published": "yesterday"}], "not an ISO date"),
    ([{**ROW, "title": "", "text": ""}], "neither title nor text"),
    ([], "no rows"),
])
def test_bad_rows_get_one_clear_error(tmp_path: Path, rows: list[object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        ev.read_rows(_write(tmp_path / "d.jsonl", rows))


def test_rows_are_taken_in_publication_order(tmp_path: Path) -> None:
    rows = ev.read_rows(_write(tmp_path / "d.jsonl", [
        {**ROW, "id": "late", "published": "2019-01-03T10:00:00Z"},
        {**ROW, "id": "early", "published": "2019-01-03T09:00:00+00:00"},
        {**ROW, "id": "day", "published": "2019-01-02", "cluster": None},
    ]))
    assert [r.id for r in ev.in_date_order(rows)] == ["day", "early", "late"]
    assert rows[2].cluster is None


def test_the_current_rule_baseline_needs_most_title_words(tmp_path: Path) -> None:
    rows = ev.in_date_order(ev.read_rows(_write(tmp_path / "d.jsonl", [
        {**ROW, "id": "a", "title": "Senate passes budget bill after long night"},
        {**ROW, "id": "b", "title": "Senate passes budget bill after a long night"},
        {**ROW, "id": "c", "title": "Budget clears upper chamber"},
    ])))
    predicted = ev.baseline_title_jaccard(rows)
    assert predicted["a"] == predicted["b"] != predicted["c"]


@pytest.mark.slow
def test_eval_stories_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [
        {"id": "fire-a", "cluster": "fire", "title": "Fire rips through Lisbon warehouse district",
         "text": "LISBON — A blaze tore through warehouses near the Lisbon docks overnight, forcing "
                 "about 200 residents from their homes, firefighters said.",
         "source": "A", "published": "2026-03-03T06:00:00Z", "url": "", "lang": "en"},
        {"id": "fire-b", "cluster": "fire", "title": "Blaze guts Lisbon dockside warehouses",
         "text": "About 200 people left their homes after flames engulfed warehouses by the Lisbon "
                 "docks overnight, the fire service said.",
         "source": "B", "published": "2026-03-03T08:00:00Z", "url": "", "lang": "en"},
        {"id": "tram", "cluster": "tram", "title": "Two killed as tram derails in central Lisbon",
         "text": "Two people were killed and 14 injured when a tram left the rails in Lisbon.",
         "source": "C", "published": "2026-03-03T09:00:00Z", "url": "", "lang": "en"},
    ]
    data = _write(tmp_path / "d.jsonl", rows)
    out = tmp_path / "pred.jsonl"
    assert eval_main(["stories", "--data", str(data), "--predictions", str(out), "--json",
                      "--lead-only", "--curve"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["rows"] == 3 and result["lead_only"] is True
    assert set(result["baselines"]) == {"title_jaccard_0.5", "minilm_cosine_0.6", "singletons"}
    assert result["system"]["b3_f1"] == 1.0
    assert len(result["curve"]) == len(ev.CURVE)
    predictions = [json.loads(line) for line in out.read_text().splitlines()]
    assert [p["id"] for p in predictions] == ["fire-a", "fire-b", "tram"]
    assert predictions[0]["story"] == predictions[1]["story"] != predictions[2]["story"]


def test_eval_stories_refuses_a_bad_setting(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _write(tmp_path / "d.jsonl", [ROW])
    assert eval_main(["stories", "--data", str(data), "--join", "3"]) == 2
    assert "bad story setting" in capsys.readouterr().err
