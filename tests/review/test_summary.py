"""summary.json's warnings: trials that cannot be ranked are said with the fix."""

from __future__ import annotations

import pytest
from optuna.trial import TrialState

from sweep.review.markdown import summary_markdown
from sweep.testing.fakes import SUMMARY, study_with_curves

CONFIG = {"study": {"metric": "fitness"}, "trial": {"epochs": 10, "fraction": 0.5}}


@pytest.mark.parametrize(("values", "warned"), [
    ([0.0, 0.0, 0.0, 0.4], True),     # 3 of 4 share 0.0
    ([0.0, 0.0, 0.3, 0.4], True),     # half
    ([0.0, 0.2, 0.3, 0.4], False),
    ([0.0], False),                   # one trial: nothing to rank
])
def test_trials_that_cannot_be_ranked_are_said_with_the_fix(values: list[float],
                                                            warned: bool) -> None:
    from sweep.review.summary import ranking_warnings

    study = study_with_curves([(TrialState.COMPLETE, [v]) for v in values])
    warnings = ranking_warnings(study, CONFIG)
    assert bool(warnings) == warned
    if warned:
        tied = max(values.count(v) for v in values)
        assert warnings[0].startswith(f"{tied} of {len(values)} completed trials share fitness")
        assert "trial.epochs (now 10)" in warnings[0] and "model=yolo11n.pt" in warnings[0]
        assert "the baseline (Ultralytics' defaults) is one of them" in warnings[0]  # trial 0
        assert ("the best trial (#" in warnings[0]) == (values.count(max(values)) == tied)
        assert f"**Warning**: {warnings[0]}" in summary_markdown(
            {**SUMMARY, "warnings": warnings}, "fitness")
