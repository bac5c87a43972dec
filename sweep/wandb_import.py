"""`python -m sweep.wandb_import`: the command in sweep.cli.wandb_import, kept at the name users
type and scripts hold."""

from sweep.cli.wandb_import import main

if __name__ == "__main__":
    main()  # Hydra's entry: it exits with the command's code itself
