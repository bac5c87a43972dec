"""`python -m sweep.wandb_sweep +experiment=yolo11n [overrides] > sweep.yaml`: the composed search
space as a W&B sweep config (sweep.wandb_sweeps.export), for `wandb sweep sweep.yaml`."""

from __future__ import annotations

import sys

import yaml
from omegaconf import DictConfig

from sweep.cli.entry import choices, hydra_command, overrides


def export(cfg: DictConfig) -> int:
    from sweep.config.validate import validate
    from sweep.pipeline.prepare import config_for
    from sweep.study.naming import study_name
    from sweep.wandb_sweeps.export import safe_overrides, sweep_config

    validate(cfg)
    name = study_name(cfg, choices())
    # ranges relative to the defaults in numbers for this data, as the study's own trials get them
    config = sweep_config(config_for(cfg), overrides(), name)
    for note in safe_overrides(overrides())[1]:
        print(f"note: {note}", file=sys.stderr)
    if cfg.study.max_latency_ms is not None:
        print(f"note: W&B's sweep optimises {cfg.study.metric} alone and does not enforce "
              f"study.max_latency_ms={cfg.study.max_latency_ms}: agent trials record their "
              "latency in the study, where final.only=true retrains the best within it",
              file=sys.stderr)
    sys.stdout.write(f"# W&B sweep for study {name}: wandb sweep <this file>, then wandb agent "
                     "<sweep id>\n")
    sys.stdout.write(yaml.safe_dump(config, sort_keys=False))
    return 0


main = hydra_command(export)

if __name__ == "__main__":
    main()
