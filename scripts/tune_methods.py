"""What the tuning benchmarks share (scripts/bench_tune.py, scripts/bench_rank.py): the methods
compared (Ultralytics' `model.tune()`, sweep through its real command, the defaults), the data
and starter weights they train on, and the re-validation of each method's best at full size.
Each script keeps its own tables and command line."""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("YOLO_VERBOSE", "False")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sweep.data import datasets  # noqa: E402
from sweep.testing.commands import run_sweep_or_exit  # noqa: E402

PRESETS: dict[str, dict[str, Any]] = {
    # shapes: the real sets stay at fitness 0.0 from scratch at CPU sizes (../shared/FACTS.md).
    # budget 60: room for a race of 2 candidates + the baseline (36) and 4-5 trials
    "cpu": {"data": "shapes", "imgsz": 128, "budget": 60, "tune_epochs": 10, "trial_epochs": 10,
            "fraction": 0.5, "final_epochs": 12, "candidates": 2, "device": "cpu",
            "shapes": [256, 64, 128]},
    "gpu": {"data": str(ROOT.parent / "shared/datasets/bccd/data.yaml"), "imgsz": 320,
            "budget": 200, "tune_epochs": 10, "trial_epochs": 10, "fraction": 0.5,
            "final_epochs": 50, "candidates": 2, "device": "0", "shapes": [256, 64, 128]},
    "tiny": {"data": "shapes", "imgsz": 64, "budget": 4, "tune_epochs": 1, "trial_epochs": 1,
             "fraction": 0.5, "final_epochs": 1, "candidates": 2, "device": "cpu",
             "shapes": [24, 8, 64]},
}
METHODS = ("ul_tune", "sweep_tpe", "sweep_random", "sweep_race", "defaults")
FINETUNE_METHODS = ["ul_tune", "sweep_race", "defaults"]


@dataclass
class MethodRun:
    method: str
    seed: int
    trials: int = 0
    pruned: int = 0
    compute: float = 0.0                 # full-data epochs spent searching
    wall_s: float = 0.0
    overhead_per_trial_s: float | None = None
    best_search_fitness: float = 0.0
    best_params: dict[str, Any] = field(default_factory=dict)
    curve: list[tuple[float, float]] = field(default_factory=list)  # (compute, best so far)
    revalidated_fitness: float | None = None
    compute_to_reach_ul: float | None = None
    race: dict[str, Any] | None = None   # sweep_race: summary.json's race, gain over defaults
    defaults_full_size: float | None = None  # the baseline candidate's full-size value


def bench_dataset(opts: argparse.Namespace) -> datasets.Dataset:
    cache = Path(os.environ.get("SWEEP_CACHE_DIR", Path.home() / ".cache/sweep"))
    n_train, n_val, size = opts.shapes
    if opts.data != "shapes":
        return datasets.resolve(opts.data)
    from sweep.data.shapes import shapes_data

    return datasets.load_dataset(shapes_data(cache, {"train_images": n_train, "val_images": n_val,
                                                     "imgsz": size, "seed": opts.data_seed}))


def starter_model(opts: argparse.Namespace) -> str:
    """--finetune: sweep's starter weights, with the recipe of conf/config.yaml (the tiny mode
    with debug/smoke.yaml's), made once into the cache like the main command's."""
    from omegaconf import OmegaConf

    from sweep.run.starter import starter_weights

    recipe = OmegaConf.load(ROOT / "conf" / "config.yaml").starter
    if opts.mode == "tiny":
        recipe = OmegaConf.merge(recipe, OmegaConf.load(ROOT / "conf/debug/smoke.yaml").starter)
    cache = Path(os.environ.get("SWEEP_CACHE_DIR", Path.home() / ".cache/sweep"))
    return str(starter_weights("yolo11n.yaml", OmegaConf.to_container(recipe), cache))


def run_defaults(opts: argparse.Namespace, seed: int, dataset: datasets.Dataset) -> MethodRun:
    """No search: Ultralytics' own defaults, no argument given (optimizer=auto and all it sets:
    sweep's baseline trial resolves it the same way, sweep.config.baseline)."""
    return MethodRun("defaults", seed, best_params={})


def run_ul_tune(opts: argparse.Namespace, seed: int, work: Path,
                dataset: datasets.Dataset) -> MethodRun:
    """Ultralytics' tuner, as its docs show it, with iterations chosen to spend the budget.

    Tracker integrations (MLflow, ...) are dropped from the trainers this process builds, as
    sweep drops them from its own; the tuner's iterations run as `yolo train` subprocesses,
    which keep whatever the user's Ultralytics settings enable (as they do for users).
    """
    from ultralytics import YOLO
    from ultralytics.utils import callbacks as ul_callbacks

    from sweep.run.training import drop_tracker_integrations

    add_integrations = ul_callbacks.add_integration_callbacks

    def add_without_trackers(instance: Any) -> None:
        add_integrations(instance)
        drop_tracker_integrations(instance)

    ul_callbacks.add_integration_callbacks = add_without_trackers

    iterations = max(1, round(opts.budget / opts.tune_epochs))
    tree = datasets.build_tree(dataset, work / f"ul-s{seed}-ds", sorted(dataset.train),
                               sorted(dataset.val))
    model = YOLO(opts.model)
    started, cwd = time.time(), Path.cwd()
    # Each iteration is a `yolo train` subprocess with the user's Ultralytics settings (MLflow
    # logs into the working folder when installed): run it in `work`, not in the repository.
    os.chdir(work)
    try:
        model.tune(data=str(tree), epochs=opts.tune_epochs, iterations=iterations,
                   imgsz=opts.imgsz, device=opts.device, seed=seed, plots=False, save=False,
                   val=True, project=str(work), name=f"ul-s{seed}", exist_ok=True, workers=0)
    finally:
        os.chdir(cwd)
    run = MethodRun("ul_tune", seed, wall_s=round(time.time() - started, 1))
    records = [json.loads(line) for line in
               (work / f"ul-s{seed}" / "tune_results.ndjson").read_text().splitlines() if line]
    best, kept = -1.0, []
    for record in records:
        run.trials += 1
        kept += [t for d in record.get("save_dirs", {}).values()
                 if (t := _trained_seconds(Path(d))) > 0]
        run.compute += opts.tune_epochs
        fitness = float(record.get("fitness") or 0.0)
        if fitness > best:
            best, run.best_params = fitness, dict(record.get("hyperparameters", {}))
        run.curve.append((run.compute, best))
    run.best_search_fitness = max(best, 0.0)
    if kept:  # the tuner deletes all but the best iteration's run: every iteration trains the
        # same epochs on the same data, so the kept runs' mean stands for each iteration
        train_s = statistics.mean(kept) * run.trials
        run.overhead_per_trial_s = round((run.wall_s - train_s) / max(1, run.trials), 2)
    return run


def _trained_seconds(save_dir: Path) -> float:
    """Training time of one Ultralytics run: the last `time` of its results.csv (cumulative)."""
    import csv

    path = save_dir / "results.csv"
    if not path.exists():
        return 0.0
    rows = list(csv.DictReader(path.read_text().splitlines()))
    times = [float(r["time"]) for r in rows if r.get("time")]
    return max(times, default=0.0)


def sweep_cli(opts: argparse.Namespace, seed: int, root: Path, name: str, sampler: str,
               pruner: str, n_trials: int, final: list[str] | None = None) -> None:
    args = [f"data={opts.data}", f"model={opts.model}",
            f"paths.root={root}", f"study.name={name}", f"study.n_trials={n_trials}",
            f"sampler={sampler}", f"pruner={pruner}", f"train.seed={seed}",
            f"train.imgsz={opts.imgsz}", f"trial.epochs={opts.trial_epochs}",
            f"trial.fraction={opts.fraction}", *(final or ["final.enabled=false"]),
            f"workers.devices={'[cpu]' if opts.device == 'cpu' else 'auto'}",
            f"shapes.train_images={opts.shapes[0]}", f"shapes.val_images={opts.shapes[1]}",
            f"shapes.imgsz={opts.shapes[2]}", *opts.sweep_args]
    run_sweep_or_exit(args, f"sweep {name}", cwd=ROOT)


def run_sweep(opts: argparse.Namespace, seed: int, work: Path, dataset: datasets.Dataset,
              method: str) -> MethodRun:
    """sweep through its real command, resumed with more trials until the budget is spent."""
    import optuna
    from optuna.trial import TrialState

    sampler, pruner = ("random", "none") if method == "sweep_random" else ("tpe", "median")
    name = f"{method}-s{seed}"
    per_trial = opts.trial_epochs * opts.fraction
    racing = method == "sweep_race"
    if racing and opts.candidates < 2:
        raise SystemExit("--candidates must be at least 2 for a race (1 is a plain retrain)")
    budget = opts.budget - (opts.candidates + 1) * opts.final_epochs if racing else opts.budget
    if budget < per_trial:
        raise SystemExit(f"--budget {opts.budget} leaves the search of {method} less than one "
                         f"trial after a race of {opts.candidates} + 1 x {opts.final_epochs}")
    n_trials, started = max(1, math.floor(budget / per_trial)), time.time()
    total = len(dataset.train)
    while True:
        sweep_cli(opts, seed, work, name, sampler, pruner, n_trials)
        study = optuna.load_study(study_name=name,
                                  storage=f"sqlite:///{work / name / 'study.db'}")
        trials = sorted((t for t in study.get_trials()
                         if t.state in (TrialState.COMPLETE, TrialState.PRUNED)),
                        key=lambda t: t.datetime_complete)
        spent = sum(t.user_attrs["epochs_run"] * t.user_attrs["subset_size"] / total
                    for t in trials)
        left = budget - spent
        if left < per_trial / 2:
            break
        n_trials += max(1, round(left / per_trial))
    if racing:  # the same study resumed: nothing left to search, the race decides the finalist
        sweep_cli(opts, seed, work, name, sampler, pruner, n_trials,
                   [f"final.candidates={opts.candidates}", f"final.epochs={opts.final_epochs}",
                    "final.fraction=1.0", "tracking=[]"])
    run = MethodRun(method, seed, wall_s=round(time.time() - started, 1))
    best, train_s = -1.0, 0.0
    for t in trials:
        run.trials += 1
        run.pruned += t.state == TrialState.PRUNED
        run.compute += t.user_attrs["epochs_run"] * t.user_attrs["subset_size"] / total
        train_s += float(t.user_attrs.get("train_s", 0.0))
        if t.state == TrialState.COMPLETE and t.value is not None and t.value > best:
            best, run.best_params = t.value, dict(t.params)
        run.curve.append((round(run.compute, 3), max(best, 0.0)))
    run.best_search_fitness = max(best, 0.0)
    if racing:
        summary = json.loads((work / name / "summary.json").read_text())
        run.race = {**summary["race"], "gain_over_defaults_at_full_size":
                    summary.get("gain_over_defaults_at_full_size")}
        for candidate in run.race["candidates"]:
            run.compute += candidate["epochs_run"]  # all the data: one epoch is one epoch
            train_s += float(candidate.get("train_s") or 0.0)
            if candidate["baseline"]:
                run.defaults_full_size = candidate["full_size"]
    run.overhead_per_trial_s = round((run.wall_s - train_s) / max(1, run.trials), 2)
    best_yaml = work / name / "best.yaml"  # what sweep hands a user: fixed train args + params
    if best_yaml.exists():
        import yaml

        best_cfg = yaml.safe_load(best_yaml.read_text())
        run.best_params = {**best_cfg["train"], **best_cfg["final"]["params"]}
    return run


def revalidate(opts: argparse.Namespace, run: MethodRun, work: Path,
               dataset: datasets.Dataset) -> None:
    """Train the method's best configuration on all the data, same seed, same full val set."""
    from sweep.run.training import train

    tree = datasets.build_tree(dataset, work / "reval-ds", sorted(dataset.train),
                               sorted(dataset.val))
    params = {k: v for k, v in run.best_params.items()
              if k not in {"epochs", "patience", "device", "seed", "imgsz", "plots"}}
    args = {**params, "epochs": opts.final_epochs, "patience": opts.final_epochs,
            "device": opts.device, "seed": run.seed, "imgsz": opts.imgsz, "plots": False,
            "val": True, "save": True, "workers": 0, "deterministic": True}
    trainer = train(opts.model, tree, work, f"reval-{run.method}-s{run.seed}", args,
                    log_file=work / f"reval-{run.method}-s{run.seed}.log")
    run.revalidated_fitness = round(float((trainer.metrics or {}).get(
        "metrics/mAP50-95(B)", 0.0)), 5)


def compute_to_reach(curve: list[tuple[float, float]], target: float) -> float | None:
    return next((c for c, best in curve if best >= target and target > 0), None)


def full_size_curve(run: MethodRun) -> list[tuple[float, float]]:
    """sweep_race's best so far at full size against cumulative compute: the search, then each
    race candidate in the order raced (its epochs, its full-size value). The fidelity at which
    model.tune()'s re-validated best is comparable: trials on half the images never reach it."""
    if not run.race:
        return []
    candidates = run.race["candidates"]
    spent = run.compute - sum(c["epochs_run"] for c in candidates)
    best, curve = 0.0, []
    for candidate in candidates:
        spent += candidate["epochs_run"]
        best = max(best, candidate["full_size"] or 0.0)
        curve.append((round(spent, 3), best))
    return curve
