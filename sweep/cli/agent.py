"""`python -m sweep.agent +experiment=yolo11n [overrides] space.lr0=0.01 ...`: one trial for a W&B
agent (sweep.wandb_sweeps.agent_trial): validated, the study opened, the trial trained and told."""

from __future__ import annotations

import os
import signal
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hydra import compose
from omegaconf import DictConfig, OmegaConf

from sweep.cli.entry import choices, hydra_command, overrides
from sweep.config.locate import CONFIG_NAME
from sweep.config.sizes import with_sizes

if TYPE_CHECKING:
    from rich.console import Console


def study_config(rest: list[str]) -> DictConfig:
    """The config the overrides without W&B's values compose: the same study (name, space) as
    `python -m sweep` and `python -m sweep.wandb_sweep` with the same overrides."""
    return with_sizes(compose(config_name=CONFIG_NAME, overrides=rest), choices(), rest)


def searched(rest: list[str]) -> list[str]:
    """What the export of that study makes W&B parameters: its searched entries."""
    space = study_config(rest).space
    return [arg for arg in space if OmegaConf.is_config(space[arg])]


def run_agent(cfg: DictConfig, choices: Mapping[str, Any], values: Mapping[str, Any],
              overrides: Sequence[str] = (), console: Console | None = None) -> int:
    """Validate, open the study, run one trial with `values`; return the exit code."""
    import optuna
    from optuna.trial import TrialState
    from rich.console import Console

    from sweep.config.space import to_distributions
    from sweep.core.record import Attr, Stop
    from sweep.core.secrets import redact
    from sweep.pipeline.prepare import prepare
    from sweep.run.claim import ask_trial
    from sweep.run.devices import device_for_ultralytics, physical_device
    from sweep.run.telling import train_and_tell
    from sweep.study.open import open_study
    from sweep.wandb_sweeps.agent_trial import LABEL, stop_on_sigterm
    from sweep.wandb_sweeps.export import AGENT_RUN_ENV, require_wandb_tracking
    from sweep.wandb_sweeps.values import trial_params

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
    trial, _ = ask_trial(study, plan, LABEL, callbacks, queued=False)
    device = device_for_ultralytics()
    received: list[int] = []
    outcome = train_and_tell(study, trial, plan, dataset, device, physical_device(device),
                             callbacks, during_training=stop_on_sigterm(Stop.STOPPED_BY_WANDB,
                                                                        received))
    if outcome is None:
        console.print(f"trial {trial.number} interrupted: recorded as failed and queued again "
                      "for the study's next search (python -m sweep with the same overrides)",
                      markup=False, soft_wrap=True)
        return 128 + (received[-1] if received else signal.SIGINT)
    reason = outcome.attrs.get(Attr.FAIL_REASON)
    console.print(f"trial {trial.number} {outcome.state.name} value={outcome.value} "
                  f"({outcome.attrs.get(Attr.STOP_REASON)}"
                  f"{': ' + str(reason) if reason else ''}); "
                  f"run dir {outcome.attrs[Attr.RUN_DIR]}", markup=False, soft_wrap=True)
    return 1 if outcome.state == TrialState.FAIL else 0


def agent(cfg: DictConfig) -> int:
    from sweep.wandb_sweeps.agent_trial import split_values, wandb_parameters

    values, rest = split_values(overrides(), searched, wandb_parameters())
    return run_agent(study_config(rest), choices(), values, rest)


main = hydra_command(agent)

if __name__ == "__main__":
    main()
