"""Everything that can reject the run, before any training: config, data, model, sampler,
devices; resolved once into the plan that every process reads."""

from __future__ import annotations

import dataclasses
import logging
import time
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import psutil
from omegaconf import DictConfig

from sweep.config.model import ModelChoice, resolve_model, starter_line
from sweep.config.overrides import override_keys
from sweep.config.plain import plain
from sweep.config.plan import Plan
from sweep.config.relative import resolved_for
from sweep.config.space import to_distributions
from sweep.config.validate import validate, validate_space
from sweep.core.errors import ConfigError
from sweep.core.events import Callbacks
from sweep.core.plugins import load_hooks
from sweep.core.record import Budget
from sweep.core.text import parse_seconds
from sweep.data import datasets
from sweep.data.label_cache import SCAN_FILE, held, save_scans
from sweep.data.labels import scan_labels
from sweep.data.shapes import shapes_data
from sweep.pruning.policy import waits_for_stall
from sweep.run.devices import check_devices, worker_devices
from sweep.run.starter import describe, starter_weights
from sweep.study.budget_plan import TRIAL_CAP
from sweep.study.naming import study_location, study_name
from sweep.study.open import make_sampler
from sweep.wandb_sweeps.export import safe_overrides

log = logging.getLogger(__name__)


def prepare(cfg: DictConfig, choices: Mapping[str, Any], overrides: Sequence[str] = (),
            wait_for_stall: bool | None = None
            ) -> tuple[Plan, datasets.Dataset, Callbacks]:
    """Validate the composed `cfg` and resolve it into the plan, with the run's hooks and
    trackers (their settings checked); `cfg` itself is left as it is. `wait_for_stall`: set
    `pruning.wait_for_stall` (a W&B agent's trial waits: W&B stops its runs), else `auto` is
    resolved by the model. Starter weights, when they stand in for `model=`, are made last."""
    validate(cfg)
    name = study_name(cfg, choices)
    study_dir, url = study_location(cfg, name)
    cache = Path(cfg.paths.cache).expanduser()
    dataset = dataset_of(cfg)
    label_warning, scans = scan_labels(dataset, str(cfg.data), cache)
    # every training's label cache is written from them: here, and in the workers from the file
    scans_file = save_scans(scans, study_dir / SCAN_FILE) if scans else None
    dataset = dataclasses.replace(dataset, scans=held(scans))
    choice = resolve_model(cfg.model, starter=cfg.starter.enabled)
    searched = searched_models(cfg)
    config = config_for(cfg, dataset)
    validate_space(config["space"])  # a relative range's values, now that they are values
    make_sampler(config, to_distributions(config["space"]))  # the grid sampler's needs
    check_devices(cfg.workers.devices)
    config["pruning"]["wait_for_stall"] = (  # starter weights are weights: they do not wait
        waits_for_stall(cfg.pruning.wait_for_stall, choice.missing or choice.load)
        if wait_for_stall is None else wait_for_stall)
    plan = Plan(config=config, study_name=name, storage_url=url, study_dir=str(study_dir),
                data_yaml=str(dataset.yaml_path), model=choice.load,
                run_id=uuid.uuid4().hex[:12], overrides=safe_overrides(overrides)[0],
                label_warning=label_warning, starter_for=choice.missing,
                label_scans=str(scans_file) if scans_file else None)
    callbacks = load_hooks(plan)  # checks the trackers' settings
    # the last step: every check above is cheaper than making weights
    for name, found in searched.items():
        plan.models[name] = _loaded(found, config["starter"], cache)
    if searched:  # the searched model's trainings load plan.models; the baseline's is model=
        plan.model = plan.models.get(str(cfg.model)) or next(iter(plan.models.values()))
    elif choice.missing:
        plan.model = _loaded(choice, config["starter"], cache)
    if cfg.study.timeout:
        plan.deadline = time.time() + float(cfg.study.timeout)
    if cfg.budget is not None:
        plan.budget = budget_of(cfg, dataset, overrides, config)
    return plan, dataset, callbacks


def dataset_of(cfg: DictConfig) -> datasets.Dataset:
    """`data=` resolved (the built-in set generated into paths.cache once)."""
    if cfg.data == "shapes":
        return datasets.load_dataset(shapes_data(Path(cfg.paths.cache).expanduser(),
                                                 plain(cfg.shapes)))
    return datasets.resolve(cfg.data)


def config_for(cfg: DictConfig, dataset: datasets.Dataset | None = None) -> dict[str, Any]:
    """The composed config as plain data, its space's relative ranges in numbers for the data
    (resolved here when not given): what a plan, a W&B sweep and an import all start from."""
    dataset = dataset or dataset_of(cfg)
    return resolved_for(plain(cfg), len(dataset.names))


def searched_models(cfg: DictConfig) -> dict[str, ModelChoice]:
    """`space.model`'s choices resolved as `model=` is (ConfigError naming space.model)."""
    chosen = (cfg.space.get("model") or {}).get("choices") or []
    found = {}
    for name in chosen:
        try:
            found[str(name)] = resolve_model(str(name), starter=cfg.starter.enabled)
        except ConfigError as err:
            raise ConfigError("space.model", name, err.problem, err.fix) from err
    return found


def _loaded(choice: ModelChoice, starter: dict[str, Any], cache: Path) -> str:
    """What a training of `choice` loads: starter weights (made once, said in one line) when
    they stand in for weights that cannot be had."""
    if not choice.missing:
        return choice.load
    weights = starter_weights(choice.load, starter, cache)
    log.warning(starter_line(choice.missing, choice.load, str(weights), describe(weights)))
    return str(weights)


def budget_of(cfg: DictConfig, dataset: datasets.Dataset, overrides: Sequence[str],
              config: dict[str, Any]) -> Budget:
    """`budget=` for sweep.study.budget_plan, counted from the command's start (Python's own start
    and the starter weights are the user's minutes too). study.n_trials caps the trials only
    when the command line sets it: the budget decides how many run."""
    capped = "study.n_trials" in override_keys(overrides)
    if not capped:
        config["study"]["n_trials"] = TRIAL_CAP
    return {"seconds": parse_seconds(cfg.budget), "asked": str(cfg.budget), "capped": capped,
            "started": psutil.Process().create_time(),
            "devices": len(worker_devices(cfg.workers)),
            "train_images": len(dataset.train), "val_images": len(dataset.val)}
