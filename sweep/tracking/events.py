"""The events a tracker can follow, and firing them so that a tracker can never hurt a sweep."""

from __future__ import annotations

import importlib
import logging
import pkgutil
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sweep.errors import ConfigError

if TYPE_CHECKING:
    from sweep.plan import Plan

log = logging.getLogger(__name__)

# Event name -> where it fires and what it is given.
EVENTS: dict[str, str] = {
    "on_run_start": "main process, before the search: (plan); may settle settings in the plan, "
                    "which the workers then read",
    "on_trial_start": "worker, once the trial's data subset is built, before training: "
                      "(trial: optuna.Trial, info: dict of params, train, fidelity, model)",
    "on_epoch_end": "worker, after the epoch's value went to Optuna: (trial, epoch: int "
                    "(Optuna's step), value: float, metrics: Ultralytics' losses, metrics, lrs)",
    "on_trial_end": "worker, after the trial was told to the study: (frozen: FrozenTrial)",
    "on_final_end": "main process, after the finalist trained, before its record is kept: "
                    "(record: dict, plan); a tracker may add keys such as its URL",
    "on_run_end": "main process, after summary.json was written: (summary: dict, plan)",
}

Hook = Callable[..., None]


class Callbacks:
    """Event name -> the trackers' functions. `fire` runs them all and swallows their errors:
    a tracker that fails (no network, quota, a bug in its library) is warned about once per
    process and the trial or sweep goes on."""

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
            except Exception as err:  # noqa: BLE001 - a tracker must never fail a trial
                owner = getattr(fn, "__module__", None) or repr(fn)
                if owner not in self._warned:
                    self._warned.add(owner)
                    log.warning("%s failed in %s (%s: %s); going on without it where it "
                                "fails (warned once per process)", owner, event,
                                type(err).__name__, err)


def load_callbacks(plan: Plan) -> Callbacks:
    """The callbacks of every tracker named under `tracking` in the plan's config.

    Each tracker module has `callbacks(settings, plan) -> dict[event, function]`; it checks its
    settings there and raises ConfigError for bad ones, so the main process (which loads them
    before any training) refuses a bad tracker config up front.
    """
    callbacks = Callbacks()
    for name, settings in (plan.config.get("tracking") or {}).items():
        try:
            module = importlib.import_module(f"sweep.tracking.{name}")
        except ModuleNotFoundError as err:
            raise ConfigError(f"tracking.{name}", settings, "no such tracker",
                              f"remove it with ~tracking.{name}; trackers: {trackers()}") from err
        for event, fn in module.callbacks(dict(settings or {}), plan).items():
            callbacks.add(event, fn)
    return callbacks


def trackers() -> list[str]:
    """The tracker modules of this package (every module but this one)."""
    from sweep import tracking

    return sorted(m.name for m in pkgutil.iter_modules(tracking.__path__) if m.name != "events")
