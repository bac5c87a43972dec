"""Ranges relative to Ultralytics' defaults: `space.<arg>: {times_default: [a, b], low, high, log}`
searches `a` to `b` times the value a run without tuning would use on this data; a `low` or
`high` given as a number (`space.lr0.high=0.05`) is that bound itself.

Why: Ultralytics' default learning rate depends on the data (`optimizer=auto` fine-tunes with
AdamW at 0.002 x 5 / (4 + classes): 0.0014 for 3 classes, 0.00012 for 80), so a fixed lr0 range
sits around the defaults for one number of classes and misses them for another, and the
baseline trial (sweep.config.baseline) is then clipped into a range that does not hold it. The
range is resolved into plain numbers once the data is known (the plan), so the study, its
workers, the race and an exported W&B sweep all see the same ordinary `{low, high}` range.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sweep.config.baseline import baseline_params, ultralytics_defaults
from sweep.config.space import to_distributions
from sweep.core.errors import ConfigError

RELATIVE = "times_default"
_KEYS = {RELATIVE, "low", "high", "log"}


def is_relative(spec: Any) -> bool:
    """An entry with a bound still in multiples (with both bounds given as numbers, or with
    `times_default: null`, it is a plain range)."""
    return (isinstance(spec, Mapping) and spec.get(RELATIVE) is not None
            and (spec.get("low") is None or spec.get("high") is None))


def plain_entries(space: Mapping[str, Any]) -> dict[str, Any]:
    """The entries that are already plain ranges or choices (no data needed to check them)."""
    return {name: ({k: v for k, v in spec.items() if k != RELATIVE}
                   if isinstance(spec, Mapping) else spec)
            for name, spec in space.items() if not is_relative(spec)}


def check_relative(name: str, spec: Mapping[str, Any], default: Any) -> None:
    """Two positive multiples, the lower first; only `low`, `high` and `log` beside them; the
    argument's default a positive number."""
    key = f"space.{name}"
    others = set(spec) - _KEYS
    if others:
        raise ConfigError(key, dict(spec), f"a range in {RELATIVE} takes only low, high and log "
                          f"beside it, not {sorted(others)}",
                          f"remove {sorted(others)}, or give plain values: ~{key} "
                          f"'+{key}={{low:..,high:..}}'")
    pair = spec[RELATIVE]
    if (not isinstance(pair, list | tuple) or len(pair) != 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) and v > 0
                       for v in pair) or pair[0] >= pair[1]):
        raise ConfigError(f"{key}.{RELATIVE}", pair, "must be two positive multiples, the "
                          "lower first", f"e.g. {key}.{RELATIVE}=[0.5,4]")
    for bound in ("low", "high"):
        value = spec.get(bound)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)
                                  or (spec.get("log") and value <= 0)):
            raise ConfigError(f"{key}.{bound}", value, "must be a number (above 0 in a "
                              "log-scaled range)", f"set {key}.{bound} to a positive number")
    if not isinstance(default, int | float) or isinstance(default, bool) or default <= 0:
        raise ConfigError(f"{key}.{RELATIVE}", list(pair), f"Ultralytics' default for '{name}' "
                          f"is {default!r}, not a positive number to multiply",
                          f"give plain values: ~{key} '+{key}={{low:..,high:..}}'")


def resolve_space(space: Mapping[str, Any], defaults: Mapping[str, Any]) -> dict[str, Any]:
    """`space` with every relative range in plain numbers: each bound not given as a number is
    its multiple times `defaults[name]` (sweep.config.baseline.ultralytics_defaults)."""
    resolved = plain_entries(space)
    for name, spec in space.items():
        if not is_relative(spec):
            continue
        check_relative(name, spec, defaults.get(name))
        base = float(defaults[name])
        low, high = (spec.get(bound) if spec.get(bound) is not None else _round(multiple * base)
                     for bound, multiple in zip(("low", "high"), spec[RELATIVE], strict=True))
        resolved[name] = {"low": low, "high": high, "log": bool(spec.get("log"))}
    return resolved


def resolved_for(config: dict[str, Any], num_classes: int) -> dict[str, Any]:
    """The composed `config` with its space in plain numbers for data of `num_classes` (the
    defaults as a run of `config["train"]` without tuning would take them)."""
    defaults = ultralytics_defaults(num_classes, config["train"])
    return {**config, "space": resolve_space(config["space"], defaults)}


def space_baseline(space: Mapping[str, Any], num_classes: int) -> dict[str, Any]:
    """The baseline of a space as conf/ writes it, resolved for data of `num_classes`: for tools
    that have a space file but no plan (bench_fidelity trains sweep's baseline trial alone)."""
    resolved = resolve_space(space, ultralytics_defaults(num_classes))
    return baseline_params(to_distributions(resolved), num_classes)


def _round(value: float) -> float:
    return float(f"{value:.3g}")  # a range a user can read back (0.000357, not 0.00035725)
