"""Fakes the tests share: Ultralytics' training loop in miniature, a sampler that fails in
ask(), studies with given learning curves, and a plan built from a composed config."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import optuna
from omegaconf import DictConfig
from optuna.trial import TrialState

from sweep.config.plain import plain
from sweep.config.plan import Plan
from sweep.core.record import Attr, Stop
from sweep.pruning.callback import EpochPruner


@dataclass
class FakeTrainer:
    """Runs like Ultralytics' loop: epoch callback, `if stop: break`, then a final evaluation."""

    curve: list[float]
    metrics: dict[str, float] = field(default_factory=dict)
    fitness: float | None = None
    epoch: int = 0
    stop: bool = False

    def train(self, callback: EpochPruner) -> int:
        for epoch, value in enumerate(self.curve):
            self.epoch, self.fitness = epoch, value
            self.metrics = {"val/box_loss": 1.0, "metrics/mAP50(B)": value * 2}
            callback.on_fit_epoch_end(self)
            if self.stop:
                break
        epochs_run = self.epoch + 1
        # Ultralytics' final evaluation of best.pt: one more call, without val/* keys.
        self.metrics, self.epoch = {"metrics/mAP50(B)": 99.0}, self.epoch + 1
        callback.on_fit_epoch_end(self)
        return epochs_run


FAKE_GPU_BATCH = 16  # the fake GPU of fake_train fits batch 16, not 32


def fake_train(model: str, data_yaml: Path, project: Path, name: str, args: dict[str, Any],
               callbacks: dict[str, Callable[[Any], None]] | None = None,
               log_file: Path | None = None) -> Any:
    """sweep.run.training.train in miniature; CUDA's error above FAKE_GPU_BATCH. The value
    grows with lr0 and not with batch, so only memory tells the sampler to avoid large
    batches."""
    if args["batch"] > FAKE_GPU_BATCH:
        raise RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 15.75 GiB "
                           "total capacity)")
    trainer = type("Trainer", (), {"stop": False})()
    for epoch in range(args["epochs"]):
        trainer.epoch, trainer.fitness = epoch, min(1.0, args["lr0"] * 5 * (epoch + 1))
        trainer.metrics = {"val/box_loss": 1.0}
        (callbacks or {})["on_fit_epoch_end"](trainer)
        if trainer.stop:
            break
    return trainer


class BrokenSampler(optuna.samplers.RandomSampler):
    """Raises inside `study.ask()`, after Optuna has created the trial's row (what a sampler
    whose optional package is missing did)."""

    def sample_relative(self, study, trial, search_space):  # noqa: ANN001, ANN201
        raise ImportError("no module named 'cmaes'")

    def infer_relative_search_space(self, study, trial):  # noqa: ANN001, ANN201
        return {"x": optuna.distributions.FloatDistribution(0, 1)}


def study_with_curves(values: list[tuple[TrialState, list[float]]]) -> optuna.Study:
    """An in-memory study whose trials report `values` per epoch and end in the given state;
    the first is the baseline."""
    study = optuna.create_study(direction="maximize")
    for number, (state, curve) in enumerate(values):
        trial = study.ask({"lr0": optuna.distributions.FloatDistribution(1e-4, 1e-1, log=True),
                           "batch": optuna.distributions.IntDistribution(8, 32)})
        for step, value in enumerate(curve):
            trial.report(value, step)
        trial.set_user_attr(Attr.EPOCHS_RUN, len(curve))
        trial.set_user_attr(Attr.TRAIN_S, 1.5)
        trial.set_user_attr(Attr.STOP_REASON, {TrialState.PRUNED: Stop.PRUNED,
                                               TrialState.FAIL: Stop.FAILED}.get(
                                                   state, Stop.COMPLETED))
        if number == 0:
            trial.set_user_attr(Attr.BASELINE, True)
        if state == TrialState.COMPLETE:
            study.tell(trial, max(curve))
        else:
            study.tell(trial, state=state)
    return study


# A summary.json record of a small finished sweep, for what reads one (the note, report.md).
SUMMARY = {
    "study_name": "demo", "stopped_by": "n_trials",
    "counts": {"COMPLETE": 2, "PRUNED": 1, "FAIL": 0, "RUNNING": 0, "WAITING": 0},
    "stop_reasons": {"completed": 2, "pruned": 1},
    "best_trial": {"number": 2, "value": 0.42, "params": {"lr0": 0.003, "optimizer": "SGD"}},
    "baseline": {"number": 0, "state": "COMPLETE", "value": 0.3},
    "finalist": {"epochs": 16, "train_images": 256, "wall_time_s": 93.2, "source_trial": 2,
                 "metrics": {"map50": 0.8, "fitness": 0.61}, "weights": "/x/final/best.pt",
                 "wandb_url": "https://wandb.ai/me/sweep/runs/abc"},
    "rerun_command": "python -m sweep --config-path /x --config-name best",
}


def plan_for(cfg: DictConfig, tmp_path: Path, **tracking: Any) -> Plan:
    """A plan of the composed `cfg` under `tmp_path` (`tracking`: replaces the trackers)."""
    config = plain(cfg)
    if tracking:
        config["tracking"] = tracking
    return Plan(config=config, study_name="t", storage_url=f"sqlite:///{tmp_path / 's.db'}",
                study_dir=str(tmp_path / "t"), data_yaml=str(tmp_path / "data.yaml"),
                model="yolo11n.yaml", run_id="r")


def fake_trial_plan(tmp_path: Path, dataset_yaml: Path, **sections: dict[str, Any]) -> Plan:
    """A plan for trials trained by fake_train on a tiny dataset: the config such tests share
    (fixed seed, 2-epoch trials, no pruner, random sampler, latency when asked), each of
    `sections` updated over its section."""
    config: dict[str, Any] = {
        "space": {"batch": {"choices": [8]}, "lr0": {"low": 0.01, "high": 0.2}},
        "train": {"seed": 0, "imgsz": 64},
        "trial": {"fraction": 0.5, "epochs": 2, "patience": 3, "val_images": 4},
        "pruner": {"_target_": "optuna.pruners.NopPruner"},
        "pruning": {"wait_for_stall": True, "zero_is_warmup": True},
        "sampler": {"_target_": "optuna.samplers.RandomSampler", "seed": 0},
        "study": {"metric": "fitness", "direction": "maximize", "max_latency_ms": None},
        "latency": {"measure": "auto", "device": "cpu", "threads": 1, "format": "torch",
                    "warmup": 1, "repeats": 3},
        "workers": {"heartbeat_interval": 10, "grace_period": 60}}
    for name, values in sections.items():
        config[name] = {**config.get(name, {}), **values}
    return Plan(config=config, study_name="s", storage_url=f"sqlite:///{tmp_path / 's.db'}",
                study_dir=str(tmp_path), data_yaml=str(dataset_yaml), model="m.yaml",
                run_id="r")
