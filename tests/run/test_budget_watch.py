"""The live view's budget line: spent and left, and the predicted end in the search."""

from __future__ import annotations

from optuna.trial import TrialState

from sweep.core.text import fmt_seconds
from sweep.run.budget_watch import live_line
from sweep.study.budget_plan import outlook
from tests.study.test_budget_plan import T0, budget, config, trial


def test_a_failed_trial_does_not_count_towards_a_cap() -> None:
    done = trial(5.0, epochs=10, state=TrialState.COMPLETE, wall_s=52.0)
    failed = trial(5.0, epochs=1, state=TrialState.FAIL, number=1)
    capped, now = budget(1000, capped=True), T0 + 200
    line = live_line([done, failed], config(n_trials=3), capped, "run-now", now, "search", T0)
    # 1 of 3 finished (the failure is retried, not done): 2 trials left, 52 s each
    expected = outlook([done], config(n_trials=3), capped, "run-now", now, finished=1)
    assert expected is not None and expected.search_end == now + 2 * 52
    assert line.startswith("budget 0:16:40: spent 0:03:20 (search 0:03:20), left 0:13:20")
    assert line.endswith(f"predicted end {fmt_seconds(expected.end - T0)}")
