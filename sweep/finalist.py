"""The finalist: the best parameters retrained at full size (all data, full epochs, every GPU)."""

from __future__ import annotations

import csv
import hashlib
import json
import time
from pathlib import Path
from typing import Any

import optuna
from optuna.trial import TrialState

from sweep import data as datasets
from sweep.training import all_devices, train
from sweep.trial import train_args

METRIC_KEYS = {"precision": "metrics/precision(B)", "recall": "metrics/recall(B)",
               "map50": "metrics/mAP50(B)", "map50-95": "metrics/mAP50-95(B)"}


def results_rows(results_csv: Path) -> list[dict[str, str]]:
    """An Ultralytics results.csv, one dict per epoch (its column names are padded)."""
    with open(results_csv, newline="") as handle:
        return [{k.strip(): v for k, v in row.items()} for row in csv.DictReader(handle)]


def feasible_complete(study: optuna.Study) -> list[optuna.trial.FrozenTrial]:
    """COMPLETE trials with a value that did not run out of memory (those are told with the
    worst value and are infeasible: sweep.memory)."""
    return [t for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
            if t.value is not None and t.user_attrs.get("stop_reason") != "out_of_memory"]


def best_trial(study: optuna.Study) -> optuna.trial.FrozenTrial | None:
    """The best feasible COMPLETE trial, or None when none completed within its constraints
    (every one ran out of memory, say)."""
    if not any(t.state == TrialState.COMPLETE for t in study.get_trials(deepcopy=False)):
        return None
    try:
        return study.best_trial  # Optuna skips infeasible trials here
    except ValueError:
        return None


def final_key(final: dict[str, Any], params: dict[str, Any]) -> str:
    """Identifies one finalist training, so re-running the same command does not redo it."""
    text = json.dumps({"final": {k: v for k, v in final.items() if k != "only"},
                       "params": params}, sort_keys=True, default=str)
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def next_run_dir(study_dir: Path) -> Path:
    """`final`, then `final-2`, `final-3`...: a retrain never overwrites an earlier finalist."""
    candidate, n = study_dir / "final", 1
    while candidate.exists():
        n += 1
        candidate = study_dir / f"final-{n}"
    return candidate


def _metrics_of(trainer: Any, data_yaml: Path, device: str) -> dict[str, float]:
    """Metrics of best.pt from the final evaluation (re-validated if it ran in DDP workers)."""
    raw = dict(getattr(trainer, "metrics", None) or {})
    if METRIC_KEYS["map50-95"] not in raw and Path(trainer.best).exists():
        from ultralytics import YOLO

        result = YOLO(str(trainer.best)).val(data=str(data_yaml), device=device.split(",")[0],
                                             plots=False, verbose=False)
        raw = dict(result.results_dict)
    return named_metrics(raw)


def named_metrics(raw: dict[str, Any]) -> dict[str, float]:
    """Ultralytics' metric keys -> sweep's names (study.metric), rounded; plus `fitness`."""
    metrics = {name: round(float(raw[key]), 5) for name, key in METRIC_KEYS.items() if key in raw}
    if "map50-95" in metrics:
        metrics["fitness"] = metrics["map50-95"]  # Ultralytics 8.4: fitness is mAP50-95
    return metrics


def train_finalist(cfg: dict[str, Any], dataset: datasets.Dataset, model: str, study_dir: Path,
                   params: dict[str, Any], source_trial: int | None) -> dict[str, Any]:
    """Retrain with `final.*` and return the record kept in summary.json and the study."""
    final = cfg["final"]
    run_dir = next_run_dir(study_dir)
    seed = int(cfg["train"]["seed"])
    size = datasets.subset_size(len(dataset.train), float(final["fraction"]))
    train_images = datasets.seeded_subset(dataset.train, size, seed)
    data_yaml = datasets.build_tree(dataset, run_dir / "ds", train_images, list(dataset.val))
    device = all_devices()
    args = {**train_args(cfg, params, int(final["epochs"]), int(final["patience"]), device),
            "plots": bool(final["plots"])}
    started = time.time()
    trainer = train(model, data_yaml, run_dir, "train", args, log_file=run_dir / "train.log")
    metrics = _metrics_of(trainer, data_yaml, device)
    return {
        "key": final_key(final, params),
        "source_trial": source_trial,
        "params": params,
        "run_dir": str(run_dir / "train"),
        "weights": str(trainer.best),
        "device": device,
        "train_images": len(train_images),
        "epochs": int(final["epochs"]),
        "wall_time_s": round(time.time() - started, 1),
        "metrics": metrics,
        "value": metrics.get(cfg["study"]["metric"]),
    }
