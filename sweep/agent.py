"""`python -m sweep.agent`: a W&B agent's one trial (sweep.cli.agent), kept at this name, the
`program` of every exported W&B sweep (sweep.wandb_sweeps.export.AGENT_MODULE)."""

from sweep.cli.agent import main

if __name__ == "__main__":
    main()  # Hydra's entry: it exits with the command's code itself
