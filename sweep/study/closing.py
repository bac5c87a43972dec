"""The one way a trial is closed, and every path that closes one.

`close_trial` is the door: the trial's attributes, the out-of-memory constraint (GP needs it on
every trial), the `on_trial_closing` hooks (its artifacts: Optuna takes none on a finished
trial), `tell`, then `on_trial_end` with the trial as the study keeps it. A worker closes its
own trials through it; so do the paths for a trial whose worker died (an orphan, retried once),
one the kernel's OOM killer ended (infeasible, not retried), one the sampler left half-asked,
and one closed untrained because it cannot fit.
"""

from __future__ import annotations

from typing import Any

import optuna
from optuna.trial import FrozenTrial, TrialState

from sweep.core.events import Callbacks
from sweep.core.optuna_api import TrialLike, frozen, live, set_trial_user_attr, study_system_attrs
from sweep.core.record import (
    LATENCY_CONSTRAINT,
    MAX_LATENCY_RECORD,
    OOM_CONSTRAINT,
    RECORD_PREFIX,
    WORST_LATENCY_MS,
    Attr,
    Stop,
    worst_value,
)

# What tell raises when another process closed the trial first.
CLOSED_ELSEWHERE = (optuna.exceptions.UpdateFinishedTrialError, RuntimeError, ValueError)


def close_trial(study: optuna.Study, trial: TrialLike, state: TrialState,
                value: float | None = None, *, attrs: dict[str, Any] | None = None,
                out_of_memory: bool = False, callbacks: Callbacks | None = None) -> None:
    """Record `attrs` on a RUNNING trial and tell the study it ended in `state` (COMPLETE with
    `value`); `out_of_memory`: infeasible through Optuna's constraints."""
    callbacks = callbacks or Callbacks()
    handle = live(study, trial)
    for key, attr in (attrs or {}).items():
        handle.set_user_attr(key, attr)
    for key, bound in constraints(study, out_of_memory, attrs or {}).items():
        handle.set_constraint(key, bound)
    callbacks.fire("on_trial_closing", handle, state)
    if state == TrialState.COMPLETE:
        study.tell(handle, told_values(study, value, attrs or {}))
    else:
        study.tell(handle, state=state)
    callbacks.fire("on_trial_end", frozen(study, handle))


def told_values(study: optuna.Study, value: float | None, attrs: dict[str, Any]
                ) -> float | list[float] | None:
    """What `tell` gets: the metric, and in a multi-objective study (the metric, latency_ms)
    the trial's latency too (the worst one when it has none: an infeasible trial)."""
    if len(study.directions) == 1:
        return value
    return [value if value is not None else worst_value(study.directions[0].name.lower()),
            float(attrs.get(Attr.LATENCY_MS, WORST_LATENCY_MS))]


def constraints(study: optuna.Study, out_of_memory: bool, attrs: dict[str, Any]
                ) -> dict[str, float]:
    """Every constraint the study has, on every trial (GP needs them all on each): out of
    memory, and with study.max_latency_ms (recorded on the study when it was opened) the
    trial's latency above it; a trial with no latency (pruned, failed) is not held to it."""
    values = {OOM_CONSTRAINT: 1.0 if out_of_memory else 0.0}
    limit = study_system_attrs(study).get(RECORD_PREFIX + MAX_LATENCY_RECORD)
    if limit is not None:
        latency = attrs.get(Attr.LATENCY_MS)
        values[LATENCY_CONSTRAINT] = 0.0 if latency is None else round(latency - limit, 3)
    return values


def close_out_of_memory(study: optuna.Study, trial: TrialLike, reason: str,
                        attrs: dict[str, Any] | None = None,
                        callbacks: Callbacks | None = None) -> None:
    """Close a RUNNING trial as infeasible: the worst value, the constraint set, and why."""
    close_trial(study, trial, TrialState.COMPLETE, worst_value(study.directions[0].name.lower()),
                attrs={**(attrs or {}), Attr.STOP_REASON: Stop.OUT_OF_MEMORY,
                       Attr.FAIL_REASON: reason},
                out_of_memory=True, callbacks=callbacks)


# what a trial was queued as: its retry is the same (a race candidate stays that candidate)
_QUEUED_AS = (Attr.BASELINE, Attr.CANDIDATE_OF, Attr.LOW_FIDELITY)


def retry_once(study: optuna.Study, trial: FrozenTrial) -> None:
    """Re-enqueue a trial that died with its worker or was interrupted, with the same
    parameters and what it was queued as, once."""
    if trial.user_attrs.get(Attr.RETRY_OF) is not None:
        return
    queued_as = {key: trial.user_attrs[key] for key in _QUEUED_AS if key in trial.user_attrs}
    study.enqueue_trial(trial.params, user_attrs={**queued_as, Attr.RETRY_OF: trial.number},
                        skip_if_exists=False)


def mark_stale_and_retry(study: optuna.Study, trial: FrozenTrial) -> None:
    """Optuna's callback for a trial it failed for a stale heartbeat: say why, retry it once."""
    set_trial_user_attr(study, trial, Attr.FAIL_REASON,
                        "no heartbeat: its worker died or lost the database")
    set_trial_user_attr(study, trial, Attr.STOP_REASON, Stop.WORKER_DIED)
    retry_once(study, trial)


def close_dead_trial(study: optuna.Study, trial: FrozenTrial, reason: str,
                     stop_reason: str = Stop.WORKER_DIED,
                     callbacks: Callbacks | None = None) -> bool:
    """Mark a RUNNING trial whose worker is gone as FAIL with `reason`, and retry it once."""
    try:
        close_trial(study, trial, TrialState.FAIL, callbacks=callbacks,
                    attrs={Attr.FAIL_REASON: reason, Attr.STOP_REASON: stop_reason})
    except CLOSED_ELSEWHERE:
        return False
    retry_once(study, trial)
    return True


def close_half_asked(study: optuna.Study, reason: str, callbacks: Callbacks | None = None
                     ) -> int:
    """Close RUNNING trials that no worker ever tagged (`study.ask()` created the row, then the
    sampler raised): nothing else would, as they have no pid and no heartbeat. Called under the
    claim lock, where every other RUNNING trial is already tagged."""
    closed = 0
    for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        if Attr.PID not in trial.user_attrs:
            try:
                close_trial(study, trial, TrialState.FAIL, callbacks=callbacks,
                            attrs={Attr.FAIL_REASON: reason[:1000], Attr.STOP_REASON: Stop.FAILED})
                closed += 1
            except CLOSED_ELSEWHERE:
                continue
    return closed
