"""Which W&B sweep a trial's run joins, and where wandb then looks for the run's project: a
W&B sweep's runs are its low-fidelity trials (a study exported as one, or an agent's), and
wandb reads a sweep run's project and entity from the environment, not from wandb.init."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from sweep.wandb_sweeps.sweep_ids import parse_sweep

# The W&B sweep the study's trial runs join (tracking.wandb.sweep), settled in the main process.
SWEEP_ENV = "SWEEP_WANDB_SWEEP_ID"


def trials_sweep(race_of: str | None, candidate_of: Any = None) -> str | None:
    """The W&B sweep this process's trial runs join (SWEEP_ENV): none for a full-size race
    candidate, which is not a low-fidelity trial."""
    if candidate_of is not None or race_of:
        return None
    return os.environ.get(SWEEP_ENV) or None


def sweep_environment(sweep_id: str | None, settings: Mapping[str, Any]) -> bool:
    """Whether a run joins a W&B sweep (`sweep_id`, or the agent's); if so, the sweep's
    project and entity set where wandb reads them for a sweep's runs: the environment, read
    once, when wandb is set up in the process (`settings`: tracking.wandb, where the sweep's
    path names neither)."""
    path = parse_sweep(sweep_id) if sweep_id else None
    if path is not None and path.project:  # the sweep's project (and entity) hold its runs
        os.environ["WANDB_PROJECT"] = path.project
        if path.entity:
            os.environ["WANDB_ENTITY"] = path.entity
    if not (sweep_id or os.environ.get("WANDB_SWEEP_ID")):
        return False
    # an agent set these for its runs; ours are set the same way
    os.environ.setdefault("WANDB_PROJECT", str(settings["project"]))
    if settings.get("entity"):
        os.environ.setdefault("WANDB_ENTITY", str(settings["entity"]))
    return True
