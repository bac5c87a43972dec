"""Several workers, crashes and resume, with real processes and real signals (slow)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import optuna
import pytest
from optuna.trial import TrialState

from sweep.study.bookkeeping import get_record
from sweep.study.storage import open_storage
from sweep.testing.commands import run_sweep
from tests.conftest import ROOT

SMOKE = ("debug=smoke", "data=shapes", "model=yolo11n.yaml", "final.enabled=false")


def _storage_url(root: Path, kind: str) -> str:
    return f"sqlite:///{root / 'study.db'}" if kind == "sqlite" else str(root / "study.journal")


def _load(url: str, name: str) -> optuna.Study:
    return optuna.load_study(study_name=name, storage=open_storage(url))


def _start(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "sweep", *args], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)


def _wait_for_running(url: str, name: str, proc: subprocess.Popen[str], timeout: float = 180,
                      after_complete: int = 0) -> optuna.trial.FrozenTrial:
    """Poll until a trial is RUNNING (with its worker's pid), after `after_complete` finished."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
        try:
            trials = _load(url, name).get_trials()
        except (KeyError, Exception):
            time.sleep(0.3)
            continue
        done = sum(t.state in (TrialState.COMPLETE, TrialState.PRUNED) for t in trials)
        running = [t for t in trials if t.state == TrialState.RUNNING and "pid" in t.user_attrs]
        if running and done >= after_complete:
            return running[0]
        time.sleep(0.2)
    raise AssertionError("no running trial appeared")


def _finished(study: optuna.Study) -> list[optuna.trial.FrozenTrial]:
    return [t for t in study.get_trials() if t.state in (TrialState.COMPLETE, TrialState.PRUNED)]


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["sqlite", "journal"])
def test_killed_worker_is_replaced_and_its_trial_retried(
        kind: str, sweep_env: dict[str, str], tmp_path: Path) -> None:
    url, name = _storage_url(tmp_path, kind), f"kill-{kind}"
    proc = _start(sweep_env, *SMOKE, f"paths.root={tmp_path}", f"study.name={name}",
                  f"study.storage={url}", "workers.devices=[cpu,cpu]", "study.n_trials=4",
                  "trial.epochs=3")
    victim = _wait_for_running(url, name, proc)
    time.sleep(1.5)  # well inside the training
    os.kill(victim.user_attrs["pid"], signal.SIGKILL)
    out, _ = proc.communicate(timeout=600)
    assert proc.returncode == 0, out[-3000:]
    study = _load(url, name)
    dead = study.trials[victim.number]
    assert dead.state == TrialState.FAIL
    assert "died" in dead.user_attrs["fail_reason"]
    retries = [t for t in study.get_trials() if t.user_attrs.get("retry_of") == victim.number]
    assert len(retries) == 1 and retries[0].params == dead.params
    assert retries[0].state in (TrialState.COMPLETE, TrialState.PRUNED)
    assert len(_finished(study)) == 4  # exactly n_trials, no overshoot
    numbers = [t.number for t in study.get_trials()]
    assert len(numbers) == len(set(numbers))
    assert "SIGKILL" in out


@pytest.mark.slow
def test_whole_sweep_killed_then_resumed(sweep_env: dict[str, str], tmp_path: Path) -> None:
    url, name = _storage_url(tmp_path, "sqlite"), "crash"
    # Longer trials than smoke's, so the kill lands inside one.
    args = (*SMOKE, f"paths.root={tmp_path}", f"study.name={name}", f"study.storage={url}",
            "study.n_trials=3",
            "trial.epochs=4", "shapes.train_images=96", "trial.fraction=1.0",
            "workers.devices=[cpu]")
    proc = _start(sweep_env, *args)
    _wait_for_running(url, name, proc, after_complete=1)
    time.sleep(1.0)
    os.killpg(proc.pid, signal.SIGKILL)  # the supervisor and every worker at once
    proc.wait(timeout=30)
    study = _load(url, name)
    before = {t.number: (t.state, t.params, t.value) for t in _finished(study)}
    orphans = [t.number for t in study.get_trials() if t.state == TrialState.RUNNING]
    assert before and orphans

    result = run_sweep(sweep_env, *args)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    study = _load(url, name)
    for number, record in before.items():
        t = study.trials[number]
        assert (t.state, t.params, t.value) == record
    for number in orphans:
        assert study.trials[number].state == TrialState.FAIL
        retried = [t for t in study.get_trials() if t.user_attrs.get("retry_of") == number]
        assert len(retried) == 1 and retried[0].params == study.trials[number].params
    assert len(_finished(study)) == 3
    assert not [t for t in study.get_trials() if t.state == TrialState.RUNNING]


@pytest.mark.slow
def test_max_failures_stops_with_a_reason(sweep_env: dict[str, str], tmp_path: Path) -> None:
    result = run_sweep(sweep_env, *SMOKE, f"paths.root={tmp_path}", "study.name=failing",
                       "+train.cfg=/nonexistent/override.yaml", "workers.max_failures=2",
                       "study.n_trials=5")
    assert result.returncode == 1
    text = " ".join(result.stdout.split())
    assert "workers.max_failures=2 reached" in text and "error.txt" in text
    study = _load(_storage_url(tmp_path / "failing", "sqlite"), "failing")
    failed = [t for t in study.get_trials() if t.state == TrialState.FAIL]
    assert len(failed) == 2
    assert all("nonexistent" in t.user_attrs["fail_reason"] for t in failed)


@pytest.mark.slow
def test_postgres_shared_by_two_sweeps(sweep_env: dict[str, str], tmp_path: Path) -> None:
    url = os.environ.get("SWEEP_TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("CI must set SWEEP_TEST_POSTGRES_URL (.ci/run starts PostgreSQL)")
        pytest.skip("set SWEEP_TEST_POSTGRES_URL to a PostgreSQL database to run this test")
    name = f"pg-{os.getpid()}-{int(time.time())}"
    common = ("debug=smoke", "data=shapes", "model=yolo11n.yaml", f"study.name={name}",
              f"study.storage={url}", "study.n_trials=4", "trial.epochs=1", "final.epochs=1")
    open_storage(url)  # create the schema once, before two processes race to
    a = _start(sweep_env, *common, f"paths.root={tmp_path / 'machine-a'}")
    b = _start(sweep_env, *common, f"paths.root={tmp_path / 'machine-b'}")
    out_a, _ = a.communicate(timeout=600)
    out_b, _ = b.communicate(timeout=600)
    assert a.returncode == 0, out_a[-3000:]
    assert b.returncode == 0, out_b[-3000:]
    study = _load(url, name)
    numbers = [t.number for t in study.get_trials()]
    assert len(numbers) == len(set(numbers))
    assert len(_finished(study)) == 4
    workers = {t.user_attrs.get("run_id") for t in study.get_trials()}
    assert len(workers) == 2  # both sweeps ran trials
    # the finalist is decided by one race that both machines share: each candidate is trained
    # once, on one machine or the other
    record = get_record(study, "finalist")
    race = _load(url, record["race"])
    pattern = "machine-*/*/race/trials/*/train/weights/best.pt"
    raced = sorted(str(path) for path in tmp_path.glob(pattern))
    assert len(raced) == len(race.get_trials()) == len(_finished(race)) >= 2
    assert record["weights"] in raced
    assert not list(tmp_path.glob("machine-*/*/final"))  # no separate retrain
