"""`python -m sweep.wandb_sweep`: the command in sweep.cli.wandb_sweep, kept at the name users
type and scripts hold."""

from sweep.cli.wandb_sweep import main

if __name__ == "__main__":
    main()  # Hydra's entry: it exits with the command's code itself
