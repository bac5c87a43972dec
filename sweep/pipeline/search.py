"""The search: close what a dead earlier run left, queue the baseline, run one worker per device
until study.n_trials, the timeout or workers.max_failures."""

from __future__ import annotations

from pathlib import Path

import optuna
from optuna.trial import TrialState
from rich.console import Console

from sweep.config.baseline import baseline_grid, baseline_params
from sweep.config.objectives import is_multi_objective
from sweep.config.plan import Plan
from sweep.config.space import to_distributions
from sweep.core.events import Callbacks
from sweep.core.record import Attr, SearchStop
from sweep.run.devices import worker_devices
from sweep.run.supervisor import run_workers
from sweep.study.orphans import close_orphans
from sweep.study.stopping import stop_reason
from sweep.study.storage import claim_lock


def enqueue_baseline(plan: Plan, study: optuna.Study, num_classes: int) -> None:
    """Queue Ultralytics' defaults as the study's first trial (once, even with several hosts);
    in a multi-objective study, at each searched image size and model (baseline_grid): the
    front is then raced against the grid a user would try by hand."""
    with claim_lock(plan.storage_url, plan.study_name):
        if study.get_trials(deepcopy=False):
            return
        distributions = to_distributions(plan.config["space"])
        params = baseline_params(distributions, num_classes,
                                 {**plan.config["train"], "model": plan.config["model"]})
        grid = (baseline_grid(distributions, params) if is_multi_objective(plan.config)
                else [params])
        for each in grid:
            study.enqueue_trial(each, user_attrs={Attr.BASELINE: True})


def search(plan: Plan, study: optuna.Study, console: Console, dataset_classes: int,
           callbacks: Callbacks | None = None) -> str | None:
    """Run the workers until n_trials, the timeout or max_failures; return why it stopped."""
    study_dir = Path(plan.study_dir)
    closed = close_orphans(study, callbacks=callbacks)
    if closed:
        console.print(f"closed {closed} trial(s) left running by a dead earlier run "
                      "(marked FAIL, re-queued once)")
    plan.seed_offset = len(study.get_trials(deepcopy=False))
    if plan.config["study"]["baseline"]:
        enqueue_baseline(plan, study, dataset_classes)
    reason = stop_reason(study, plan)
    if reason == SearchStop.N_TRIALS:
        console.print(f"study already has {plan.config['study']['n_trials']} finished trials "
                      "(raise study.n_trials to search more)")
        return reason
    devices = worker_devices(plan.config["workers"])
    console.print(f"searching with {len(devices)} worker(s) on {', '.join(devices)}; "
                  f"worker logs in {study_dir / 'workers'}")
    if not run_workers(plan, study, devices, console, "stopped", callbacks):
        return SearchStop.WORKER_CRASH
    return stop_reason(study, plan)


def failure_hint(study: optuna.Study, run_id: str) -> str:
    """Why a run hit workers.max_failures, in words a user can act on."""
    reasons = [str(t.user_attrs.get(Attr.FAIL_REASON, "?"))
               for t in study.get_trials(deepcopy=False)
               if t.state == TrialState.FAIL and t.user_attrs.get(Attr.RUN_ID) == run_id]
    if reasons and all("out of memory" in r.lower() for r in reasons):
        return "every trial ran out of memory: lower space.batch (or train.imgsz)"
    last = reasons[-1] if reasons else "?"
    return (f"{len(reasons)} trials failed in this run (last: {last}); see the trials' "
            "error.txt files")
