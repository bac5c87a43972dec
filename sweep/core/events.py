"""The events of a sweep (run, trial, epoch, finalist), and firing them so that a hook can never
hurt a sweep.

As with Ultralytics' callbacks, the review (a trial's artifacts, the finalist's) and each
tracker hand back a dict of event name -> function, and sweep fires the events wherever they
happen (main process or worker); sweep.core.plugins finds them by module name, so the stages
that fire events import neither the review nor a tracker.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)


class TrackerUnreachable(RuntimeError):
    """A tracker the run cannot go on without could not be reached: W&B inside a W&B agent,
    whose sweep controller sees only online runs. Unlike any other tracker error, it ends the
    trial (FAIL, with this message as its reason) instead of being warned about."""


# Event name -> where it fires and what it is given.
EVENTS: dict[str, str] = {
    "on_run_start": "main process, before the search: (plan); may settle settings in the plan, "
                    "which the workers then read",
    "on_worker_start": "a worker process, once, before it claims its first trial: (); load "
                       "what the hook needs for every trial (its library, a tracker's "
                       "service), so the first trial does not pay for it",
    "on_trial_start": "worker, once the trial's data subset is built, before training: "
                      "(trial: optuna.Trial, info: dict of params, train, fidelity, model)",
    "on_epoch_end": "worker, after the epoch's value went to Optuna: (trial, epoch: int "
                    "(Optuna's step), value: float, metrics: Ultralytics' losses, metrics, lrs)",
    "on_trial_closing": "the process that closes a trial, just before it is told: (trial: "
                        "optuna.Trial, state: TrialState); the last moment Optuna takes "
                        "artifacts on it",
    "on_trial_end": "the process that closes a trial, once it was told to the study: (frozen: "
                    "FrozenTrial)",
    "on_final_end": "main process, after the finalist trained, before its record is kept: "
                    "(record: dict, plan); a tracker may add keys such as its URL",
    "on_run_end": "main process, after summary.json was written: (summary: dict, plan)",
}

Hook = Callable[..., None]


class Callbacks:
    """Event name -> the hooks' functions (the review's, the trackers'). `fire` runs them all
    and swallows their errors: a hook that fails (no network, quota, a bug in its library) is
    warned about once per process and the trial or sweep goes on."""

    def __init__(self) -> None:
        self.hooks: dict[str, list[Hook]] = {event: [] for event in EVENTS}
        self._warned: set[str] = set()

    def add(self, event: str, fn: Hook) -> None:
        if event not in self.hooks:
            raise ValueError(f"unknown tracker event {event!r}; events are {list(EVENTS)}")
        self.hooks[event].append(fn)

    def fire(self, event: str, *args: Any) -> None:
        for fn in self.hooks[event]:
            try:
                fn(*args)
            except TrackerUnreachable:
                raise  # the one tracker error that fails the trial (a W&B agent's run)
            except Exception as err:  # noqa: BLE001 - a tracker must never fail a trial
                owner = getattr(fn, "__module__", None) or repr(fn)
                if owner not in self._warned:
                    self._warned.add(owner)
                    log.warning("%s failed in %s (%s: %s); going on without it where it "
                                "fails (warned once per process)", owner, event,
                                type(err).__name__, err)
