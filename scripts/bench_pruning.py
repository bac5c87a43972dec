"""Benchmark: what pruning saves (issue 14). The same sweep with the default pruner
(StallPruner around the median) and with `pruner=none`, on the same seeds and trial budget.

Per run: trials pruned, epochs trained and not trained, trials per 100 training epochs, and the
best value. The goal it checks: of the epochs that the trials ending below the median of their
run would have trained (trial.epochs each), at least half are saved, with the same best value
as `pruner=none`. Epoch counts are what matters here, so runs may share the CPU.

    python scripts/bench_pruning.py                       # shapes, 10 trials, 2 workers, 3 seeds
    python scripts/bench_pruning.py --seeds 0 --trials 6  # quicker
    python scripts/bench_pruning.py --pretrain 15         # from weights pretrained on other shapes

`--pretrain N` stands in for pretrained weights where none can be downloaded: sweep's starter
weights (sweep.run.starter: yolo11n.yaml pretrained N epochs on the `starter` domain, other
classes and backgrounds than `shapes`), made once, and every run fine-tunes from them
(`model=<their weights.pt>`), the way users start from yolo11n.pt. The figures in
docs/benchmarks.md made before the starter weights existed used 15 epochs on 512 other
`shapes` images (seed 1000, 128 px) instead. From scratch on a CPU every curve sits at 0.0
for its first epochs; from weights they separate from the first epoch.

Writes results.json and table.md under --out.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sweep.testing.commands import run_sweep_or_exit  # noqa: E402


def _run(opts: argparse.Namespace, pruner: str, seed: int, root: Path) -> dict[str, Any]:
    import optuna

    name = f"{pruner}-s{seed}"
    args = ["+experiment=yolo11n", f"pruner={pruner}",
            f"study.name={name}", f"study.n_trials={opts.trials}", f"train.seed={seed}",
            f"trial.epochs={opts.epochs}", f"workers.devices=[{','.join(['cpu'] * opts.workers)}]",
            "final.enabled=false", "tracking=[]", f"paths.root={root}", *opts.overrides]
    started = time.time()
    run_sweep_or_exit(args, name)
    url = f"sqlite:///{root / name / 'study.db'}"
    study = optuna.load_study(study_name=name, storage=url)
    trials = [t for t in study.get_trials() if t.state.name in ("COMPLETE", "PRUNED")]
    ends = {t.number: t.intermediate_values[max(t.intermediate_values)]
            if t.intermediate_values else 0.0 for t in trials}
    # The lower half by last value (ties by trial number): "ending below the median", robust
    # to the many trials that end at exactly 0.0.
    ranked = sorted(trials, key=lambda t: (ends[t.number], t.number))
    below = ranked[:len(ranked) // 2]
    trained = sum(int(t.user_attrs.get("epochs_run", 0)) for t in trials)
    saved_below = sum(opts.epochs - int(t.user_attrs.get("epochs_run", 0)) for t in below)
    complete = [t.value for t in trials if t.state.name == "COMPLETE" and t.value is not None]
    return {
        "pruner": pruner, "seed": seed, "trials": len(trials),
        "pruned": sum(t.state.name == "PRUNED" for t in trials),
        "epochs_trained": trained, "epochs_not_trained": opts.epochs * len(trials) - trained,
        "trials_per_100_epochs": round(100 * len(trials) / max(trained, 1), 2),
        "below_median": len(below), "below_median_epochs": opts.epochs * len(below),
        "below_median_saved": saved_below, "best": max(complete) if complete else None,
        "curves": {t.number: [round(t.intermediate_values[s], 4)
                              for s in sorted(t.intermediate_values)] for t in trials},
        "wall_s": round(time.time() - started, 1),
    }


def pretrained_weights(epochs: int, out: Path) -> Path:
    """sweep's starter weights (what the main command fine-tunes from offline), pretrained
    `epochs` epochs with the rest of conf/config.yaml's `starter` recipe, made once in `out`."""
    from omegaconf import OmegaConf

    from sweep.run.starter import starter_weights

    recipe = OmegaConf.to_container(OmegaConf.load(ROOT / "conf" / "config.yaml").starter)
    return starter_weights("yolo11n.yaml", {**recipe, "epochs": epochs},  # type: ignore[dict-item]
                           out / "cache")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pruners", nargs="+", default=["median", "none"])
    parser.add_argument("--pretrain", type=int, default=0, metavar="EPOCHS",
                        help="fine-tune from a checkpoint pretrained this long on other shapes")
    parser.add_argument("--out", type=Path, default=ROOT / "outputs" / "bench-pruning")
    parser.add_argument("overrides", nargs="*", help="extra sweep overrides for every run")
    opts = parser.parse_args()
    opts.out.mkdir(parents=True, exist_ok=True)
    if opts.pretrain:
        opts.overrides = [f"model={pretrained_weights(opts.pretrain, opts.out.resolve())}",
                          *opts.overrides]
    runs = []
    for seed in opts.seeds:
        for pruner in opts.pruners:
            run = _run(opts, pruner, seed, opts.out / "studies")
            runs.append(run)
            print(json.dumps({k: v for k, v in run.items() if k != "curves"}), flush=True)
            (opts.out / "results.json").write_text(json.dumps(
                {"settings": vars(opts) | {"out": str(opts.out)}, "runs": runs}, indent=2))
    lines = ["| pruner | seed | trials | pruned | epochs trained | not trained | trials/100 "
             "epochs | below-median epochs saved | best |", "|---" * 9 + "|"]
    for r in runs:
        share = r["below_median_saved"] / max(r["below_median_epochs"], 1)
        best = "-" if r["best"] is None else f"{r['best']:.3f}"
        lines.append(f"| {r['pruner']} | {r['seed']} | {r['trials']} | {r['pruned']} | "
                     f"{r['epochs_trained']} | {r['epochs_not_trained']} | "
                     f"{r['trials_per_100_epochs']} | {r['below_median_saved']}/"
                     f"{r['below_median_epochs']} ({share:.0%}) | {best} |")
    table = "\n".join(lines)
    print(table)
    (opts.out / "table.md").write_text(table + "\n")


if __name__ == "__main__":
    main()
