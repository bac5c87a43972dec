"""`python -m sweep.agent +experiment=yolo11n [overrides] space.lr0=0.01 ...`: one trial for a W&B
agent (sweep.wandb_sweeps.agent)."""

from __future__ import annotations

from hydra import compose
from omegaconf import DictConfig, OmegaConf

from sweep.config.locate import CONFIG_NAME
from sweep.config.sizes import with_sizes
from sweep.entry import choices, hydra_command, overrides


def study_config(rest: list[str]) -> DictConfig:
    """The config the overrides without W&B's values compose: the same study (name, space) as
    `python -m sweep` and `python -m sweep.wandb_sweep` with the same overrides."""
    return with_sizes(compose(config_name=CONFIG_NAME, overrides=rest), choices(), rest)


def searched(rest: list[str]) -> list[str]:
    """What the export of that study makes W&B parameters: its searched entries."""
    space = study_config(rest).space
    return [arg for arg in space if OmegaConf.is_config(space[arg])]


def agent(cfg: DictConfig) -> int:
    from sweep.wandb_sweeps.agent import run_agent, split_values, wandb_parameters

    values, rest = split_values(overrides(), searched, wandb_parameters())
    return run_agent(study_config(rest), choices(), values, rest)


main = hydra_command(agent)

if __name__ == "__main__":
    main()
