"""Benchmark: which sampler settings for a small budget (issue 13, part 2). With 6 trials and
TPE's 4 random start-up trials (the baseline counts as one), TPE proposes only the last two
trials; this runs the main command's search (6 trials, 10 epochs, half the images, one worker,
the default pruner) with each sampler setting on the same seeds and reports the best
low-fidelity value and when it was found.

    python scripts/bench_sampler.py                        # 3 settings x seeds 0, 1, 2
    python scripts/bench_sampler.py --variants tpe-2 --seeds 0

Writes results.json and table.md under --out.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sweep.testing.commands import run_sweep_or_exit  # noqa: E402

# name -> sampler overrides
VARIANTS: dict[str, list[str]] = {
    "tpe-4": ["sampler=tpe", "sampler.n_startup_trials=4"],
    "tpe-2": ["sampler=tpe", "sampler.n_startup_trials=2"],
    "gp-2": ["sampler=gp", "sampler.n_startup_trials=2"],
    "random": ["sampler=random"],
}


def run(name: str, seed: int, opts: argparse.Namespace) -> dict[str, Any]:
    import optuna

    study_name = f"sampler-{name}-s{seed}"
    root = opts.out / "studies"
    args = ["+experiment=yolo11n", f"study.name={study_name}",
            f"study.n_trials={opts.trials}", f"train.seed={seed}", "final.enabled=false",
            "tracking=[]", f"paths.root={root}", *VARIANTS[name], *opts.overrides]
    started = time.time()
    run_sweep_or_exit(args, study_name)
    study = optuna.load_study(study_name=study_name, storage=f"sqlite:///{root / study_name}/"
                              "study.db")
    trials = [t for t in study.get_trials() if t.state.name in ("COMPLETE", "PRUNED")]
    values = [t.value if t.value is not None else
              max(t.intermediate_values.values(), default=0.0) for t in trials]
    best = max(range(len(trials)), key=lambda i: (values[i], -i))
    return {"variant": name, "seed": seed, "values": [round(v, 4) for v in values],
            "states": [t.state.name for t in trials], "best": round(values[best], 4),
            "best_trial": trials[best].number, "best_params": trials[best].params,
            "mean_of_proposed": round(statistics.mean(values[1:]), 4) if len(values) > 1
            else None, "wall_s": round(time.time() - started, 1)}


def table(rows: list[dict[str, Any]]) -> str:
    lines = ["| sampler | seed | trial values (0 = baseline) | best (trial) |",
             "|---|---|---|---|"]
    lines += [f"| {r['variant']} | {r['seed']} | {', '.join(f'{v:.3f}' for v in r['values'])} "
              f"| {r['best']:.3f} ({r['best_trial']}) |" for r in rows]
    lines += ["", "| sampler | mean best over seeds | mean of proposed trials |", "|---|---|---|"]
    for name in dict.fromkeys(r["variant"] for r in rows):
        group = [r for r in rows if r["variant"] == name]
        proposed = [r["mean_of_proposed"] for r in group if r["mean_of_proposed"] is not None]
        lines.append(f"| {name} | {statistics.mean(r['best'] for r in group):.3f} | "
                     f"{statistics.mean(proposed) if proposed else float('nan'):.3f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--variants", nargs="+", default=["tpe-4", "tpe-2", "gp-2"],
                        choices=list(VARIANTS))
    parser.add_argument("--trials", type=int, default=6)
    parser.add_argument("--out", type=Path, default=ROOT / "outputs" / "bench-sampler")
    parser.add_argument("--set", nargs="*", default=[], dest="overrides",
                        help="extra overrides for every run, e.g. debug=smoke")
    opts = parser.parse_args()
    opts.out = opts.out.resolve()
    opts.out.mkdir(parents=True, exist_ok=True)
    rows = []
    for seed in opts.seeds:
        for name in opts.variants:
            rows.append(run(name, seed, opts))
            print(json.dumps(rows[-1]), flush=True)
            (opts.out / "results.json").write_text(json.dumps({"runs": rows}, indent=2))
    (opts.out / "table.md").write_text(table(rows))
    print(table(rows))


if __name__ == "__main__":
    main()
