"""The sweep from start to end: prepare, open the study, search, decide the finalist, and leave
best.yaml, summary.json, the report and the terminal's last lines."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import optuna
from omegaconf import DictConfig
from rich.console import Console

from sweep.config.plan import Plan
from sweep.config.space import to_distributions
from sweep.core.events import Callbacks
from sweep.core.optuna_api import storage_of
from sweep.core.secrets import redact
from sweep.finalist.decide import finalize
from sweep.finalist.race_result import race_summary
from sweep.pipeline.prepare import prepare
from sweep.pipeline.search import failure_hint, search
from sweep.review.best_yaml import write_best_yaml
from sweep.review.report import write_review
from sweep.review.summary import ranking_warnings, summary, write_summary
from sweep.review.terminal import print_report
from sweep.study.naming import artifact_dir
from sweep.study.open import open_study
from sweep.study.queries import best_trial, counts


def run(cfg: DictConfig, choices: Mapping[str, Any], console: Console | None = None,
        overrides: Sequence[str] = ()) -> int:
    """The whole sweep; returns the process exit code."""
    console = console or Console()
    plan, dataset, callbacks = prepare(cfg, choices, overrides)
    config = plan.config
    Path(plan.study_dir).mkdir(parents=True, exist_ok=True)
    study = open_study(config, plan.study_name, plan.storage_url,
                       to_distributions(config["space"]))
    console.print(f"study {plan.study_name} in {redact(plan.storage_url)}\n"
                  f"data {plan.data_yaml} ({len(dataset.train)} train / {len(dataset.val)} val "
                  f"images), model {plan.model}")
    if plan.label_warning:
        console.print(plan.label_warning, style="yellow", markup=False, soft_wrap=True)
    callbacks.fire("on_run_start", plan)
    only = bool(config["final"]["only"])
    stopped_by = None if only else search(plan, study, console, len(dataset.names), callbacks)
    code = 1 if stopped_by == "worker_crash" else 0
    if stopped_by is None and not only:
        finished = counts(study)
        console.print(f"stopped before study.n_trials={config['study']['n_trials']}: "
                      f"{finished['COMPLETE'] + finished['PRUNED']} finished; see "
                      f"{Path(plan.study_dir) / 'workers'}; re-run the same command to resume",
                      style="red", markup=False, soft_wrap=True)
        code = 1
    if stopped_by == "max_failures":
        console.print(f"stopped: workers.max_failures={config['workers']['max_failures']} "
                      f"reached. {failure_hint(study, plan.run_id)}", style="red", markup=False,
                      soft_wrap=True)
        code = 1
    finalist = None
    if config["final"]["enabled"] and code == 0:
        finalist = finalize(plan, study, dataset, console, callbacks)
    if only and finalist is None:
        code = code or 1  # asked for a finalist, and there was nothing to train
    data = finish(plan, study, finalist, stopped_by, console, callbacks)
    if data["best_trial"] is None and not only:
        code = code or 1
    return code


def finish(plan: Plan, study: optuna.Study, finalist: dict[str, Any] | None,
           stopped_by: str | None, console: Console, callbacks: Callbacks) -> dict[str, Any]:
    """What every run leaves, whatever it did: best.yaml, summary.json (returned), the report
    and the study's note, and the terminal's last lines."""
    study_dir = Path(plan.study_dir)
    best_yaml, best = None, best_trial(study)
    params = (finalist or {}).get("params") or (best.params if best else None)
    race = race_summary(optuna.load_study(study_name=finalist["race"],
                                          storage=storage_of(study))
                        ) if finalist and finalist.get("race") else None
    if params:
        best_yaml = study_dir / "best.yaml"
    data = summary(study, plan.storage_url, finalist, best_yaml, stopped_by,
                   artifact_dir(plan.config, study_dir), ranking_warnings(study, plan.config),
                   race, int(plan.config["trial"]["epochs"]))
    if best_yaml is not None and params:
        write_best_yaml(best_yaml, plan.config, plan.study_name, plan.storage_url, params,
                        race, data["outcome"])
    write_summary(study_dir / "summary.json", data)
    write_review(study, data, plan.config, study_dir)
    print_report(console, study, data, study_dir)
    callbacks.fire("on_run_end", data, plan)
    return data
