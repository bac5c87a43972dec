"""A plain retrain: the best parameters trained once at full size (all data, full epochs, every
GPU), in-process."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from sweep.core.record import FinalistRecord
from sweep.core.results import column_of, named_metrics
from sweep.data import datasets
from sweep.run.devices import all_devices
from sweep.run.latency_measure import latency_attrs
from sweep.run.training import all_cores, train
from sweep.run.trial import train_args
from sweep.study.bookkeeping import final_key


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
    if column_of("map50-95") not in raw and Path(trainer.best).exists():
        from ultralytics import YOLO

        result = YOLO(str(trainer.best)).val(data=str(data_yaml), device=device.split(",")[0],
                                             plots=False, verbose=False)
        raw = dict(result.results_dict)
    return named_metrics(raw)


def train_finalist(cfg: dict[str, Any], dataset: datasets.Dataset, model: str, study_dir: Path,
                   params: dict[str, Any], source_trial: int | None) -> FinalistRecord:
    """Retrain with `final.*` and return the record kept in summary.json and the study."""
    final = cfg["final"]
    run_dir = next_run_dir(study_dir)
    data_yaml, train_images, _ = datasets.build_subset(
        dataset, run_dir / "ds", float(final["fraction"]), int(cfg["train"]["seed"]))
    device = all_devices()
    args = {**train_args(cfg, params, int(final["epochs"]), int(final["patience"]), device),
            "plots": bool(final["plots"])}
    started = time.time()
    with all_cores():  # the only training now (its workers, on GPUs, are DDP's own)
        trainer = train(model, data_yaml, run_dir, "train", args, log_file=run_dir / "train.log")
    metrics = _metrics_of(trainer, data_yaml, device)
    latency = latency_attrs(Path(trainer.best), dataset.val,
                            int(params.get("imgsz", cfg["train"]["imgsz"])), cfg)
    record: FinalistRecord = {
        "key": final_key(final, params),
        "source_trial": source_trial,
        "params": params,
        "run_dir": str(run_dir / "train"),
        "weights": str(trainer.best),
        "device": device,
        "train_images": train_images,
        "epochs": int(final["epochs"]),
        "wall_time_s": round(time.time() - started, 1),
        "metrics": metrics,
        "value": metrics.get(cfg["study"]["metric"]),
    }
    if latency:  # latency_ms and how it was measured, when asked: as a trial keeps them
        record["latency_ms"], record["latency"] = latency["latency_ms"], latency["latency"]
    return record
