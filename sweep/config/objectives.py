"""What a study optimises: `study.metric` alone, or `study.objectives=[<metric>, latency_ms]`,
the metric and the trained model's inference time, as an Optuna multi-objective study.

The metric comes first, so `values[0]` is the metric in either kind of study (every stage reads
it through sweep.core.optuna_api.value_of). Latency is always minimised.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

LATENCY_OBJECTIVE = "latency_ms"

# What sweep does about pruning a multi-objective study, said once at its start.
NOT_PRUNED = ("trials are not pruned (Optuna prunes single-objective studies only, and pruning "
              "on {metric} alone would stop fast, less accurate trials that belong on the "
              "front); Ultralytics' early stop (trial.patience={patience}) still ends a stalled "
              "trial")


# Why a multi-objective study has no W&B sweep (export, the mirror's sweep view, an import).
ONE_METRIC = "W&B sweeps optimise one metric: a multi-objective study has no W&B sweep"


def objectives(config: Mapping[str, Any]) -> list[str]:
    """The objectives' names in order: [study.metric], or study.objectives."""
    chosen = config["study"].get("objectives")
    return [str(name) for name in chosen] if chosen else [str(config["study"]["metric"])]


Direction = Literal["minimize", "maximize"]


def directions(config: Mapping[str, Any]) -> list[Direction]:
    """Each objective's direction: the metric's is study.direction, latency's is minimize."""
    metric: Direction = "maximize" if config["study"]["direction"] == "maximize" else "minimize"
    return ["minimize" if name == LATENCY_OBJECTIVE else metric for name in objectives(config)]


def is_multi_objective(config: Mapping[str, Any]) -> bool:
    return len(objectives(config)) > 1


def objectives_line(config: Mapping[str, Any]) -> str | None:
    """The line said at the start of a multi-objective sweep (None for one objective)."""
    if not is_multi_objective(config):
        return None
    arrows = ", ".join(f"{name} {'up' if way == 'maximize' else 'down'}"
                       for name, way in zip(objectives(config), directions(config), strict=True))
    return (f"multi-objective study ({arrows}): the race runs the Pareto front; " +
            NOT_PRUNED.format(metric=config["study"]["metric"],
                              patience=config["trial"]["patience"]))


def objectives_problem(config: Mapping[str, Any], metrics: list[str]) -> tuple[str, str] | None:
    """What is wrong with study.objectives, as (problem, fix), or None (`metrics`: the metric
    names sweep knows)."""
    chosen, metric = config["study"].get("objectives"), config["study"]["metric"]
    shape = f"set study.objectives=[{metric},{LATENCY_OBJECTIVE}], or null for {metric} alone"
    if chosen is None:
        return None
    if not isinstance(chosen, list | tuple) or len(chosen) != 2:
        return "must be null or two objectives, the metric then latency_ms", shape
    first, second = chosen
    if first not in metrics:
        return (f"unknown objective {first!r} (the first is the metric)",
                f"use one of {metrics} first: {shape}")
    if first != metric:
        return (f"the first objective is the metric, and study.metric is {metric}",
                f"set study.metric={first} too, or study.objectives=[{metric},"
                f"{LATENCY_OBJECTIVE}]")
    if second != LATENCY_OBJECTIVE:
        return f"unknown objective {second!r} (the second is {LATENCY_OBJECTIVE})", shape
    if (config.get("latency") or {}).get("measure") is False:
        return ("latency_ms is an objective but latency.measure=false",
                "set latency.measure=auto (or true)")
    if str(config["sampler"].get("_target_", "")).endswith("CmaEsSampler"):
        return ("sampler=cmaes optimises one objective",
                "use sampler=tpe, sampler=nsga2 or sampler=gp, or study.objectives=null")
    joined = ((config.get("tracking") or {}).get("wandb") or {}).get("sweep")
    if joined not in (None, "auto"):
        return (f"{ONE_METRIC} (tracking.wandb.sweep={joined})",
                "set tracking.wandb.sweep=auto (trial runs are still mirrored), or "
                "study.objectives=null")
    return None
