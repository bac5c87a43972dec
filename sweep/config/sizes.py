"""Which sizes a run trains at: the embedded default's for `shapes`, Ultralytics' own for the
user's data (`sizes=auto`, conf/sizes/). Hydra composes the chosen sizes; this only decides
`auto`, by composing again with `sizes=real` so that every later group (debug=smoke) and the
command line's overrides still win over it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from hydra import compose
from omegaconf import DictConfig

from sweep.config.locate import CONFIG_NAME
from sweep.config.overrides import override_keys

EMBEDDED_DATA = "shapes"


def chosen_sizes(choices: Mapping[str, Any], data: object) -> str | None:
    """`demo` or `real` (what `auto` means for `data`), or None where the config has no sizes
    group (a best.yaml composed on its own)."""
    choice = choices.get("sizes")
    if choice != "auto":
        return None if choice is None else str(choice)
    return "demo" if str(data) == EMBEDDED_DATA else "real"


def with_sizes(cfg: DictConfig, choices: Mapping[str, Any], overrides: Sequence[str]
               ) -> DictConfig:
    """`cfg` composed again with `sizes=real` when `sizes=auto` means it; else `cfg`."""
    if choices.get("sizes") != "auto" or chosen_sizes(choices, cfg.get("data")) != "real":
        return cfg
    kept = [o for o, key in zip(overrides, override_keys(overrides), strict=True)
            if key != "sizes"]
    return compose(config_name=CONFIG_NAME, overrides=[*kept, "sizes=real"])


def sizes_reason(choices: Mapping[str, Any], data: object) -> str:
    """Why the run trains at its sizes, for its first lines."""
    chosen, asked = chosen_sizes(choices, data), choices.get("sizes")
    if chosen == "real":
        why = "your own data" if asked == "auto" else "sizes=real"
        return f"Ultralytics' own sizes ({why}: conf/sizes/real.yaml; sizes=demo for the demo's)"
    if chosen == "demo":
        why = "data=shapes" if asked == "auto" else "sizes=demo"
        return f"the embedded default's sizes ({why}: conf/config.yaml)"
    return "the config's sizes"
