"""A trial keeps its results.csv and curve before it is told."""

from __future__ import annotations

from pathlib import Path

import optuna
from optuna.artifacts import download_artifact, get_all_artifact_meta
from optuna.trial import TrialState

from sweep.review.artifacts import open_store
from sweep.review.keep import keep_trial


def test_a_trial_keeps_its_results_and_curve_before_it_is_told(tmp_path: Path) -> None:
    study = optuna.create_study(direction="maximize")
    trial = study.ask()
    run_dir = tmp_path / "trials" / "trial-0000" / "train"
    run_dir.mkdir(parents=True)
    (run_dir / "results.csv").write_text("epoch,metrics/mAP50-95(B)\n1,0.1\n2,0.2\n")
    trial.set_user_attr("run_dir", str(run_dir))
    trial.report(0.1, 0)
    trial.report(0.2, 1)
    config = {"study": {"metric": "fitness", "artifacts": None}}
    keep_trial(study, trial, TrialState.COMPLETE, config, tmp_path)
    study.tell(trial, 0.2)
    frozen = study.trials[0]
    metas = {m.filename: m for m in get_all_artifact_meta(frozen, storage=study._storage)}
    assert set(metas) == {"results.csv", "curve.png"}
    store = open_store(tmp_path / "artifacts")
    download_artifact(artifact_store=store, artifact_id=metas["results.csv"].artifact_id,
                      file_path=str(tmp_path / "back.csv"))
    assert (tmp_path / "back.csv").read_text() == (run_dir / "results.csv").read_text()
