"""Reviewing a study: artifacts in Optuna's artifact store, a Markdown note on the study for
optuna-dashboard, and a static report (PNG plots + report.md) in the study folder.

Everything here runs after the fact (a trial told, the finalist trained, the run ended) and
reads the study's own records and summary.json's; a failure is a warning, never a failed sweep.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import optuna
from optuna.trial import TrialState

from sweep.config import METRICS
from sweep.finalist import results_rows
from sweep.review.artifacts import artifact_dir, keep_for_study, keep_for_trial, open_store
from sweep.review.markdown import report_markdown, summary_markdown
from sweep.review.plots import learning_curve, study_plots

__all__ = ["keep_finalist", "keep_trial", "write_review"]

log = logging.getLogger(__name__)
CURVE = "curve.png"  # a trial's learning curve, beside its Ultralytics run


def keep_trial(study: optuna.Study, trial: optuna.Trial, state: TrialState,
               config: dict[str, Any], study_dir: Path) -> None:
    """The trial's `results.csv` and learning curve, as its artifacts. Called just before the
    trial is told `state`: Optuna takes no artifact on a finished trial."""
    try:
        frozen = study._storage.get_trial(trial._trial_id)
        run_dir = Path(frozen.user_attrs.get("run_dir") or
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


def _curve_from_results(results_csv: Path, metric: str) -> dict[int, float]:
    """Epoch index -> `metric` from an Ultralytics results.csv."""
    column = METRICS[metric] or METRICS["map50-95"]  # Ultralytics 8.4: fitness is mAP50-95
    rows = results_rows(results_csv)
    return {i: float(row[column]) for i, row in enumerate(rows) if row.get(column)}


def keep_finalist(study: optuna.Study, record: dict[str, Any], config: dict[str, Any],
                  study_dir: Path) -> None:
    """The finalist's weights, results.csv, Ultralytics' plots and a learning curve, as study
    artifacts; their ids go into the finalist's record (`artifacts`)."""
    try:
        run_dir = Path(record["run_dir"])
        files = [Path(record["weights"]), run_dir / "results.csv", *sorted(run_dir.glob("*.png"))]
        if (run_dir / "results.csv").exists():
            metric = config["study"]["metric"]
            files.append(learning_curve(_curve_from_results(run_dir / "results.csv", metric),
                                        metric, "finalist", run_dir.parent / "final-curve.png"))
        store = open_store(artifact_dir(config, study_dir))
        record["artifacts"] = keep_for_study(store, study, files)
    except Exception as err:  # noqa: BLE001
        log.warning("finalist: could not keep its artifacts (%s: %s)", type(err).__name__, err)


def write_review(study: optuna.Study, data: Mapping[str, Any], config: dict[str, Any],
                 study_dir: Path) -> Path | None:
    """The end of a run: plots and report.md in the study folder, the summary, best.yaml, report
    and plots as study artifacts, and the study's note (rewritten). Returns report.md's path."""
    metric = config["study"]["metric"]
    report = study_dir / "report.md"
    try:
        plots = study_plots(study, metric, study_dir / "report")
        report.write_text(report_markdown(data, metric, study.get_trials(deepcopy=False), plots,
                                          study_dir))
    except Exception as err:  # noqa: BLE001 - the sweep's results are already safe
        log.warning("could not write the report (%s: %s)", type(err).__name__, err)
        return None
    try:
        store = open_store(artifact_dir(config, study_dir))
        files = [study_dir / "summary.json", report,
                 *(p for p in plots.values() if isinstance(p, Path))]
        if data.get("best_yaml"):
            files.append(Path(data["best_yaml"]))
        keep_for_study(store, study, files)
        from optuna_dashboard import save_note

        save_note(study, summary_markdown(data, metric))
    except Exception as err:  # noqa: BLE001
        log.warning("could not keep the report in the study (%s: %s)", type(err).__name__, err)
    return report
