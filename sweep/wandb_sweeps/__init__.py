"""W&B sweeps: the search space exported as a W&B sweep config, a W&B agent's trial (W&B's
values and stops), the import of a sweep's runs, the launcher that starts one agent per GPU,
and whether W&B can be reached. The commands (`python -m sweep.wandb_sweep`, `sweep.agent`,
`sweep.launch_agents`, `sweep.wandb_import`) are thin entries over these modules.

Owns: W&B's side of a sweep (W&B schedules, sweep records). May import: sweep.core,
sweep.config, sweep.data, sweep.study, sweep.pruning and sweep.run. The trackers
(sweep.tracking) and the pipeline build on it, never the other way round.
"""
