"""A trial run's W&B summary: how the trial ended, in the words W&B's tables show (and
sweep.wandb_sweeps.importing reads back), and its metric's final value for W&B's sweep."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sweep.core.optuna_api import value_of
from sweep.core.record import OOM_CONSTRAINT, Attr
from sweep.core.record import RunSummary as S

if TYPE_CHECKING:
    import optuna

STATES = {"COMPLETE": S.COMPLETE, "PRUNED": S.PRUNED, "FAIL": S.FAILED}


def trial_summary(frozen: optuna.trial.FrozenTrial, metric: str, maximize: bool
                  ) -> dict[str, Any]:
    """The summary of the trial's run as the study holds the trial at its end."""
    attrs = frozen.user_attrs
    values = list(frozen.intermediate_values.values())
    best = value_of(frozen) if frozen.values is not None else (
        (max(values) if maximize else min(values)) if values else None)
    state = STATES.get(frozen.state.name, frozen.state.name.lower())
    if frozen.constraints.get(OOM_CONSTRAINT, 0.0) > 0:
        state = S.OUT_OF_MEMORY
    summary: dict[str, Any] = {
        S.STATE: state, S.BEST_VALUE: best,
        # the sweep metric's final value, what W&B's sweep (bayes, charts) reads: the trial's
        # best epoch, as Optuna records it
        metric: best if state != S.OUT_OF_MEMORY else None,
        S.EPOCHS_RUN: attrs.get(Attr.EPOCHS_RUN),
        S.WALL_TIME_S: attrs.get(Attr.WALL_TIME_S), S.DEVICE: attrs.get(Attr.DEVICE),
        S.STOP_REASON: attrs.get(Attr.STOP_REASON), S.LATENCY_MS: attrs.get(Attr.LATENCY_MS)}
    if state == S.PRUNED:
        epoch = max(frozen.intermediate_values) if frozen.intermediate_values else None
        summary[S.PRUNED_AT_EPOCH] = epoch
        summary[S.RESULT] = f"pruned at epoch {epoch}"
    elif state in (S.FAILED, S.OUT_OF_MEMORY):
        summary[S.FAIL_REASON] = attrs.get(Attr.FAIL_REASON)
        summary[S.RESULT] = f"failed: {attrs.get(Attr.FAIL_REASON)}"
    else:
        summary[S.RESULT] = state
    return summary
