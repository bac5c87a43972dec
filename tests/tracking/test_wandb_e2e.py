"""The real command with trackers around it: W&B that cannot be reached, MLflow installed, and a
password-protected database with a W&B key: no stall, no litter, no secret left behind (slow)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import optuna
import pytest

from sweep.study.bookkeeping import get_record
from sweep.study.storage import open_storage
from sweep.testing.commands import run_sweep, wandb_runs

pytestmark = pytest.mark.slow
SMOKE = ("debug=smoke", "data=shapes", "model=yolo11n.yaml")
FAKE_KEY = "0123456789abcdef" * 2 + "fa4e5e7c"  # 40 characters, as W&B keys are


def _finished(summary: dict[str, object]) -> int:
    counts = summary["counts"]
    assert isinstance(counts, dict)
    return int(counts["COMPLETE"]) + int(counts["PRUNED"])


def _runs_expected(summary: dict[str, Any]) -> int:
    """A run per trial, race candidate, repeat of the race's leader, and the finalist's."""
    race = summary["race"]
    return _finished(summary) + len(race["candidates"]) + len(race["repeats"]) + 1


def test_forced_online_without_network_still_sweeps(sweep_env: dict[str, str],
                                                    tmp_path: Path) -> None:
    """A key and W&B's real address, which this machine cannot reach: offline from the start."""
    env = {**sweep_env, "WANDB_API_KEY": FAKE_KEY}
    result = run_sweep(env, *SMOKE, f"paths.root={tmp_path}", "study.name=online",
                       "tracking.wandb.mode=online")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    summary = json.loads((tmp_path / "online" / "summary.json").read_text())
    assert _finished(summary) == 2 and summary["finalist"]
    assert "did not answer" in result.stdout
    # every trial, race candidate (and the leader's repeat, when one led) and the finalist
    assert len(wandb_runs(tmp_path / "online")) == _runs_expected(summary)


def test_online_init_that_hangs_costs_each_process_one_timeout(
        sweep_env: dict[str, str], tmp_path: Path, half_answering_server: str) -> None:
    """The probe passes but wandb.init never completes: the worker and the main process each
    wait init_timeout once, then mirror offline; every trial is counted."""
    env = {**sweep_env, "WANDB_API_KEY": FAKE_KEY, "WANDB_BASE_URL": half_answering_server}
    result = run_sweep(env, *SMOKE, f"paths.root={tmp_path}", "study.name=hang",
                       "tracking.wandb.mode=online", "tracking.wandb.init_timeout=3")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    summary = json.loads((tmp_path / "hang" / "summary.json").read_text())
    assert _finished(summary) == 2
    worker_log = (tmp_path / "hang" / "workers" / "worker-0.log").read_text()
    assert worker_log.count("online init failed") == 1  # the second trial did not wait again
    race_log = (tmp_path / "hang" / "race" / "workers" / "worker-0.log").read_text()
    # the race's worker: once for its two candidates; the leader's repeat, when one led, runs
    # in a worker process of its own, which waits once too
    processes = 1 + bool(summary["race"]["repeats"])
    assert race_log.count("online init failed") == processes
    assert result.stdout.count("online init failed") == 1  # the finalist's run, in the main one
    runs = wandb_runs(tmp_path / "hang")
    repeats = [f"race-{r['trial']:04d}-seed-{r['seed']}" for r in summary["race"]["repeats"]]
    assert sorted(r["name"] for r in runs) == sorted(["final", "race-0000", "race-0001",
                                                      "trial-0000", "trial-0001", *repeats])


def test_ultralytics_mlflow_integration_leaves_nothing_in_the_working_folder(
        sweep_env: dict[str, str], tmp_path: Path) -> None:
    """MLflow is installed here (dev extra), so Ultralytics turns its MLflow callback on. Plain
    Ultralytics then writes mlruns/ and mlflow.db into the working folder; a sweep does not."""
    plain, swept = tmp_path / "plain", tmp_path / "swept"
    plain.mkdir()
    swept.mkdir()
    control = textwrap.dedent(f"""
        from pathlib import Path
        from ultralytics import YOLO
        from sweep.data.shapes import ensure_shapes
        data = ensure_shapes(Path({str(tmp_path / 'cache')!r}), 8, 4, 64, 0)
        YOLO("yolo11n.yaml").train(data=str(data), epochs=1, imgsz=64, device="cpu", workers=0,
                                   project={str(tmp_path / 'runs')!r}, name="x", plots=False)
    """)
    done = subprocess.run([sys.executable, "-c", control], cwd=plain, env=sweep_env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert {"mlruns", "mlflow.db"} & {p.name for p in plain.iterdir()}, "MLflow did not run"

    result = run_sweep(sweep_env, *SMOKE, "study.name=mlflow", cwd=swept)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert [p.name for p in swept.iterdir()] == ["outputs"]  # paths.root, and nothing else
    leftovers = [p for p in (swept / "outputs").rglob("*")
                 if p.name in ("mlruns", "mlflow.db", "dvclive", "runs")]
    assert leftovers == []


def _files_holding(secret: bytes, *roots: Path) -> list[Path]:
    return [path for root in roots if root.exists() for path in root.rglob("*")
            if path.is_file() and not path.is_symlink() and secret in path.read_bytes()]


def test_no_password_or_api_key_in_anything_a_sweep_leaves(sweep_env: dict[str, str],
                                                           tmp_path: Path) -> None:
    url = os.environ.get("SWEEP_TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("CI must set SWEEP_TEST_POSTGRES_URL (.ci/run starts PostgreSQL)")
        pytest.skip("set SWEEP_TEST_POSTGRES_URL to a password-protected PostgreSQL database")
    password = urlparse(url).password
    assert password and len(password) >= 8, "use a distinctive password: the test searches for it"
    open_storage(url)  # the schema, once
    work, home = tmp_path / "work", tmp_path / "home"
    work.mkdir()
    env = {**sweep_env, "WANDB_API_KEY": FAKE_KEY, "HOME": str(home),
           "WANDB_CACHE_DIR": str(home / "wandb-cache"), "WANDB_DATA_DIR": str(home / "wd"),
           "WANDB_CONFIG_DIR": str(home / "wandb-config")}
    name = f"secret-{os.getpid()}"
    # The worst case: the password typed on the command line.
    result = run_sweep(env, *SMOKE, f"study.storage={url}", f"study.name={name}", cwd=work)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    study_dir = work / "outputs" / name
    assert wandb_runs(study_dir) and list(study_dir.glob("plan-*.json"))
    assert (study_dir / "best.yaml").is_file() and list((work / "outputs" / "hydra").rglob("*"))
    for secret in (password.encode(), FAKE_KEY.encode()):
        assert secret not in (result.stdout + result.stderr).encode()
        assert _files_holding(secret, work, home) == []
    # What best.yaml keeps still reaches the study, with the password from PGPASSWORD.
    best = (study_dir / "best.yaml").read_text()
    assert f"storage: {url.replace(':' + password, '')}" in best
    rerun = run_sweep({**env, "PGPASSWORD": password}, "--config-path", str(study_dir),
                      "--config-name", "best", "final.epochs=1", cwd=work)
    assert rerun.returncode == 0, rerun.stdout[-3000:] + rerun.stderr[-3000:]
    study = optuna.load_study(study_name=name, storage=url)
    # the sweep's finalist came from its race (race/), so the retrain is the first in final/
    assert get_record(study, "finalist")["run_dir"] == str(study_dir / "final" / "train")
    assert password.encode() not in (rerun.stdout + rerun.stderr).encode()
    assert _files_holding(password.encode(), work, home) == []



def test_a_sweep_keeps_what_wandb_needs_in_the_study_folder_and_nothing_in_home(
        sweep_env: dict[str, str], tmp_path: Path) -> None:
    """wandb's staged copy of the finalist's best.pt and its cache go under the study's wandb
    folder (a Kaggle session loses HOME; a copied outputs/ must hold what `wandb sync` needs);
    MLflow, installed here, leaves no telemetry.json; with WANDB_MODE=disabled nothing of W&B
    is written at all."""
    home, work = tmp_path / "home", tmp_path / "work"
    work.mkdir()
    env = {k: v for k, v in sweep_env.items()
           if k not in ("WANDB_CACHE_DIR", "WANDB_DATA_DIR", "XDG_CONFIG_HOME",
                        "XDG_DATA_HOME", "XDG_CACHE_HOME")}
    env["HOME"] = str(home)
    result = run_sweep(env, *SMOKE, "study.name=kept", cwd=work)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    left = sorted(str(p.relative_to(home)) for p in home.rglob("*") if p.is_file())
    assert not [p for p in left if "mlflow" in p or p.startswith((".local", ".cache"))], left
    wandb_dir = work / "outputs" / "kept" / "wandb"
    staged = list((wandb_dir / "data").rglob("*"))
    assert any(p.is_file() and p.stat().st_size > 100_000 for p in staged), staged  # best.pt

    result = run_sweep({**env, "WANDB_MODE": "disabled"}, *SMOKE, "study.name=off", cwd=work)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "not mirroring (WANDB_MODE=disabled)" in result.stdout
    assert not (work / "outputs" / "off" / "wandb").exists()
    assert sorted(str(p.relative_to(home)) for p in home.rglob("*") if p.is_file()) == left
