"""Faults through the real command: Ctrl-C, a full disk, missing weights, a sampler failing
everywhere."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import optuna
import pytest
from optuna.trial import TrialState

from sweep.testing.commands import one_error_line, run_sweep
from tests.conftest import ROOT


def _states(db: Path) -> dict[int, tuple[str, int]]:
    """Trial number -> (state, epochs reported)."""
    with sqlite3.connect(db, timeout=30) as con:
        rows = con.execute("SELECT t.number, t.state, COUNT(v.trial_intermediate_value_id) "
                           "FROM trials t LEFT JOIN trial_intermediate_values v "
                           "ON v.trial_id = t.trial_id GROUP BY t.trial_id").fetchall()
    return {number: (state, epochs) for number, state, epochs in rows}


@pytest.mark.slow
def test_ctrl_c_closes_the_interrupted_trial_at_once(sweep_env: dict[str, str],
                                                     tmp_path: Path) -> None:
    """A real SIGINT to the command's process group, as a terminal's Ctrl-C sends it."""
    db = tmp_path / "ctrl-c" / "study.db"
    # output into files, as a terminal takes it as it comes (a pipe read only at the end can
    # fill up and hold the command up)
    out_file, err_file = tmp_path / "out.txt", tmp_path / "err.txt"
    with out_file.open("w") as stdout, err_file.open("w") as stderr:
        sweep = subprocess.Popen(
            [sys.executable, "-m", "sweep", "debug=smoke", "study.name=ctrl-c", "tracking=[]",
             "study.n_trials=3", "trial.epochs=8", "trial.patience=8",
             f"paths.root={tmp_path}"],
            env=sweep_env, cwd=ROOT, stdout=stdout, stderr=stderr, text=True,
            start_new_session=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.time() + 300
        while time.time() < deadline:  # trial 0 done, trial 1 training
            # read the study only once the workers run (a plan file): never while the command
            # creates its tables, which a reader can hold up
            states = _states(db) if list(db.parent.glob("plan-*.json")) else {}
            if states.get(0, ("",))[0] == "COMPLETE" and states.get(1, ("", 0)) >= ("RUNNING", 1):
                break
            assert sweep.poll() is None, err_file.read_text()
            time.sleep(0.2)
        else:
            pytest.fail("no second trial started")
        study = optuna.load_study(study_name="ctrl-c", storage=f"sqlite:///{db}")
        finished = study.trials[0]
        os.killpg(sweep.pid, signal.SIGINT)
        sweep.wait(timeout=90)
    finally:
        if sweep.poll() is None:
            os.killpg(sweep.pid, signal.SIGKILL)
    out, err = out_file.read_text(), err_file.read_text()
    assert sweep.returncode == 130, out[-2000:] + err[-2000:]
    assert "Traceback" not in out + err
    assert err.strip().splitlines()[-1].startswith("interrupted: finished trials are kept")
    trials = optuna.load_study(study_name="ctrl-c", storage=f"sqlite:///{db}").trials
    assert not [t for t in trials if t.state == TrialState.RUNNING]  # closed at once
    interrupted = trials[1]
    assert interrupted.state == TrialState.FAIL
    assert interrupted.user_attrs["stop_reason"] == "interrupted"
    (retry,) = [t for t in trials if t.state == TrialState.WAITING]  # for the next run
    assert retry.user_attrs["retry_of"] == 1
    assert retry.system_attrs["fixed_params"] == interrupted.params
    assert trials[0].state == finished.state and trials[0].value == finished.value
    assert trials[0].intermediate_values == finished.intermediate_values
    assert trials[0].user_attrs == finished.user_attrs
    assert "Traceback" not in (tmp_path / "ctrl-c" / "workers" / "worker-0.log").read_text()


def _mount(kind: list[str], target: Path) -> None:
    mounted = subprocess.run(["mount", *kind, str(target)], capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount here: {mounted.stderr.strip()}")




def _snapshot(db: Path, name: str) -> list[tuple]:
    """The study's finished trials, read with the database closed again afterwards."""
    storage = optuna.storages.RDBStorage(f"sqlite:///{db}")
    try:
        study = optuna.load_study(study_name=name, storage=storage)
        return [(t.number, t.state, t.value, t.intermediate_values, t.user_attrs, t.params)
                for t in study.trials if t.state.is_finished()]
    finally:
        storage.engine.dispose()


@pytest.mark.slow
def test_a_disk_that_fills_up_mid_sweep_stops_it_in_one_line(sweep_env: dict[str, str],
                                                             tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    _mount(["-t", "tmpfs", "-o", "size=64m", "tmpfs"], disk)
    try:
        args = ("debug=smoke", "tracking=[]", "study.name=full", "final.enabled=false",
                f"paths.root={disk}")
        first = run_sweep(sweep_env, *args, "study.n_trials=1")
        assert first.returncode == 0, first.stderr[-2000:]
        before = _snapshot(disk / "full" / "study.db", "full")
        free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
        with open(disk / "filler", "wb") as filler:  # leave 2 MB: less than one checkpoint
            os.posix_fallocate(filler.fileno(), 0, free - 2 * 2**20)
        result = run_sweep(sweep_env, *args, "study.n_trials=3")
        assert result.returncode == 1
        line = one_error_line(result)
        assert line.startswith(f"error: no space left on the disk of {disk / 'full'}")
        assert "finished trials are kept" in line and "re-run the same command" in line
        assert _snapshot(disk / "full" / "study.db", "full")[:1] == before
        worker_log = (disk / "full" / "workers" / "worker-0.log").read_text()
        assert "Traceback" not in worker_log
    finally:
        subprocess.run(["umount", "--lazy", str(disk)], check=False)


@pytest.fixture(scope="module")
def finished_study(sweep_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
                   ) -> tuple[Path, list[tuple]]:
    root = tmp_path_factory.mktemp("faults")
    result = run_sweep(sweep_env, "debug=smoke", "tracking=[]", "study.name=kept",
                       "final.enabled=false", f"paths.root={root}")
    assert result.returncode == 0, result.stderr[-2000:]
    return root, _snapshot(root / "kept" / "study.db", "kept")


@pytest.mark.slow
@pytest.mark.parametrize(("override", "key"), [
    ("workers.devices=[5]", "workers.devices"),           # a GPU that is not there
    ("train.imgsz=0", "train.imgsz"),                     # a fixed argument out of range
    ("study.storage=sqlite:///{root}/notes.txt", "study.storage"),  # not a database
])
def test_faults_before_training_are_one_line_and_lose_nothing(
        sweep_env: dict[str, str], finished_study: tuple[Path, list[tuple]], override: str,
        key: str) -> None:
    root, before = finished_study
    notes = root / "notes.txt"
    notes.write_text("my notes, not a database\n" * 20)
    result = run_sweep(sweep_env, "debug=smoke", "tracking=[]", "study.name=kept",
                       "final.enabled=false", "study.n_trials=3", f"paths.root={root}",
                       override.format(root=root))
    assert result.returncode == 2
    assert one_error_line(result).startswith(f"error: {key}=")
    assert _snapshot(root / "kept" / "study.db", "kept") == before
    assert notes.read_text() == "my notes, not a database\n" * 20


@pytest.mark.slow
def test_missing_pretrained_weights_are_replaced_by_starter_weights_said_once(
        sweep_env: dict[str, str], tmp_path: Path) -> None:
    """Offline, yolo11n.pt is not to be had: the run fine-tunes from starter weights made once
    (debug=smoke makes tiny ones), says so in one line, and a second run reuses them."""
    args = ("debug=smoke", "model=yolo11n.pt", "tracking=[]", "study.n_trials=1",
            "final.epochs=1", f"paths.root={tmp_path}")
    for run in range(2):
        result = run_sweep(sweep_env, *args, f"study.name=run{run}", cwd=tmp_path)
        assert result.returncode == 0, result.stderr[-2000:]
        output = result.stdout + result.stderr
        said = [line for line in output.splitlines() if "yolo11n.pt" in line]
        assert len(said) == 1 and "fine-tuning from sweep's starter weights instead" in said[0]
        assert "yolo11n.yaml pretrained 1 epochs on 16 synthetic images" in said[0]
        assert ("making starter weights" in output) == (run == 0)
        assert "Traceback" not in output
        plan = json.loads(next((tmp_path / f"run{run}").glob("plan-*.json")).read_text())
        assert plan["starter_for"] == "yolo11n.pt" and plan["model"].endswith("weights.pt")
        assert plan["config"]["pruning"]["wait_for_stall"] is False  # weights: asked each epoch


@pytest.mark.slow
def test_a_sampler_that_fails_in_every_worker_stops_the_run_in_one_line(
        sweep_env: dict[str, str], tmp_path: Path) -> None:
    """Through the real command: Hydra instantiates the broken sampler in every worker."""
    result = run_sweep(sweep_env, "debug=smoke", "tracking=[]", "study.name=broken",
                       "sampler=random", "sampler._target_=sweep.testing.fakes.BrokenSampler",
                       "workers.max_failures=2", "study.baseline=false", f"paths.root={tmp_path}")
    assert result.returncode == 1, result.stdout[-2000:] + result.stderr[-2000:]
    assert "Traceback" not in result.stdout + result.stderr
    stopped = [line for line in result.stdout.splitlines() if line.startswith("stopped:")]
    assert len(stopped) == 1
    assert "died 2 times before running a trial" in stopped[0]
    assert "asking the sampler failed: ImportError: no module named 'cmaes'" in stopped[0]
    trials = optuna.load_study(study_name="broken",
                               storage=f"sqlite:///{tmp_path / 'broken' / 'study.db'}").trials
    assert trials and all(t.state == TrialState.FAIL for t in trials)  # none left RUNNING
