"""Trackers: mirror a sweep's moments (run, trial, epoch, finalist) to services outside it.

As with Ultralytics' callbacks, a tracker is a module that hands back a dict of event name ->
function, and sweep fires the events wherever they happen (main process or worker). Each key
under `tracking` in the config names a module of this package (`tracking.wandb` ->
`sweep.tracking.wandb`), so adding a tracker (MLflow, say) is a new module here and a file in
`conf/tracking/`, with no edits to the worker, the supervisor, the finalist or the app.
"""

from sweep.tracking.events import EVENTS, Callbacks, load_callbacks

__all__ = ["EVENTS", "Callbacks", "load_callbacks"]
