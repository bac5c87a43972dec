"""Pruning tied to patience as Ultralytics means it: stop a trial that has stalled.

Stalled: its best value has not strictly improved for `patience` reported epochs (a tie is no
improvement), the rule of Ultralytics' EarlyStopping. A stalled trial is pruned when the
wrapped pruner (median, hyperband, ...) also ranks it below the others; a stalled trial that
leads is left alone. Optuna's PatientPruner differs: it consults its pruner only once the recent
best is *worse* than the best before, so a trial that learned and then stalled is never pruned.

`zero_is_warmup` (the default, and Ultralytics' rule too: "allow for early zero-fitness stage of
training"): a trial that has not yet left 0.0 is warming up, not stalled. Measured on CPU from
scratch (docs/benchmarks.md), trials take off anywhere from epoch 3 to 9 and a late start says
nothing about the final value: pruning the zero stage lowered the best value on 3 of 3 seeds.
"""

from __future__ import annotations

import math

import optuna
from optuna.pruners import BasePruner
from optuna.study import StudyDirection


def epochs_without_improvement(values: list[float], maximize: bool) -> int:
    """Epochs since the best value last strictly improved (0 when the last epoch improved)."""
    best, since = None, 0
    for value in values:
        if math.isnan(value):
            since += 1
            continue
        if best is None or (value > best if maximize else value < best):
            best, since = value, 0
        else:
            since += 1
    return since


class StallPruner(BasePruner):
    """Prune a trial that stalled for `patience` epochs and that `wrapped` would prune.

    Args:
        wrapped: the pruner that ranks the trial against the others (None: stalled alone is
            enough, as Ultralytics' early stop).
        patience: epochs without a strict improvement; 0 leaves every decision to `wrapped`.
        zero_is_warmup: a trial whose every value so far is 0.0 is never stalled.
    """

    def __init__(self, wrapped: BasePruner | None, patience: int,
                 zero_is_warmup: bool = True) -> None:
        if patience < 0:
            raise ValueError(f"patience cannot be negative but got {patience}.")
        self.wrapped = wrapped
        self.patience = patience
        self.zero_is_warmup = zero_is_warmup

    def prune(self, study: optuna.Study, trial: optuna.trial.FrozenTrial) -> bool:
        values = [trial.intermediate_values[s] for s in sorted(trial.intermediate_values)]
        if not values:
            return False
        if self.zero_is_warmup and all(v == 0.0 or math.isnan(v) for v in values):
            return False
        maximize = study.direction == StudyDirection.MAXIMIZE
        if self.patience and epochs_without_improvement(values, maximize) < self.patience:
            return False
        return True if self.wrapped is None else self.wrapped.prune(study, trial)
