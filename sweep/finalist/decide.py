"""Deciding the finalist once per study: a race of the top candidates (final.candidates > 1) or
a plain retrain of the best trial (or final.params), claimed so that several machines sharing
the study train it once, and recorded on the study."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import optuna
from optuna.trial import TrialState
from rich.console import Console

from sweep.config.objectives import is_multi_objective
from sweep.config.plan import Plan
from sweep.core.events import Callbacks
from sweep.core.liveness import identity, is_alive_here
from sweep.core.plugins import load_hooks
from sweep.core.record import Attr, FinalistRecord
from sweep.data import datasets
from sweep.finalist.confirm import decide, repeat_attrs, repeats_of
from sweep.finalist.race import describe, open_race
from sweep.finalist.race_result import finalist_record
from sweep.finalist.retrain import train_finalist
from sweep.run.devices import worker_devices
from sweep.run.supervisor import run_workers
from sweep.study.bookkeeping import final_key, get_record, set_record
from sweep.study.memory import memory_report
from sweep.study.queries import best_trial
from sweep.study.stopping import stop_reason
from sweep.study.storage import claim_lock


def settle(study: optuna.Study, record: FinalistRecord, plan: Plan, callbacks: Callbacks
           ) -> FinalistRecord:
    """The finalist is trained: its hooks run (its artifacts, its W&B run add to the record),
    then the record is kept on the study."""
    callbacks.fire("on_final_end", record, plan)
    set_record(study, "finalist", record)
    return record


def race_finalist(plan: Plan, study: optuna.Study, console: Console, callbacks: Callbacks
                  ) -> FinalistRecord | None:
    """final.candidates > 1: the finalist is the winner of a full-size race (sweep.finalist
    .race)."""
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
        if not run_workers(rplan, race, worker_devices(plan.config["workers"]), console,
                           "race stopped", load_hooks(rplan)):
            return previous
    if plan.config["final"].get("confirm") and not confirm_lead(rplan, race, console):
        return previous
    record = finalist_record(rplan, race, started)
    if record is None:
        console.print("no candidate finished the race, so there is no finalist", style="red")
        return None
    return settle(study, record, plan, callbacks)


def confirm_lead(rplan: Plan, race: optuna.Study, console: Console) -> bool:
    """A searched candidate that beat the defaults trains once more with a fresh seed
    (sweep.finalist.confirm), once per race; False when its workers could not run."""
    verdict = decide(race)
    lead = verdict.leader if verdict else None
    if verdict is None or lead is None:
        return True
    with claim_lock(rplan.storage_url, race.study_name):
        repeats = repeats_of(race, lead)
        if not repeats:
            race.enqueue_trial(lead.params, user_attrs=repeat_attrs(
                lead, int(rplan.config["train"]["seed"])))
        elif all(t.state != TrialState.WAITING for t in repeats):
            return True  # trained already (a resumed race), running elsewhere, or failed
        taken = len(race.get_trials(deepcopy=False, states=(
            TrialState.COMPLETE, TrialState.PRUNED, TrialState.RUNNING)))
    cplan = replace(rplan, config={**rplan.config, "study": {**rplan.config["study"],
                                                              "n_trials": taken + 1}})
    console.print(f"trial {lead.user_attrs[Attr.CANDIDATE_OF]} led Ultralytics' defaults at "
                  f"full size ({lead.value:.4g} vs {verdict.defaults:.4g}): training it once "
                  "more with a fresh seed, to tell its lead from one training's noise",
                  soft_wrap=True, markup=False)
    return run_workers(cplan, race, worker_devices(rplan.config["workers"]), console,
                       "race stopped", load_hooks(cplan))


def finalize(plan: Plan, study: optuna.Study, dataset: datasets.Dataset,
             console: Console, callbacks: Callbacks, race: bool | None = None
             ) -> FinalistRecord | None:
    """Train the finalist once per (best parameters, final.*); return its record. `race`: race
    the candidates (final.candidates of them, with the baseline) even when that is 1, or
    never; None: race when final.candidates > 1, or always in a multi-objective study (its
    result is the front at full size; the finalist is the front's most accurate member)."""
    cfg = plan.config
    racing = (int(cfg["final"]["candidates"]) > 1 or is_multi_objective(cfg)
              if race is None else race)
    if racing and not cfg["final"]["params"] and best_trial(study) is not None:
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
    record = train_finalist(cfg, dataset, plan.model_for(params), Path(plan.study_dir), params,
                            source)
    return settle(study, record, plan, callbacks)
