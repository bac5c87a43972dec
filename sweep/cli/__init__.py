"""The commands besides the sweep itself (`python -m sweep`: sweep/__main__.py, Python's own
place for it): `sweep.agent` (a W&B agent's one trial), `sweep.wandb_sweep` (the export),
`sweep.launch_agents`, `sweep.wandb_import` and `sweep.dashboard`, each a thin entry over one
Hydra wrapper (entry.py) that __main__ shares. `python -m sweep.<name>` runs the module of that
name at the package's root, which hands over to the one here: those names are what users type,
notebooks hold and every exported W&B sweep runs (`sweep.agent`).

Owns: the command line. May import every subpackage; no subpackage imports it.
"""
