"""The real command with a budget, end to end on CPU (slow: ~2 minutes): the run ends within
it, says its plan, and a budget that cannot hold one trial and the finalist is refused."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from sweep.testing.commands import one_error_line, run_sweep

pytestmark = pytest.mark.slow
SMOKE = ("debug=smoke", "data=shapes", "model=yolo11n.yaml", "tracking=[]")


def test_a_run_ends_within_its_budget(sweep_env: dict[str, str], tmp_path: Path) -> None:
    started = time.time()
    result = run_sweep(sweep_env, *SMOKE, "study.name=budget", "budget=75s",
                       f"paths.root={tmp_path}")
    wall = time.time() - started
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout.replace("\n", " ")
    assert "sizes: imgsz 64; trials 2 epochs" in out and "budget 75s (ends" in out
    assert "the budget decides how many trials" in out
    assert "predicted: search until" in out  # the plan, once this run measured its epochs
    data = json.loads((tmp_path / "budget" / "summary.json").read_text())
    budget = data["budget"]
    # the budget decided when to stop, not debug=smoke's study.n_trials=2
    assert data["stopped_by"] == "budget"
    assert data["counts"]["COMPLETE"] + data["counts"]["PRUNED"] >= 1
    assert budget["asked_s"] == 75.0 and budget["planned"]["end_s"] <= 75
    assert budget["spent"]["total_s"] <= 75 * 1.1 and wall <= 75 * 1.15, (budget, wall)
    assert budget["finale"]["trainings"] >= 1 and data["finalist"]["weights"]
    assert budget["costs"]["trial_epoch_s"] > 0
    time_of = budget["search_time"]
    assert time_of["inside_training_s"] > 0 and 0 <= time_of["outside_share"] < 1


def test_a_budget_too_small_is_refused_and_the_study_kept(sweep_env: dict[str, str],
                                                           tmp_path: Path) -> None:
    result = run_sweep(sweep_env, *SMOKE, "study.name=tight", "budget=15s",
                       f"paths.root={tmp_path}")
    assert result.returncode == 2, result.stdout[-3000:] + result.stderr[-3000:]
    line = one_error_line(result)
    assert line.startswith("error: budget='15s': cannot hold one trial and the finalist")
    assert "Fix: set budget=" in line
    assert (tmp_path / "tight" / "study.db").exists()
    assert not (tmp_path / "tight" / "summary.json").exists()
