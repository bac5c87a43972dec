"""Ultralytics epoch callback -> Optuna report / should_prune -> `trainer.stop`.

Ultralytics fires `on_fit_epoch_end` once per epoch and once more after training, for the final
evaluation of best.pt; that last call has no `val/*` keys and is not an epoch, so it is ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from sweep.core.results import as_finite

# (epoch as Optuna's step, the value reported, Ultralytics' losses, metrics and lrs)
EpochHook = Callable[[int, float, dict[str, float]], None]


class Reporter(Protocol):
    """The part of `optuna.Trial` the callback needs (a fake trainer test uses a real Trial)."""

    def report(self, value: float, step: int) -> None: ...

    def should_prune(self) -> bool: ...


class EpochPruner:
    """Report the chosen metric every epoch and stop training cleanly when Optuna says prune.

    Args:
        trial: the Optuna trial to report to.
        metric_key: key in `trainer.metrics`, or None for `trainer.fitness`.
        maximize: whether larger values are better (picks the best epoch's value).
        on_epoch: called with each epoch's step, value and metrics once Optuna has the value,
            before the prune decision (trackers follow the trial through it).
        reports: False in a multi-objective study, which Optuna neither takes per-epoch values
            nor prunes in: the best epoch is still tracked, nothing is reported or asked.
    """

    def __init__(self, trial: Reporter, metric_key: str | None, maximize: bool = True,
                 on_epoch: EpochHook | None = None, reports: bool = True) -> None:
        self.trial = trial
        self.metric_key = metric_key
        self.maximize = maximize
        self.on_epoch = on_epoch
        self.reports = reports
        self.values: list[float] = []
        self.pruned = False

    def value_of(self, trainer: Any) -> float | None:
        raw = trainer.fitness if self.metric_key is None else trainer.metrics.get(self.metric_key)
        return as_finite(raw)

    def on_fit_epoch_end(self, trainer: Any) -> None:
        if "val/box_loss" not in trainer.metrics:  # the final evaluation, not an epoch
            return
        value = self.value_of(trainer)
        if value is None:
            return
        self.values.append(value)
        if self.reports:
            self.trial.report(value, step=int(trainer.epoch))
        if self.on_epoch is not None:
            self.on_epoch(int(trainer.epoch), value, epoch_metrics(trainer))
        if self.reports and not trainer.stop and self.trial.should_prune():
            self.pruned = True
            trainer.stop = True

    @property
    def epochs_reported(self) -> int:
        return len(self.values)

    @property
    def best(self) -> float | None:
        """The best epoch's value: the trial's objective (best.pt is that epoch's weights)."""
        if not self.values:
            return None
        return max(self.values) if self.maximize else min(self.values)


def epoch_metrics(trainer: Any) -> dict[str, float]:
    """What Ultralytics' own W&B callback logs each epoch: train losses, val metrics, lrs."""
    items: dict[str, Any] = {}
    tloss = getattr(trainer, "tloss", None)
    if tloss is not None and hasattr(trainer, "label_loss_items"):
        items.update(trainer.label_loss_items(tloss, prefix="train"))
    items.update(trainer.metrics or {})
    items.update(getattr(trainer, "lr", None) or {})
    return {key: value for key, raw in items.items() if (value := as_finite(raw)) is not None}
