"""StallPruner against measured curves: the default sweep's six trials (fitness per epoch, one
CPU worker, in order), where PatientPruner pruned nothing."""

from __future__ import annotations

import optuna
import pytest

from sweep.stall import StallPruner, epochs_without_improvement

# `python -m sweep +experiment=yolo11n` on 2 CPU cores, 2026-11-29 (docs/benchmarks.md): from
# scratch, every trial sits at 0.0 until epoch 6-7; three never take off.
MAIN_COMMAND = [
    [0.0] * 10,
    [0.0] * 10,
    [0.0] * 7 + [0.0085, 0.2284, 0.3342],
    [0.0] * 7 + [0.0004, 0.0572, 0.0241],
    [0.0] * 9 + [0.00001],
    [0.0] * 6 + [0.1246, 0.1558, 0.2021, 0.2344],
]
# The run (10 trials, 2 workers, default sweep): four stayed at 0.0 for all 10 epochs
# while the others rose; shaped after it, in the order the trials finished.
FOUR_FLAT = [
    [0.0] * 6 + [0.02, 0.1, 0.2, 0.3],
    [0.0] * 5 + [0.05, 0.2, 0.35, 0.45, 0.54],
    [0.0] * 10,
    [0.0] * 7 + [0.01, 0.02, 0.03],
    [0.0] * 10,
    [0.0] * 6 + [0.03, 0.12, 0.25, 0.4],
    [0.0] * 10,
    [0.0] * 10,
]


def _run(curves: list[list[float]], pruner: optuna.pruners.BasePruner) -> dict[int, int]:
    """Report each curve epoch by epoch as a trial would; return {trial: step it was pruned at}."""
    study = optuna.create_study(direction="maximize", pruner=pruner)
    pruned: dict[int, int] = {}
    for number, curve in enumerate(curves):
        trial = study.ask()
        for step, value in enumerate(curve):
            trial.report(value, step)
            if trial.should_prune():
                pruned[number] = step
                study.tell(trial, state=optuna.trial.TrialState.PRUNED)
                break
        else:
            study.tell(trial, max(curve))
    return pruned


def _median() -> optuna.pruners.MedianPruner:
    return optuna.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=1)  # conf/pruner/median


def test_main_command_curves() -> None:
    # With the zero stage counted as a stall, trial 4 (flat while trials 2 and 3 have left 0.0
    # at epoch 7) is pruned there; trials 0-1 are the median's start-up.
    assert _run(MAIN_COMMAND, StallPruner(_median(), 3, zero_is_warmup=False)) == {4: 7}
    # The default, as Ultralytics' early stop: 0.0 so far is warm-up, so no trial here stalls.
    assert _run(MAIN_COMMAND, StallPruner(_median(), patience=3)) == {}
    assert _run(MAIN_COMMAND, optuna.pruners.PatientPruner(_median(), patience=3)) == {}


def test_a_trial_that_learned_then_stalled_below_the_others_is_pruned() -> None:
    curves = [[0.1, 0.3, 0.5, 0.6, 0.7, 0.8]] * 3 + [[0.1, 0.2, 0.2, 0.2, 0.2, 0.2]]
    assert _run(curves, StallPruner(_median(), patience=3)) == {3: 4}
    # PatientPruner waits for the curve to get worse, which a plateau never does.
    assert _run(curves, optuna.pruners.PatientPruner(_median(), patience=3)) == {}


def test_flat_trials_stop_once_others_rise_when_zero_is_not_warmup() -> None:
    pruned = _run(FOUR_FLAT, StallPruner(_median(), patience=3, zero_is_warmup=False))
    flat = {n for n, curve in enumerate(FOUR_FLAT) if max(curve) == 0.0}
    assert flat <= set(pruned) and all(pruned[n] < 9 for n in flat)
    assert 1 not in pruned  # the best trial runs to the end
    # The price: a trial still at 0.0 when others have risen is pruned even if it would have
    # taken off later (trials 3 and 5 here); scripts/bench_pruning.py measures what that costs.
    assert {3, 5} <= set(pruned)
    assert _run(FOUR_FLAT, StallPruner(_median(), patience=3)) == {}  # the default
    assert _run(FOUR_FLAT, optuna.pruners.PatientPruner(_median(), patience=3)) == {}


def test_no_wrapped_pruner_is_a_plain_early_stop() -> None:
    # Stalled for 3 epochs is enough: what Ultralytics' EarlyStopping does with patience=3
    # (except that it never stops during an all-zero start).
    assert _run([[0.1, 0.2, 0.2, 0.2, 0.2, 0.3]], StallPruner(None, patience=3)) == {0: 4}
    assert _run([[0.1, 0.2, 0.3, 0.4, 0.5, 0.6]], StallPruner(None, patience=3)) == {}


@pytest.mark.parametrize(("values", "maximize", "since"), [
    ([], True, 0),
    ([0.1], True, 0),
    ([0.1, 0.1], True, 1),  # a tie is no improvement
    ([0.0, 0.0, 0.0, 0.0], True, 3),
    ([0.3, 0.1, 0.2, 0.4], True, 0),
    ([0.3, 0.1, 0.2, 0.25], True, 3),
    ([0.3, 0.1, 0.2, 0.25], False, 2),
    ([0.3, float("nan"), 0.2], True, 2),
])
def test_epochs_without_improvement(values: list[float], maximize: bool, since: int) -> None:
    assert epochs_without_improvement(values, maximize) == since


def test_negative_patience_is_refused() -> None:
    with pytest.raises(ValueError, match="patience cannot be negative but got -1"):
        StallPruner(None, patience=-1)
