"""The checks on `latency.*` and `study.max_latency_ms`: one line naming the key and the fix,
before any training."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sweep.config.latency import FORMAT_NEEDS, missing_packages, wanted
from sweep.core.errors import ConfigError


def validate_latency(config: Mapping[str, Any]) -> None:
    """One ConfigError for the first problem, before any training."""
    latency, limit = config["latency"], config["study"].get("max_latency_ms")
    if latency["measure"] not in (True, False, "auto"):
        raise ConfigError("latency.measure", latency["measure"], "must be true, false or auto",
                          "set latency.measure=auto (measured when study.max_latency_ms is set)")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int | float)
                              or limit <= 0):
        raise ConfigError("study.max_latency_ms", limit, "must be milliseconds > 0 or null",
                          "set study.max_latency_ms=20, or null for no limit")
    if limit is not None and latency["measure"] is False:
        raise ConfigError("study.max_latency_ms", limit, "a limit on a latency that is not "
                          "measured (latency.measure=false)",
                          "set latency.measure=auto (or true), or study.max_latency_ms=null")
    if not wanted(config):
        return
    fmt = latency["format"]
    if fmt not in FORMAT_NEEDS:
        raise ConfigError("latency.format", fmt, "not a format sweep can time",
                          f"use one of {list(FORMAT_NEEDS)}")
    missing = missing_packages(fmt)
    if missing:
        raise ConfigError("latency.format", fmt, f"needs {', '.join(missing)}, not installed "
                          "here", f"pip install {' '.join(missing)}, or set latency.format=torch")
    device = latency["device"]
    if device != "cpu" and (isinstance(device, bool) or not isinstance(device, int)
                            or device < 0):
        raise ConfigError("latency.device", device, "must be cpu or a GPU index",
                          "set latency.device=cpu (or 0 for the first GPU)")
    for key in ("threads", "repeats", "rounds"):
        value = latency[key]
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"latency.{key}", value, "must be a whole number >= 1",
                              f"set latency.{key}=1" if key == "threads" else
                              f"set latency.{key}=20" if key == "repeats" else
                              f"set latency.{key}=5")
    warmup = latency["warmup"]
    if isinstance(warmup, bool) or not isinstance(warmup, int) or warmup < 0:
        raise ConfigError("latency.warmup", warmup, "must be a whole number >= 0",
                          "set latency.warmup=5")
