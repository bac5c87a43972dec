"""Benchmark: sweep against Ultralytics' own `model.tune()` on the same compute budget (issue 6).

Four methods, each given the same budget in full-data training epochs (a trial on half of the
images for 8 epochs costs 4) and the same seed(s):

  ul_tune        Ultralytics `model.tune()`: its default space and genetic mutation, every
                 iteration on all the data for --tune-epochs epochs.
  sweep_tpe      sweep's defaults: TPE + StallPruner(median) on seeded random subsets.
  sweep_random   sweep with random sampling and no pruning (what the sampler and pruner add).
  sweep_race     sweep_tpe whose finalist is decided by a full-size race (`final.candidates`,
                 --candidates) of the top trials and the baseline at --final-epochs on all the
                 data; the race is paid from the same budget (the search gets what it leaves:
                 budget - (candidates + 1) x final epochs, counted at what the race really ran).

  defaults       no search: Ultralytics' defaults, no argument given (what `yolo train` does:
                 optimizer=auto and all it sets), the bar a tuner has to clear.

Each method's best configuration is then re-validated the same way: trained on all the data for
--final-epochs epochs with the same seed and validated on the same full val set. Writes
results.json, table.md and curve.png (best-so-far fitness against cumulative compute).

--finetune measures where users are (issue 23): every method fine-tunes from sweep's starter
weights (yolo11n.yaml pretrained on the `starter` domain, conf/config.yaml `starter.*`) on a
`shapes` set made with --data-seed (7: a set no default or test was tuned on), and the methods
are ul_tune, sweep_race and defaults. table.md then ends with the goals: the finalist above the
defaults at full size on how many seeds, its mean gain against the spread of the defaults
across seeds, sweep at or above model.tune() on how many seeds, and the compute at which
sweep's best so far at full size (its race's candidates, in the order raced) first reached
model.tune()'s re-validated best, as a share of model.tune()'s compute.

    python scripts/bench_tune.py --mode cpu                 # ~12 min a seed on 2 CPU cores
    python scripts/bench_tune.py --mode cpu --finetune --seeds 0 1 2 3 4
    python scripts/bench_tune.py --mode gpu --seeds 0 1 2   # on a GPU machine
    python scripts/bench_tune.py --mode tiny                # seconds-scale smoke of the harness
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import asdict
from pathlib import Path

# scripts/ is on the path when this file runs; tune_methods sets Ultralytics' verbosity and
# puts the repository on the path before anything imports sweep
from tune_methods import (
    FINETUNE_METHODS,
    METHODS,
    PRESETS,
    ROOT,
    MethodRun,
    bench_dataset,
    compute_to_reach,
    full_size_curve,
    revalidate,
    run_defaults,
    run_sweep,
    run_ul_tune,
    starter_model,
)


def _spread(values: list[float]) -> str:
    if not values:
        return "-"
    if len(values) == 1:
        return f"{values[0]:.4f}"
    return f"{statistics.median(values):.4f} [{min(values):.4f}, {max(values):.4f}]"


def table(runs: list[MethodRun]) -> str:
    lines = ["| method | seeds | best search fitness | re-validated fitness | compute (full-data "
             "epochs) | compute to reach UL tune's best | trials | pruned | overhead/trial (s) "
             "| wall (s) |", "|" + "---|" * 10]
    for method in METHODS:
        group = [r for r in runs if r.method == method]
        if not group:
            continue
        reach = [r.compute_to_reach_ul for r in group if r.compute_to_reach_ul is not None]
        overhead = [r.overhead_per_trial_s for r in group if r.overhead_per_trial_s is not None]
        lines.append(
            f"| {method} | {len(group)} | {_spread([r.best_search_fitness for r in group])} | "
            f"{_spread([r.revalidated_fitness or 0.0 for r in group])} | "
            f"{_spread([r.compute for r in group])} | "
            f"{_spread(reach) if reach else 'not reached'} | "
            f"{sum(r.trials for r in group)} | {sum(r.pruned for r in group)} | "
            f"{_spread(overhead) if overhead else 'n/a'} | {_spread([r.wall_s for r in group])} |")
    return "\n".join(lines) + "\n" + race_table(runs)


def race_table(runs: list[MethodRun]) -> str:
    """Per seed: the race's candidates low-fidelity -> full size, Spearman, the defaults."""
    raced = [r for r in runs if r.race]
    if not raced:
        return ""
    lines = ["", "| seed | candidates: trial low-fidelity -> full size (epochs) | Spearman | "
             "defaults at full size | race finalist re-validated | UL tune re-validated |",
             "|---|---|---|---|---|---|"]
    for run in raced:
        ul = next((r for r in runs if r.method == "ul_tune" and r.seed == run.seed), None)
        cells = ", ".join(
            f"{c['trial']}{'*' if c['baseline'] else ''} {c['low_fidelity']:.3f} -> "
            f"{'-' if c['full_size'] is None else format(c['full_size'], '.3f')} "
            f"({c['epochs_run']})" for c in run.race["candidates"])
        defaults = "-" if run.defaults_full_size is None else f"{run.defaults_full_size:.3f}"
        ul_value = "-" if ul is None or ul.revalidated_fitness is None else \
            f"{ul.revalidated_fitness:.3f}"
        lines.append(f"| {run.seed} | {cells} | {run.race['rank_correlation']} | {defaults} | "
                     f"{run.revalidated_fitness or 0.0:.3f} | {ul_value} |")
    lines.append("\n`*` the baseline (Ultralytics' defaults).")
    return "\n".join(lines) + "\n"


def goals(runs: list[MethodRun]) -> str:
    """Issue 23's goals, per seed and in all: the race's finalist against the defaults at full
    size (re-validated), against model.tune(), and the compute to reach model.tune()'s best."""
    seeds = sorted({r.seed for r in runs})
    by = {(r.method, r.seed): r for r in runs}
    lines = ["", "| seed | defaults | sweep_race | gain | model.tune() | sweep >= tune | compute "
             "to reach tune's best at full size (share of tune's) |",
             "|---|---|---|---|---|---|---|"]
    gains, above, at_least_ul, shares = [], 0, 0, []
    for seed in seeds:
        defaults, race, ul = (by.get((m, seed)) for m in ("defaults", "sweep_race", "ul_tune"))
        if defaults is None or race is None:
            continue
        gain = (race.revalidated_fitness or 0.0) - (defaults.revalidated_fitness or 0.0)
        gains.append(gain)
        above += gain > 0
        ul_value = None if ul is None else ul.revalidated_fitness or 0.0
        ok = ul_value is not None and (race.revalidated_fitness or 0.0) >= ul_value
        at_least_ul += ok
        reach = (None if ul is None or not ul.compute else
                 compute_to_reach(full_size_curve(race), ul.revalidated_fitness or 0.0))
        share = None if reach is None else reach / ul.compute
        if share is not None:
            shares.append(share)
        lines.append(f"| {seed} | {defaults.revalidated_fitness or 0.0:.3f} | "
                     f"{race.revalidated_fitness or 0.0:.3f} | {gain:+.3f} | "
                     f"{'-' if ul_value is None else format(ul_value, '.3f')} | "
                     f"{'-' if ul is None else 'yes' if ok else 'no'} | "
                     f"{'not reached' if share is None else format(share, '.0%')} |")
    if not gains:
        return ""
    values = [by[("defaults", s)].revalidated_fitness or 0.0 for s in seeds
              if ("defaults", s) in by]
    spread = max(values) - min(values)
    lines += ["", f"Finalist above the defaults at full size on {above} of {len(gains)} seeds "
              f"(goal: 4 of 5); mean gain {statistics.mean(gains):+.4f} against the defaults' "
              f"own spread across seeds {spread:.4f} (max - min; goal: gain > spread); sweep at "
              f"or above model.tune() on {at_least_ul} of {len(gains)} seeds; compute at which "
              f"sweep's best at full size (its race's candidates) first reached model.tune()'s "
              f"re-validated best: "
              + (", ".join(f"{s:.0%}" for s in shares) if shares else "not reached")
              + " of model.tune()'s (goal: 25% or less; on the seeds not listed, never)."]
    return "\n".join(lines) + "\n"


def plot(runs: list[MethodRun], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colors = {"ul_tune": "tab:red", "sweep_tpe": "tab:blue", "sweep_random": "tab:gray",
              "sweep_race": "tab:green", "defaults": "black"}
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for run in runs:
        xs = [0.0] + [c for c, _ in run.curve]
        ys = [0.0] + [b for _, b in run.curve]
        ax.step(xs, ys, where="post", color=colors[run.method], alpha=0.8,
                label=run.method if run.seed == min(r.seed for r in runs
                                                    if r.method == run.method) else None)
    ax.set_xlabel("cumulative compute (full-data training epochs)")
    ax.set_ylabel("best fitness so far (search fidelity)")
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _write(out: Path, opts: argparse.Namespace, runs: list[MethodRun]) -> None:
    """results.json, table.md (with the goals) and curve.png for the runs so far."""
    settings = {k: v for k, v in vars(opts).items() if k != "out"}
    (out / "results.json").write_text(json.dumps(
        {"settings": settings, "runs": [asdict(r) for r in runs]}, indent=2, default=str))
    (out / "table.md").write_text(table(runs) + goals(runs))
    plot(runs, out / "curve.png")


# settings that make two results comparable (the methods, seeds and output may differ)
SAME = ("mode", "data_seed", "imgsz", "budget", "tune_epochs", "trial_epochs", "fraction",
        "final_epochs", "candidates", "finetune", "shapes")


def merge(paths: list[Path], out: Path | None, methods: list[str] | None = None) -> int:
    """Several results.json of the same settings as one (only `methods`' runs, when given):
    table.md, the goals and curve.png."""
    loaded = [json.loads(path.read_text()) for path in paths]
    first = loaded[0]["settings"]
    for path, data in zip(paths, loaded, strict=True):
        differ = [k for k in SAME if data["settings"].get(k) != first.get(k)]
        if differ:
            raise SystemExit(f"{path}: other settings than {paths[0]}: {', '.join(differ)}")
    runs = [MethodRun(**{**run, "curve": [tuple(point) for point in run["curve"]]})
            for data in loaded for run in data["runs"]
            if methods is None or run["method"] in methods]
    for run in runs:
        ul = next((r for r in runs if r.method == "ul_tune" and r.seed == run.seed), None)
        if ul is not None:
            run.compute_to_reach_ul = compute_to_reach(run.curve, ul.best_search_fitness)
    out = (out or paths[0].parent).resolve()
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(
        {"settings": {**first, "methods": sorted({r.method for r in runs}),
                      "seeds": sorted({r.seed for r in runs}),
                      "merged_from": [str(p) for p in paths]},
         "runs": [asdict(r) for r in runs]}, indent=2, default=str))
    (out / "table.md").write_text(table(runs) + goals(runs))
    plot(runs, out / "curve.png")
    print(table(runs) + goals(runs))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=sorted(PRESETS), default="cpu")
    parser.add_argument("--data")
    parser.add_argument("--model", default="yolo11n.yaml")
    parser.add_argument("--imgsz", type=int)
    parser.add_argument("--budget", type=float, help="full-data training epochs per method")
    parser.add_argument("--tune-epochs", type=int, help="epochs per model.tune() iteration")
    parser.add_argument("--trial-epochs", type=int, help="epochs per sweep trial")
    parser.add_argument("--fraction", type=float, help="sweep's trial.fraction")
    parser.add_argument("--final-epochs", type=int, help="epochs of the re-validation training")
    parser.add_argument("--candidates", type=int,
                        help="sweep_race: final.candidates (the baseline races too)")
    parser.add_argument("--device")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--methods", nargs="+", choices=METHODS,
                        default=[m for m in METHODS if m != "defaults"])
    parser.add_argument("--out", type=Path, help="output folder (default outputs/bench-tune/...)")
    parser.add_argument("--sweep-args", nargs="*", default=[], metavar="OVERRIDE",
                        help="more overrides for sweep's own runs (e.g. space=finetune): a "
                             "change to the method, measured against the same bars")
    parser.add_argument("--finetune", action="store_true",
                        help="from sweep's starter weights on a held-back shapes set")
    parser.add_argument("--data-seed", type=int, help="shapes' seed (default 0; 7 --finetune)")
    parser.add_argument("--merge", type=Path, nargs="+",
                        help="train nothing: the tables and goals of these results.json files "
                        "together (e.g. model.tune() and the defaults measured once, then "
                        "sweep_race); their settings must agree")
    opts = parser.parse_args(argv)
    if opts.merge:  # with --methods: only those methods' runs of the files
        given = "--methods" in (argv if argv is not None else sys.argv)
        return merge(opts.merge, opts.out, opts.methods if given else None)
    if opts.finetune:
        opts.data_seed = 7 if opts.data_seed is None else opts.data_seed
        opts.model = starter_model(opts)
        if "--methods" not in (argv if argv is not None else sys.argv):
            opts.methods = FINETUNE_METHODS
    opts.data_seed = opts.data_seed or 0
    for key, value in PRESETS[opts.mode].items():
        if getattr(opts, key, None) is None:
            setattr(opts, key, value)
    out = (opts.out or ROOT / "outputs" / "bench-tune" /
           f"{opts.mode}-{time.strftime('%Y%m%d-%H%M%S')}").resolve()
    out.mkdir(parents=True, exist_ok=True)
    dataset = bench_dataset(opts)
    opts.data = str(dataset.yaml_path)  # every method reads the very same files
    runs: list[MethodRun] = []
    for seed in opts.seeds:
        work = out / f"seed-{seed}"
        for method in opts.methods:
            print(f"[seed {seed}] {method} ...", flush=True)
            run = (run_ul_tune(opts, seed, work, dataset) if method == "ul_tune"
                   else run_defaults(opts, seed, dataset) if method == "defaults"
                   else run_sweep(opts, seed, work, dataset, method))
            revalidate(opts, run, work, dataset)
            runs.append(run)
            print(f"[seed {seed}] {method}: search {run.best_search_fitness:.4f}, "
                  f"re-validated {run.revalidated_fitness}, compute {run.compute:.1f}, "
                  f"{run.trials} trials", flush=True)
        ul = next((r for r in runs if r.method == "ul_tune" and r.seed == seed), None)
        for run in runs:
            if ul is not None and run.seed == seed:
                run.compute_to_reach_ul = compute_to_reach(run.curve, ul.best_search_fitness)
        _write(out, opts, runs)  # after every seed: a long benchmark stopped early keeps them
    _write(out, opts, runs)
    print(table(runs) + goals(runs))
    print(f"results in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
