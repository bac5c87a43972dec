"""The real command, end to end, training real tiny YOLO models on CPU (slow: ~2 minutes)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import optuna
import pytest
import yaml

from tests.conftest import BCCD, run_sweep

pytestmark = pytest.mark.slow
SMOKE = ("debug=smoke", "data=shapes", "model=yolo11n.yaml", "study.name=smoke")


def _study(root: Path, name: str = "smoke") -> optuna.Study:
    return optuna.load_study(study_name=name, storage=f"sqlite:///{root / name / 'study.db'}")


@pytest.fixture(scope="module")
def smoke_run(sweep_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("smoke")
    result = run_sweep(sweep_env, *SMOKE, f"paths.root={root}")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert str(root / "smoke") in result.stdout.replace("\n", "")  # says where results are
    return root


def test_smoke_study_has_trials_with_curves(smoke_run: Path) -> None:
    trials = _study(smoke_run).get_trials()
    assert len(trials) >= 2
    assert all(t.intermediate_values for t in trials)
    finished = [t for t in trials if t.state.name in ("COMPLETE", "PRUNED")]
    assert finished
    for t in finished:
        attrs = t.user_attrs
        assert {"run_dir", "epochs_run", "wall_time_s", "device", "subset_size", "subset_seed",
                "stop_reason"} <= set(attrs)
        assert attrs["device"] == "cpu" and attrs["subset_size"] == 24
        assert Path(attrs["run_dir"], "results.csv").exists()


def test_smoke_outputs(smoke_run: Path) -> None:
    summary = json.loads((smoke_run / "smoke" / "summary.json").read_text())
    assert summary["study_name"] == "smoke"
    assert summary["counts"]["COMPLETE"] + summary["counts"]["PRUNED"] >= 2
    assert summary["best_trial"]["params"]
    finalist = summary["finalist"]
    assert Path(finalist["weights"]).exists()
    assert set(finalist["metrics"]) >= {"map50", "map50-95", "precision", "recall"}
    assert finalist["params"] == summary["best_trial"]["params"]
    best = yaml.safe_load((smoke_run / "smoke" / "best.yaml").read_text())
    assert best["final"]["only"] is True
    assert best["final"]["params"] == summary["best_trial"]["params"]


def test_best_yaml_retrains_without_searching(smoke_run: Path, sweep_env: dict[str, str],
                                              tmp_path: Path) -> None:
    before = len(_study(smoke_run).get_trials())
    summary = json.loads((smoke_run / "smoke" / "summary.json").read_text())
    result = run_sweep(sweep_env, *summary["rerun_command"].split()[3:], cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert len(_study(smoke_run).get_trials()) == before  # no search
    weights = smoke_run / "smoke" / "final-2" / "train" / "weights" / "best.pt"
    assert weights.exists()
    assert (smoke_run / "smoke" / "final" / "train" / "weights" / "best.pt").exists()


def test_rerun_resumes_the_same_study(smoke_run: Path, sweep_env: dict[str, str]) -> None:
    before = {t.number: (t.state, t.params, t.value) for t in _study(smoke_run).get_trials()}
    result = run_sweep(sweep_env, *SMOKE, f"paths.root={smoke_run}", "study.n_trials=3")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    after = {t.number: (t.state, t.params, t.value) for t in _study(smoke_run).get_trials()}
    assert len(after) > len(before)
    assert all(after[n] == before[n] for n in before)  # earlier trials unchanged
    with sqlite3.connect(smoke_run / "smoke" / "study.db") as db:
        assert db.execute("select count(*) from studies").fetchone()[0] == 1


def test_real_bccd_fixture(sweep_env: dict[str, str], tmp_path: Path) -> None:
    result = run_sweep(sweep_env, "debug=smoke", f"data={BCCD}", "model=yolo11n.yaml",
                       f"paths.root={tmp_path}", "study.name=bccd", "trial.fraction=0.5",
                       "final.fraction=0.5", "final.epochs=1")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    summary = json.loads((tmp_path / "bccd" / "summary.json").read_text())
    assert summary["finalist"]["train_images"] == 6
    assert not list(BCCD.parent.rglob("*.cache"))  # caches stay in the trials' private trees
