"""`python -m sweep.launch_agents SWEEP_ID [--count N] [overrides budget=11h]`: one `wandb agent`
per visible GPU (sweep.wandb_sweeps.launch); with `budget=`, the agents stop taking runs in time
for the finale."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from sweep.core.errors import ConfigError
from sweep.run.devices import visible_gpus
from sweep.wandb_sweeps import launch
from sweep.wandb_sweeps.stops import fallback_line, problems
from sweep.wandb_sweeps.sweep_ids import FORMS, parse_sweep


def budget_watch(overrides: Sequence[str]) -> Callable[[], str | None] | None:
    """With `budget=` among the overrides: the study they name, checked as the main command's
    search checks it (sweep.study.budget_plan), saying why once no further trial fits; None
    without a budget. The overrides are validated here, before any agent starts."""
    from hydra import compose, initialize_config_dir
    from omegaconf import open_dict

    from sweep.config.locate import CONFIG_NAME, config_dir
    from sweep.config.sizes import with_sizes
    from sweep.config.space import to_distributions
    from sweep.pipeline.prepare import prepare
    from sweep.study.budget_plan import another_trial_fits
    from sweep.study.open import open_study
    from sweep.wandb_sweeps.sweep_ids import hydra_args

    overrides = hydra_args(overrides)
    with initialize_config_dir(version_base="1.3", config_dir=str(config_dir())):
        cfg = compose(config_name=CONFIG_NAME, overrides=list(overrides),
                      return_hydra_config=True)
    choices = dict(cfg.hydra.runtime.choices)
    with open_dict(cfg):
        del cfg["hydra"]
    cfg = with_sizes(cfg, choices, overrides)
    if cfg.budget is None:
        return None
    plan, _, _ = prepare(cfg, choices, overrides)
    budget = plan.budget
    assert budget is not None
    study = open_study(plan.config, plan.study_name, plan.storage_url,
                       to_distributions(plan.config["space"]))

    def no_trial_fits() -> str | None:
        trials = study.get_trials(deepcopy=False)
        if another_trial_fits(trials, plan.config, budget, None, time.time()):
            return None
        return (f"budget {budget['asked']}: another trial would eat into what the race and "
                "the finalist need")

    return no_trial_fits


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sweep.launch_agents",
                                     description=str(launch.__doc__).split("\n\n")[1])
    parser.add_argument("sweep_id", help="as `wandb sweep` printed it (entity/project/id), the "
                        "bare id, or the sweep page's URL")
    parser.add_argument("overrides", nargs="*", help="the overrides the sweep was exported "
                        "with, and budget=11h: the agents stop taking runs in time for the "
                        "finale (python -m sweep final.only=true in what is left)")
    parser.add_argument("--count", type=int, default=None,
                        help="runs per agent (default: until the sweep ends)")
    parser.add_argument("--gpus", default=None,
                        help="GPU indices, e.g. 0,1 (default: CUDA_VISIBLE_DEVICES or all), or "
                        "cpu: one agent without a GPU")
    parser.add_argument("--stagger", type=float, default=10.0,
                        help="seconds between agent starts (default 10)")
    parser.add_argument("--logs", type=Path, default=Path("agent-logs"),
                        help="folder for agent-gpuN.log (default agent-logs)")
    args = parser.parse_intermixed_args(argv)
    if args.count is not None and args.count < 1:
        parser.error("--count must be at least 1")
    try:
        sweep = str(parse_sweep(args.sweep_id))  # what `wandb agent` takes
    except ValueError:
        print(f"error: sweep_id={args.sweep_id!r}: not {FORMS}. Fix: paste what `wandb sweep` "
              "printed, or the sweep page's URL", file=sys.stderr)
        return 2
    gpus = [launch.CPU] if args.gpus == launch.CPU else visible_gpus(args.gpus)
    if not gpus:
        print("error: no GPU found (CUDA_VISIBLE_DEVICES, nvidia-smi). Fix: pass --gpus 0,1, "
              "or on a CPU machine run one agent: python -m sweep.launch_agents "
              f"{sweep} --gpus cpu", file=sys.stderr)
        return 2
    try:
        watch = budget_watch(args.overrides) if args.overrides else None
    except ConfigError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    found = problems()
    if found:
        print(f"note: {fallback_line(found)}", flush=True)
    return launch.launch(sweep, gpus, args.count, args.stagger, args.logs,
                         mark_stops=not found, no_trial_fits=watch)


if __name__ == "__main__":
    sys.exit(main())
