"""The sweep from start to end: validate, open the study, run workers, train the finalist,
report."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import optuna
from omegaconf import DictConfig, OmegaConf
from optuna.trial import TrialState
from rich.console import Console

from sweep import data as datasets
from sweep.baseline import baseline_params
from sweep.config import validate
from sweep.finalist import best_trial, final_key, train_finalist
from sweep.labels import check_labels
from sweep.liveness import identity, is_alive_here
from sweep.memory import memory_report
from sweep.model import resolve_model
from sweep.plan import Plan
from sweep.race import describe, finalist_record, open_race, race_summary
from sweep.report import (
    print_report,
    ranking_warnings,
    summary,
    write_best_yaml,
    write_summary,
)
from sweep.review import keep_finalist, write_review
from sweep.review.artifacts import artifact_dir
from sweep.space import to_distributions
from sweep.storage import claim_lock, redact
from sweep.study import (
    close_orphans,
    counts,
    get_record,
    make_sampler,
    open_study,
    set_record,
    study_location,
    study_name,
    waits_for_stall,
)
from sweep.supervisor import Supervisor, WorkerCrashLoop, check_devices, resolve_devices
from sweep.tracking import Callbacks, load_callbacks
from sweep.wandb_sweep import safe_overrides
from sweep.worker import stop_reason

log = logging.getLogger(__name__)


def _failure_hint(study: optuna.Study, run_id: str) -> str:
    """Why a run hit workers.max_failures, in words a user can act on."""
    reasons = [str(t.user_attrs.get("fail_reason", "?")) for t in study.get_trials(deepcopy=False)
               if t.state == TrialState.FAIL and t.user_attrs.get("run_id") == run_id]
    if reasons and all("out of memory" in r.lower() for r in reasons):
        return "every trial ran out of memory: lower space.batch (or train.imgsz)"
    last = reasons[-1] if reasons else "?"
    return (f"{len(reasons)} trials failed in this run (last: {last}); see the trials' "
            "error.txt files")


def prepare(cfg: DictConfig, choices: Mapping[str, Any], overrides: Sequence[str] = ()
            ) -> tuple[Plan, datasets.Dataset]:
    """Everything that can reject the run, before any training: config, data, model, storage."""
    validate(cfg)
    name = study_name(cfg, choices)
    study_dir, url = study_location(cfg, name)
    dataset = datasets.resolve(cfg.data, Path(cfg.paths.cache).expanduser(),
                               OmegaConf.to_container(cfg.shapes))  # type: ignore[arg-type]
    label_warning = check_labels(dataset, str(cfg.data))
    model = resolve_model(cfg.model)
    cfg.pruning.wait_for_stall = waits_for_stall(cfg.pruning.wait_for_stall, model)
    make_sampler(cfg, to_distributions(cfg.space))  # the grid sampler's needs are checked here
    check_devices(cfg.workers.devices)
    plan = Plan(config=OmegaConf.to_container(cfg, resolve=True),  # type: ignore[arg-type]
                study_name=name, storage_url=url, study_dir=str(study_dir),
                data_yaml=str(dataset.yaml_path), model=model, run_id=uuid.uuid4().hex[:12],
                overrides=safe_overrides(overrides)[0], label_warning=label_warning)
    if cfg.study.timeout:
        plan.deadline = time.time() + float(cfg.study.timeout)
    return plan, dataset


def enqueue_baseline(plan: Plan, study: optuna.Study, num_classes: int) -> None:
    """Queue Ultralytics' defaults as the study's first trial (once, even with several hosts)."""
    with claim_lock(plan.storage_url, plan.study_name):
        if study.get_trials(deepcopy=False):
            return
        params = baseline_params(to_distributions(plan.config["space"]), num_classes)
        study.enqueue_trial(params, user_attrs={"baseline": True})


def search(plan: Plan, study: optuna.Study, console: Console,
           dataset_classes: int) -> str | None:
    """Run the workers until n_trials, the timeout or max_failures; return why it stopped."""
    study_dir = Path(plan.study_dir)
    closed = close_orphans(study)
    if closed:
        console.print(f"closed {closed} trial(s) left running by a dead earlier run "
                      "(marked FAIL, re-queued once)")
    plan.seed_offset = len(study.get_trials(deepcopy=False))
    if plan.config["study"]["baseline"]:
        enqueue_baseline(plan, study, dataset_classes)
    reason = stop_reason(study, plan)
    if reason == "n_trials":
        console.print(f"study already has {plan.config['study']['n_trials']} finished trials "
                      "(raise study.n_trials to search more)")
        return reason
    devices = resolve_devices(plan.config["workers"]["devices"])
    console.print(f"searching with {len(devices)} worker(s) on {', '.join(devices)}; "
                  f"worker logs in {study_dir / 'workers'}")
    if not run_workers(plan, study, devices, console, "stopped"):
        return "worker_crash"
    return stop_reason(study, plan)


def run_workers(plan: Plan, study: optuna.Study, devices: list[str], console: Console,
                crash_prefix: str) -> bool:
    """Save the plan beside the study for the workers and supervise them until they are done;
    False when a worker kept dying before its first trial (said on the console)."""
    plan_path = Path(plan.study_dir) / f"plan-{plan.run_id}.json"
    plan_path.parent.mkdir(parents=True, exist_ok=True)
    plan.save(plan_path)
    try:
        Supervisor(plan, plan_path, study, devices, console).run()
    except WorkerCrashLoop as err:
        console.print(f"{crash_prefix}: {err}", style="red", markup=False, soft_wrap=True)
        return False
    return True


def race_finalist(plan: Plan, study: optuna.Study, console: Console, callbacks: Callbacks
                  ) -> dict[str, Any] | None:
    """final.candidates > 1: the finalist is the winner of a full-size race (sweep.race)."""
    started = time.time()
    rplan, race, chosen = open_race(plan, study)
    previous = get_record(study, "finalist")
    if previous and previous.get("race") == race.study_name:
        console.print(f"race {race.study_name} already decided: {previous['weights']}")
        return previous
    if race.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        console.print("candidates are still racing elsewhere: the machine that finishes the "
                      "race records the finalist (or run again with final.only=true)")
        return previous
    if stop_reason(race, rplan) is None:
        describe(console, chosen, plan.config["final"])
        devices = resolve_devices(plan.config["workers"]["devices"])
        if not run_workers(rplan, race, devices, console, "race stopped"):
            return previous
    record = finalist_record(rplan, race, started)
    if record is None:
        console.print("no candidate finished the race, so there is no finalist", style="red")
        return None
    keep_finalist(study, record, plan.config, Path(plan.study_dir))
    callbacks.fire("on_final_end", record, plan)
    set_record(study, "finalist", record)
    return record


def finalize(plan: Plan, study: optuna.Study, dataset: datasets.Dataset,
             console: Console, callbacks: Callbacks) -> dict[str, Any] | None:
    """Train the finalist once per (best parameters, final.*); return its record."""
    cfg = plan.config
    study_dir = Path(plan.study_dir)
    if int(cfg["final"]["candidates"]) > 1 and not cfg["final"]["params"] and \
            best_trial(study) is not None:
        running = len(study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)))
        if running and not cfg["final"]["only"]:
            console.print(f"{running} trial(s) still running elsewhere: the last worker to "
                          "finish races the candidates (or run with final.only=true)")
            return get_record(study, "finalist")
        return race_finalist(plan, study, console, callbacks)
    if cfg["final"]["params"]:
        params, source = dict(cfg["final"]["params"]), None
    else:
        best = best_trial(study)
        if best is None:
            why = ("every completed trial ran out of memory: lower space.batch (or train.imgsz)"
                   if memory_report(study) else "no trial completed")
            console.print(f"{why}, so there is no finalist to train", style="red",
                          soft_wrap=True)
            return None
        params, source = dict(best.params), best.number
    key = final_key(cfg["final"], params)
    with claim_lock(plan.storage_url, plan.study_name):
        previous = get_record(study, "finalist")
        running = len(study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)))
        if not cfg["final"]["only"]:
            if previous and previous.get("key") == key:
                console.print(f"finalist for these parameters already trained: "
                              f"{previous['weights']}")
                return previous
            if running:
                console.print(f"{running} trial(s) still running elsewhere: the last worker to "
                              "finish trains the finalist (or run with final.only=true)")
                return previous
            claim = get_record(study, "finalist_claim")
            if claim and claim.get("key") == key and is_alive_here(claim) is not False:
                console.print(f"finalist already being trained by pid {claim.get('pid')} on "
                              f"{claim.get('host')}")
                return previous
        set_record(study, "finalist_claim", {"key": key, **identity()})
    console.print(f"training the finalist ({cfg['final']['epochs']} epochs, "
                  f"{cfg['final']['fraction']:.0%} of the data) with {params}")
    record = train_finalist(cfg, dataset, plan.model, study_dir, params, source)
    keep_finalist(study, record, cfg, study_dir)
    callbacks.fire("on_final_end", record, plan)
    set_record(study, "finalist", record)
    return record


def run(cfg: DictConfig, choices: Mapping[str, Any], console: Console | None = None,
        overrides: Sequence[str] = ()) -> int:
    """The whole sweep; returns the process exit code."""
    console = console or Console()
    plan, dataset = prepare(cfg, choices, overrides)
    callbacks = load_callbacks(plan)  # checks the trackers' settings, before any training
    study_dir = Path(plan.study_dir)
    study_dir.mkdir(parents=True, exist_ok=True)
    distributions = to_distributions(plan.config["space"])
    study = open_study(cfg, plan.study_name, plan.storage_url, distributions)
    console.print(f"study {plan.study_name} in {redact(plan.storage_url)}\n"
                  f"data {plan.data_yaml} ({len(dataset.train)} train / {len(dataset.val)} val "
                  f"images), model {plan.model}")
    if plan.label_warning:
        console.print(plan.label_warning, style="yellow", markup=False, soft_wrap=True)
    callbacks.fire("on_run_start", plan)
    stopped_by = None if cfg.final.only else search(plan, study, console, len(dataset.names))
    code = 1 if stopped_by == "worker_crash" else 0
    if stopped_by is None and not cfg.final.only:
        finished = counts(study)
        console.print(f"stopped before study.n_trials={cfg.study.n_trials}: "
                      f"{finished['COMPLETE'] + finished['PRUNED']} finished; see "
                      f"{Path(plan.study_dir) / 'workers'}; re-run the same command to resume",
                      style="red", markup=False, soft_wrap=True)
        code = 1
    if stopped_by == "max_failures":
        console.print(f"stopped: workers.max_failures={cfg.workers.max_failures} reached. "
                      f"{_failure_hint(study, plan.run_id)}", style="red", markup=False,
                      soft_wrap=True)
        code = 1
    finalist = None
    if cfg.final.enabled and code == 0:
        finalist = finalize(plan, study, dataset, console, callbacks)
    if cfg.final.only and finalist is None:
        code = code or 1  # asked for a finalist, and there was nothing to train
    best_yaml, best = None, best_trial(study)
    params = (finalist or {}).get("params") or (best.params if best else None)
    race = race_summary(optuna.load_study(study_name=finalist["race"], storage=study._storage)
                        ) if finalist and finalist.get("race") else None
    if params:
        best_yaml = study_dir / "best.yaml"
        write_best_yaml(best_yaml, plan.config, plan.study_name, plan.storage_url, params, race)
    data = summary(study, plan.storage_url, finalist, best_yaml, stopped_by,
                   artifact_dir(plan.config, study_dir), ranking_warnings(study, plan.config),
                   race)
    write_summary(study_dir / "summary.json", data)
    write_review(study, data, plan.config, study_dir)
    print_report(console, study, data, study_dir)
    callbacks.fire("on_run_end", data, plan)
    if data["best_trial"] is None and not cfg.final.only:
        code = code or 1
    return code
