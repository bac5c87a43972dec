"""`python -m sweep.dashboard`: the command in sweep.cli.dashboard, kept at the name users
type and scripts hold."""

from sweep.cli.dashboard import main

if __name__ == "__main__":
    main()  # Hydra's entry: it exits with the command's code itself
