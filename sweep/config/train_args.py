"""Ultralytics train arguments as sweep's `space` and `train` sections give them: which sweep
sets itself, and whether a value is one Ultralytics accepts and in range (its own check_cfg,
then the ranges it leaves out). Used by the config's validation (sweep.config.validate)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sweep.core.errors import ConfigError

# Train arguments that sweep itself sets per trial/finalist; a user setting them would be ignored.
RESERVED = {"data": "data=", "model": "model=", "epochs": "trial.epochs / final.epochs",
            "fraction": "trial.fraction / final.fraction", "patience": "trial.patience",
            "project": "paths.root", "name": "study.name", "device": "workers.devices",
            "exist_ok": None, "resume": None, "val": None, "save": None, "mode": None}
OPTIMIZERS = ("Adam", "Adamax", "AdamW", "NAdam", "RAdam", "RMSprop", "SGD", "MuSGD")


def train_args() -> dict[str, Any]:
    """Ultralytics' train arguments with their defaults (imported when first asked for)."""
    from ultralytics.cfg import DEFAULT_CFG_DICT

    return dict(DEFAULT_CFG_DICT)


# Ranges that Ultralytics' own check_cfg leaves out (it checks types, fractions and a few
# minimums): values it would take and then fail on, or silently misuse, mid-sweep.
AT_LEAST = {"imgsz": 1, "workers": 0, "warmup_epochs": 0, "close_mosaic": 0, "box": 0, "cls": 0,
            "dfl": 0, "save_period": -1, "time": 0}
CACHE_VALUES = (True, False, "ram", "disk")


def _range_problem(arg: str, value: Any) -> str | None:
    """Why `value` is out of range for Ultralytics' `arg`, or None."""
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if arg in AT_LEAST and number and value < AT_LEAST[arg]:
        return f"must be >= {AT_LEAST[arg]}"
    if arg == "batch" and number and not (value == -1 or 0 < value < 1 or value >= 1):
        return "must be >= 1 (images), -1 (AutoBatch) or a fraction of GPU memory in (0, 1)"
    if arg == "batch" and number and value > 1 and value != int(value):
        return "must be a whole number of images (or a fraction in (0, 1))"
    if arg == "cache" and value not in CACHE_VALUES:
        return "must be true, false, ram or disk"
    return None


def check_arg_value(key: str, arg: str, value: Any) -> None:
    """Ask Ultralytics' own checker whether `arg=value` is a valid train argument value, then
    check the ranges it leaves out."""
    from ultralytics.cfg import check_cfg

    try:
        check_cfg({arg: value}, hard=True)
    except (TypeError, ValueError) as err:
        raise ConfigError(key, value, str(err).rstrip("."),
                          f"give {key} a value Ultralytics accepts for '{arg}'") from err
    problem = _range_problem(arg, value)
    if problem:
        raise ConfigError(key, value, problem, f"give {key} a value in range")


def check_optimizer(key: str, value: Any) -> None:
    valid = {o.lower() for o in OPTIMIZERS}
    if str(value).lower() == "auto":
        raise ConfigError(key, value, "optimizer=auto makes Ultralytics ignore lr0 and momentum",
                          f"name optimizers explicitly, e.g. one of {list(OPTIMIZERS)}")
    if str(value).lower() not in valid:
        raise ConfigError(key, value, "unknown optimizer", f"use one of {list(OPTIMIZERS)}")


def check_models(spec: Any) -> None:
    """`space.model`: the model scale searched, as choices of weights or architectures (each
    resolved, and starter weights made where they stand in, by sweep.pipeline.prepare)."""
    choices = spec.get("choices") if isinstance(spec, Mapping) else None
    if not choices or not all(isinstance(c, str) and c.endswith((".pt", ".yaml", ".yml"))
                              for c in choices):
        raise ConfigError("space.model", spec, "must be choices of weights (.pt) or "
                          "architectures (.yaml)",
                          "set +space.model={choices:[yolo11n.pt,yolo11s.pt]}")
