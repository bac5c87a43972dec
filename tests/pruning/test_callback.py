"""EpochPruner against a deterministic fake trainer and a real in-memory Optuna study."""

from __future__ import annotations

import optuna
import pytest

from sweep.pruning.callback import EpochPruner
from sweep.pruning.stall import StallPruner
from sweep.testing.fakes import FakeTrainer


@pytest.fixture(autouse=True)
def _quiet_experimental() -> None:
    import warnings

    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)


def _study(patience: int) -> optuna.Study:
    pruner = StallPruner(optuna.pruners.MedianPruner(n_startup_trials=1, n_warmup_steps=0),
                         patience=patience)
    return optuna.create_study(direction="maximize", pruner=pruner)


GOOD = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]


@pytest.mark.parametrize(
    ("patience", "curve", "pruned", "epochs_run"),
    [
        # StallPruner asks the median pruner once the best has not strictly improved for
        # `patience` epochs; patience 0 asks it every epoch.
        (0, [0.05, 0.01, 0.01, 0.01, 0.01, 0.01], True, 1),
        (2, [0.1, 0.05, 0.04, 0.03, 0.02, 0.01], True, 3),
        (2, [0.05, 0.15, 0.25, 0.35, 0.45, 0.55], False, 6),  # below, but improving
        (2, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0], False, 6),  # never left 0.0: warming up
        (2, [0.05, 0.05, 0.05, 0.05, 0.05, 0.05], True, 3),  # flat: stalled (a tie is no gain)
        (9, [0.1, 0.05, 0.04, 0.03, 0.02, 0.01], False, 6),  # patience longer than training
        (1, [0.9, 0.8, 0.7, 0.6, 0.6, 0.6], False, 6),  # stalled, but above the median
    ],
)
def test_prune_steps(patience: int, curve: list[float], pruned: bool, epochs_run: int) -> None:
    study = _study(patience)
    first = study.ask()
    FakeTrainer(GOOD).train(reporter := EpochPruner(first, None))
    study.tell(first, reporter.best)

    trial = study.ask()
    callback = EpochPruner(trial, None)
    ran = FakeTrainer(curve).train(callback)
    assert callback.pruned is pruned
    assert ran == epochs_run
    assert len(trial.storage.get_trial(trial._trial_id).intermediate_values) == epochs_run
    assert callback.epochs_reported == epochs_run  # the final evaluation is not an epoch


def test_metric_key_and_best_value() -> None:
    study = optuna.create_study(direction="maximize")
    trial = study.ask()
    callback = EpochPruner(trial, "metrics/mAP50(B)")
    FakeTrainer([0.1, 0.3, 0.2]).train(callback)
    values = study._storage.get_trial(trial._trial_id).intermediate_values
    assert values == {0: 0.2, 1: 0.6, 2: 0.4}  # the metric key, not fitness; not 99
    assert callback.best == 0.6


def test_minimize_takes_the_smallest() -> None:
    trial = optuna.create_study(direction="minimize").ask()
    callback = EpochPruner(trial, None, maximize=False)
    FakeTrainer([0.5, 0.2, 0.4]).train(callback)
    assert callback.best == 0.2
