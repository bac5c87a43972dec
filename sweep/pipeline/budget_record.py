"""The budget's part in the run (`budget=`): the finale shrunk to the time the search left,
and the accounting summary.json keeps (asked, planned and spent per phase, what gave way, and
where the search's time went)."""

from __future__ import annotations

import copy
import time
from dataclasses import replace
from typing import Any

import optuna
from optuna.trial import FrozenTrial
from rich.console import Console

from sweep.config.objectives import is_multi_objective
from sweep.config.plan import Plan
from sweep.core.record import Attr, Budget, BudgetRecord
from sweep.finalist.race import candidates
from sweep.study.budget_plan import Finale, confirms, deadline, measure, plan_finale


def shrink_finale(plan: Plan, study: optuna.Study, console: Console
                  ) -> tuple[Plan, Finale | None]:
    """The plan whose final.* fits what is left of the budget (fewer candidates, a plain
    retrain, fewer epochs: said in one line), and the finale chosen; the plan as it is without
    a budget or a finalist."""
    budget, final = plan.budget, plan.config["final"]
    if not budget or not final["enabled"]:
        return plan, None
    trials = study.get_trials(deepcopy=False)
    costs = (measure(trials, plan.run_id, budget, plan.config)
             or measure(trials, None, budget, plan.config))  # final.only: earlier runs measured
    if costs is None:
        return plan, None
    finale = plan_finale(costs, final, int(budget["devices"]), deadline(budget) - time.time(),
                         lambda count: len(candidates(study, count)), confirms(plan.config))
    if finale.shrunk:
        console.print(f"budget {budget['asked']}: {finale.shrunk}", style="yellow",
                      markup=False, soft_wrap=True)
    config = copy.deepcopy(plan.config)
    config["final"].update(candidates=max(1, finale.race), epochs=finale.epochs)
    return replace(plan, config=config), finale


def _search_time(trials: list[FrozenTrial], run_id: str, searched_from: float
                 ) -> dict[str, Any]:
    """Where this run's search time went, over its workers, from its first trial's start to its
    last trial's end: inside Ultralytics' train(), around it (from the sampler's proposal to the
    study being told: data subset, trackers starting) and between trials (trackers' and
    artifacts' end of a trial, claiming the next, a worker idle while another ends its last);
    and the workers' start-up before the first trial."""
    mine = {t.number: (t.datetime_start.timestamp(), t.datetime_complete.timestamp(), t)
            for t in trials if t.user_attrs.get(Attr.RUN_ID) == run_id
            and Attr.TRAIN_S in t.user_attrs and t.datetime_start and t.datetime_complete}
    if not mine:
        return {"trials": 0}
    first = min(start for start, _, _ in mine.values())
    last = max(end for _, end, _ in mine.values())
    workers = len({t.user_attrs.get(Attr.WORKER) for _, _, t in mine.values()})
    inside = sum(float(t.user_attrs[Attr.TRAIN_S]) for _, _, t in mine.values())
    told = sum(end - start for start, end, _ in mine.values())
    around = max(0.0, told - inside)
    worker_s = (last - first) * workers
    between = max(0.0, worker_s - told)
    return {"trials": len(mine), "workers": workers, "span_s": round(last - first, 1),
            "workers_start_s": round(first - searched_from, 1),
            "inside_training_s": round(inside, 1), "around_training_s": round(around, 1),
            "between_trials_s": round(between, 1),
            "outside_share": round((around + between) / worker_s, 4) if worker_s else None}


def budget_record(plan: Plan, study: optuna.Study, phases: dict[str, float],
                  finale: Finale | None, race_trials: list[FrozenTrial]) -> BudgetRecord:
    """summary.json `budget`: asked, planned (once the first epoch measured it) and spent per
    phase, what gave way and why, and the search's time inside and outside training.
    `phases`: epoch seconds at the start, search start, search end, finale end."""
    budget = plan.budget
    started = phases["started"]
    spent = {"start_s": phases["search"] - started,
             "search_s": phases["searched"] - phases["search"],
             "finale_s": phases["finished"] - phases["searched"],
             "total_s": time.time() - started}
    trials = study.get_trials(deepcopy=False)
    costs = measure(trials, plan.run_id, budget, plan.config, race_trials) if budget else None
    guessed = measure(trials, plan.run_id, budget, plan.config) if budget else None
    return {
        "asked": budget["asked"] if budget else None,
        "asked_s": budget["seconds"] if budget else None,
        "planned": budget.get("planned") if budget else None,
        "finale": None if finale is None else {
            "race": finale.race, "trainings": finale.trainings, "epochs": finale.epochs,
            "seconds": round(finale.seconds, 1), "confirm": finale.confirm},
        "shrunk": [finale.shrunk] if finale and finale.shrunk else [],
        "spent": {key: round(value, 1) for key, value in spent.items()},
        "used": round(spent["total_s"] / float(budget["seconds"]), 3) if budget else None,
        "costs": None if costs is None else {
            "trial_epoch_s": round(costs.trial_epoch_s, 2),
            "full_epoch_s": round(costs.full_epoch_s, 2),
            "full_epoch_measured": costs.full_measured,
            "full_epoch_from_data_s": round(guessed.full_epoch_s, 2) if guessed else None,
            "overhead_s": round(costs.overhead_s, 2)},
        "search_time": _search_time(trials, plan.run_id, phases["search"]),
    }


def sizes_line(config: dict[str, Any], train_images: int, budget: Budget | None,
               why: str) -> str:
    """The run's sizes and `why` them, said before anything trains: what a trial and the
    finale train, and the budget with its end."""
    trial, final = config["trial"], config["final"]
    count = int(final["candidates"])
    multi = is_multi_objective(config)  # it races its front, whatever the count
    baseline = " and the baseline" if config["study"]["baseline"] else ""
    finale = ("no finalist" if not final["enabled"] else
              f"race of up to {count} of the Pareto front{baseline}" if multi else
              f"race of the best {count}{baseline}" if count > 1 else "a retrain of the best")
    line = (f"sizes: imgsz {config['train']['imgsz']}; trials {trial['epochs']} epochs on "
            f"{trial['fraction']:.0%} of {train_images} train images; "
            f"{finale} at {final['epochs']} epochs on {final['fraction']:.0%}: {why}")
    if budget:
        ends = time.strftime("%H:%M:%S", time.localtime(budget["started"] + budget["seconds"]))
        trials = ("the budget decides how many trials" if not budget.get("capped")
                  else f"at most study.n_trials={config['study']['n_trials']} trials")
        line += f"; budget {budget['asked']} (ends {ends}): {trials}"
    return line
