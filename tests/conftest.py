"""Shared fixtures: the real composed config, and the environment for real sweep commands."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from omegaconf import DictConfig

ROOT = Path(__file__).resolve().parents[1]
CONF = ROOT / "conf"
FIXTURES = ROOT / "tests" / "fixtures"
BCCD = FIXTURES / "bccd" / "data.yaml"  # 12 train / 4 val real images, MIT (PROVENANCE.md)


@pytest.fixture
def compose_cfg(tmp_path: Path) -> Iterator[Callable[..., DictConfig]]:
    """Compose conf/ exactly as the command line would, with outputs under tmp_path."""

    def _compose(*overrides: str) -> DictConfig:
        GlobalHydra.instance().clear()
        with initialize_config_dir(version_base="1.3", config_dir=str(CONF)):
            return compose("config", overrides=[f"paths.root={tmp_path / 'out'}", *overrides],
                           return_hydra_config=False)

    yield _compose
    GlobalHydra.instance().clear()


@pytest.fixture(scope="session")
def sweep_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment for `python -m sweep` subprocesses: offline, quiet, caches kept in tmp."""
    home = tmp_path_factory.mktemp("home")
    # Ultralytics switches its integrations off when it sees pytest (PYTEST_CURRENT_TEST): the
    # commands under test must see what a user's would.
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    env.update({
        "YOLO_OFFLINE": "1",
        "SWEEP_CACHE_DIR": str(home / "cache"),
        "YOLO_CONFIG_DIR": str(home / "ultralytics"),
        "MPLCONFIGDIR": str(home / "mpl"),
        "WANDB_MODE": "disabled",
        "PYTHONPATH": str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
    })
    return env


def run_sweep(env: dict[str, str], *args: str, cwd: Path | None = None,
              timeout: float = 900) -> subprocess.CompletedProcess[str]:
    """The real command, `python -m sweep ARGS`, in a subprocess."""
    return subprocess.run([sys.executable, "-m", "sweep", *args], env=env, cwd=cwd or ROOT,
                          capture_output=True, text=True, timeout=timeout)
