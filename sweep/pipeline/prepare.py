"""Everything that can reject the run, before any training: config, data, model, sampler,
devices; resolved once into the plan that every process reads."""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from sweep.config.model import resolve_model
from sweep.config.plan import Plan
from sweep.config.space import to_distributions
from sweep.config.validate import validate
from sweep.data import datasets
from sweep.data.labels import check_labels
from sweep.pruning.policy import waits_for_stall
from sweep.run.devices import check_devices
from sweep.study.naming import study_location, study_name
from sweep.study.open import make_sampler
from sweep.wandb_sweeps.export import safe_overrides


def prepare(cfg: DictConfig, choices: Mapping[str, Any], overrides: Sequence[str] = (),
            wait_for_stall: bool | None = None) -> tuple[Plan, datasets.Dataset]:
    """Validate the composed `cfg` and resolve it into the plan; `cfg` itself is left as it is.
    `wait_for_stall`: set `pruning.wait_for_stall` (a W&B agent's trial waits: W&B stops its
    runs), else `auto` is resolved by the model."""
    validate(cfg)
    name = study_name(cfg, choices)
    study_dir, url = study_location(cfg, name)
    cache = Path(cfg.paths.cache).expanduser()
    dataset = datasets.resolve(cfg.data, cache,
                               OmegaConf.to_container(cfg.shapes))  # type: ignore[arg-type]
    label_warning = check_labels(dataset, str(cfg.data), cache)
    model = resolve_model(cfg.model)
    config: dict[str, Any] = OmegaConf.to_container(cfg, resolve=True)  # type: ignore[assignment]
    config["pruning"]["wait_for_stall"] = (
        waits_for_stall(cfg.pruning.wait_for_stall, model) if wait_for_stall is None
        else wait_for_stall)
    make_sampler(config, to_distributions(config["space"]))  # the grid sampler's needs
    check_devices(cfg.workers.devices)
    plan = Plan(config=config, study_name=name, storage_url=url, study_dir=str(study_dir),
                data_yaml=str(dataset.yaml_path), model=model, run_id=uuid.uuid4().hex[:12],
                overrides=safe_overrides(overrides)[0], label_warning=label_warning)
    if cfg.study.timeout:
        plan.deadline = time.time() + float(cfg.study.timeout)
    return plan, dataset
