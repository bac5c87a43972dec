"""Where a sweep's hooks come from, found by module name as a plugin registry finds them: the
modules under `plugins.hooks` (sweep's review: `sweep.review.hooks`), then one tracker per key
under `tracking`, in the package `plugins.trackers` (`tracking.wandb` -> `sweep.tracking.wandb`).
The names are configuration (conf/config.yaml), so this floor names no module above it."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType
from typing import Any

from sweep.core.errors import ConfigError
from sweep.core.events import Callbacks


def load_hooks(plan: Any) -> Callbacks:
    """Every hook of a sweep: `plugins.hooks`', then the trackers' (load_callbacks). `plan`: a
    sweep.config.plan.Plan."""
    callbacks = Callbacks()
    for name in plan.config["plugins"]["hooks"]:
        module = _module(name, "plugins.hooks", plan.config["plugins"]["hooks"],
                         "name modules that have callbacks(settings, plan)")
        for event, fn in module.callbacks({}, plan).items():
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
    package = str(plan.config["plugins"]["trackers"])
    for name, settings in (plan.config.get("tracking") or {}).items():
        module = _module(f"{package}.{name}", f"tracking.{name}", settings,
                         f"remove it with ~tracking.{name}; trackers: {trackers(package)}")
        for event, fn in module.callbacks(dict(settings or {}), plan).items():
            callbacks.add(event, fn)
    return callbacks


def _module(name: str, key: str, value: Any, fix: str) -> ModuleType:
    """The module `name`, or a ConfigError on `key` when there is none."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as err:
        if err.name is None or not name.startswith(err.name):
            raise  # the module exists, and something it imports does not
        what = "no such tracker" if key.startswith("tracking.") else f"no module {name}"
        raise ConfigError(key, value, what, fix) from err


def trackers(package: str) -> list[str]:
    """The tracker modules and packages of `package` (plugins.trackers)."""
    found = importlib.import_module(package)
    return sorted(m.name for m in pkgutil.iter_modules(found.__path__))
