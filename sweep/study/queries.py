"""What every stage asks of a study: counts by state, the feasible completed trials, the best."""

from __future__ import annotations

from collections.abc import Sequence

import optuna
from optuna.trial import FrozenTrial, TrialState

from sweep.core.optuna_api import maximizes, value_of
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
            if t.values is not None and t.user_attrs.get(Attr.STOP_REASON) != Stop.OUT_OF_MEMORY
            and all(value <= 0 for value in t.constraints.values())]


def best_trial(study: optuna.Study) -> FrozenTrial | None:
    """The feasible COMPLETE trial with the best metric (the first such, as Optuna's own
    best_trial), or None when none completed within its constraints (every one ran out of
    memory, say). In a multi-objective study: the most accurate member of the front."""
    feasible = feasible_complete(study)
    return best_of(feasible, maximizes(study)) if feasible else None


def best_of(trials: Sequence[FrozenTrial], maximize: bool) -> FrozenTrial:
    """The trial with the best metric among `trials` (ties: the lowest number)."""
    sign = 1.0 if maximize else -1.0
    return max(sorted(trials, key=lambda t: t.number),
               key=lambda t: sign * value_of(t))  # type: ignore[operator]


def pareto_front(study: optuna.Study) -> list[FrozenTrial]:
    """A multi-objective study's front: the feasible completed trials no other feasible one
    dominates, by metric then trial number ([] for a single-objective study)."""
    if len(study.directions) == 1:
        return []
    feasible = {t.number for t in feasible_complete(study)}
    front = [t for t in study.best_trials if t.number in feasible]
    sign = -1.0 if maximizes(study) else 1.0
    return sorted(front, key=lambda t: (sign * t.values[0], t.number))
