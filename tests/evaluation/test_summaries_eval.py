from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from bot.errors import ConfigError
from bot.evaluation.cli import add_eval_parser, main
from bot.evaluation.summaries import Row, evaluate, lead3, read_rows, reference_sentences

ARTICLE = ("(CNN)The council voted on Tuesday to close the old bridge after engineers found cracks. "
           "The bridge carries about 20,000 cars a day. A ferry service will start next week. "
           "Repairs will take eighteen months and cost $40 million. Shop owners fear losses.")
HIGHLIGHTS = ("Council votes to close the old bridge after engineers found cracks . "
              "Repairs will cost $ 40 million .")


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_reference_split_and_lead3() -> None:
    assert reference_sentences(HIGHLIGHTS) == [
        "Council votes to close the old bridge after engineers found cracks .",
        "Repairs will cost $ 40 million .",
    ]
    assert len(lead3(ARTICLE)) == 3 and lead3(ARTICLE)[0].startswith("(CNN)")


def test_evaluate_lead3_against_itself_has_zero_delta() -> None:
    rows = [Row(ARTICLE, HIGHLIGHTS)] * 2
    report = evaluate(rows, lambda row: lead3(row.article), "lead-3-copy")
    assert report.engine == report.lead3
    assert 0 < report.lead3.rouge1 <= 100
    assert report.as_dict()["delta"] == {"rouge1": 0, "rouge2": 0, "rougeLsum": 0}


def test_perfect_summary_scores_100() -> None:
    report = evaluate([Row(ARTICLE, HIGHLIGHTS)], lambda row: reference_sentences(row.highlights), "x")
    assert report.engine.rouge1 == report.engine.rouge2 == report.engine.rougeLsum == 100.0


def test_read_rows_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        read_rows(tmp_path / "missing.jsonl")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"article": "x"}\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad.jsonl:1: expected"):
        read_rows(bad)
    good = _write(tmp_path / "good.jsonl", [{"article": ARTICLE, "highlights": HIGHLIGHTS}] * 5)
    assert len(read_rows(good, limit=2)) == 2


def test_add_eval_parser_registers_both_commands() -> None:
    parser = argparse.ArgumentParser(prog="newsbot")
    add_eval_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["eval", "summaries", "--data", "x.jsonl", "--limit", "3", "--json"])
    assert args.limit == 3 and args.json and callable(args.func)
    args = parser.parse_args(["eval", "quotes", "--data", "q.jsonl"])
    assert callable(args.func)


def test_standalone_cli_json_with_the_real_engine(tmp_path: Path, engine: object,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    data = _write(tmp_path / "rows.jsonl", [{"article": ARTICLE, "highlights": HIGHLIGHTS}] * 3)
    assert main(["summaries", "--data", str(data), "--limit", "2", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["rows"] == 2 and result["engine_name"] == "extractive-minilm"
    assert set(result["engine"]) == {"rouge1", "rouge2", "rougeLsum"}
    assert result["articles_per_s"] > 0
    assert main(["summaries", "--data", str(data)]) == 0
    table = capsys.readouterr().out
    assert "lead-3" in table and "delta" in table


def test_standalone_cli_bad_file_is_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["summaries", "--data", str(tmp_path / "nope.jsonl")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: cannot read") and "\n" not in err


def test_delta_has_a_paired_standard_error() -> None:
    other = ("Shop owners fear losses. A ferry service will start next week. "
             "The bridge carries about 20,000 cars a day.")
    rows = [Row(ARTICLE, HIGHLIGHTS), Row(other, HIGHLIGHTS), Row(ARTICLE, HIGHLIGHTS)]
    # The engine equals Lead-3 on two rows and differs on one: a non-zero spread.
    report = evaluate(rows, lambda row: reference_sentences(row.highlights)
                      if row.article == other else lead3(row.article), "mixed")
    assert report.delta_se.rouge2 > 0
    same = evaluate(rows, lambda row: lead3(row.article), "lead-3-copy")
    assert same.delta_se.rouge2 == 0
