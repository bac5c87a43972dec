"""One Ultralytics training: its output goes to the trial's log, its tracker integrations are
off."""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sweep.run.training import drop_tracker_integrations


def test_a_trials_log_holds_ultralytics_output_while_the_console_stays_quiet(
        tmp_path: Path) -> None:
    from ultralytics.utils import LOGGER

    from sweep.run.training import log_to

    level = LOGGER.level
    LOGGER.setLevel(logging.ERROR)  # what YOLO_VERBOSE=False leaves
    console = io.StringIO()
    try:
        with contextlib.redirect_stdout(console), log_to(tmp_path / "train.log"):
            LOGGER.warning("labels/x.txt: ignoring corrupt image/label")
            LOGGER.info("      Epoch    GPU_mem   box_loss")
            print("a progress line")
        LOGGER.warning("after the training: not in the log")
        assert LOGGER.level == logging.ERROR
    finally:
        LOGGER.setLevel(level)
    text = (tmp_path / "train.log").read_text()
    assert "ignoring corrupt image/label" in text and "Epoch" in text
    assert "a progress line" in text and "after the training" not in text
    assert console.getvalue() == ""


def _from(module: str, calls: list[str]) -> Callable[[Any], None]:
    def callback(trainer: Any) -> None:
        calls.append(module)

    callback.__module__ = module
    return callback


def test_ultralytics_tracker_integrations_are_dropped_before_they_run() -> None:
    """Run the event as Ultralytics does (a plain loop over the list): the integrations after
    sweep's callback never run, in this event or any later one."""
    calls: list[str] = []
    base = "ultralytics.utils.callbacks."
    start = [_from(f"{base}base", calls), drop_tracker_integrations,
             _from(f"{base}mlflow", calls), _from(f"{base}platform", calls),
             _from(f"{base}wb", calls)]
    trainer = type("Trainer", (), {})()
    trainer.callbacks = {"on_pretrain_routine_start": start,
                         "on_fit_epoch_end": [_from(f"{base}dvc", calls),
                                              _from(f"{base}tensorboard", calls)]}
    for event in ("on_pretrain_routine_start", "on_fit_epoch_end"):
        for callback in trainer.callbacks[event]:
            callback(trainer)
    assert calls == [f"{base}base", f"{base}platform", f"{base}tensorboard"]


def test_a_cpu_training_gets_its_share_of_the_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ultralytics sets cpu_count - 1 threads (1 of 2 cores); sweep restores the share it gave
    (a CPU worker's, the starter weights' pretraining) at the start of training, on CPU only."""
    import types

    import torch

    from sweep.run.training import CPU_THREADS_ENV, use_cpu_share

    before = torch.get_num_threads()
    try:
        monkeypatch.setenv(CPU_THREADS_ENV, "3")
        torch.set_num_threads(1)
        use_cpu_share(types.SimpleNamespace(device=torch.device("cpu")))
        assert torch.get_num_threads() == 3
        torch.set_num_threads(1)
        use_cpu_share(types.SimpleNamespace(device=torch.device("cuda", 0)))
        assert torch.get_num_threads() == 1  # a GPU training's threads are Ultralytics' call
        monkeypatch.delenv(CPU_THREADS_ENV)
        use_cpu_share(types.SimpleNamespace(device=torch.device("cpu")))
        assert torch.get_num_threads() == 1  # not sweep's to decide: Ultralytics' stands
    finally:
        torch.set_num_threads(before)


def test_tracker_integrations_are_never_imported_by_a_training(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Off in memory (MLflow's import writes ~/.config/mlflow/telemetry.json), the user's
    settings file untouched."""
    from ultralytics.utils import SETTINGS

    from sweep.run.training import keep_trackers_unloaded

    saved = dict(SETTINGS)
    monkeypatch.setattr(type(SETTINGS), "_save", lambda self: pytest.fail("settings saved"))
    try:
        dict.__setitem__(SETTINGS, "mlflow", True)
        keep_trackers_unloaded()
        assert SETTINGS["mlflow"] is False
    finally:
        dict.update(SETTINGS, saved)
