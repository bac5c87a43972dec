"""A trial run's W&B summary: how the trial ended, in the words W&B's tables show (and
sweep.wandb_sweeps.importing reads back), and its metric's final value for W&B's sweep."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sweep.core.optuna_api import value_of
from sweep.core.record import OOM_CONSTRAINT, Attr

if TYPE_CHECKING:
    import optuna

STATES = {"COMPLETE": "complete", "PRUNED": "pruned", "FAIL": "failed"}


def trial_summary(frozen: optuna.trial.FrozenTrial, metric: str, maximize: bool
                  ) -> dict[str, Any]:
    """The summary of the trial's run as the study holds the trial at its end."""
    attrs = frozen.user_attrs
    values = list(frozen.intermediate_values.values())
    best = value_of(frozen) if frozen.values is not None else (
        (max(values) if maximize else min(values)) if values else None)
    state = STATES.get(frozen.state.name, frozen.state.name.lower())
    if frozen.constraints.get(OOM_CONSTRAINT, 0.0) > 0:
        state = "out_of_memory"  # infeasible: its value is not a result
    summary: dict[str, Any] = {
        "state": state, "best_value": best,
        # the sweep metric's final value, what W&B's sweep (bayes, charts) reads: the trial's
        # best epoch, as Optuna records it
        metric: best if state != "out_of_memory" else None,
        "epochs_run": attrs.get(Attr.EPOCHS_RUN),
        "wall_time_s": attrs.get(Attr.WALL_TIME_S), "device": attrs.get(Attr.DEVICE),
        "stop_reason": attrs.get(Attr.STOP_REASON), "latency_ms": attrs.get(Attr.LATENCY_MS)}
    if state == "pruned":
        epoch = max(frozen.intermediate_values) if frozen.intermediate_values else None
        summary["pruned_at_epoch"] = epoch
        summary["result"] = f"pruned at epoch {epoch}"
    elif state in ("failed", "out_of_memory"):
        summary["fail_reason"] = attrs.get(Attr.FAIL_REASON)
        summary["result"] = f"failed: {attrs.get(Attr.FAIL_REASON)}"
    else:
        summary["result"] = state
    return summary
