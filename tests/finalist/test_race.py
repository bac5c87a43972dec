"""The race's candidates: the best searched trials, pruned ones by how far they got, plus the
baseline."""

from __future__ import annotations

import optuna
from optuna.trial import TrialState

from sweep.core.record import Attr, Stop
from sweep.testing.fakes import study_with_curves


def test_candidates_are_the_best_searched_trials_plus_the_baseline() -> None:
    from sweep.finalist.race import candidates

    study = study_with_curves([(TrialState.COMPLETE, [0.0]), (TrialState.COMPLETE, [0.5]),
                               (TrialState.PRUNED, [0.2, 0.3]), (TrialState.COMPLETE, [0.3]),
                               (TrialState.COMPLETE, [0.4]), (TrialState.FAIL, [0.9])])
    assert [t.number for t in candidates(study, 2)] == [1, 4, 0]  # trial 0 is the baseline
    assert [t.number for t in candidates(study, 5)] == [1, 4, 2, 3, 0]  # 2 by its 0.3, then 3


def test_a_strong_baseline_leaves_the_race_its_searched_candidates_though_the_rest_was_pruned(
        ) -> None:
    """Optuna's median is over completed trials: once the defaults complete strongly, the others
    are pruned; the race still gets `count` searched ones, each by the best value it reported."""
    from sweep.finalist.race import candidates, low_fidelity

    study = study_with_curves([(TrialState.COMPLETE, [0.3, 0.56]), (TrialState.PRUNED, [0.1]),
                               (TrialState.PRUNED, [0.2, 0.5, 0.45]), (TrialState.PRUNED, [0.3]),
                               (TrialState.COMPLETE, [0.2, 0.4])])
    chosen = candidates(study, 2)
    assert [t.number for t in chosen] == [2, 4, 0]  # the baseline leads, yet two are searched
    assert [low_fidelity(t, maximize=True) for t in chosen] == [0.5, 0.4, 0.56]


def test_trials_stopped_by_a_user_or_before_any_epoch_are_not_candidates() -> None:
    from sweep.finalist.race import candidates

    study = study_with_curves([(TrialState.COMPLETE, [0.5])])
    space = {"lr0": optuna.distributions.FloatDistribution(1e-4, 1e-1, log=True)}
    for reason, curve in ((Stop.STOPPED_ON_WANDB_PAGE, [0.9]), (Stop.PRUNED, [])):
        trial = study.ask(space)
        for step, value in enumerate(curve):
            trial.report(value, step)
        trial.set_user_attr(Attr.STOP_REASON, reason)
        study.tell(trial, state=TrialState.PRUNED)
    assert [t.number for t in candidates(study, 2)] == [0]  # the baseline alone


def _closed(study: optuna.Study, state: TrialState, curve: list[float],
            constraints: dict[str, float], baseline: bool = False) -> None:
    """A trial as sweep closes it: every constraint the study has recorded on it."""
    space = {"lr0": optuna.distributions.FloatDistribution(1e-4, 1e-1, log=True)}
    study.add_trial(optuna.trial.create_trial(
        state=state, value=max(curve) if state == TrialState.COMPLETE else None,
        params={"lr0": 0.01 + len(study.trials) * 1e-3}, distributions=space,
        intermediate_values=dict(enumerate(curve)), constraints=constraints,
        user_attrs={Attr.BASELINE: baseline, Attr.STOP_REASON: Stop.COMPLETED
                    if state == TrialState.COMPLETE else Stop.PRUNED}))


def test_pruned_trials_are_candidates_beside_the_out_of_memory_constraint_not_a_latency_one(
        ) -> None:
    """Every trial carries the out-of-memory constraint (0: fits); only a latency limit, which
    a pruned trial was never measured against, keeps pruned trials out of the race."""
    from sweep.finalist.race import candidates

    for limit, raced in (({}, [1, 2, 0]), ({"latency_over_ms": -1.0}, [1, 0])):
        study = optuna.create_study(direction="maximize")
        _closed(study, TrialState.COMPLETE, [0.5], {"out_of_memory": 0.0, **limit}, True)
        _closed(study, TrialState.COMPLETE, [0.4], {"out_of_memory": 0.0, **limit})
        _closed(study, TrialState.PRUNED, [0.1, 0.2], {"out_of_memory": 0.0, **limit})
        assert [t.number for t in candidates(study, 2)] == raced, limit
