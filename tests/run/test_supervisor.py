"""The supervisor with real worker processes that cannot start: it stops, saying why."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from omegaconf import DictConfig
from rich.console import Console

from sweep.config.plan import Plan
from sweep.config.space import to_distributions
from sweep.run.supervisor import (
    Supervisor,
    WorkerCrashLoop,
    describe_exit,
    worker_env,
    worker_label,
)
from sweep.study.open import open_study
from tests.conftest import resolved


@pytest.mark.slow
def test_worker_that_cannot_start_is_not_replaced_forever(
        compose_cfg: Callable[..., DictConfig], tmp_path: Path) -> None:
    cfg = compose_cfg("debug=smoke", "workers.max_failures=2")
    config = resolved(cfg)
    url = f"sqlite:///{tmp_path / 's.db'}"
    plan = Plan(config=config, study_name="s", storage_url=url,  # type: ignore[arg-type]
                study_dir=str(tmp_path), data_yaml=str(tmp_path / "missing.yaml"),
                model="yolo11n.yaml", run_id="r")
    study = open_study(cfg, "s", url, to_distributions(config["space"]))  # type: ignore[index]
    plan.save(tmp_path / "plan.json")
    supervisor = Supervisor(plan, tmp_path / "plan.json", study, ["cpu"],
                            Console(file=open(tmp_path / "console.txt", "w")))
    with pytest.raises(WorkerCrashLoop) as info:
        supervisor.run()
    assert "died 2 times before running a trial" in str(info.value)
    assert "missing.yaml" in str(info.value)  # the tail of the worker's log says why
    assert study.get_trials() == []


def test_worker_environment_pins_devices() -> None:
    gpu = worker_env("1", cpu_workers=0)
    assert gpu["CUDA_VISIBLE_DEVICES"] == "1" and gpu["YOLO_VERBOSE"] == "False"
    cpu = worker_env("cpu", cpu_workers=2)
    assert cpu["CUDA_VISIBLE_DEVICES"] == "" and int(cpu["OMP_NUM_THREADS"]) >= 1
    # the share Ultralytics would otherwise override with cpu_count - 1 (sweep.run.training)
    assert cpu["SWEEP_CPU_THREADS"] == cpu["OMP_NUM_THREADS"]
    assert worker_env("cpu", cpu_workers=1)["SWEEP_CPU_THREADS"] == str(os.cpu_count() or 1)


def test_workers_are_pinned_to_the_gpus_this_process_was_given(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # torch numbers the visible GPUs 0, 1: worker 1 must get the second one given, GPU 3
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "2,3")
    assert worker_env("1", cpu_workers=0)["CUDA_VISIBLE_DEVICES"] == "3"
    assert worker_env("0", cpu_workers=0)["CUDA_VISIBLE_DEVICES"] == "2"
    assert worker_label(1, "1") == "cuda:3"
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES")
    assert worker_env("1", cpu_workers=0)["CUDA_VISIBLE_DEVICES"] == "1"


def test_exit_descriptions() -> None:
    assert describe_exit(-9) == "killed by SIGKILL"
    assert describe_exit(3) == "exit code 3"
