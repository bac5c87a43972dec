"""Train a claimed trial with its heartbeat and close it, whatever ends it: shared by the worker
and the W&B agent's one trial."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import optuna
from optuna.trial import TrialState

from sweep.config.plan import Plan
from sweep.core.events import Callbacks
from sweep.core.optuna_api import frozen, storage_of, trial_id
from sweep.core.record import Attr, Stop
from sweep.data import datasets
from sweep.run.trial import Outcome, run_trial
from sweep.study.closing import close_trial, retry_once
from sweep.study.storage import has_heartbeat


class Heartbeat:
    """Record a trial's heartbeat while it trains (what study.optimize does, for ask/tell)."""

    def __init__(self, study: optuna.Study, trial: optuna.Trial, interval: float) -> None:
        self._stop = threading.Event()
        storage = storage_of(study)
        self._thread = None
        if has_heartbeat(storage):
            beating = trial_id(trial)
            storage.record_heartbeat(beating)  # type: ignore[attr-defined]

            def beat() -> None:
                while not self._stop.wait(interval):
                    storage.record_heartbeat(beating)  # type: ignore[attr-defined]

            self._thread = threading.Thread(target=beat, daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()


@contextlib.contextmanager
def ctrl_c_deferred() -> Iterator[None]:
    """Hold a Ctrl-C (SIGINT) while a finished trial is recorded, and raise it afterwards, so a
    trial is never left half-told."""
    received: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if received:
        raise KeyboardInterrupt


def train_and_tell(study: optuna.Study, trial: optuna.Trial, plan: Plan,
                   dataset: datasets.Dataset, device: str, where: str, callbacks: Callbacks,
                   during_training: contextlib.AbstractContextManager[Any] | None = None
                   ) -> Outcome | None:
    """Train a claimed trial with its heartbeat and tell the study how it ended; None when
    Ctrl-C (or `Interrupted`) stopped it: told as FAIL, `interrupted`, and queued again once, so
    the next run of the same command trains it. `during_training` wraps the training alone
    (the W&B agent's SIGTERM handler)."""
    beat = Heartbeat(study, trial, plan.config["workers"]["heartbeat_interval"])
    try:
        with during_training or contextlib.nullcontext():
            outcome = run_trial(trial, plan.config, dataset, plan.model_for(trial.params),
                                Path(plan.study_dir), device, where, callbacks)
    except KeyboardInterrupt as stop:
        # Ctrl-C reaches every process of the terminal's group, and the supervisor then asks
        # its workers to stop with SIGINT too: neither may interrupt closing the trial.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        beat.stop()
        close_trial(study, trial, TrialState.FAIL, callbacks=callbacks,
                    attrs={Attr.FAIL_REASON: str(stop) or "interrupted (Ctrl-C)",
                           Attr.STOP_REASON: Stop.INTERRUPTED})
        retry_once(study, frozen(study, trial))  # trained again by the next run
        return None
    with ctrl_c_deferred():  # the trial is over: record it whole, then stop if asked to
        beat.stop()
        close_trial(study, trial, outcome.state, outcome.value, attrs=outcome.attrs,
                    out_of_memory=outcome.out_of_memory, callbacks=callbacks)
    return outcome
