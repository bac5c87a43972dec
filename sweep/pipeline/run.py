"""The sweep from start to end: prepare, open the study, search, decide the finalist, and leave
best.yaml, summary.json, the report and the terminal's last lines."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import optuna
import psutil
from omegaconf import DictConfig
from rich.console import Console

from sweep.config.objectives import objectives_line
from sweep.config.plan import Plan
from sweep.config.sizes import sizes_reason
from sweep.config.space import to_distributions
from sweep.core.events import Callbacks
from sweep.core.optuna_api import storage_of
from sweep.core.record import FinalistRecord, SearchStop, SummaryRecord
from sweep.core.secrets import redact
from sweep.finalist.decide import finalize
from sweep.finalist.race_result import pareto_summary, race_summary
from sweep.pipeline.budget_record import budget_record, shrink_finale, sizes_line
from sweep.pipeline.prepare import prepare
from sweep.pipeline.search import failure_hint, search
from sweep.review.best_yaml import write_best_yaml
from sweep.review.report import write_review
from sweep.review.summary import defaults_warnings, ranking_warnings, summary, write_summary
from sweep.review.terminal import print_report
from sweep.study.budget_plan import Finale
from sweep.study.naming import artifact_dir
from sweep.study.open import open_study
from sweep.study.queries import best_trial, counts
from sweep.wandb_sweeps.importing import import_wandb_sweep


def run(cfg: DictConfig, choices: Mapping[str, Any], console: Console | None = None,
        overrides: Sequence[str] = ()) -> int:
    """The whole sweep; returns the process exit code."""
    console = console or Console()
    phases = {"started": psutil.Process().create_time()}  # the command's start
    plan, dataset, callbacks = prepare(cfg, choices, overrides)
    config = plan.config
    Path(plan.study_dir).mkdir(parents=True, exist_ok=True)
    study = open_study(config, plan.study_name, plan.storage_url,
                       to_distributions(config["space"]))
    console.print(f"study {plan.study_name} in {redact(plan.storage_url)}\n"
                  f"data {plan.data_yaml} ({len(dataset.train)} train / {len(dataset.val)} val "
                  f"images), model {plan.model}")
    console.print(sizes_line(config, len(dataset.train), plan.budget,
                             sizes_reason(choices, cfg.data)), markup=False, soft_wrap=True)
    if plan.label_warning:
        console.print(plan.label_warning, style="yellow", markup=False, soft_wrap=True)
    if objectives_line(config):
        console.print(objectives_line(config), markup=False, soft_wrap=True)
    callbacks.fire("on_run_start", plan)
    only = bool(config["final"]["only"])
    if only:
        import_wandb_sweep(plan, study, console)
    phases["search"] = time.time()
    if plan.budget:  # the budget measures a stage's start from here (budget_plan.stage_start)
        plan.budget["search_started"] = phases["search"]
    stopped_by = None if only else search(plan, study, console, len(dataset.names), callbacks)
    phases["searched"] = time.time()
    code = 1 if stopped_by == SearchStop.WORKER_CRASH else 0
    if stopped_by is None and not only:
        finished = counts(study)
        console.print(f"stopped before study.n_trials={config['study']['n_trials']}: "
                      f"{finished['COMPLETE'] + finished['PRUNED']} finished; see "
                      f"{Path(plan.study_dir) / 'workers'}; re-run the same command to resume",
                      style="red", markup=False, soft_wrap=True)
        code = 1
    if stopped_by == SearchStop.MAX_FAILURES:
        console.print(f"stopped: workers.max_failures={config['workers']['max_failures']} "
                      f"reached. {failure_hint(study, plan.run_id)}", style="red", markup=False,
                      soft_wrap=True)
        code = 1
    finalist, finale = None, None
    if config["final"]["enabled"] and code == 0:
        fplan, finale = shrink_finale(plan, study, console)
        finalist = finalize(fplan, study, dataset, console, callbacks,
                            race=None if finale is None else finale.race > 0)
    if only and finalist is None:
        code = code or 1  # asked for a finalist, and there was nothing to train
    phases["finished"] = time.time()
    data = finish(plan, study, finalist, stopped_by, console, callbacks, phases, finale)
    if data["best_trial"] is None and not only:
        code = code or 1
    return code



def finish(plan: Plan, study: optuna.Study, finalist: FinalistRecord | None,
           stopped_by: str | None, console: Console, callbacks: Callbacks,
           phases: dict[str, float], finale: Finale | None = None) -> SummaryRecord:
    """What every run leaves, whatever it did: best.yaml, summary.json (returned), the report
    and the study's note, and the terminal's last lines."""
    study_dir = Path(plan.study_dir)
    best_yaml, best = None, best_trial(study)
    params = (finalist or {}).get("params") or (best.params if best else None)
    race_study = optuna.load_study(study_name=finalist["race"], storage=storage_of(study)
                                   ) if finalist and finalist.get("race") else None
    race = race_summary(race_study) if race_study else None
    pareto = pareto_summary(study, race_study)
    if params:
        best_yaml = study_dir / "best.yaml"
    warnings = (ranking_warnings(study, plan.config)
                + defaults_warnings(plan.config, finalist, race))
    # the config asked for a race and the budget left no time for one: said in the outcome
    no_race = (f"{finale.shrunk} (budget={plan.budget['asked']})"
               if finale and plan.budget and not finale.race and finale.shrunk else None)
    data = summary(study, plan.storage_url, finalist, best_yaml, stopped_by,
                   artifacts=artifact_dir(plan.config, study_dir), warnings=warnings,
                   race=race, trial_epochs=int(plan.config["trial"]["epochs"]),
                   no_race=no_race, pareto=pareto)
    data["budget"] = budget_record(plan, study, phases, finale,
                                   race_study.get_trials(deepcopy=False) if race_study else [])
    if best_yaml is not None and params:
        write_best_yaml(best_yaml, plan.config, plan.study_name, plan.storage_url, params,
                        race, data["outcome"], pareto)
    write_summary(study_dir / "summary.json", data)
    write_review(study, data, plan.config, study_dir)
    print_report(console, study, data, study_dir)
    callbacks.fire("on_run_end", data, plan)
    return data
