"""The independent hygiene scorer of ``eval summaries``."""

from __future__ import annotations

from bot.evaluation.keypoint_hygiene import ends_at_abbreviation, measure, starts_dependent


def test_dependent_openers() -> None:
    assert starts_dependent("He said the talks had failed.")
    assert starts_dependent("“But it took years,” she said.")
    assert starts_dependent("However, the plan was dropped.")
    assert not starts_dependent("The plan was dropped on Monday.")
    assert not starts_dependent("Heathrow said flights were delayed.")


def test_cut_at_an_abbreviation() -> None:
    assert ends_at_abbreviation("The couple stayed at the rented villa in St.")
    assert ends_at_abbreviation("In 2006, after the U.")
    assert ends_at_abbreviation("The meeting is set for Jan.")
    assert ends_at_abbreviation("It was signed by John F.")
    assert not ends_at_abbreviation("He moved to the U.S.")
    assert not ends_at_abbreviation("Growth was 3.5 percent.")


def test_measure_counts_first_points_and_all_points() -> None:
    h = measure([["He left.", "The mayor resigned on Friday after the vote."],
                 ["The mayor resigned on Friday after the vote.", "It ended at the villa in St."]])
    assert h.articles == 2 and h.points == 4
    assert h.first_dependent == 0.5
    assert h.dependent == 0.5
    assert h.abbreviation_cut == 0.25
    assert h.fragment == 0.25
    assert "first point dependent 50.0%" in h.line()
