"""report.md: the study's summary, every trial and the plots, written in the study folder at
the end of every run, and kept with the study with its note for optuna-dashboard."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import optuna

from sweep.review.artifacts import keep_for_study, open_store
from sweep.review.markdown import report_markdown, summary_markdown
from sweep.review.plots import study_plots
from sweep.study.naming import artifact_dir

log = logging.getLogger(__name__)


def write_review(study: optuna.Study, data: Mapping[str, Any], config: dict[str, Any],
                 study_dir: Path) -> Path | None:
    """The end of a run: plots and report.md in the study folder, the summary, best.yaml, report
    and plots as study artifacts, and the study's note (rewritten). Returns report.md's path."""
    metric = config["study"]["metric"]
    report = study_dir / "report.md"
    try:
        plots = study_plots(study, metric, study_dir / "report", data.get("race"),
                            data.get("pareto"))
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
