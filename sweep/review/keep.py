"""A trial's and the finalist's files, kept in Optuna's artifact store where optuna-dashboard
shows them. A failure is a warning: the trial's result matters, its files are extra."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import optuna
from optuna.trial import TrialState

from sweep.core.optuna_api import frozen as frozen_trial
from sweep.core.record import Attr, FinalistRecord
from sweep.core.results import metric_curve
from sweep.review.artifacts import keep_for_study, keep_for_trial, open_store
from sweep.review.plots import learning_curve
from sweep.study.naming import artifact_dir

log = logging.getLogger(__name__)
CURVE = "curve.png"  # a trial's learning curve, beside its Ultralytics run


def keep_trial(study: optuna.Study, trial: optuna.Trial, state: TrialState,
               config: dict[str, Any], study_dir: Path) -> None:
    """The trial's `results.csv` and learning curve, as its artifacts. Called just before the
    trial is told `state`: Optuna takes no artifact on a finished trial."""
    try:
        frozen = frozen_trial(study, trial)
        run_dir = Path(frozen.user_attrs.get(Attr.RUN_DIR) or
                       study_dir / "trials" / f"trial-{trial.number:04d}" / "train")
        files = [run_dir / "results.csv"]
        if frozen.intermediate_values:
            metric = config["study"]["metric"]
            files.append(learning_curve(
                frozen.intermediate_values, metric,
                f"trial {trial.number} ({state.name.lower()})", run_dir.parent / CURVE))
        store = open_store(artifact_dir(config, study_dir))
        keep_for_trial(store, trial, files)
    except Exception as err:  # noqa: BLE001 - the trial's result matters, its files are extra
        log.warning("trial %d: could not keep its artifacts (%s: %s)", trial.number,
                    type(err).__name__, err)


def keep_finalist(study: optuna.Study, record: FinalistRecord, config: dict[str, Any],
                  study_dir: Path) -> None:
    """The finalist's weights, results.csv, Ultralytics' plots and a learning curve, as study
    artifacts; their ids go into the finalist's record (`artifacts`)."""
    try:
        run_dir = Path(record["run_dir"])
        files = [Path(record["weights"]), run_dir / "results.csv", *sorted(run_dir.glob("*.png"))]
        if (run_dir / "results.csv").exists():
            metric = config["study"]["metric"]
            files.append(learning_curve(metric_curve(run_dir / "results.csv", metric),
                                        metric, "finalist", run_dir.parent / "final-curve.png"))
        store = open_store(artifact_dir(config, study_dir))
        record["artifacts"] = keep_for_study(store, study, files)
    except Exception as err:  # noqa: BLE001
        log.warning("finalist: could not keep its artifacts (%s: %s)", type(err).__name__, err)
