"""The composed config as every stage reads it: plain dicts and lists, interpolations resolved
(what a Plan holds as `config`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from omegaconf import DictConfig, OmegaConf


def plain(cfg: DictConfig | Mapping[str, Any]) -> dict[str, Any]:
    """`cfg` (the whole config or one of its sections) resolved into a plain dict; a plain
    mapping is copied as it is."""
    if not OmegaConf.is_config(cfg):
        return dict(cfg)
    container = OmegaConf.to_container(cfg, resolve=True)
    if not isinstance(container, dict):
        raise TypeError(f"a config section, not {type(container).__name__}")
    return cast(dict[str, Any], container)
