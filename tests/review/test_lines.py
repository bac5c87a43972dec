"""The outcome at full size, in the words every place a user reads it starts with."""

from __future__ import annotations

from typing import Any

import pytest

from sweep.review.lines import outcome


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
