"""Hooks found by module name: the review's, then the configured trackers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from omegaconf import DictConfig

from sweep.core.errors import ConfigError
from sweep.core.plugins import load_callbacks
from sweep.testing.fakes import plan_for


def test_unknown_tracker_is_a_config_error(compose_cfg: Callable[..., DictConfig],
                                           tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_callbacks(plan_for(compose_cfg(), tmp_path, nope={}))
    assert info.value.key == "tracking.nope" and "wandb" in info.value.fix


def test_no_trackers(compose_cfg: Callable[..., DictConfig], tmp_path: Path) -> None:
    callbacks = load_callbacks(plan_for(compose_cfg("tracking=[]"), tmp_path))
    assert not any(callbacks.hooks.values())
