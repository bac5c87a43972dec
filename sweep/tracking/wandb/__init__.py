"""Weights & Biases mirror: one W&B run per trial, one for the finalist.

Trials: group = study name, job_type `trial`, name `trial-NNNN`; config = sampled parameters,
fixed train arguments, fidelity and the Optuna trial; one history row per epoch (step = Optuna's
step); a summary with the final state. The finalist: job_type `final`, its per-epoch history from
Ultralytics' results.csv, its metrics, plots and `best.pt` as a model artifact.

The mode is settled once, in the main process, and handed to the workers in their environment
(MODE_ENV): `auto` is online when a key is configured and W&B answers within PROBE_SECONDS, else
offline under `<study dir>/wandb` for `wandb sync` later. An
online `wandb.init` that still fails in a worker (bad key, quota, a network that drops) moves
that process to offline, once. No API key or database URL is put in any run: configs are built
here from named parts, and wandb's system metadata (which holds the command line) is off.
"""

from __future__ import annotations

import importlib.util
import os
from typing import TYPE_CHECKING, Any

from sweep.core.errors import ConfigError
from sweep.core.record import WANDB_SWEEP_ATTR as SWEEP_ATTR
from sweep.tracking.wandb.run_mirror import WandbMirror, study_sweep_id
from sweep.wandb_sweeps.export import AGENT_RUN_ENV
from sweep.wandb_sweeps.reach import MODE_ENV, MODES, base_url, key_configured, resolve_mode, say
from sweep.wandb_sweeps.sweep_ids import FORMS, parse_sweep

if TYPE_CHECKING:
    from sweep.config.plan import Plan
    from sweep.core.events import Hook

__all__ = ["MODES", "MODE_ENV", "SWEEP_ATTR", "WandbMirror", "callbacks", "check",
           "parse_sweep", "resolve_mode", "study_sweep_id"]


def check(settings: dict[str, Any]) -> None:
    """Refuse bad `tracking.wandb.*` values before anything starts."""
    mode = settings.get("mode")
    if mode not in MODES:
        raise ConfigError("tracking.wandb.mode", mode, "unknown mode", f"use one of {list(MODES)}")
    if not isinstance(settings.get("project"), str) or not settings["project"]:
        raise ConfigError("tracking.wandb.project", settings.get("project"),
                          "must be a non-empty name", "set tracking.wandb.project=my-project")
    if settings.get("entity") is not None and not isinstance(settings["entity"], str):
        raise ConfigError("tracking.wandb.entity", settings["entity"], "must be a name or null",
                          "set tracking.wandb.entity=my-team, or null for the key's default")
    tags = settings.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise ConfigError("tracking.wandb.tags", tags, "must be a list of strings",
                          "set tracking.wandb.tags=[a,b]")
    sweep = settings.get("sweep")
    if sweep is not None and sweep != "auto":
        try:
            if isinstance(sweep, bool) or not isinstance(sweep, str | int):
                raise ValueError(sweep)
            parse_sweep(str(sweep))
        except ValueError as err:
            raise ConfigError("tracking.wandb.sweep", sweep, f"must be auto, null or {FORMS}",
                              "paste the id or path `wandb sweep` printed, or the sweep page's "
                              "URL; or set tracking.wandb.sweep=auto (or null)") from err
    for key, default in (("init_timeout", 15), ("agent_init_timeout", 90)):
        timeout = settings.get(key)
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
            raise ConfigError(f"tracking.wandb.{key}", timeout, "must be seconds > 0",
                              f"set tracking.wandb.{key}={default}")
    if mode in ("online", "offline") and importlib.util.find_spec("wandb") is None:
        raise ConfigError("tracking.wandb.mode", mode, "the wandb package is not installed",
                          "pip install wandb, or set tracking.wandb.mode=disabled")


def callbacks(settings: dict[str, Any], plan: Plan) -> dict[str, Hook]:
    """The mirror's event functions (none when disabled, or when wandb is missing in auto)."""
    check(settings)
    if settings["mode"] == "disabled":
        return {}
    if importlib.util.find_spec("wandb") is None:  # auto: mirror when possible, never required
        say("the wandb package is not installed, so trials are not mirrored "
             "(pip install wandb, or tracking.wandb.mode=disabled to silence this)")
        return {}
    # wandb's own error reports to W&B (OpenTelemetry) are flushed at interpreter exit; after an
    # online init failed against a server that does not answer, that flush held each process
    # ~12 s at exit (measured). Off unless the user turned it on explicitly.
    os.environ.setdefault("WANDB_ERROR_REPORTING", "false")
    if os.environ.get(AGENT_RUN_ENV) and settings["mode"] in ("auto", "online") \
            and not key_configured(base_url()):
        raise ConfigError("tracking.wandb.mode", settings["mode"], "a W&B agent's run must be "
                          "online, and no W&B API key is configured here",
                          "set WANDB_API_KEY or run `wandb login` on this machine (or "
                          "tracking.wandb.mode=offline, which W&B's sweep controller never sees)")
    mirror = WandbMirror(settings, plan)
    return {"on_run_start": mirror.on_run_start, "on_worker_start": mirror.on_worker_start,
            "on_trial_start": mirror.on_trial_start, "on_epoch_end": mirror.on_epoch_end,
            "on_trial_closing": mirror.on_trial_closing, "on_trial_end": mirror.on_trial_end,
            "on_final_end": mirror.on_final_end, "on_run_end": mirror.on_run_end}
