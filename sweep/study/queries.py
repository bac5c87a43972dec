"""What every stage asks of a study: counts by state, the feasible completed trials, the best."""

from __future__ import annotations

from collections.abc import Sequence

import optuna
from optuna.trial import FrozenTrial, TrialState

from sweep.core.record import Attr, Stop


def counts(study: optuna.Study) -> dict[str, int]:
    """Trials by state name (COMPLETE, PRUNED, FAIL, RUNNING, WAITING)."""
    result = {state.name: 0 for state in TrialState}
    for trial in study.get_trials(deepcopy=False):
        result[trial.state.name] += 1
    return result


def finished_trials(trials: Sequence[FrozenTrial]) -> list[FrozenTrial]:
    """The trials that count towards study.n_trials as done: COMPLETE or PRUNED, and trained
    (not closed untrained as known not to fit in memory)."""
    return [t for t in trials if t.state in (TrialState.COMPLETE, TrialState.PRUNED)
            and not t.user_attrs.get(Attr.NOT_TRAINED)]


def feasible_complete(study: optuna.Study) -> list[FrozenTrial]:
    """COMPLETE trials with a value within the study's constraints: not out of memory (told
    with the worst value: sweep.study.memory), not slower than study.max_latency_ms."""
    return [t for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
            if t.value is not None and t.user_attrs.get(Attr.STOP_REASON) != Stop.OUT_OF_MEMORY
            and all(value <= 0 for value in t.constraints.values())]


def best_trial(study: optuna.Study) -> FrozenTrial | None:
    """The best feasible COMPLETE trial, or None when none completed within its constraints
    (every one ran out of memory, say)."""
    if not any(t.state == TrialState.COMPLETE for t in study.get_trials(deepcopy=False)):
        return None
    try:
        return study.best_trial  # Optuna skips infeasible trials here
    except ValueError:
        return None
