"""One Ultralytics training, quiet and contained: shared by search trials and the finalist."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

# Ultralytics' tracker integrations, each on whenever its package is importable and its setting
# is true (MLflow, ClearML, Comet, DVC, Neptune, Ray Tune are by default; W&B after `yolo
# settings wandb=True`). Inside sweep's trainings they are off: sweep mirrors trials itself
# (sweep.tracking), a second W&B run per trial would clash, and MLflow/DVC would write mlruns/,
# mlflow.db or dvclive/ into the user's working folder. TensorBoard stays: it writes into the
# training's own run dir.
TRACKER_INTEGRATIONS = frozenset({"clearml", "comet", "dvc", "mlflow", "neptune", "raytune", "wb"})
_INTEGRATIONS_PACKAGE = "ultralytics.utils.callbacks."


def load_ultralytics() -> None:
    """torch and Ultralytics imported at a worker's start (about 4 s on 2 cores), not inside its
    first trial, whose proposal reads Ultralytics' defaults (sweep.study.memory.asked_for)."""
    import ultralytics  # noqa: F401


def drop_tracker_integrations(trainer: Any) -> None:
    """`on_pretrain_routine_start`, registered before the trainer adds its integrations: remove
    their callbacks from this trainer before any of them has run.

    The lists are edited in place, so the loop running this very event skips them too.
    """
    for functions in trainer.callbacks.values():
        functions[:] = [fn for fn in functions if getattr(fn, "__module__", "").removeprefix(
            _INTEGRATIONS_PACKAGE) not in TRACKER_INTEGRATIONS]


def keep_trackers_unloaded() -> None:
    """Ultralytics' tracker settings false in this process only (the user's settings file is
    not written): their packages are then never imported by a training, so MLflow does not
    leave ~/.config/mlflow/telemetry.json behind. drop_tracker_integrations stays, for a
    callback added by other means."""
    from ultralytics.utils import SETTINGS

    for key in ("clearml", "comet", "dvc", "mlflow", "neptune", "raytune", "wandb"):
        if SETTINGS.get(key) is True:
            dict.__setitem__(SETTINGS, key, False)  # JSONDict's own __setitem__ saves the file


# The CPU threads a training may use, set by the supervisor for each CPU worker (its share of
# the cores) and by the starter weights' pretraining (all of them); unset, Ultralytics decides.
CPU_THREADS_ENV = "SWEEP_CPU_THREADS"


@contextlib.contextmanager
def all_cores() -> Iterator[None]:
    """For a training that runs alone (the starter weights, a plain retrain in the main
    process): every core on CPU, unless SWEEP_CPU_THREADS is set already. Ultralytics' own
    choice left a 10-epoch retrain at 12 s an epoch on one of two cores, 9 s on both."""
    given = os.environ.get(CPU_THREADS_ENV)
    os.environ[CPU_THREADS_ENV] = given or str(os.cpu_count() or 1)
    try:
        yield
    finally:
        if given is None:
            os.environ.pop(CPU_THREADS_ENV, None)


def use_cpu_share(trainer: Any) -> None:
    """`on_pretrain_routine_start`: give a CPU training the threads sweep decided for it.

    Ultralytics sets torch to cpu_count - 1 threads for any CPU training (its select_device),
    which is one of two cores on a 2-core machine: half the machine idle under one CPU worker.
    A 4-epoch training took 54 s on one thread and 39 s on two here. Where sweep did not
    decide (another process of the user's may share the cores), Ultralytics' choice stands.
    """
    import torch

    threads = os.environ.get(CPU_THREADS_ENV)
    if threads and getattr(trainer.device, "type", None) == "cpu":
        torch.set_num_threads(int(threads))


def prepare_offline_font() -> None:
    """Stop Ultralytics' per-training download attempt of Arial.ttf on an offline machine.

    Ultralytics looks for the font in its config folder before trying the network; matplotlib
    ships DejaVuSans, which serves for plot labels.
    """
    from ultralytics.utils import ONLINE, USER_CONFIG_DIR

    target = Path(USER_CONFIG_DIR) / "Arial.ttf"
    if ONLINE or target.exists():
        return
    import matplotlib

    source = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    if source.exists():
        with contextlib.suppress(OSError):
            shutil.copyfile(source, target)


@contextlib.contextmanager
def log_to(path: Path | None) -> Iterator[None]:
    """Send Ultralytics' normal output (stdout, its logger at INFO, its per-epoch progress
    lines) to `path`; a no-op when `path` is None.

    sweep keeps the console quiet with YOLO_VERBOSE=False, which raises Ultralytics' logger to
    ERROR and turns its progress lines off, so its warnings (corrupt labels dropped, images
    skipped) would be lost: for the training, the logger is back at INFO and verbose, into the
    file only.
    """
    if path is None:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    import ultralytics.utils as yolo_utils

    logger = yolo_utils.LOGGER
    with open(path, "a", buffering=1) as stream:
        saved = logger.handlers[:], logger.level, yolo_utils.VERBOSE
        logger.handlers = [logging.StreamHandler(stream)]
        logger.setLevel(logging.INFO)
        yolo_utils.VERBOSE = True  # read by Ultralytics' progress bars when each one starts
        try:
            with contextlib.redirect_stdout(stream):
                yield
        finally:
            logger.handlers, level, yolo_utils.VERBOSE = saved
            logger.setLevel(level)


def train(model: str, data_yaml: Path, project: Path, name: str, args: dict[str, Any],
          callbacks: dict[str, Callable[[Any], None]] | None = None,
          log_file: Path | None = None) -> Any:
    """Train `model` on `data_yaml` into `project/name`; return the Ultralytics trainer.

    `args` are Ultralytics train arguments (searched and fixed ones together). A copy is passed,
    so the caller's record of what was sampled cannot be changed by training.
    """
    from ultralytics import YOLO

    prepare_offline_font()
    keep_trackers_unloaded()
    yolo = YOLO(model)
    yolo.add_callback("on_pretrain_routine_start", drop_tracker_integrations)
    yolo.add_callback("on_pretrain_routine_start", use_cpu_share)
    for event, fn in (callbacks or {}).items():
        yolo.add_callback(event, fn)
    with log_to(log_file):
        yolo.train(data=str(data_yaml), project=str(project), name=name, exist_ok=True,
                   **dict(args))
    return yolo.trainer
