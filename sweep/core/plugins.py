"""Where a sweep's hooks come from, found by module name as a plugin registry finds them: the
review's (`sweep.review.hooks`), then one tracker per key under `tracking`
(`tracking.wandb` -> `sweep.tracking.wandb`)."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

from sweep.core.errors import ConfigError
from sweep.core.events import Callbacks

# Hooks every sweep has, before the trackers: the review keeps artifacts with the study.
BUILTIN_HOOKS = "sweep.review.hooks"
TRACKERS_PACKAGE = "sweep.tracking"


def load_hooks(plan: Any) -> Callbacks:
    """Every hook of a sweep: the review's, then the trackers' (load_callbacks). `plan`: a
    sweep.config.plan.Plan."""
    callbacks = Callbacks()
    for event, fn in importlib.import_module(BUILTIN_HOOKS).callbacks({}, plan).items():
        callbacks.add(event, fn)
    return load_callbacks(plan, callbacks)


def load_callbacks(plan: Any, callbacks: Callbacks | None = None) -> Callbacks:
    """The callbacks of every tracker named under `tracking` in the plan's config, added to
    `callbacks` (else to none).

    Each tracker module has `callbacks(settings, plan) -> dict[event, function]`; it checks its
    settings there and raises ConfigError for bad ones, so the main process (which loads them
    before any training) refuses a bad tracker config up front.
    """
    callbacks = callbacks or Callbacks()
    for name, settings in (plan.config.get("tracking") or {}).items():
        try:
            module = importlib.import_module(f"{TRACKERS_PACKAGE}.{name}")
        except ModuleNotFoundError as err:
            raise ConfigError(f"tracking.{name}", settings, "no such tracker",
                              f"remove it with ~tracking.{name}; trackers: {trackers()}") from err
        for event, fn in module.callbacks(dict(settings or {}), plan).items():
            callbacks.add(event, fn)
    return callbacks


def trackers() -> list[str]:
    """The tracker modules and packages of sweep.tracking."""
    package = importlib.import_module(TRACKERS_PACKAGE)
    return sorted(m.name for m in pkgutil.iter_modules(package.__path__))
