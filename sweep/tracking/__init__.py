"""Trackers: mirror a sweep's moments (run, trial, epoch, finalist) to services outside it.

As with Ultralytics' callbacks, a tracker is a module (or package) here whose `callbacks(settings,
plan)` hands back a dict of event name -> function (the events: sweep.core.events.EVENTS), and
sweep fires the events wherever they happen. Each key under `tracking` in the config names one
(`tracking.wandb` -> `sweep.tracking.wandb`), so adding a tracker (MLflow, say) is a new module
here and a file in `conf/tracking/`, with no edits to the worker, the supervisor, the finalist
or the pipeline.

Owns: services outside the sweep. May import: sweep.core, sweep.config, sweep.study,
sweep.wandb_sweeps.export; nothing imports a tracker but the event loader, by name.
"""
