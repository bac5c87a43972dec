"""Shared fixtures: the real composed config, and the environment for real sweep commands."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from omegaconf import DictConfig

ROOT = Path(__file__).resolve().parents[1]
CONF = ROOT / "conf"
FIXTURES = ROOT / "tests" / "fixtures"
Compose = Callable[..., DictConfig]  # the compose_cfg fixture
BCCD = FIXTURES / "bccd" / "data.yaml"  # 12 train / 4 val real images, MIT (PROVENANCE.md)


def resolved(cfg: DictConfig, classes: int = 3) -> dict[str, Any]:
    """The composed config as a plan holds it for data of `classes` (relative ranges in
    numbers, sweep.config.relative), without resolving any data."""
    from omegaconf import OmegaConf

    from sweep.config.relative import resolved_for

    return resolved_for(OmegaConf.to_container(cfg, resolve=True), classes)  # type: ignore


@pytest.fixture(autouse=True)
def signal_handlers_kept() -> Iterator[None]:
    """Each test leaves SIGINT and SIGTERM as it found them: a worker that was interrupted
    ignores SIGINT from then on (sweep.run.telling), which in-process tests would otherwise
    pass on to every test after them."""
    kept = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    yield
    for signum, handler in kept.items():
        signal.signal(signum, handler)


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


@pytest.fixture
def half_answering_server() -> Iterator[str]:
    """A W&B stand-in that passes sweep's probe and never answers W&B's API."""
    from sweep.testing.servers import serve_unanswering_wandb

    url, server = serve_unanswering_wandb()
    yield url
    server.shutdown()


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
        # W&B mirrors as for a user without a key (offline); its own folders stay in tmp.
        "WANDB_CACHE_DIR": str(home / "wandb-cache"),
        "WANDB_DATA_DIR": str(home / "wandb-data"),
        "WANDB_CONFIG_DIR": str(home / "wandb-config"),
        "PYTHONPATH": str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
    })
    for name in ("WANDB_API_KEY", "WANDB_MODE", "WANDB_BASE_URL", "SWEEP_STORAGE",
                 "SWEEP_WANDB_MODE", "SWEEP_WANDB_SWEEP_ID", "WANDB_SWEEP_ID", "WANDB_RUN_ID",
                 "WANDB_PROJECT", "WANDB_ENTITY", "WANDB_SWEEP_PARAM_PATH"):
        env.pop(name, None)
    return env


def sweeps_engine() -> Any:
    """W&B's sweeps engine (installed without its dependencies: it pins numpy < 2). CI installs
    it (.ci/run); elsewhere the tests that need it skip without it, and fail in CI."""
    if os.environ.get("CI"):
        import sweeps
    else:
        sweeps = pytest.importorskip("sweeps")
    return sweeps
