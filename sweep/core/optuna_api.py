"""The parts of Optuna's private API sweep relies on, in one place.

Optuna's public API has no way to set an attribute on a trial another process left RUNNING, to
keep bookkeeping out of sight in a study's system attributes, to ask whether a value lies in a
distribution, to ask for a new trial while others are queued, or to find the study's artifact
records. Each use goes through a function here; `problems()` says what a new Optuna release
changed, and a test calls it, so an upgrade fails one test with the reason instead of a sweep
mid-run.
"""

from __future__ import annotations

from typing import Any

import optuna
from optuna.distributions import BaseDistribution
from optuna.storages import BaseStorage
from optuna.trial import FrozenTrial

TrialLike = optuna.Trial | FrozenTrial


def value_of(trial: FrozenTrial) -> float | None:
    """The trial's metric: its value, or in a multi-objective study its first value (sweep puts
    the metric first: sweep.config.objectives). None when it has none (pruned, failed)."""
    return None if trial.values is None else float(trial.values[0])


def maximizes(study: optuna.Study) -> bool:
    """Whether the study maximises its metric (its first objective)."""
    return study.directions[0] == optuna.study.StudyDirection.MAXIMIZE


def storage_of(study: optuna.Study) -> BaseStorage:
    return study._storage


def trial_id(trial: TrialLike) -> int:
    return trial._trial_id


def frozen(study: optuna.Study, trial: TrialLike) -> FrozenTrial:
    """The trial as the study keeps it now."""
    return study._storage.get_trial(trial._trial_id)


def live(study: optuna.Study, trial: TrialLike) -> optuna.Trial:
    """A handle to set attributes on and tell a RUNNING trial, whichever process asked for it."""
    return optuna.Trial(study, trial._trial_id)


def set_trial_user_attr(study: optuna.Study, trial: TrialLike, key: str, value: Any) -> None:
    """Set an attribute on any trial, also one Optuna has already finished (a stale one)."""
    study._storage.set_trial_user_attr(trial._trial_id, key, value)


def study_system_attrs(study: optuna.Study) -> dict[str, Any]:
    return study._storage.get_study_system_attrs(study._study_id)


def set_study_system_attr(study: optuna.Study, key: str, value: Any) -> None:
    study._storage.set_study_system_attr(study._study_id, key, value)


def contains(dist: BaseDistribution, value: Any) -> bool:
    """Whether `value` (as a user gives it) lies in `dist`."""
    return bool(dist._contains(dist.to_internal_repr(value)))


def ask_new(study: optuna.Study,
            fixed_distributions: dict[str, BaseDistribution] | None = None) -> optuna.Trial:
    """`study.ask()` that never takes a queued (WAITING) trial: a trial whose values come from
    elsewhere (a W&B agent's) must not train the queued trial's values instead."""
    study._pop_waiting_trial_id = lambda: None  # type: ignore[method-assign]
    try:
        return study.ask(fixed_distributions=fixed_distributions)
    finally:
        del study._pop_waiting_trial_id


def artifacts_attr_prefix() -> str:
    """The prefix of the system attributes where Optuna records a study's artifacts."""
    from optuna.artifacts._upload import ARTIFACTS_ATTR_PREFIX

    return str(ARTIFACTS_ATTR_PREFIX)


def problems() -> list[str]:
    """What this Optuna lacks of the private API above (empty when all is there)."""
    found = []
    study = optuna.create_study()
    trial = study.ask()
    checks = {
        "Study._storage": lambda: study._storage,
        "Study._study_id": lambda: study._study_id,
        "Trial._trial_id": lambda: trial._trial_id,
        "FrozenTrial._trial_id": lambda: study.trials[0]._trial_id,
        "Trial(study, trial_id)": lambda: optuna.Trial(study, trial._trial_id),
        "Study._pop_waiting_trial_id": lambda: study._pop_waiting_trial_id,
        "BaseStorage.set_trial_user_attr": lambda: study._storage.set_trial_user_attr,
        "BaseStorage.get_study_system_attrs": lambda: study._storage.get_study_system_attrs,
        "BaseStorage.set_study_system_attr": lambda: study._storage.set_study_system_attr,
        "BaseDistribution._contains": lambda: optuna.distributions.IntDistribution(0, 1)._contains,
        "optuna.artifacts._upload.ARTIFACTS_ATTR_PREFIX": artifacts_attr_prefix,
    }
    for name, get in checks.items():
        try:
            get()
        except (AttributeError, ImportError, TypeError) as err:
            found.append(f"{name}: {type(err).__name__}: {err}")
    return found
