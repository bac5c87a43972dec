"""Ultralytics' results.csv and metric names, read the one way every stage reads them.

Training (the race's winner, the finalist) and reporting (curves, W&B history) both read a
run's results.csv; the table from `study.metric` to Ultralytics' column is here, below both.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

# study.metric -> its column in results.csv and key in trainer.metrics (None: trainer.fitness,
# which is mAP50-95 in Ultralytics 8.4)
METRICS: dict[str, str | None] = {
    "fitness": None, "map50": "metrics/mAP50(B)", "map50-95": "metrics/mAP50-95(B)",
    "precision": "metrics/precision(B)", "recall": "metrics/recall(B)"}


def column_of(metric: str) -> str:
    """The results.csv column of `metric` (fitness reads mAP50-95)."""
    return METRICS[metric] or str(METRICS["map50-95"])


def as_finite(raw: Any) -> float | None:
    """`raw` as a finite float (a tensor, numpy or CSV text), or None when it is not one."""
    try:
        value = float(raw)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def results_rows(results_csv: Path) -> list[dict[str, str]]:
    """An Ultralytics results.csv, one dict per epoch (its column names are padded)."""
    with open(results_csv, newline="") as handle:
        return [{k.strip(): v for k, v in row.items()} for row in csv.DictReader(handle)]


def results_history(run_dir: Path) -> list[tuple[int, dict[str, float]]]:
    """A run's results.csv as (step, row of finite numbers) pairs; step = epoch - 1, as the
    trials report to Optuna. Empty when there is no results.csv."""
    path = run_dir / "results.csv"
    if not path.is_file():
        return []
    history = []
    for raw in results_rows(path):
        row = {key: value for key, text in raw.items() if (value := as_finite(text)) is not None}
        if "epoch" in row:
            history.append((int(row.pop("epoch")) - 1, row))
    return history


def metric_curve(results_csv: Path, metric: str) -> dict[int, float]:
    """Epoch index -> `metric` from a results.csv."""
    column = column_of(metric)
    return {i: float(row[column]) for i, row in enumerate(results_rows(results_csv))
            if row.get(column)}


def named_metrics(raw: dict[str, Any]) -> dict[str, float]:
    """Ultralytics' metric keys -> sweep's names (study.metric), rounded; plus `fitness`."""
    metrics = {name: round(float(raw[key]), 5) for name, key in METRICS.items()
               if key is not None and key in raw}
    if "map50-95" in metrics:
        metrics["fitness"] = metrics["map50-95"]  # Ultralytics 8.4: fitness is mAP50-95
    return metrics


def best_epoch_metrics(results_csv: Path) -> dict[str, float]:
    """The metrics of a run's best epoch (by mAP50-95, Ultralytics 8.4's fitness)."""
    column = column_of("map50-95")
    return named_metrics(max(results_rows(results_csv),
                             key=lambda r: float(r.get(column) or 0.0)))
