"""Shared fixtures: the real composed config, and the environment for real sweep commands."""

from __future__ import annotations

import json
import os
import subprocess
import sys
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
    from sweep.testing import serve_unanswering_wandb

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


def run_sweep(env: dict[str, str], *args: str, cwd: Path | None = None,
              timeout: float = 900) -> subprocess.CompletedProcess[str]:
    """The real command, `python -m sweep ARGS`, in a subprocess."""
    return subprocess.run([sys.executable, "-m", "sweep", *args], env=env, cwd=cwd or ROOT,
                          capture_output=True, text=True, timeout=timeout)


def wandb_runs(study_dir: Path) -> list[dict[str, Any]]:
    """The W&B runs under `study_dir/wandb`, read back with wandb's own reader of run files
    (`wandb leet inspect --json`): name, job type, group, sweep id, config, history, summary,
    exit code, artifacts."""
    runs = []
    for run_dir in sorted((study_dir / "wandb").glob("offline-run-*")):
        done = subprocess.run([sys.executable, "-m", "wandb", "leet", "inspect", "--json",
                               str(run_dir)], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr[-2000:]
        run: dict[str, Any] = {"dir": run_dir, "history": [], "summary": {}, "artifacts": [],
                               "exit_code": None}
        for line in done.stdout.splitlines():
            record = json.loads(line)
            kind, body = record["type"], record.get(record["type"], {})
            if kind == "run":
                run.update(name=body.get("display_name"), job_type=body.get("job_type"),
                           group=body.get("run_group"), id=body.get("run_id"),
                           notes=body.get("notes"), sweep_id=body.get("sweep_id"),
                           config=body.get("config", {}).get("update", {}))
            elif kind == "history":
                run["history"].append({**body["item"], "_step": body["step"].get("num", 0)})
            elif kind == "summary":
                run["summary"].update(body.get("update", {}))
            elif kind == "artifact":
                run["artifacts"].append(body)
            elif kind == "exit":
                run["exit_code"] = body.get("exit_code", 0)
        runs.append(run)
    return runs
