"""Benchmark: the same tiny CPU sweep with 1 and with 2 workers (issue 3).

Reports trials per minute and per-trial orchestration overhead: the wall time of the search
phase times the number of workers, minus the time spent inside Ultralytics' train() (recorded per
trial as `train_s`), divided by the number of trials. It includes process start-up, imports,
claiming trials, building subsets and writing results.

    python scripts/bench_workers.py --trials 8 --epochs 2 --workers 1 2
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import optuna
from optuna.trial import TrialState

ROOT = Path(__file__).resolve().parents[1]


def run(workers: int, trials: int, epochs: int, root: Path) -> dict[str, float]:
    name = f"bench-{workers}w"
    devices = "[" + ",".join(["cpu"] * workers) + "]"
    cmd = [sys.executable, "-m", "sweep", "debug=smoke", "model=yolo11n.yaml", "data=shapes",
           f"paths.root={root}", f"study.name={name}", f"study.n_trials={trials}",
           f"trial.epochs={epochs}", "final.enabled=false", f"workers.devices={devices}",
           "pruner=none", "shapes.train_images=96", "trial.fraction=1.0"]
    env = {**os.environ, "YOLO_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    started = time.time()
    subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True)
    wall = time.time() - started
    study = optuna.load_study(study_name=name, storage=f"sqlite:///{root / name / 'study.db'}")
    done = [t for t in study.get_trials() if t.state in (TrialState.COMPLETE, TrialState.PRUNED)]
    train_s = sum(float(t.user_attrs.get("train_s", 0.0)) for t in done)
    search_s = max(t.datetime_complete for t in done).timestamp() - min(
        t.datetime_start for t in study.get_trials()).timestamp()
    return {"workers": workers, "trials": len(done), "command_wall_s": round(wall, 1),
            "search_wall_s": round(search_s, 1),
            "trials_per_min": round(len(done) / search_s * 60, 2),
            "mean_train_s": round(train_s / len(done), 2),
            "overhead_per_trial_s": round((search_s * workers - train_s) / len(done), 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=8)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--out", type=Path, default=None, help="write results as JSON here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        results = [run(w, args.trials, args.epochs, Path(tmp)) for w in args.workers]
    for row in results:
        print(json.dumps(row))
    if len(results) > 1:
        print(f"speed-up {results[-1]['trials_per_min'] / results[0]['trials_per_min']:.2f}x "
              f"({results[-1]['workers']} vs {results[0]['workers']} workers)")
    if args.out:
        args.out.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
