"""`python -m sweep.agent +experiment=yolo11n [overrides] space.lr0=0.01 ...`: one trial for a W&B
agent (sweep.wandb_sweeps.agent)."""

from __future__ import annotations

from hydra import compose
from omegaconf import DictConfig

from sweep.config.locate import CONFIG_NAME
from sweep.config.sizes import with_sizes
from sweep.entry import choices, hydra_command, overrides


def agent(cfg: DictConfig) -> int:
    from sweep.wandb_sweeps.agent import run_agent, split_values

    values, rest = split_values(cfg, overrides())
    # The study's config is the one without W&B's values: the same study (name, space) as
    # `python -m sweep` and `python -m sweep.wandb_sweep` with the same overrides.
    study_cfg = with_sizes(compose(config_name=CONFIG_NAME, overrides=rest), choices(), rest)
    return run_agent(study_cfg, choices(), values, rest)


main = hydra_command(agent)

if __name__ == "__main__":
    main()
