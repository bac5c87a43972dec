"""The resolved run: what the entry point decided once and every worker process reads back.

Written as JSON beside the study, so a worker (a fresh interpreter, possibly restarted after a
crash) sees exactly the config, data and model the sweep validated.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sweep.core.record import Budget
from sweep.core.secrets import strip_password

# The storage URL as given (password included) reaches workers in their environment only.
STORAGE_ENV = "SWEEP_STORAGE"


@dataclass
class Plan:
    config: dict[str, Any]          # the composed config, resolved
    study_name: str
    storage_url: str
    study_dir: str                  # outputs/<study name>
    data_yaml: str                  # the resolved data.yaml
    model: str                      # weights path or architecture, after the offline fallback
    run_id: str                     # this invocation; failures are counted per run
    seed_offset: int = 0            # trials in the study when this run began (fresh draws)
    deadline: float | None = None   # epoch seconds after which no new trial starts
    # the command line's overrides, with no password (sweep.wandb_sweeps.export
    # .safe_overrides): what a W&B sweep created for this study runs its agents with
    overrides: list[str] = field(default_factory=list)
    # what Ultralytics' label check will drop from the data (sweep.data.labels), said at start
    label_warning: str | None = None
    # a race's plan (sweep.finalist.race): the search study it decides the finalist of
    race_of: str | None = None
    # the `model=` weights that sweep's starter weights (`model`) stand in for, offline
    starter_for: str | None = None
    # `budget=`, read by sweep.study.budget_plan; None without a budget
    budget: Budget | None = None
    # what Ultralytics' label check made of each image (sweep.data.label_cache), for the
    # workers' trees; None when it could not be kept
    label_scans: str | None = None
    # `space.model` searched: each choice -> what its trainings load (weights, starter weights
    # standing in for them offline, or an architecture); empty when the model is fixed
    models: dict[str, str] = field(default_factory=dict)

    def model_for(self, params: dict[str, Any]) -> str:
        """What a training with `params` loads: its searched model's, else `model`."""
        return self.models.get(str(params.get("model")), self.model)

    def save(self, path: Path) -> None:
        """Write the plan for the workers, with no database password in it."""
        data = asdict(self)  # a deep copy
        data["storage_url"] = strip_password(self.storage_url)
        if data["config"].get("study", {}).get("storage"):
            data["config"]["study"]["storage"] = strip_password(data["config"]["study"]["storage"])
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2))
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> Plan:
        """The saved plan; the storage URL comes from STORAGE_ENV when the supervisor set it."""
        plan = cls(**json.loads(path.read_text()))
        plan.storage_url = os.environ.get(STORAGE_ENV) or plan.storage_url
        return plan
