"""Search space: `space.<arg>` entries from conf/ -> Optuna distributions -> Ultralytics kwargs.

Each entry is one of two forms, chosen by its keys:

* numeric: `{low, high}` plus optional `log: true`, `step`, and `type: int|float` (default:
  int when low, high and step are all integers, else float);
* categorical: `{choices: [...]}`.

A range given in multiples of Ultralytics' default (`times_default`) reaches here only once
sweep.config.relative has turned it into numbers for the data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import optuna
from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)

from sweep.core.errors import ConfigError

_NUMERIC_KEYS = {"low", "high", "log", "step", "type"}


def to_distribution(name: str, spec: Mapping[str, Any]) -> BaseDistribution:
    """Turn one `space.<name>` entry into an Optuna distribution, or raise ConfigError."""
    key = f"space.{name}"
    if not isinstance(spec, Mapping):
        raise ConfigError(key, spec, "a space entry must be a mapping",
                          f"write {key}={{low:..,high:..}} or {key}={{choices:[..]}}")
    keys = set(spec)
    if "choices" in keys:
        extra = keys - {"choices"}
        if extra:
            raise ConfigError(key, dict(spec), f"categorical entries take only 'choices', "
                              f"not {sorted(extra)}", f"remove {sorted(extra)} from {key}")
        choices = list(spec["choices"]) if spec["choices"] is not None else []
        if not choices:
            raise ConfigError(f"{key}.choices", choices, "no choices to sample from",
                              f"give at least one value, e.g. {key}.choices=[a,b]")
        return CategoricalDistribution(choices)
    unknown = keys - _NUMERIC_KEYS
    if unknown or not {"low", "high"} <= keys:
        raise ConfigError(key, dict(spec), "a numeric entry needs 'low' and 'high' (optional "
                          "'log', 'step', 'type'); a categorical one needs 'choices'",
                          f"write {key}={{low:..,high:..}} or {key}={{choices:[..]}}")
    low, high, step, log = spec["low"], spec["high"], spec.get("step"), bool(spec.get("log"))
    for part, value in (("low", low), ("high", high), ("step", step)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise ConfigError(f"{key}.{part}", value, "must be a number",
                              f"set {key}.{part} to a number")
    if low >= high:
        raise ConfigError(key, dict(spec), f"low ({low}) must be below high ({high})",
                          f"set {key}.low < {key}.high")
    if log and low <= 0:
        raise ConfigError(f"{key}.low", low, "a log-scaled range needs low > 0",
                          f"set {key}.low to a positive value or {key}.log=false")
    if step is not None and step <= 0:
        raise ConfigError(f"{key}.step", step, "step must be positive",
                          f"set {key}.step > 0 or remove it")
    if log and step is not None:
        raise ConfigError(key, dict(spec), "log and step cannot be combined",
                          f"remove {key}.step or set {key}.log=false")
    kind = spec.get("type") or (
        "int" if all(isinstance(v, int) for v in (low, high, step) if v is not None) else "float"
    )
    if kind == "int":
        if not all(float(v).is_integer() for v in (low, high, step) if v is not None):
            raise ConfigError(key, dict(spec), "type=int needs whole-number low, high and step",
                              f"use whole numbers or {key}.type=float")
        return IntDistribution(int(low), int(high), log=log, step=int(step or 1))
    if kind != "float":
        raise ConfigError(f"{key}.type", kind, "type must be 'int' or 'float'",
                          f"set {key}.type=int or {key}.type=float")
    return FloatDistribution(float(low), float(high), log=log,
                             step=None if step is None else float(step))


def to_distributions(space: Mapping[str, Any]) -> dict[str, BaseDistribution]:
    """The whole search space, in a stable (sorted) order so samplers see the same space."""
    return {name: to_distribution(name, space[name]) for name in sorted(space)}


def sample(trial: optuna.Trial, distributions: Mapping[str, BaseDistribution]) -> dict[str, Any]:
    """Ask the trial for one value per searched argument."""
    return {name: _suggest(trial, name, dist) for name, dist in distributions.items()}


def _suggest(trial: optuna.Trial, name: str, dist: BaseDistribution) -> Any:
    if isinstance(dist, CategoricalDistribution):
        return trial.suggest_categorical(name, dist.choices)
    if isinstance(dist, IntDistribution):
        return trial.suggest_int(name, dist.low, dist.high, step=dist.step, log=dist.log)
    assert isinstance(dist, FloatDistribution)
    return trial.suggest_float(name, dist.low, dist.high, step=dist.step, log=dist.log)


def grid_values(distributions: Mapping[str, BaseDistribution]) -> dict[str, list[Any]]:
    """Every value of each argument, for the grid sampler; continuous ranges need a step."""
    grid: dict[str, list[Any]] = {}
    for name, dist in distributions.items():
        if isinstance(dist, CategoricalDistribution):
            grid[name] = list(dist.choices)
        elif isinstance(dist, IntDistribution) and not dist.log:
            grid[name] = list(range(dist.low, dist.high + 1, dist.step))
        elif isinstance(dist, FloatDistribution) and dist.step is not None:
            count = int(round((dist.high - dist.low) / dist.step)) + 1
            grid[name] = [round(dist.low + i * dist.step, 12) for i in range(count)]
        else:
            raise ConfigError(f"space.{name}", "range", "sampler=grid needs a finite set of "
                              "values",
                              f"give space.{name}.step (not log) or space.{name}.choices")
    return grid
