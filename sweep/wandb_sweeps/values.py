"""The values W&B gives a run (`space.<arg>` in its command line or its config), checked against
the study's space and turned into the types its distributions hold: an agent's trial and an
imported run go through the same check."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)

from sweep.core.errors import ConfigError
from sweep.core.optuna_api import contains
from sweep.wandb_sweeps.export import PARAM_PREFIX

_REEXPORT = "re-export the sweep config (python -m sweep.wandb_sweep with the same overrides)"


def _coerce(arg: str, dist: BaseDistribution, value: Any) -> Any:
    """`value` as the distribution holds it (W&B's q-forms give 16.0 for 16), or ConfigError."""
    key = f"{PARAM_PREFIX}{arg}"
    if isinstance(dist, CategoricalDistribution):
        for choice in dist.choices:  # W&B passes str(value): True, None, 16 all arrive as text
            if choice == value or str(choice) == str(value):
                return choice
        raise ConfigError(key, value, f"not one of the sweep's choices {list(dist.choices)}",
                          _REEXPORT)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConfigError(key, value, "must be a number", _REEXPORT)
    if isinstance(dist, IntDistribution):
        if not float(value).is_integer():
            raise ConfigError(key, value, "must be a whole number", _REEXPORT)
        number: float = int(value)
    else:
        assert isinstance(dist, FloatDistribution)
        number = float(value)
        if dist.step is not None:  # snap W&B's float rounding onto Optuna's grid
            number = round(dist.low + round((number - dist.low) / dist.step) * dist.step, 12)
    if not contains(dist, number):
        raise ConfigError(key, value, "outside the searched range", _REEXPORT)
    return number


def trial_params(distributions: Mapping[str, BaseDistribution],
                 values: Mapping[str, Any]) -> dict[str, Any]:
    """One value per searched argument, checked against the study's space."""
    for arg in distributions:
        if arg not in values:
            raise ConfigError(f"{PARAM_PREFIX}{arg}", "(not given)", "W&B gave no value for this "
                              "searched argument", _REEXPORT)
    return {arg: _coerce(arg, dist, values[arg]) for arg, dist in distributions.items()}
