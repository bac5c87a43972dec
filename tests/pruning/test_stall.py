"""StallPruner on measured curves: stalled trials pruned, leaders and warm-ups kept."""

from __future__ import annotations

from pathlib import Path

import optuna
import pytest
from hydra.utils import instantiate
from omegaconf import OmegaConf

from sweep.pruning.stall import StallPruner, epochs_without_improvement

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


# `scripts/bench_pruning.py --pretrain 15`, seed 0, pruner=none (docs/benchmarks.md): fine-tuning
# from weights pretrained on other shapes, in the order the trials finished, each cut where
# Ultralytics' early stop (patience 3) ended it. Curves separate from the first epochs.
PRETRAINED = [
    [0.759, 0.644, 0.745, 0.738],
    [0.031, 0.419, 0.618, 0.769, 0.814, 0.685, 0.67, 0.77],
    [0.0, 0.00044, 0.0002, 0.00017, 0.00025],
    [0.44, 0.631, 0.658, 0.706, 0.769, 0.656, 0.675, 0.705],
    [0.00281, 0.0066, 0.00518, 0.00049, 0.00048],
    [0.153, 0.306, 0.46, 0.302, 0.445, 0.204],
    [0.006, 0.0, 0.229, 0.327, 0.542, 0.38, 0.651, 0.001, 0.05, 0.41],
    [0.416, 0.702, 0.648, 0.777, 0.823, 0.804, 0.838, 0.866, 0.895, 0.863],
    [0.022, 0.161, 0.475, 0.535, 0.727, 0.652, 0.781, 0.787, 0.808, 0.873],
    [0.358, 0.575, 0.735, 0.664, 0.774, 0.785, 0.814, 0.793, 0.75, 0.825],
]


# `python -m sweep +experiment=yolo11n train.imgsz=96` on 2 CPU cores, 2026-12-02: fine-tuning from
# sweep's starter weights (another domain), in the order the trials finished; trials 2 and 5 cut
# where the median judging from epoch 5 pruned them. The curves cross until epoch 3-4: trial 3,
# below the median at epoch 2, ends first (and won the race at full size).
STARTER = [
    [0.005, 0.0298, 0.0356, 0.0795, 0.131, 0.1819, 0.2608, 0.3607, 0.438, 0.5143],
    [0.0002, 0.0406, 0.1059, 0.2502, 0.2861, 0.3055, 0.3688, 0.4091, 0.4314, 0.4832],
    [0.0003, 0.0002, 0.0001, 0.0002, 0.0489],
    [0.0087, 0.0273, 0.0685, 0.1843, 0.3659, 0.4663, 0.4901, 0.6089, 0.6056, 0.6676],
    [0.0026, 0.014, 0.0478, 0.2012, 0.3496, 0.4208, 0.4111, 0.5681, 0.5855, 0.6567],
    [0.0002, 0.0, 0.0, 0.0, 0.0],
]

MEDIAN_YAML = Path(__file__).resolve().parents[2] / "conf" / "pruner" / "median.yaml"


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
    """The median as the figures below were measured (warm-up 1 epoch); see _conf_median."""
    return optuna.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=1)


def _conf_median() -> optuna.pruners.MedianPruner:
    """conf/pruner/median.yaml as shipped, instantiated as make_pruner does."""
    pruner = instantiate(OmegaConf.load(MEDIAN_YAML))
    assert isinstance(pruner, optuna.pruners.MedianPruner)
    return pruner


def test_from_starter_weights_the_shipped_median_waits_until_curves_separate() -> None:
    # Asked every epoch (pruning.wait_for_stall=false, the default from weights). Judged from
    # epoch 2, trial 3 (0.027 there, the median 0.035) is pruned, and with it trial 4 (second).
    assert _run(STARTER, StallPruner(_median(), patience=0)) == {2: 1, 3: 1, 4: 1, 5: 1}
    # The shipped warm-up judges from epoch 4: the two flat trials go, the leaders run on.
    assert _run(STARTER, StallPruner(_conf_median(), patience=0)) == {2: 3, 5: 3}
    leader = max(range(len(STARTER)), key=lambda n: STARTER[n][-1])
    assert leader == 3


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


def test_waiting_for_a_stall_saves_nothing_beyond_early_stop_ranking_every_epoch_does() -> None:
    # The curves already end where Ultralytics' early stop (same patience) ended them: a trial
    # stalled for `patience` epochs stops then either way, so waiting for the stall before
    # asking the median prunes nothing earlier (pruned at the early stop's own epoch, if at all).
    waited = _run(PRETRAINED, StallPruner(_median(), patience=3))
    assert all(step == len(PRETRAINED[n]) - 1 for n, step in waited.items())
    # pruning.wait_for_stall=false: the median is asked every epoch; the trials that end below
    # the median stop within three epochs and the best (trial 7) runs to the end. The price:
    # slow starters are pruned too (trial 8, at 0.16 on epoch 1, would have ended second).
    ranked = _run(PRETRAINED, StallPruner(_median(), patience=0))
    assert ranked == {2: 1, 3: 2, 4: 1, 5: 1, 6: 1, 8: 1, 9: 1}
    ends = sorted(range(len(PRETRAINED)), key=lambda n: max(PRETRAINED[n]))
    below = ends[:len(ends) // 2]
    would = sum(len(PRETRAINED[n]) for n in below)
    trained = sum(ranked.get(n, len(PRETRAINED[n]) - 1) + 1 for n in below)
    assert trained <= would / 2, (ranked, trained, would)


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
