"""The race's candidates: the best trials plus the baseline."""

from __future__ import annotations

from optuna.trial import TrialState

from sweep.testing.fakes import study_with_curves


def test_candidates_are_the_best_trials_plus_the_baseline() -> None:
    from sweep.finalist.race import candidates

    study = study_with_curves([(TrialState.COMPLETE, [0.0]), (TrialState.COMPLETE, [0.5]),
                    (TrialState.PRUNED, [0.9]), (TrialState.COMPLETE, [0.3]),
                    (TrialState.COMPLETE, [0.4])])
    assert [t.number for t in candidates(study, 2)] == [1, 4, 0]  # trial 0 is the baseline
    assert [t.number for t in candidates(study, 5)] == [1, 4, 3, 0]
