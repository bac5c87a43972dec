"""One trial for a W&B agent (`python -m sweep.agent +experiment=yolo11n [overrides]
space.lr0=0.01 ...`).

`wandb agent` runs the command of the exported sweep config (`sweep.wandb_sweep`), ending in the
values W&B chose as `space.<arg>=<value>` Hydra overrides. This runs exactly one low-fidelity
trial with them, as a search worker would (same subset, fidelity, records and mirror), inside
the agent's W&B run, and records it in the study that `python -m sweep` with the same overrides
opens: the dashboard and `final.only=true` see agent trials. W&B stops a run (its hyperband)
with SIGTERM: the trial ends at once and is recorded as pruned.
"""

from __future__ import annotations

import contextlib
import math
import os
import signal
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import optuna
from hydra.core.override_parser.overrides_parser import OverridesParser
from omegaconf import DictConfig, OmegaConf
from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from optuna.trial import TrialState
from rich.console import Console

from sweep.core.errors import ConfigError
from sweep.core.optuna_api import contains
from sweep.core.record import Attr, Stop
from sweep.wandb_sweeps.export import AGENT_RUN_ENV, PARAM_PREFIX, require_wandb_tracking

LABEL = "wandb-agent"
_REEXPORT = "re-export the sweep config (python -m sweep.wandb_sweep with the same overrides)"


def split_values(cfg: DictConfig, overrides: Sequence[str]) -> tuple[dict[str, Any], list[str]]:
    """The values W&B chose (`space.<arg>=<one value>`) and the overrides that compose the
    study's own config (everything else, in order)."""
    parsed = OverridesParser.create().parse_overrides(list(overrides))
    values: dict[str, Any] = {}
    rest = []
    for text, override in zip(overrides, parsed, strict=True):
        key = override.key_or_group
        arg = key.removeprefix(PARAM_PREFIX)
        plain = not (override.is_add() or override.is_force_add() or override.is_delete())
        if plain and key.startswith(PARAM_PREFIX) and "." not in arg and arg in cfg.space \
                and not OmegaConf.is_config(cfg.space[arg]):
            values[arg] = cfg.space[arg]
        else:
            rest.append(text)
    return values, rest


def _coerce(arg: str, dist: BaseDistribution, value: Any) -> Any:
    """`value` as the distribution holds it (W&B's q-forms give 16.0 for 16), or ConfigError."""
    key = f"{PARAM_PREFIX}{arg}"
    if isinstance(dist, CategoricalDistribution):
        for choice in dist.choices:  # W&B passes str(value): True, None, 16 all arrive as text
            if choice == value or str(choice) == str(value):
                return choice
        raise ConfigError(key, value, f"not one of the sweep's choices {list(dist.choices)}",
                          _REEXPORT)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConfigError(key, value, "must be a number", _REEXPORT)
    if isinstance(dist, IntDistribution):
        if not float(value).is_integer():
            raise ConfigError(key, value, "must be a whole number", _REEXPORT)
        number: float = int(value)
    else:
        assert isinstance(dist, FloatDistribution)
        number = float(value)
        if dist.step is not None:  # snap W&B's float rounding onto Optuna's grid
            number = round(dist.low + round((number - dist.low) / dist.step) * dist.step, 12)
    if not contains(dist, number):
        raise ConfigError(key, value, "outside the searched range", _REEXPORT)
    return number


def trial_params(distributions: Mapping[str, BaseDistribution],
                 values: Mapping[str, Any]) -> dict[str, Any]:
    """One value per searched argument, checked against the study's space."""
    for arg in distributions:
        if arg not in values:
            raise ConfigError(f"{PARAM_PREFIX}{arg}", "(not given)", "W&B gave no value for this "
                              "searched argument", _REEXPORT)
    return {arg: _coerce(arg, dist, values[arg]) for arg, dist in distributions.items()}


@contextlib.contextmanager
def stop_on_sigterm(reason: str) -> Iterator[None]:
    """SIGTERM (what `wandb agent` sends to stop a run) ends the trial at once: StopTrial is
    raised wherever training is; a second SIGTERM during the clean-up is ignored."""
    from sweep.run.trial import StopTrial

    def stop(signum: int, frame: object) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise StopTrial(reason)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def run_agent(cfg: DictConfig, choices: Mapping[str, Any], values: Mapping[str, Any],
              overrides: Sequence[str] = (), console: Console | None = None) -> int:
    """Validate, open the study, run one trial with `values`; return the exit code."""
    from sweep.config.space import to_distributions
    from sweep.core.secrets import redact
    from sweep.pipeline.prepare import prepare
    from sweep.run.claim import ask_trial
    from sweep.run.devices import device_for_ultralytics, physical_device
    from sweep.run.telling import train_and_tell
    from sweep.study.open import open_study

    console = console or Console()
    require_wandb_tracking(cfg)
    os.environ[AGENT_RUN_ENV] = "1"  # the W&B run here is W&B's: online, no fallback
    if cfg.tracking.wandb.mode == "offline":
        console.print("tracking.wandb.mode=offline: this agent's run stays offline, so W&B's "
                      "sweep controller never sees its metric", style="yellow", markup=False)
    # W&B stops agent runs (its hyperband), not the pruner: Ultralytics' early stop
    # (trial.patience) stays, as with pruner=none.
    plan, dataset, callbacks = prepare(cfg, choices, overrides, wait_for_stall=True)
    distributions = to_distributions(plan.config["space"])
    params = trial_params(distributions, values)
    study_dir = Path(plan.study_dir)
    study_dir.mkdir(parents=True, exist_ok=True)
    study = open_study(plan.config, plan.study_name, plan.storage_url, distributions)
    # W&B chose the values and W&B's hyperband stops runs: Optuna only records this trial.
    study.sampler = optuna.samplers.PartialFixedSampler(params, study.sampler)
    study.pruner = optuna.pruners.NopPruner()
    console.print(f"study {plan.study_name} in {redact(plan.storage_url)}: one W&B agent trial "
                  f"with {params}")
    callbacks.fire("on_run_start", plan)  # settles the W&B mode as the main command does
    trial, _ = ask_trial(study, plan, LABEL, callbacks)
    device = device_for_ultralytics()
    outcome = train_and_tell(study, trial, plan, dataset, device, physical_device(device),
                             callbacks, during_training=stop_on_sigterm(Stop.STOPPED_BY_WANDB))
    if outcome is None:
        console.print("interrupted: the trial is recorded as failed")
        return 130
    reason = outcome.attrs.get(Attr.FAIL_REASON)
    console.print(f"trial {trial.number} {outcome.state.name} value={outcome.value} "
                  f"({outcome.attrs.get(Attr.STOP_REASON)}"
                  f"{': ' + str(reason) if reason else ''}); "
                  f"run dir {outcome.attrs[Attr.RUN_DIR]}", markup=False, soft_wrap=True)
    return 1 if outcome.state == TrialState.FAIL else 0
