"""W&B sweeps: the search space exported as a W&B sweep config, the one trial a W&B agent runs,
and the launcher that starts one agent per GPU. The commands (`python -m sweep.wandb_sweep`,
`sweep.agent`, `sweep.launch_agents`) are thin entries over these modules.

Owns: W&B's side of a sweep (W&B schedules, sweep records). May import: sweep.core,
sweep.config, sweep.data, sweep.study, sweep.run and sweep.pipeline.prepare (an agent trial is
validated as the main command is).
"""
