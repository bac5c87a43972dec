"""The baseline trial: Ultralytics' own defaults for the searched arguments, tried first.

It is what `model.tune()` tries first too, and it means a sweep never ends below "no tuning".
`optimizer=auto` is resolved as Ultralytics does for short runs (AdamW, lr0 from the number of
classes, momentum 0.9), since `auto` itself would make lr0 and momentum meaningless. auto also
starts the biases' warm-up learning rate at 0.0 where an explicit optimizer keeps 0.1: the
baseline trial keeps 0.1 (in a trial that never leaves its warm-up it is what lets AdamW take
off, and the search steers by it), and the baseline's race candidate, the comparison a user
reads, trains with auto's 0.0 (`auto_extras`): exactly what `yolo train` does.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from typing import Any

from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)


def _fit(value: Any, dist: BaseDistribution) -> Any:
    """The value, moved into the distribution (clipped, rounded onto its step, or first choice)."""
    if isinstance(dist, CategoricalDistribution):
        matches = [c for c in dist.choices if str(c).lower() == str(value).lower()]
        return matches[0] if matches else dist.choices[0]
    assert isinstance(dist, FloatDistribution | IntDistribution)
    value = min(max(float(value), dist.low), dist.high)
    if dist.step is not None:
        value = dist.low + round((value - dist.low) / dist.step) * dist.step
        value = min(value, dist.high)
    return int(round(value)) if isinstance(dist, IntDistribution) else float(value)


# What optimizer=auto sets beyond the optimizer, lr0 and momentum (BaseTrainer.build_optimizer)
AUTO_SETS: dict[str, Any] = {"warmup_bias_lr": 0.0}


def names_auto_explicitly(searched: Collection[str], train: Mapping[str, Any]) -> bool:
    """Whether the baseline names the optimizer that a run without tuning leaves to auto: the
    space searches it and train.optimizer is auto (else every run keeps `auto`, and Ultralytics
    resolves it, bias warm-up and MuSGD for long runs included)."""
    return "optimizer" in searched and str(train.get("optimizer", "auto")).lower() == "auto"


def ultralytics_defaults(num_classes: int, fixed: Mapping[str, Any] | None = None
                         ) -> dict[str, Any]:
    """Every train argument as a run without tuning would use it on data of `num_classes`:
    Ultralytics' defaults, `fixed` (train.*) over them, `optimizer=auto` resolved."""
    from ultralytics.cfg import DEFAULT_CFG_DICT

    defaults = {**DEFAULT_CFG_DICT, **(fixed or {})}
    if str(defaults.get("optimizer")).lower() == "auto":  # trainer.build_optimizer, short runs
        defaults.update(optimizer="AdamW", lr0=round(0.002 * 5 / (4 + num_classes), 6),
                        momentum=0.9, **AUTO_SETS)
    return defaults


def auto_extras(searched: Collection[str], train: Mapping[str, Any]
                ) -> dict[str, tuple[Any, Any]]:
    """AUTO_SETS where the baseline names the optimizer explicitly (names_auto_explicitly), as
    {argument: (auto's value, the trials' value)}: those the space does not search itself and
    whose value in the trials (train.*, else Ultralytics' default) differs from auto's."""
    from ultralytics.cfg import DEFAULT_CFG_DICT

    if not names_auto_explicitly(searched, train):
        return {}
    trials = {name: train.get(name, DEFAULT_CFG_DICT[name]) for name in AUTO_SETS}
    return {name: (auto, trials[name]) for name, auto in AUTO_SETS.items()
            if name not in searched and float(trials[name]) != auto}


# BaseTrainer.build_optimizer: above this many iterations optimizer=auto picks MuSGD at lr0 0.01
AUTO_SHORT_RUN_ITERATIONS = 10000


def auto_iterations(train_images: int, epochs: int, batch: int, nbs: int = 64) -> int:
    """The iterations by which optimizer=auto chooses (BaseTrainer._setup_train): nominal
    batches of `nbs` images, times the epochs."""
    return math.ceil(train_images / max(batch, nbs)) * epochs


def baseline_params(distributions: Mapping[str, BaseDistribution], num_classes: int,
                    fixed: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Ultralytics' default value of every searched argument, fitted into the space; where the
    config also fixes a searched argument (`fixed`: train.*, e.g. imgsz), that value, the one
    a run without tuning would use."""
    defaults = ultralytics_defaults(num_classes, fixed)
    return {name: _fit(defaults[name], dist) for name, dist in distributions.items()
            if defaults.get(name) is not None}


# The arguments that decide a model's speed: a multi-objective study's baseline is the defaults
# at each of their searched choices (the grid a user tries by hand), not at one.
SPEED_ARGS = ("model", "imgsz")
MAX_BASELINES = 6


def baseline_grid(distributions: Mapping[str, BaseDistribution], params: dict[str, Any]
                  ) -> list[dict[str, Any]]:
    """`params` (the defaults) at every combination of the searched speed choices (SPEED_ARGS
    searched as choices), `params` itself first; at most MAX_BASELINES, else `params` alone."""
    import itertools

    axes = {name: list(dist.choices) for name, dist in distributions.items()
            if name in SPEED_ARGS and isinstance(dist, CategoricalDistribution)}
    combos = [dict(zip(axes, values, strict=True)) for values in itertools.product(*axes.values())]
    if len(combos) > MAX_BASELINES:
        return [params]
    grid = [params] + [{**params, **combo} for combo in combos]
    unique: list[dict[str, Any]] = []
    for candidate in grid:
        if candidate not in unique:
            unique.append(candidate)
    return unique
