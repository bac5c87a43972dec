"""The study: its name, storage, sampler and pruner from config; create or resume it; its
upkeep."""

from __future__ import annotations

import functools
import hashlib
import json
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import optuna
from hydra.utils import instantiate
from omegaconf import DictConfig, OmegaConf
from optuna.distributions import BaseDistribution
from optuna.trial import FrozenTrial, TrialState

from sweep.liveness import is_alive_here
from sweep.memory import mark_out_of_memory
from sweep.space import grid_values
from sweep.stall import StallPruner
from sweep.storage import default_url, open_storage

# Heartbeats and fail_stale_trials are marked experimental; we rely on them on
# purpose, and ask/tell with heartbeats is how workers keep the claim lock around ask().
warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
warnings.filterwarnings("ignore", message="Heartbeat of storage is supposed to be used")

# Config sections that change what a trial means; a change starts a new study.
FINGERPRINT_KEYS = ("data", "model", "space", "train", "trial", "study.metric",
                    "study.direction", "shapes")


def fingerprint(cfg: DictConfig, keys: tuple[str, ...] = FINGERPRINT_KEYS) -> str:
    """A short hash of the config sections in `keys` (sizes like n_trials are left out)."""
    parts = {k: OmegaConf.to_container(OmegaConf.select(cfg, k), resolve=True)
             if OmegaConf.is_config(OmegaConf.select(cfg, k)) else OmegaConf.select(cfg, k)
             for k in keys}
    return hashlib.sha1(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:8]


def study_name(cfg: DictConfig, choices: Mapping[str, Any]) -> str:
    """`study.name`, or `<experiment>[-<debug>]-<fingerprint>`: stable for the same command."""
    if cfg.study.name:
        return str(cfg.study.name)
    parts = [str(choices.get("experiment") or "sweep")]
    if choices.get("debug"):
        parts.append(str(choices["debug"]))
    parts.append(fingerprint(cfg))
    return "-".join(parts)


def study_location(cfg: DictConfig, name: str) -> tuple[Path, str]:
    """The study's folder (`paths.root/<name>`) and storage URL (`study.storage`, or SQLite in
    that folder): shared by the sweep and the dashboard launcher."""
    study_dir = Path(cfg.paths.root).expanduser().resolve() / name
    return study_dir, str(cfg.study.storage or default_url(study_dir))


def make_sampler(cfg: DictConfig, distributions: Mapping[str, BaseDistribution],
                 seed_offset: int = 0) -> optuna.samplers.BaseSampler:
    """The configured sampler. `seed_offset` differs per worker and per resumed run, so parallel
    workers and a resumed study never replay the same random draws."""
    seed = cfg.sampler.get("seed")
    overrides = {"seed": seed + seed_offset} if seed is not None else {}
    sampler = instantiate(cfg.sampler, **overrides)
    if isinstance(sampler, functools.partial):  # the grid sampler needs the space's values
        sampler = sampler(search_space=grid_values(distributions))
    return sampler


def waits_for_stall(setting: bool | str, model: str) -> bool:
    """`pruning.wait_for_stall` for this model: `auto` waits when training from scratch (a .yaml
    architecture), where trials take off anywhere from epoch 3 to 9, and not from weights, where
    curves separate from the first epoch (docs/benchmarks.md)."""
    if setting == "auto":
        return model.endswith((".yaml", ".yml"))
    return bool(setting)


def _asked_every_epoch(cfg: Mapping[str, Any]) -> bool:
    """`pruning.wait_for_stall` false: the pruner is asked every epoch (`auto` is resolved by
    app.prepare; unresolved, it waits)."""
    return cfg["pruning"]["wait_for_stall"] is False


def early_stop_patience(cfg: Mapping[str, Any]) -> int:
    """Ultralytics' `patience` for a trial: `trial.patience`, or 0 (no early stop) when a pruner
    is asked every epoch: it decides then, so a trial that stalls while it leads runs on.
    Measured from weights, that kept the best value on 3 of 3 seeds (docs/benchmarks.md)."""
    if _asked_every_epoch(cfg) and not str(cfg["pruner"]["_target_"]).endswith(".NopPruner"):
        return 0
    return int(cfg["trial"]["patience"])


def make_pruner(cfg: DictConfig) -> optuna.pruners.BasePruner:
    """The configured pruner, consulted once a trial has gone `trial.patience` epochs without
    improving, or every epoch when `pruning.wait_for_stall` is false (StallPruner)."""
    patience = 0 if _asked_every_epoch(cfg) else cfg.trial.patience
    return StallPruner(instantiate(cfg.pruner), patience=patience,
                       zero_is_warmup=cfg.pruning.zero_is_warmup)


def retry_once(study: optuna.Study, trial: FrozenTrial) -> None:
    """Re-enqueue a trial that died with its worker, with the same parameters, once."""
    if trial.user_attrs.get("retry_of") is not None:
        return
    study.enqueue_trial(trial.params, user_attrs={"retry_of": trial.number},
                        skip_if_exists=False)


def open_study(cfg: DictConfig, name: str, url: str,
               distributions: Mapping[str, BaseDistribution], seed_offset: int = 0
               ) -> optuna.Study:
    """Create the study or load it (same name and storage resume; finished trials stay)."""
    storage = open_storage(url, cfg.workers.heartbeat_interval, cfg.workers.grace_period,
                           on_stale=_mark_stale_and_retry)
    study = optuna.create_study(storage=storage, study_name=name, load_if_exists=True,
                                direction=cfg.study.direction,
                                sampler=make_sampler(cfg, distributions, seed_offset),
                                pruner=make_pruner(cfg))
    if study.metric_names != [cfg.study.metric]:  # charts say `fitness`, not "Objective 0"
        study.set_metric_names([cfg.study.metric])
    return study


# Bookkeeping on the study (the finalist's claim and record) lives in its system attrs under this
# prefix: optuna-dashboard lists user attrs as the user's data, not system attrs.
RECORD_PREFIX = "sweep:"


def get_record(study: optuna.Study, key: str) -> Any:
    """A record sweep keeps on the study (None when absent); studies from before the records
    moved to system attrs are read from their user attrs."""
    attrs = study._storage.get_study_system_attrs(study._study_id)
    if RECORD_PREFIX + key in attrs:
        return attrs[RECORD_PREFIX + key]
    return study.user_attrs.get(key)


def set_record(study: optuna.Study, key: str, value: Any) -> None:
    study._storage.set_study_system_attr(study._study_id, RECORD_PREFIX + key, value)


def _mark_stale_and_retry(study: optuna.Study, trial: FrozenTrial) -> None:
    study._storage.set_trial_user_attr(trial._trial_id, "fail_reason",
                                       "no heartbeat: its worker died or lost the database")
    study._storage.set_trial_user_attr(trial._trial_id, "stop_reason", "worker_died")
    retry_once(study, trial)


def close_dead_trial(study: optuna.Study, trial: FrozenTrial, reason: str,
                     stop_reason: str = "worker_died") -> bool:
    """Mark a RUNNING trial whose worker is gone as FAIL with `reason`, and retry it once."""
    try:
        study._storage.set_trial_user_attr(trial._trial_id, "fail_reason", reason)
        study._storage.set_trial_user_attr(trial._trial_id, "stop_reason", stop_reason)
        study.tell(trial.number, state=TrialState.FAIL)
    except (optuna.exceptions.UpdateFinishedTrialError, RuntimeError, ValueError):
        return False  # another process closed it first
    retry_once(study, trial)
    return True


def close_half_asked(study: optuna.Study, reason: str) -> int:
    """Close RUNNING trials that no worker ever tagged (`study.ask()` created the row, then the
    sampler raised): nothing else would, as they have no pid and no heartbeat. Called under the
    claim lock, where every other RUNNING trial is already tagged."""
    closed = 0
    for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        if "pid" not in trial.user_attrs:
            try:
                study._storage.set_trial_user_attr(trial._trial_id, "fail_reason", reason[:1000])
                study._storage.set_trial_user_attr(trial._trial_id, "stop_reason", "failed")
                study.tell(trial.number, state=TrialState.FAIL)
                closed += 1
            except (optuna.exceptions.UpdateFinishedTrialError, RuntimeError, ValueError):
                continue
    return closed


def close_out_of_memory(study: optuna.Study, trial: FrozenTrial, reason: str) -> bool:
    """A trial whose worker the kernel killed for memory: infeasible, not retried."""
    try:
        mark_out_of_memory(study, trial._trial_id, study.direction.name.lower(), reason)
    except (optuna.exceptions.UpdateFinishedTrialError, RuntimeError, ValueError):
        return False  # another process closed it first
    return True


def close_orphans(study: optuna.Study, pid: int | None = None,
                  out_of_memory: bool = False, interrupted: bool = False) -> int:
    """Close RUNNING trials of this host whose worker process is gone (optionally: this pid;
    `out_of_memory`: the kernel's OOM killer ended it; `interrupted`: Ctrl-C stopped the run).

    Never touches a trial whose (pid, start time) is alive, nor one from another host (those
    are left to heartbeats).
    """
    closed = 0
    for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        attrs = trial.user_attrs
        if pid is not None and attrs.get("pid") != pid:
            continue
        if is_alive_here(attrs) is False:
            where = f"worker process {attrs.get('pid')} on {attrs.get('host')}"
            if out_of_memory:
                closed += close_out_of_memory(
                    study, trial, f"{where} was killed by the kernel's OOM killer")
            elif interrupted:
                closed += close_dead_trial(study, trial, "interrupted (Ctrl-C)", "interrupted")
            else:
                closed += close_dead_trial(study, trial, f"{where} died during the trial")
    return closed


def counts(study: optuna.Study) -> dict[str, int]:
    """Trials by state name (COMPLETE, PRUNED, FAIL, RUNNING, WAITING)."""
    result = {state.name: 0 for state in TrialState}
    for trial in study.get_trials(deepcopy=False):
        result[trial.state.name] += 1
    return result
