"""The composed search space as a W&B sweep config (`python -m sweep.wandb_sweep`), for
`wandb sweep sweep.yaml` and `wandb agent`.

Each W&B parameter is named after the Hydra key it sets in the agent, `space.<arg>`: the agent
runs `python -m sweep.agent <the same overrides> ${args_no_hyphens}`, so W&B's `space.lr0=0.01`
is a Hydra override that fixes the searched argument for that one trial. The same names are the
trial runs' config keys in the mirror, so Optuna-driven and agent runs line up in W&B's views.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from hydra.core.override_parser.overrides_parser import OverridesParser
from omegaconf import DictConfig
from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)

from sweep.config.objectives import ONE_METRIC, is_multi_objective
from sweep.config.plain import plain
from sweep.config.space import grid_values, to_distributions
from sweep.core.errors import ConfigError
from sweep.core.secrets import strip_password

PARAM_PREFIX = "space."
# Optuna sampler class -> W&B sweep method. TPE, GP and CMA-ES are model-based: W&B's is bayes.
METHODS = {"TPESampler": "bayes", "GPSampler": "bayes", "CmaEsSampler": "bayes",
           "RandomSampler": "random", "GridSampler": "grid"}
AGENT_MODULE = "sweep.agent"
# Set by sweep.agent for its process: the W&B run in it is W&B's (its sweep controller sees only
# online runs), so the mirror is online with no probe and no offline fallback.
AGENT_RUN_ENV = "SWEEP_WANDB_AGENT_RUN"


def parameter_name(arg: str) -> str:
    """The W&B parameter (and Hydra key) for one searched Ultralytics argument."""
    return PARAM_PREFIX + arg


def _on_step_grid(low: float, step: float) -> bool:
    """W&B's q-forms round to multiples of q: the same grid as Optuna's only when low is one."""
    return abs(low / step - round(low / step)) < 1e-9


def parameter(arg: str, dist: BaseDistribution, method: str) -> dict[str, Any]:
    """One `space.<arg>` entry's Optuna distribution as a W&B sweep parameter."""
    if isinstance(dist, CategoricalDistribution):
        return {"values": list(dist.choices)}
    if method == "grid":  # W&B's grid takes finite sets (a range without a step is refused)
        return {"values": grid_values({arg: dist})[arg]}
    if isinstance(dist, IntDistribution):
        if dist.log:
            return {"distribution": "q_log_uniform_values", "min": dist.low, "max": dist.high,
                    "q": 1}
        if dist.step == 1:
            return {"distribution": "int_uniform", "min": dist.low, "max": dist.high}
    else:
        assert isinstance(dist, FloatDistribution)
        if dist.log:
            return {"distribution": "log_uniform_values", "min": dist.low, "max": dist.high}
        if dist.step is None:
            return {"distribution": "uniform", "min": dist.low, "max": dist.high}
    # a stepped range: W&B's q-form when its grid is Optuna's, else the values themselves
    if dist.step is not None and _on_step_grid(dist.low, dist.step):
        return {"distribution": "q_uniform", "min": dist.low, "max": dist.high, "q": dist.step}
    return {"values": grid_values({arg: dist})[arg]}


def method_of(sampler: Mapping[str, Any]) -> str:
    target = str(sampler.get("_target_", ""))
    name = target.rsplit(".", 1)[-1]
    if name not in METHODS:
        raise ConfigError("sampler", target, "has no W&B sweep method",
                          f"use one of sampler={{tpe,gp,cmaes,random,grid}} ({sorted(METHODS)})")
    return METHODS[name]


def early_terminate(pruner: Mapping[str, Any], trial: Mapping[str, Any]) -> dict[str, Any] | None:
    """W&B's hyperband stopping in place of the configured pruner; None for `pruner=none`.

    Optuna's pruner is asked only once a trial has stalled for `trial.patience` epochs, so W&B's
    first bracket is no earlier (`min_iter`: the larger of patience and the pruner's
    `min_resource`); `eta` is the pruner's `reduction_factor` (3 otherwise). None as well when
    that first bracket is at or past `trial.epochs`, where it could never stop a run.
    """
    name = str(pruner.get("_target_", "")).rsplit(".", 1)[-1]
    if name == "NopPruner":
        return None
    min_iter = max(int(trial["patience"]), int(pruner.get("min_resource") or 1), 1)
    if min_iter >= int(trial["epochs"]):
        return None
    return {"type": "hyperband", "min_iter": min_iter,
            "eta": int(pruner.get("reduction_factor") or 3)}


def safe_overrides(overrides: Sequence[str]) -> tuple[list[str], list[str]]:
    """The command line's overrides for the agent's command, and notes on what was left out.

    The sweep config is uploaded to W&B: a `study.storage` URL with a password is left out
    (agents then read the URL from SWEEP_STORAGE, the config's default)."""
    parsed = OverridesParser.create().parse_overrides(list(overrides))
    kept, notes = [], []
    for text, override in zip(overrides, parsed, strict=True):
        value = override.value()
        if (override.key_or_group == "study.storage" and isinstance(value, str)
                and strip_password(value) != value):
            notes.append(f"study.storage holds a password, so it is not in the sweep config: "
                         f"give each agent SWEEP_STORAGE={strip_password(value)} with the "
                         "password (or use PGPASSWORD / ~/.pgpass)")
            continue
        kept.append(text)
    return kept, notes


def require_wandb_tracking(cfg: DictConfig | Mapping[str, Any]) -> None:
    """An agent trial reports to its W&B run through the mirror: it must be on."""
    tracking = cfg.get("tracking") or {}
    if "wandb" not in tracking:
        raise ConfigError("tracking", list(tracking), "a W&B sweep's trials report their metric "
                          "to W&B through the wandb tracker", "drop tracking=[] (the default "
                          "tracking=[wandb] is what a W&B sweep needs)")
    if tracking["wandb"].get("mode") == "disabled":
        raise ConfigError("tracking.wandb.mode", "disabled", "a W&B sweep's trials must log to "
                          "W&B", "set tracking.wandb.mode=auto")


def sweep_config(cfg: DictConfig | Mapping[str, Any], overrides: Sequence[str],
                 name: str) -> dict[str, Any]:
    """The W&B sweep config for the composed `cfg`, and the `overrides` that composed it (with
    no password: see safe_overrides)."""
    container = plain(cfg)
    require_wandb_tracking(container)
    if is_multi_objective(container):
        raise ConfigError("study.objectives", container["study"]["objectives"],
                          ONE_METRIC, "export with study.objectives=null (study.max_latency_ms "
                          "keeps a limit), or run the multi-objective search with python -m sweep")
    method = method_of(container["sampler"])
    distributions = to_distributions(container["space"])
    config: dict[str, Any] = {
        "name": name,
        "project": container["tracking"]["wandb"]["project"],
        "method": method,
        "metric": {"name": container["study"]["metric"], "goal": container["study"]["direction"]},
        "parameters": {parameter_name(arg): parameter(arg, dist, method)
                       for arg, dist in distributions.items()},
        # W&B's agent reads `program` from every run it starts, with no fallback (wandb_agent.py);
        # the command runs the module with -m and does not use ${program}
        "program": AGENT_MODULE,
        "command": ["${env}", "${interpreter}", "-m", AGENT_MODULE, *safe_overrides(overrides)[0],
                    "${args_no_hyphens}"],
    }
    if container["tracking"]["wandb"].get("entity"):
        config["entity"] = container["tracking"]["wandb"]["entity"]
    stopping = early_terminate(container["pruner"], container["trial"])
    if stopping is not None:
        config["early_terminate"] = stopping
    return config
