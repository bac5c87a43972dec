"""Faults, provoked for real: one clear line, the right exit code, and nothing finished lost."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import optuna
import pytest
from optuna.trial import TrialState

from sweep.plan import Plan
from sweep.worker import ask_trial
from tests.conftest import ROOT, run_sweep


class BrokenSampler(optuna.samplers.RandomSampler):
    """Raises inside `study.ask()`, after Optuna has created the trial's row (what a sampler
    whose optional package is missing did)."""

    def sample_relative(self, study, trial, search_space):  # noqa: ANN001, ANN201
        raise ImportError("no module named 'cmaes'")

    def infer_relative_search_space(self, study, trial):  # noqa: ANN001, ANN201
        return {"x": optuna.distributions.FloatDistribution(0, 1)}


def test_a_trial_whose_sampler_fails_in_ask_is_closed_not_left_running(tmp_path: Path) -> None:
    study = optuna.create_study(storage=f"sqlite:///{tmp_path / 's.db'}", sampler=BrokenSampler())
    plan = Plan(config={"space": {"x": {"low": 0.0, "high": 1.0}}, "train": {}}, study_name="s",
                storage_url="", study_dir=str(tmp_path), data_yaml="", model="", run_id="r")
    with pytest.raises(ImportError):
        ask_trial(study, plan, "cpu#0")
    (trial,) = study.get_trials()
    assert trial.state == TrialState.FAIL
    assert "asking the sampler failed: ImportError" in trial.user_attrs["fail_reason"]


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
    sweep = subprocess.Popen(
        [sys.executable, "-m", "sweep", "debug=smoke", "study.name=ctrl-c", "tracking=[]",
         "study.n_trials=3", "trial.epochs=40", "trial.patience=40", f"paths.root={tmp_path}"],
        env=sweep_env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.time() + 300
        while time.time() < deadline:  # trial 0 done, trial 1 training
            states = _states(db) if db.exists() else {}
            if states.get(0, ("",))[0] == "COMPLETE" and states.get(1, ("", 0)) >= ("RUNNING", 1):
                break
            assert sweep.poll() is None, sweep.communicate()
            time.sleep(0.2)
        else:
            pytest.fail("no second trial started")
        study = optuna.load_study(study_name="ctrl-c", storage=f"sqlite:///{db}")
        finished = study.trials[0]
        os.killpg(sweep.pid, signal.SIGINT)
        out, err = sweep.communicate(timeout=90)
    finally:
        if sweep.poll() is None:
            os.killpg(sweep.pid, signal.SIGKILL)
    assert sweep.returncode == 130, out[-2000:] + err[-2000:]
    assert "Traceback" not in out + err
    assert err.strip().splitlines()[-1].startswith("interrupted: finished trials are kept")
    trials = optuna.load_study(study_name="ctrl-c", storage=f"sqlite:///{db}").trials
    assert not [t for t in trials if t.state == TrialState.RUNNING]  # closed at once
    interrupted = trials[1]
    assert interrupted.state == TrialState.FAIL
    assert interrupted.user_attrs["stop_reason"] == "interrupted"
    assert trials[0].state == finished.state and trials[0].value == finished.value
    assert trials[0].intermediate_values == finished.intermediate_values
    assert trials[0].user_attrs == finished.user_attrs
    assert "Traceback" not in (tmp_path / "ctrl-c" / "workers" / "worker-0.log").read_text()


@pytest.fixture
def read_only_folder(tmp_path: Path) -> Iterator[Path]:
    """A read-only bind mount of a folder holding a finished-looking study folder."""
    source, target = tmp_path / "source", tmp_path / "read-only"
    (source / "outputs" / "kept").mkdir(parents=True)
    (source / "outputs" / "kept" / "summary.json").write_text("{}")
    target.mkdir()
    mounted = subprocess.run(["mount", "--bind", "-o", "ro", str(source), str(target)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot make a read-only mount here: {mounted.stderr.strip()}")
    try:
        yield target
    finally:
        subprocess.run(["umount", str(target)], check=False)


@pytest.mark.parametrize("where", ["outputs", "outputs/new/deeper"])
def test_a_read_only_paths_root_is_refused_before_anything_starts(
        sweep_env: dict[str, str], read_only_folder: Path, where: str) -> None:
    root = read_only_folder / where
    result = run_sweep(sweep_env, "debug=smoke", "tracking=[]", f"paths.root={root}")
    assert result.returncode == 2
    assert "Traceback" not in result.stdout + result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"error: paths.root='{root}': cannot write there: Read-only file "
                           "system") and "Fix: set paths.root" in line
    assert sorted(p.name for p in (read_only_folder / "outputs").iterdir()) == ["kept"]
