"""The benchmark harness on its tiniest budget, so it cannot rot (figures are not checked)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow


def test_bench_tune_tiny(sweep_env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "bench"
    done = subprocess.run([sys.executable, "scripts/bench_tune.py", "--mode", "tiny", "--out",
                           str(out)], cwd=ROOT, env=sweep_env, capture_output=True, text=True,
                          timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    results = json.loads((out / "results.json").read_text())
    methods = {r["method"]: r for r in results["runs"]}
    assert set(methods) == {"ul_tune", "sweep_tpe", "sweep_random", "sweep_race"}
    for run in methods.values():
        assert run["trials"] >= 1 and run["compute"] > 0
        assert run["revalidated_fitness"] is not None and run["curve"]
        assert run["compute"] <= results["settings"]["budget"] * 1.5
    assert methods["sweep_random"]["pruned"] == 0  # pruner=none
    race = methods["sweep_race"]["race"]  # the race is paid from sweep_race's budget
    assert race["candidates"] and all(c["full_size"] is not None for c in race["candidates"])
    assert any(c["baseline"] for c in race["candidates"])
    assert methods["sweep_race"]["defaults_full_size"] is not None
    raced = sum(c["epochs_run"] for c in race["candidates"])
    assert methods["sweep_race"]["compute"] >= raced + 0.5  # + at least one half-data trial
    assert "sweep_tpe" in (out / "table.md").read_text()
    assert (out / "curve.png").stat().st_size > 1000


def test_bench_fidelity_tiny(sweep_env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "fidelity"
    done = subprocess.run([sys.executable, "scripts/bench_fidelity.py", "--seeds", "0",
                           "--variants", "trial", "trial-batch-8", "--epochs-scale", "0.1",
                           "--set", "debug=smoke", "--out", str(out)], cwd=ROOT, env=sweep_env,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    results = json.loads((out / "results.json").read_text())
    assert results["defaults"]["optimizer"] == "AdamW"  # Ultralytics' auto, resolved
    runs = {r["variant"]: r for r in results["runs"]}
    assert runs["trial"]["train_images"] == 24 and runs["trial"]["epochs"] == 1  # smoke: 48/2
    assert runs["trial"]["steps"] == 2 and runs["trial-batch-8"]["steps"] == 3
    assert all(r["fitness"] is not None for r in runs.values())
