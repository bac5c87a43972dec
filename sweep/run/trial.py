"""One search trial: sample, build the trial's data subset, train briefly, report every epoch."""

from __future__ import annotations

import contextlib
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import optuna

from sweep.config.objectives import is_multi_objective
from sweep.core import stop_request
from sweep.core.events import Callbacks
from sweep.core.record import Attr, Stop, worst_value
from sweep.core.results import METRICS
from sweep.data import datasets
from sweep.pruning.callback import EpochPruner
from sweep.pruning.policy import early_stop_patience
from sweep.run.latency_measure import latency_attrs
from sweep.run.training import train
from sweep.study.memory import is_out_of_memory


class Interrupted(KeyboardInterrupt):
    """Raised inside a training (from a signal handler) for a stop that says nothing about the
    trial, as Ctrl-C does (a SIGTERM that W&B did not send): closed as interrupted and queued
    again once. The message is the fail reason."""


@dataclass
class Outcome:
    """What a trial produced: its state, value and the attributes recorded on it."""

    state: optuna.trial.TrialState
    value: float | None
    attrs: dict[str, Any] = field(default_factory=dict)
    error: BaseException | None = None
    out_of_memory: bool = False  # infeasible: told with the worst value and the constraint set


def subset_seed(base_seed: int, trial_number: int) -> int:
    """A different, reproducible draw of training images for every trial."""
    return base_seed * 100_003 + trial_number


def prepare_trial_data(cfg: dict[str, Any], dataset: datasets.Dataset, trial_dir: Path,
                       number: int) -> tuple[Path, dict[str, Any]]:
    """The trial's private symlink tree: a seeded random train subset and a capped val set."""
    seed = subset_seed(int(cfg["train"]["seed"]), number)
    # The same val subset for every trial (seeded by train.seed only), so values are comparable.
    yaml_path, train_size, val_size = datasets.build_subset(
        dataset, trial_dir / "ds", float(cfg["trial"]["fraction"]), seed,
        val_images=cfg["trial"]["val_images"] or len(dataset.val),
        val_seed=int(cfg["train"]["seed"]))
    return yaml_path, {Attr.SUBSET_SEED: seed, Attr.SUBSET_SIZE: train_size,
                       Attr.VAL_SIZE: val_size}


def train_args(cfg: dict[str, Any], params: dict[str, Any], epochs: int, patience: int,
               device: str) -> dict[str, Any]:
    """Ultralytics train kwargs: fixed `train.*`, then the sampled params, then sweep's own. A
    searched `model` is not one: it is what the training loads (Plan.model_for)."""
    searched = {key: value for key, value in params.items() if key != "model"}
    return {**cfg["train"], **searched, "epochs": epochs, "patience": patience,
            "device": device, "val": True, "save": True, "verbose": False}


def trial_info(cfg: dict[str, Any], params: dict[str, Any], subset: dict[str, Any],
               model: str, dataset: datasets.Dataset, device: str) -> dict[str, Any]:
    """What a tracker is told at trial start: the sampled and fixed arguments and the fidelity."""
    fidelity = {key: cfg["trial"][key] for key in ("fraction", "epochs", "patience")}
    fidelity.update({"val_images": subset[Attr.VAL_SIZE], "subset_seed": subset[Attr.SUBSET_SEED],
                     "subset_size": subset[Attr.SUBSET_SIZE]})
    return {"params": dict(params), "train": dict(cfg["train"]), "fidelity": fidelity,
            "model": model, "data": str(dataset.yaml_path), "device": device}


def run_trial(trial: optuna.Trial, cfg: dict[str, Any], dataset: datasets.Dataset, model: str,
              study_dir: Path, device: str, device_label: str | None = None,
              callbacks: Callbacks | None = None) -> Outcome:
    """Train one trial; never raises for a training error (that is a FAIL with its reason).

    `device` is what Ultralytics gets inside the pinned worker ("0" or "cpu"); `device_label`
    is what is recorded (the physical GPU, e.g. "cuda:3"). `callbacks` hear the trial start
    and each epoch (the worker fires the trial's end once the study has it).
    """
    callbacks = callbacks or Callbacks()
    started = time.time()
    trial_dir = study_dir / "trials" / f"trial-{trial.number:04d}"
    attrs: dict[str, Any] = {Attr.RUN_DIR: str(trial_dir / "train"),
                             Attr.DEVICE: device_label or device}
    params = dict(trial.params)  # sampled at ask(); recorded before training can touch them
    maximize = cfg["study"]["direction"] == "maximize"
    train_started, first_epoch = time.time(), [0.0]

    def on_epoch(*epoch: Any) -> None:
        # what an epoch costs here, for the budget's planner (sweep.study.budget_plan): after the
        # first, the mean of the epochs since (the first carries the training's setup)
        now, done = time.time(), pruner.epochs_reported
        first_epoch[0] = first_epoch[0] or now
        trial.set_user_attr(Attr.EPOCH_S, round(
            (now - first_epoch[0]) / (done - 1) if done > 1 else now - train_started, 3))
        callbacks.fire("on_epoch_end", trial, *epoch)

    # Optuna prunes single-objective studies only; a race's repeat measures one training's
    # noise, so it runs to its end whatever the others did
    pruned = not is_multi_objective(cfg) and Attr.REPEAT_OF not in trial.user_attrs
    pruner = EpochPruner(trial, METRICS[cfg["study"]["metric"]], maximize=maximize,
                         on_epoch=on_epoch, reports=pruned)
    error: BaseException | None = None
    stopped: str | None = None  # why the trial was told to stop, when it was
    try:
        data_yaml, subset = prepare_trial_data(cfg, dataset, trial_dir, trial.number)
        attrs.update(subset)
        callbacks.fire("on_trial_start", trial,
                       trial_info(cfg, params, subset, model, dataset, attrs[Attr.DEVICE]))
        args = train_args(cfg, params, int(cfg["trial"]["epochs"]),
                          early_stop_patience(cfg, pruned), device)
        if Attr.TRAINING_SEED in trial.user_attrs:  # a repeat: the same run, another draw
            args["seed"] = int(trial.user_attrs[Attr.TRAINING_SEED])
        train_started = time.time()  # on_epoch measures from here
        try:
            with stop_request.stoppable():  # "Stop run" on W&B's page ends it at a batch's end
                train(model, data_yaml, trial_dir, "train", args,
                      callbacks={"on_fit_epoch_end": pruner.on_fit_epoch_end,
                                 **dict.fromkeys(stop_request.BATCH_EVENTS,
                                                 stop_request.end_if_asked)},
                      log_file=trial_dir / "train.log")
        finally:
            attrs[Attr.TRAIN_S] = round(time.time() - train_started, 2)
    except stop_request.StopTrial as err:  # W&B's "Stop run", or its agent's SIGTERM (hyperband)
        stopped = str(err) or "stopped"
    except Exception as err:  # includes CUDA OOM: the trial FAILs, the sweep goes on
        error = err
    attrs[Attr.EPOCHS_RUN] = pruner.epochs_reported
    attrs[Attr.WALL_TIME_S] = round(time.time() - started, 2)
    if error is not None:
        attrs[Attr.FAIL_REASON] = f"{type(error).__name__}: {error}"[:1000]
        with contextlib.suppress(OSError):  # a full disk must not hide the trial's own error
            (trial_dir / "error.txt").parent.mkdir(parents=True, exist_ok=True)
            (trial_dir / "error.txt").write_text("".join(traceback.format_exception(error)))
        if is_out_of_memory(error):
            attrs[Attr.STOP_REASON] = Stop.OUT_OF_MEMORY
            return Outcome(optuna.trial.TrialState.COMPLETE,
                           worst_value(cfg["study"]["direction"]), attrs, error,
                           out_of_memory=True)
        attrs[Attr.STOP_REASON] = Stop.FAILED
        return Outcome(optuna.trial.TrialState.FAIL, None, attrs, error)
    if stopped:
        attrs[Attr.STOP_REASON] = stopped
        return Outcome(optuna.trial.TrialState.PRUNED, None, attrs)
    if pruner.pruned:
        attrs[Attr.STOP_REASON] = Stop.PRUNED
        return Outcome(optuna.trial.TrialState.PRUNED, None, attrs)
    if pruner.best is None:
        attrs[Attr.STOP_REASON] = Stop.FAILED
        attrs[Attr.FAIL_REASON] = f"no value of study.metric={cfg['study']['metric']} was reported"
        return Outcome(optuna.trial.TrialState.FAIL, None, attrs)
    try:  # a model that will be deployed: how fast it is (latency.*), when asked
        attrs.update(latency_attrs(trial_dir / "train" / "weights" / "best.pt", dataset.val,
                                   int(params.get("imgsz", cfg["train"]["imgsz"])), cfg))
    except Exception as err:  # noqa: BLE001 - a trial whose latency is unknown is not judged
        attrs[Attr.STOP_REASON] = Stop.FAILED
        attrs[Attr.FAIL_REASON] = f"measuring its latency failed: {type(err).__name__}: {err}"
        return Outcome(optuna.trial.TrialState.FAIL, None, attrs, err)
    early = pruner.epochs_reported < int(cfg["trial"]["epochs"])
    attrs[Attr.STOP_REASON] = Stop.EARLY_STOPPED if early else Stop.COMPLETED
    return Outcome(optuna.trial.TrialState.COMPLETE, pruner.best, attrs)
