"""The review's hooks on a sweep's events (sweep.core.plugins loads them before any tracker): a
closing trial's files and the finalist's go into Optuna's artifact store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import optuna
from optuna.trial import TrialState

from sweep.config.plan import Plan
from sweep.core.events import Hook
from sweep.core.record import FinalistRecord
from sweep.review.keep import keep_finalist, keep_trial
from sweep.review.plots import load_pyplot
from sweep.study.storage import open_storage


def callbacks(settings: dict[str, Any], plan: Plan) -> dict[str, Hook]:
    """`on_worker_start`: matplotlib loaded for the curves (about 1 s on 2 cores, once a
    worker); `on_trial_closing`: the trial's results.csv and curve; `on_final_end`: the finalist's
    weights, results and plots, their ids added to its record (before it is kept)."""
    config, study_dir = plan.config, Path(plan.study_dir)

    def on_trial_closing(trial: optuna.Trial, state: TrialState) -> None:
        keep_trial(trial.study, trial, state, config, study_dir)

    def on_final_end(record: FinalistRecord, plan: Plan) -> None:
        study = optuna.load_study(study_name=plan.study_name,
                                  storage=open_storage(plan.storage_url))
        keep_finalist(study, record, plan.config, Path(plan.study_dir))

    return {"on_worker_start": load_pyplot, "on_trial_closing": on_trial_closing,
            "on_final_end": on_final_end}
