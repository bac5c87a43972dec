"""Create or resume the study with the configured sampler and pruner."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Mapping
from typing import Any

import optuna
from hydra.utils import instantiate
from optuna.distributions import BaseDistribution

from sweep.config.objectives import directions, objectives
from sweep.config.space import grid_values
from sweep.core.record import MAX_LATENCY_RECORD
from sweep.pruning.policy import make_pruner
from sweep.study.bookkeeping import get_record, set_record
from sweep.study.closing import mark_stale_and_retry
from sweep.study.storage import open_storage

# Heartbeats and fail_stale_trials are marked experimental; we rely on them on
# purpose, and ask/tell with heartbeats is how workers keep the claim lock around ask().
warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
warnings.filterwarnings("ignore", message="Heartbeat of storage is supposed to be used")


def make_sampler(config: Mapping[str, Any], distributions: Mapping[str, BaseDistribution],
                 seed_offset: int = 0) -> optuna.samplers.BaseSampler:
    """The configured sampler (`config`: the plan's resolved config). `seed_offset` differs per
    worker and per resumed run, so parallel workers and a resumed study never replay the same
    random draws."""
    seed = config["sampler"].get("seed")
    overrides = {"seed": seed + seed_offset} if seed is not None else {}
    sampler = instantiate(config["sampler"], **overrides)
    if isinstance(sampler, functools.partial):  # the grid sampler needs the space's values
        sampler = sampler(search_space=grid_values(distributions))
    return sampler


def open_study(config: Mapping[str, Any], name: str, url: str,
               distributions: Mapping[str, BaseDistribution], seed_offset: int = 0
               ) -> optuna.Study:
    """Create the study or load it (same name and storage resume; finished trials stay)."""
    workers = config["workers"]
    storage = open_storage(url, workers["heartbeat_interval"], workers["grace_period"],
                           on_stale=mark_stale_and_retry)
    study = optuna.create_study(storage=storage, study_name=name, load_if_exists=True,
                                directions=directions(config),
                                sampler=make_sampler(config, distributions, seed_offset),
                                pruner=make_pruner(config))
    names = objectives(config)
    if study.metric_names != names:  # charts say `fitness`, not "Objective 0"
        study.set_metric_names(names)
    limit = config["study"].get("max_latency_ms")
    if limit is not None and get_record(study, MAX_LATENCY_RECORD) != limit:
        set_record(study, MAX_LATENCY_RECORD, limit)  # every trial closed is held to it
    return study
