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


def test_hooks_are_the_modules_plugins_hooks_names_in_order(
        compose_cfg: Callable[..., DictConfig], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A user's own hook module joins sweep's by name; a name that is no module is refused
    naming plugins.hooks."""
    from sweep.core.plugins import load_hooks

    (tmp_path / "my_hooks.py").write_text(
        "def callbacks(settings, plan):\n    return {'on_run_start': lambda plan: None}\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    cfg = compose_cfg("tracking=[]", "plugins.hooks=[sweep.review.hooks,my_hooks]")
    callbacks = load_hooks(plan_for(cfg, tmp_path))
    assert [fn.__module__ for fn in callbacks.hooks["on_run_start"]][-1] == "my_hooks"
    with pytest.raises(ConfigError) as info:
        load_hooks(plan_for(compose_cfg("plugins.hooks=[no_such_hooks]"), tmp_path))
    assert info.value.key == "plugins.hooks" and "no module no_such_hooks" in str(info.value)
