"""A worker process: pinned to one device at start, it pulls trials from the study until done.

Started by the supervisor as `python -m sweep.worker PLAN.json LABEL SLOT` with
CUDA_VISIBLE_DEVICES and OMP_NUM_THREADS already in its environment, so torch sees only its
device from the start.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import optuna
from omegaconf import OmegaConf
from optuna.trial import TrialState

from sweep import data as datasets
from sweep.disk import is_disk_full
from sweep.liveness import identity
from sweep.memory import OOM_CONSTRAINT, asked_for, known_not_to_fit, mark_out_of_memory
from sweep.plan import Plan
from sweep.review import keep_trial
from sweep.space import to_distributions
from sweep.storage import claim_lock, has_heartbeat
from sweep.study import close_half_asked, close_orphans, open_study
from sweep.tracking import Callbacks, load_callbacks

if TYPE_CHECKING:
    from sweep.trial import Outcome

EXIT_DEVICE_ERROR = 3
EXIT_DISK_FULL = 4  # the supervisor stops the sweep: a new worker could not write either
MAX_UNFIT_PROPOSALS = 50  # proposals closed untrained in a row before one is trained anyway


class SamplerFailed(RuntimeError):
    """The sampler raised while proposing a trial (its trial is closed as FAIL already)."""


def stop_reason(study: optuna.Study, plan: Plan) -> str | None:
    """Why no further trial should start, or None. Shared by workers and the supervisor."""
    cfg = plan.config
    trials = study.get_trials(deepcopy=False)  # one read: this runs under the claim lock
    taken = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.RUNNING)
    counted = [t for t in trials if t.state in taken and not t.user_attrs.get("not_trained")]
    if len(counted) >= cfg["study"]["n_trials"]:
        return "n_trials"
    failures = sum(t.state == TrialState.FAIL and t.user_attrs.get("run_id") == plan.run_id
                   for t in trials)
    if failures >= cfg["workers"]["max_failures"]:
        return "max_failures"
    if plan.deadline is not None and time.time() >= plan.deadline:
        return "timeout"
    return None


def claim_next(study: optuna.Study, plan: Plan, label: str) -> optuna.Trial | None:
    """Under the study's claim lock: tidy up dead trials, check the budget, ask for a trial."""
    with claim_lock(plan.storage_url, plan.study_name):
        optuna.storages.fail_stale_trials(study)
        close_orphans(study)
        if stop_reason(study, plan) is not None:
            return None
        for _ in range(MAX_UNFIT_PROPOSALS):
            trial, asked = ask_trial(study, plan, label)
            unfit = known_not_to_fit(study, asked)
            if unfit is None:
                return trial
            # Recorded (the sampler learns from it) but not trained, and not counted in
            # study.n_trials: it could only run out of memory again.
            done = unfit.user_attrs.get("asked", {})
            trial.set_user_attr("not_trained", True)
            mark_out_of_memory(study, trial._trial_id, plan.config["study"]["direction"],
                               f"not trained: batch {asked['batch']} at imgsz {asked['imgsz']} "
                               f"cannot fit, trial {unfit.number} ran out of memory with batch "
                               f"{done.get('batch')} at imgsz {done.get('imgsz')}")
        return ask_trial(study, plan, label)[0]  # the sampler insists: train it, once more


def ask_trial(study: optuna.Study, plan: Plan, label: str
              ) -> tuple[optuna.Trial, dict[str, object]]:
    """A new trial, tagged with who runs it and the batch and image size it asks for."""
    try:
        trial = study.ask(fixed_distributions=to_distributions(plan.config["space"]))
    except Exception as err:  # the sampler failed after Optuna created the trial's row
        why = f"asking the sampler failed: {type(err).__name__}: {err}"
        close_half_asked(study, why)
        raise SamplerFailed(why) from err
    asked = asked_for(trial.params, plan.config["train"])
    for key, value in {**identity(), "run_id": plan.run_id, "worker": label,
                       "asked": asked}.items():
        trial.set_user_attr(key, value)
    return trial, asked


class Heartbeat:
    """Record a trial's heartbeat while it trains (what study.optimize does, for ask/tell)."""

    def __init__(self, study: optuna.Study, trial: optuna.Trial, interval: float) -> None:
        self._stop = threading.Event()
        storage = study._storage
        self._thread = None
        if has_heartbeat(storage):
            trial_id = trial._trial_id
            storage.record_heartbeat(trial_id)  # type: ignore[attr-defined]

            def beat() -> None:
                while not self._stop.wait(interval):
                    storage.record_heartbeat(trial_id)  # type: ignore[attr-defined]

            self._thread = threading.Thread(target=beat, daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()


def tell(study: optuna.Study, trial: optuna.Trial, state: TrialState, value: float | None,
         callbacks: Callbacks, out_of_memory: bool = False) -> None:
    """Close the trial in the study, then let the trackers see it as the study keeps it.

    Every trial carries the out-of-memory constraint (GP needs it on all of them)."""
    trial.set_constraint(OOM_CONSTRAINT, 1.0 if out_of_memory else 0.0)
    if state == TrialState.COMPLETE:
        study.tell(trial, value)
    else:
        study.tell(trial, state=state)
    callbacks.fire("on_trial_end", study._storage.get_trial(trial._trial_id))


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
    Ctrl-C interrupted it (told as FAIL, `interrupted`). `during_training` wraps the training
    alone (the W&B agent's SIGTERM handler)."""
    from sweep.trial import run_trial

    beat = Heartbeat(study, trial, plan.config["workers"]["heartbeat_interval"])
    try:
        with during_training or contextlib.nullcontext():
            outcome = run_trial(trial, plan.config, dataset, plan.model, Path(plan.study_dir),
                                device, where, callbacks)
    except KeyboardInterrupt:
        # Ctrl-C reaches every process of the terminal's group, and the supervisor then asks
        # its workers to stop with SIGINT too: neither may interrupt closing the trial.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        beat.stop()
        trial.set_user_attr("fail_reason", "interrupted (Ctrl-C)")
        trial.set_user_attr("stop_reason", "interrupted")
        tell(study, trial, TrialState.FAIL, None, callbacks)
        return None
    with ctrl_c_deferred():  # the trial is over: record it whole, then stop if asked to
        beat.stop()
        for key, value in outcome.attrs.items():
            trial.set_user_attr(key, value)
        keep_trial(study, trial, outcome.state, plan.config, Path(plan.study_dir))
        tell(study, trial, outcome.state, outcome.value, callbacks, outcome.out_of_memory)
    return outcome


def run(plan: Plan, label: str, slot: int) -> int:
    from sweep.training import device_for_ultralytics, is_fatal_device_error, physical_device

    cfg = OmegaConf.create(plan.config)
    distributions = to_distributions(plan.config["space"])
    study = open_study(cfg, plan.study_name, plan.storage_url, distributions,
                       seed_offset=plan.seed_offset + 7919 * slot)
    dataset = datasets.load_dataset(Path(plan.data_yaml))
    device = device_for_ultralytics()
    where = physical_device(device)
    callbacks = load_callbacks(plan)
    while True:
        trial = claim_next(study, plan, label)
        if trial is None:
            return 0
        print(f"[{label}] trial {trial.number} {trial.params}", flush=True)
        outcome = train_and_tell(study, trial, plan, dataset, device, where, callbacks)
        if outcome is None:
            return 130
        print(f"[{label}] trial {trial.number} {outcome.state.name} value={outcome.value} "
              f"{outcome.attrs.get('fail_reason', '')}", flush=True)
        if outcome.error is not None and is_fatal_device_error(outcome.error):
            return EXIT_DEVICE_ERROR  # a fresh process gets a clean CUDA context


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    os.environ.setdefault("YOLO_VERBOSE", "False")
    plan = Plan.load(Path(argv[0]))
    try:
        return run(plan, argv[1], int(argv[2]))
    except KeyboardInterrupt:  # between trials: nothing of the study is open
        return 130
    except SamplerFailed as err:
        print(f"[{argv[1]}] {err}", flush=True)
        return 1
    except Exception as err:
        if is_disk_full(err, Path(plan.study_dir)):
            print(f"[{argv[1]}] {type(err).__name__}: {err}", flush=True)
            return EXIT_DISK_FULL
        raise


if __name__ == "__main__":
    sys.exit(main())
