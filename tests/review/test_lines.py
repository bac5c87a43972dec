"""The outcome at full size, in the words every place a user reads it starts with."""

from __future__ import annotations

from typing import Any

import pytest

from sweep.review.lines import budget_line, outcome, race_lines


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


def _decided(held: bool | None, values: list[float], winner: int) -> dict[str, Any]:
    """A race whose trial 5 led the defaults (0.75), with its repeat's verdict."""
    race = _race((5, False, values[0]), (0, True, 0.75))
    mean = sum(values) / len(values)
    race["decision"] = {"winner": winner, "leader": 5, "defaults": 0.75,
                        "leader_values": values, "leader_mean": mean,
                        "margin": mean - 0.75, "noise": abs(values[0] - values[-1]),
                        "held": held}
    race["repeats"] = [{"trial": 5, "race_trial": 2, "repeat_of": 0, "state": "COMPLETE",
                        "seed": 1, "full_size": values[-1], "epochs_run": 10}]
    return race


def test_the_outcome_carries_the_margin_and_one_trainings_noise() -> None:
    held = _decided(True, [0.81, 0.79], 5)
    assert outcome({"source_trial": 5, "value": 0.81}, held, "fitness") == (
        "finalist: trial 5, +0.05 fitness over Ultralytics' defaults at full size (0.8 vs 0.75; "
        "one training moves these by about 0.02 here)")
    within = _decided(False, [0.81, 0.71], 0)
    assert outcome({"source_trial": 0, "value": 0.75}, within, "fitness") == (
        "no configuration beat Ultralytics' defaults by more than one training's noise (0.1): "
        "the finalist is the defaults (trial 0, fitness 0.75; trial 5 0.76 over two trainings)")
    unchecked = _decided(None, [0.81], 5)
    assert outcome({"source_trial": 5, "value": 0.81}, unchecked, "fitness") == (
        "finalist: trial 5, +0.06 fitness over Ultralytics' defaults at full size (0.81 vs "
        "0.75; one training each, not told from its noise)")
    for row in within["candidates"]:
        row.update(epochs_run=10, stop_reason="completed")
    lines = race_lines({**within, "rank_correlation": None})
    assert "trial 5 again with a fresh seed (1): full size 0.71, 10 epochs, complete" in lines
    assert ("trial 5's lead over the defaults: +0.01 (mean of two trainings 0.76 vs 0.75) "
            "against one training's noise 0.1: within the noise, the defaults win") in lines


def test_a_lower_value_wins_when_the_metric_is_minimized() -> None:
    race = _race((5, False, 0.2), (0, True, 0.3))
    assert outcome({"source_trial": 5, "value": 0.2}, race, "loss", maximize=False) == (
        "finalist: trial 5, -0.1 loss over Ultralytics' defaults at full size (0.2 vs 0.3)")


def test_the_budget_is_accounted_per_phase_with_what_gave_way() -> None:
    budget = {"asked": "8m", "asked_s": 480.0, "used": 0.962,
              "spent": {"start_s": 6.0, "search_s": 250.0, "finale_s": 200.0, "total_s": 462.0},
              "finale": {"race": 1, "trainings": 2, "epochs": 10, "seconds": 190.0,
                         "confirm": True},
              "shrunk": ["final.candidates 2 -> 1: the race of 3 would need 0:04:45"]}
    line = budget_line(budget)
    assert line == ("budget 8m: 0:07:42 spent of 0:08:00 (96%): start 0:00:06, search 0:04:10, "
                    "race and finalist 0:03:20 (a race of 2 x 10 epochs and a leader's repeat); "
                    "gave way: "
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
