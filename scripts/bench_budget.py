"""Benchmark: the wall-clock budget (issue 24). The embedded default (`python -m sweep
+experiment=yolo11n`) with `budget=` set, run as a user runs it, timed from outside.

    python scripts/bench_budget.py                          # 5, 8 and 12 minutes, 3 runs each
    python scripts/bench_budget.py --budgets 8m --runs 1    # one run
    python scripts/bench_budget.py --extra trial.epochs=6   # any override added to each run

The starter weights are made once first into the benchmark's own cache (the first run of a
fresh machine spends about 2 minutes of its budget on them; measured in bench_starter), then
every run starts a fresh study. Per run: the wall time over the budget (the goal: 0.9 to 1.0,
never above 1.1), trials run, the race's size, whether a finalist was trained, what gave way,
and the end predicted once the first epochs were measured against the real end. Prints a table
and writes results.json under --out.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from omegaconf import OmegaConf  # noqa: E402

from sweep.core.text import parse_seconds  # noqa: E402
from sweep.run.starter import starter_weights  # noqa: E402


def one_run(budget: str, root: Path, cache: Path, extra: list[str]) -> dict[str, Any]:
    """`python -m sweep +experiment=yolo11n budget=B` in a fresh study; what it spent."""
    env = {**os.environ, "SWEEP_CACHE_DIR": str(cache),
           "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    started = time.time()
    done = subprocess.run([sys.executable, "-m", "sweep", "+experiment=yolo11n",
                           f"budget={budget}", f"paths.root={root}", *extra],
                          env=env, cwd=ROOT, capture_output=True, text=True)
    wall = time.time() - started
    (root / "output.txt").parent.mkdir(parents=True, exist_ok=True)
    (root / "output.txt").write_text(done.stdout + "\n--- stderr ---\n" + done.stderr)
    summaries = sorted(root.glob("*/summary.json"))
    if done.returncode != 0 or not summaries:
        return {"budget": budget, "exit": done.returncode, "wall_s": round(wall, 1),
                "error": (done.stderr.strip().splitlines() or ["?"])[-1]}
    data = json.loads(summaries[0].read_text())
    spent = data["budget"]
    planned = spent.get("planned") or {}
    seconds = parse_seconds(budget)
    race = data.get("race") or {}
    return {
        "budget": budget, "exit": done.returncode, "wall_s": round(wall, 1),
        "wall_over_budget": round(wall / seconds, 3),
        "trials": data["counts"]["COMPLETE"] + data["counts"]["PRUNED"],
        "pruned": data["counts"]["PRUNED"],
        "race_trainings": len(race.get("candidates", [])) if race else 0,
        "finale": spent.get("finale"), "gave_way": spent.get("shrunk"),
        "finalist": bool(data.get("finalist")),
        "outcome": data.get("outcome"),
        "predicted_end_s": planned.get("end_s"), "real_end_s": round(wall, 1),
        "spent": spent.get("spent"), "costs": spent.get("costs"),
        "search_time": spent.get("search_time"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budgets", nargs="+", default=["5m", "8m", "12m"])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--extra", nargs="*", default=[], metavar="KEY=VALUE")
    parser.add_argument("--out", type=Path, default=ROOT / "outputs" / "bench-budget")
    opts = parser.parse_args()
    out = opts.out.resolve()
    cache = out / "cache"
    recipe = OmegaConf.to_container(OmegaConf.load(ROOT / "conf" / "config.yaml").starter)
    starter_weights("yolo11n.yaml", recipe, cache)  # type: ignore[arg-type]
    results = []
    for budget in opts.budgets:
        for index in range(opts.runs):
            row = one_run(budget, out / "runs" / f"{budget}-{index}", cache, opts.extra)
            results.append(row)
            print(json.dumps({k: row.get(k) for k in (
                "budget", "exit", "wall_s", "wall_over_budget", "trials", "race_trainings",
                "finalist", "predicted_end_s", "gave_way", "error")}), flush=True)
    (out / "results.json").write_text(json.dumps({"runs": results, "extra": opts.extra},
                                                 indent=2) + "\n")
    print(f"\n{'budget':>7} {'wall':>7} {'ratio':>6} {'trials':>6} {'race':>5} {'final':>5} "
          f"{'predicted':>9}")
    for r in results:
        if "error" in r:
            print(f"{r['budget']:>7} exit {r['exit']}: {r['error']}")
            continue
        print(f"{r['budget']:>7} {r['wall_s']:>7.0f} {r['wall_over_budget']:>6.2f} "
              f"{r['trials']:>6} {r['race_trainings']:>5} {str(r['finalist']):>5} "
              f"{r['predicted_end_s'] or 0:>9.0f}")
    print(f"results: {out / 'results.json'}")


if __name__ == "__main__":
    main()
