"""A worker process: pinned to one device at start, it pulls trials from the study until done.

Started by the supervisor as `python -m sweep.run.worker PLAN.json LABEL SLOT` with
CUDA_VISIBLE_DEVICES and OMP_NUM_THREADS already in its environment, so torch sees only its
device from the start.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path

from sweep.config.plan import Plan
from sweep.config.space import to_distributions
from sweep.core.disk import EXIT_DISK_FULL, is_disk_full
from sweep.core.plugins import load_hooks
from sweep.core.record import Attr
from sweep.data import datasets
from sweep.data.label_cache import load_scans
from sweep.run.claim import SamplerFailed, claim_next
from sweep.run.devices import (
    EXIT_DEVICE_ERROR,
    device_for_ultralytics,
    is_fatal_device_error,
    physical_device,
)
from sweep.run.telling import train_and_tell
from sweep.run.training import load_ultralytics
from sweep.study.open import open_study


def run(plan: Plan, label: str, slot: int) -> int:
    distributions = to_distributions(plan.config["space"])
    study = open_study(plan.config, plan.study_name, plan.storage_url, distributions,
                       seed_offset=plan.seed_offset + 7919 * slot)
    dataset = dataclasses.replace(datasets.load_dataset(Path(plan.data_yaml)),
                                  scans=load_scans(plan.label_scans))
    device = device_for_ultralytics()
    where = physical_device(device)
    callbacks = load_hooks(plan)
    load_ultralytics()  # the libraries every trial needs, loaded once here, not in trial 0
    callbacks.fire("on_worker_start")
    while True:
        trial = claim_next(study, plan, label, callbacks)
        if trial is None:
            return 0
        print(f"[{label}] trial {trial.number} {trial.params}", flush=True)
        outcome = train_and_tell(study, trial, plan, dataset, device, where, callbacks)
        if outcome is None:
            return 130
        print(f"[{label}] trial {trial.number} {outcome.state.name} value={outcome.value} "
              f"{outcome.attrs.get(Attr.FAIL_REASON, '')}", flush=True)
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
