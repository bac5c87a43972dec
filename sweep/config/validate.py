"""Validation of the composed config: every problem is a ConfigError naming key, value and fix.

Runs before any study is created or any training starts, so a typo costs a second, not a sweep.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from omegaconf import DictConfig, OmegaConf

from sweep.config.latency_check import validate_latency
from sweep.config.objectives import objectives_problem
from sweep.config.plain import plain
from sweep.config.relative import check_relative, is_relative, plain_entries
from sweep.config.space import to_distributions
from sweep.config.train_args import (
    RESERVED,
    check_arg_value,
    check_models,
    check_optimizer,
    train_args,
)
from sweep.core.errors import ConfigError
from sweep.core.results import METRICS
from sweep.core.text import parse_seconds


def validate_space(space: Mapping[str, Any]) -> None:
    """Keys are Ultralytics train arguments sweep does not set itself (and `model`, the scale
    searched); values are in range."""
    args = train_args()
    for name in space:
        key = f"space.{name}"
        if name == "model":
            check_models(space[name])
            continue
        if name in RESERVED:
            where = RESERVED[name]
            raise ConfigError(key, space[name], "sweep sets this argument itself",
                              f"remove it with ~{key}" + (f" and set {where}" if where else ""))
        if name not in args:
            close = [a for a in args if a.startswith(name[:3])][:4]
            raise ConfigError(key, space[name], "not an Ultralytics train argument",
                              f"remove it with ~{key}" + (f"; did you mean {close}?" if close
                                                          else ""))
        if is_relative(space[name]):  # in numbers once the data is known; its plain bounds now
            check_relative(name, space[name], args[name])
            for bound in ("low", "high"):
                if space[name].get(bound) is not None:
                    check_arg_value(f"{key}.{bound}", name, space[name][bound])
    for name, dist in to_distributions(plain_entries(space)).items():
        values = (list(dist.choices) if hasattr(dist, "choices")
                  else [dist.low, dist.high])  # type: ignore[attr-defined]
        for value in values:
            if name == "model":
                continue
            if name == "optimizer":
                check_optimizer(f"space.{name}", value)
            else:
                check_arg_value(f"space.{name}", name, value)


def validate_train(train: Mapping[str, Any]) -> None:
    args = train_args()
    for name, value in train.items():
        key = f"train.{name}"
        if name in RESERVED:
            where = RESERVED[name]
            raise ConfigError(key, value, "sweep sets this argument itself",
                              f"remove {key}" + (f" and set {where}" if where else ""))
        if name not in args:
            raise ConfigError(key, value, "not an Ultralytics train argument",
                              f"remove it with ~{key}; see `yolo cfg` for the valid names")
        if name == "optimizer":
            check_optimizer(key, value)
        else:
            check_arg_value(key, name, value)


def _true_or_false(key: str, value: Any, why: str = "") -> None:
    if not isinstance(value, bool):
        raise ConfigError(key, value, "must be true or false", f"set {key}=true (or false{why})")


def _positive_int(key: str, value: Any, allow_zero: bool = False) -> None:
    ok = isinstance(value, int) and not isinstance(value, bool) and (
        value >= 0 if allow_zero else value > 0)
    if not ok:
        bound = ">= 0" if allow_zero else "> 0"
        raise ConfigError(key, value, f"must be a whole number {bound}",
                          f"set {key} to a whole number {bound}")


def _fraction(key: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
        raise ConfigError(key, value, "must be in (0, 1]", f"set {key} to e.g. 0.5 (or 1.0)")


def _read_by_others(cfg: DictConfig) -> None:
    """The keys conf/ interpolates into others (the samplers' start-up trials and seed, the
    hyperband's max_resource), checked before anything is resolved: a bad value is blamed on
    the key the user set, not on the key that reads it."""
    _positive_int("study.n_trials", cfg.study.n_trials)
    _positive_int("trial.epochs", cfg.trial.epochs)
    if "seed" in cfg.train:
        check_arg_value("train.seed", "seed", cfg.train.seed)


def _unresolvable(cfg: DictConfig, err: Exception) -> ConfigError:
    """A ConfigError for an interpolation that failed: naming the key it reads and that key's
    value when there is one (the key the user set), else the key that failed."""
    key = str(getattr(err, "full_key", "") or "config")
    reason = str(err).splitlines()[0] if str(err) else type(err).__name__
    raw: Any = OmegaConf.to_container(cfg, resolve=False)
    for part in key.split("."):
        raw = raw.get(part) if isinstance(raw, dict) else None
    for ref in re.findall(r"\$\{([A-Za-z_][\w.]*)\}", raw if isinstance(raw, str) else ""):
        value = OmegaConf.select(cfg, ref, throw_on_resolution_failure=False)
        return ConfigError(ref, value, f"{key} ({raw}) cannot be computed from it ({reason})",
                           f"give {ref} a value {key} can be computed from")
    return ConfigError(key, raw if raw is not None else "?", f"cannot be resolved ({reason})",
                       "check the interpolation and the missing values (???) it reads")


def validate(cfg: DictConfig) -> None:
    """Check the whole composed config; raise the first ConfigError found."""
    _read_by_others(cfg)
    try:
        resolved: Any = OmegaConf.to_container(cfg, resolve=True, throw_on_missing=True)
    except Exception as err:
        raise _unresolvable(cfg, err) from err
    if not cfg.space:
        raise ConfigError("space", {}, "nothing to search",
                          "add entries, e.g. +space.lr0={low:1e-4,high:1e-2,log:true}")
    validate_space(plain(cfg.space))
    validate_train(plain(cfg.train))
    for section in ("trial", "final"):
        _fraction(f"{section}.fraction", cfg[section].fraction)
        _positive_int(f"{section}.epochs", cfg[section].epochs)
        _positive_int(f"{section}.patience", cfg[section].patience, allow_zero=True)
    _true_or_false("pruning.zero_is_warmup", cfg.pruning.zero_is_warmup)
    _true_or_false("final.confirm", cfg.final.get("confirm", True))
    if cfg.pruning.wait_for_stall not in (True, False, "auto"):
        raise ConfigError("pruning.wait_for_stall", cfg.pruning.wait_for_stall,
                          "must be true, false or auto", "set pruning.wait_for_stall=auto")
    _positive_int("final.candidates", cfg.final.candidates)
    if cfg.trial.val_images is not None:
        _positive_int("trial.val_images", cfg.trial.val_images)
    _positive_int("study.n_trials", cfg.study.n_trials)
    if cfg.study.timeout is not None and (
            isinstance(cfg.study.timeout, bool) or not isinstance(cfg.study.timeout, int | float)
            or cfg.study.timeout <= 0):
        raise ConfigError("study.timeout", cfg.study.timeout, "must be seconds > 0 or null",
                          "set study.timeout=3600, or study.timeout=null for no limit")
    if cfg.get("budget") is not None:
        try:
            parse_seconds(cfg.budget)
        except ValueError:
            raise ConfigError("budget", cfg.budget, "must be a duration > 0 or null",
                              "set budget=3h, budget=45m, budget=1h30m or budget=900 (seconds), "
                              "or budget=null for none") from None
    if cfg.study.metric not in METRICS:
        raise ConfigError("study.metric", cfg.study.metric, "unknown metric",
                          f"use one of {list(METRICS)}")
    if cfg.study.direction not in ("maximize", "minimize"):
        raise ConfigError("study.direction", cfg.study.direction, "unknown direction",
                          "use maximize or minimize")
    _positive_int("workers.max_failures", cfg.workers.max_failures)
    _positive_int("workers.per_device", cfg.workers.get("per_device", 1))
    _positive_int("workers.heartbeat_interval", cfg.workers.heartbeat_interval)
    _positive_int("workers.grace_period", cfg.workers.grace_period)
    if cfg.workers.grace_period <= cfg.workers.heartbeat_interval:
        raise ConfigError("workers.grace_period", cfg.workers.grace_period,
                          "must be longer than workers.heartbeat_interval",
                          "set workers.grace_period to a few heartbeat intervals, e.g. 60")
    devices = cfg.workers.devices
    if devices != "auto":
        items = list(devices) if OmegaConf.is_list(devices) or isinstance(devices, list) else None
        if not items or not all(d == "cpu" or (isinstance(d, int) and d >= 0) for d in items):
            raise ConfigError("workers.devices", devices, "must be auto or a list of GPU "
                              "indices and/or cpu", "use workers.devices=auto, [0,1] or [cpu,cpu]")
    if cfg.final.params is not None and not OmegaConf.is_dict(cfg.final.params):
        raise ConfigError("final.params", cfg.final.params, "must be a mapping of train "
                          "arguments", "set final.params={lr0:0.01,...} or null")
    if cfg.study.artifacts is not None and (not isinstance(cfg.study.artifacts, str)
                                            or not cfg.study.artifacts):
        raise ConfigError("study.artifacts", cfg.study.artifacts, "must be a folder path or null",
                          "set study.artifacts=/shared/artifacts, or null for the study's own")
    _true_or_false("starter.enabled", cfg.starter.enabled, ": from scratch instead")
    for key in ("epochs", "train_images", "val_images", "imgsz", "batch"):
        _positive_int(f"starter.{key}", cfg.starter[key])
    port = cfg.dashboard.port
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        raise ConfigError("dashboard.port", port, "must be a port number (1-65535)",
                          "set dashboard.port=8080")
    validate_latency(resolved)
    wrong = objectives_problem(resolved, list(METRICS))
    if wrong:
        raise ConfigError("study.objectives", resolved["study"].get("objectives"), *wrong)
    for key in ("data", "model"):
        if not isinstance(cfg[key], str) or not cfg[key]:
            raise ConfigError(key, cfg[key], "must be a non-empty string",
                              f"set {key}=... (see README)")
