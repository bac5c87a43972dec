"""The outcome at full size, in the words every place a user reads it starts with."""

from __future__ import annotations

from typing import Any

import pytest

from sweep.review.lines import budget_line, outcome


def _race(*rows: tuple[int, bool, float | None]) -> dict[str, Any]:
    return {"candidates": [{"trial": trial, "baseline": baseline, "low_fidelity": 0.1,
                            "full_size": full} for trial, baseline, full in rows]}


@pytest.mark.parametrize(("finalist", "race", "expected"), [
    ({"source_trial": 5, "value": 0.81}, _race((5, False, 0.81), (0, True, 0.75)),
     "finalist: trial 5, +0.06 fitness over Ultralytics' defaults at full size (0.81 vs 0.75)"),
    ({"source_trial": 0, "value": 0.868}, _race((5, False, 0.751), (2, False, 0.859),
                                                (0, True, 0.868)),
     "no configuration beat Ultralytics' defaults at full size: the finalist is the defaults "
     "(trial 0, fitness 0.868)"),
    ({"source_trial": 3, "value": 0.0}, _race((3, False, 0.0), (0, True, 0.0)),
     "no configuration beat Ultralytics' defaults at full size: the finalist, trial 3, ties "
     "them (0 vs 0)"),
    ({"source_trial": 3, "value": 0.5}, _race((3, False, 0.5), (0, True, None)),
     "finalist: trial 3, fitness 0.5 at full size (Ultralytics' defaults did not finish the "
     "race)"),
    ({"source_trial": 3, "value": 0.5}, None,
     "finalist: trial 3, fitness 0.5 at full size (not compared with Ultralytics' defaults at "
     "full size: final.candidates > 1 races them)"),
    ({"source_trial": None, "value": 0.5}, None,
     "finalist: final.params, fitness 0.5 at full size (not compared with Ultralytics' "
     "defaults at full size: final.candidates > 1 races them)"),
    (None, None, None),
])
def test_the_outcome_at_full_size(finalist: dict[str, Any] | None, race: dict[str, Any] | None,
                                  expected: str | None) -> None:
    assert outcome(finalist, race, "fitness") == expected


def test_a_lower_value_wins_when_the_metric_is_minimized() -> None:
    race = _race((5, False, 0.2), (0, True, 0.3))
    assert outcome({"source_trial": 5, "value": 0.2}, race, "loss", maximize=False) == (
        "finalist: trial 5, -0.1 loss over Ultralytics' defaults at full size (0.2 vs 0.3)")


def test_the_budget_is_accounted_per_phase_with_what_gave_way() -> None:
    budget = {"asked": "8m", "asked_s": 480.0, "used": 0.962,
              "spent": {"start_s": 6.0, "search_s": 250.0, "finale_s": 200.0, "total_s": 462.0},
              "finale": {"race": 1, "trainings": 2, "epochs": 10, "seconds": 190.0},
              "shrunk": ["final.candidates 2 -> 1: the race of 3 would need 0:04:45"]}
    line = budget_line(budget)
    assert line == ("budget 8m: 0:07:42 spent of 0:08:00 (96%): start 0:00:06, search 0:04:10, "
                    "race and finalist 0:03:20 (a race of 2 x 10 epochs); gave way: "
                    "final.candidates 2 -> 1: the race of 3 would need 0:04:45")
    assert budget_line({"asked": None, "asked_s": None, "spent": {}}) is None


def test_a_finalist_not_raced_says_why_and_whether_it_is_the_defaults() -> None:
    plain = {"source_trial": 3, "value": 0.61}
    assert outcome(plain, None, "fitness", no_race="the budget left time for a retrain") == (
        "finalist: trial 3, fitness 0.61 at full size (not compared with Ultralytics' defaults "
        "at full size: the budget left time for a retrain)")
    assert outcome({"source_trial": 0, "value": 0.61}, None, "fitness", baseline_trial=0) == (
        "finalist: trial 0, Ultralytics' defaults (the best trial at low fidelity), fitness "
        "0.61 at full size")
