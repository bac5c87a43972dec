"""When the pruner is asked, and what that means for Ultralytics' own early stop.

`pruning.wait_for_stall` is resolved once, into the plan (`auto` by the model: sweep.pipeline
.prepare), so every reader below takes a plain true or false.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import optuna
from hydra.utils import instantiate

from sweep.pruning.stall import StallPruner


def waits_for_stall(setting: bool | str, model: str) -> bool:
    """`pruning.wait_for_stall` for this model: `auto` waits when training from scratch (a .yaml
    architecture), where trials take off anywhere from epoch 3 to 9, and not from weights, where
    curves separate from the first epoch (docs/benchmarks.md)."""
    if setting == "auto":
        return model.endswith((".yaml", ".yml"))
    return bool(setting)


def asked_every_epoch(config: Mapping[str, Any]) -> bool:
    """`pruning.wait_for_stall` false: the pruner is asked every epoch (`auto` is resolved into
    the plan; unresolved, it waits)."""
    return config["pruning"]["wait_for_stall"] is False


def early_stop_patience(config: Mapping[str, Any], pruned: bool = True) -> int:
    """Ultralytics' `patience` for a trial: `trial.patience`, or 0 (no early stop) when a pruner
    is asked every epoch: it decides then, so a trial that stalls while it leads runs on.
    Measured from weights, that kept the best value on 3 of 3 seeds (docs/benchmarks.md).
    `pruned` false: no pruner is asked at all (a multi-objective study), the early stop stays."""
    if pruned and asked_every_epoch(config) and not str(
            config["pruner"]["_target_"]).endswith(".NopPruner"):
        return 0
    return int(config["trial"]["patience"])


def make_pruner(config: Mapping[str, Any]) -> optuna.pruners.BasePruner:
    """The configured pruner, consulted once a trial has gone `trial.patience` epochs without
    improving, or every epoch when `pruning.wait_for_stall` is false (StallPruner)."""
    patience = 0 if asked_every_epoch(config) else int(config["trial"]["patience"])
    return StallPruner(instantiate(config["pruner"]), patience=patience,
                       zero_is_warmup=config["pruning"]["zero_is_warmup"])
