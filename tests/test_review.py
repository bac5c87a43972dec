"""The review's pieces on in-memory studies: plots that never fail, the Markdown, the artifact
store, where bookkeeping is kept, and Ultralytics' output in a trial's log."""

from __future__ import annotations

import contextlib
import io
import json
import logging
from pathlib import Path

import optuna
import pytest
from optuna.artifacts import download_artifact, get_all_artifact_meta
from optuna.trial import TrialState

from sweep.review import keep_trial
from sweep.review.artifacts import keep_for_study, open_store, study_artifacts
from sweep.review.markdown import report_markdown, summary_markdown
from sweep.review.plots import STUDY_PLOTS, learning_curve, study_plots
from sweep.study import get_record, open_study, set_record

PNG = b"\x89PNG\r\n\x1a\n"


def _study(values: list[tuple[TrialState, list[float]]]) -> optuna.Study:
    """A study whose trials report `values` per epoch and end in the given state."""
    study = optuna.create_study(direction="maximize")
    for number, (state, curve) in enumerate(values):
        trial = study.ask({"lr0": optuna.distributions.FloatDistribution(1e-4, 1e-1, log=True),
                           "batch": optuna.distributions.IntDistribution(8, 32)})
        for step, value in enumerate(curve):
            trial.report(value, step)
        trial.set_user_attr("epochs_run", len(curve))
        trial.set_user_attr("train_s", 1.5)
        trial.set_user_attr("stop_reason", {TrialState.PRUNED: "pruned",
                                            TrialState.FAIL: "failed"}.get(state, "completed"))
        if number == 0:
            trial.set_user_attr("baseline", True)
        if state == TrialState.COMPLETE:
            study.tell(trial, max(curve))
        else:
            study.tell(trial, state=state)
    return study


def _is_png(path: Path) -> bool:
    return path.read_bytes()[:8] == PNG and path.stat().st_size > 1000


@pytest.mark.parametrize(("case", "values", "drawn"), [
    ("no trial", [], set()),
    ("one failed trial", [(TrialState.FAIL, [])], set()),
    ("one trial", [(TrialState.COMPLETE, [0.1, 0.2])],
     {"history", "intermediate", "parallel", "compute"}),
    ("every value equal", [(TrialState.COMPLETE, [0.0, 0.0])] * 3,
     {"history", "intermediate", "parallel", "compute"}),
    ("complete, pruned and failed", [(TrialState.COMPLETE, [0.1, 0.3]),
                                     (TrialState.PRUNED, [0.0, 0.0]),
                                     (TrialState.COMPLETE, [0.2, 0.25]),
                                     (TrialState.FAIL, [0.05])], set(STUDY_PLOTS)),
])
def test_study_plots_draw_what_they_can_and_say_why_not(
        tmp_path: Path, case: str, values: list[tuple[TrialState, list[float]]],
        drawn: set[str]) -> None:
    plots = study_plots(_study(values), "fitness", tmp_path / "report")
    assert set(plots) == set(STUDY_PLOTS)
    assert {name for name, p in plots.items() if isinstance(p, Path)} == drawn, plots
    for name, result in plots.items():
        if isinstance(result, Path):
            assert _is_png(result), name
        else:
            assert result and not (tmp_path / "report" / f"{name}.png").exists()


def test_a_plot_from_an_earlier_run_is_not_shown_as_this_runs(tmp_path: Path) -> None:
    stale = tmp_path / "importance.png"
    stale.write_bytes(PNG)
    plots = study_plots(_study([(TrialState.COMPLETE, [0.1])]), "fitness", tmp_path)
    assert isinstance(plots["importance"], str) and not stale.exists()


def test_learning_curve_is_a_png(tmp_path: Path) -> None:
    curve = learning_curve({0: 0.1, 1: 0.3, 2: 0.2}, "map50", "trial 3", tmp_path / "c.png")
    assert _is_png(curve)


SUMMARY = {
    "study_name": "demo", "stopped_by": "n_trials",
    "counts": {"COMPLETE": 2, "PRUNED": 1, "FAIL": 0, "RUNNING": 0, "WAITING": 0},
    "stop_reasons": {"completed": 2, "pruned": 1},
    "best_trial": {"number": 2, "value": 0.42, "params": {"lr0": 0.003, "optimizer": "SGD"}},
    "baseline": {"number": 0, "state": "COMPLETE", "value": 0.3},
    "finalist": {"epochs": 16, "train_images": 256, "wall_time_s": 93.2, "source_trial": 2,
                 "metrics": {"map50": 0.8, "fitness": 0.61}, "weights": "/x/final/best.pt",
                 "wandb_url": "https://wandb.ai/me/sweep/runs/abc"},
    "rerun_command": "python -m sweep --config-path /x --config-name best",
}


def test_the_note_names_best_trial_finalist_command_counts_and_gain() -> None:
    note = summary_markdown(SUMMARY, "fitness")
    assert "Best trial: #2, fitness 0.42" in note
    assert "`lr0` | 0.003" in note and "`optimizer` | SGD" in note
    assert "gain +0.12" in note and "trial #0" in note
    assert "2 complete, 1 pruned, 0 failed" in note and "pruned 1" in note
    assert "| fitness | 0.61 |" in note and "/x/final/best.pt" in note
    assert "https://wandb.ai/me/sweep/runs/abc" in note
    assert "python -m sweep --config-path /x --config-name best" in note


def test_the_note_without_a_completed_trial() -> None:
    data = {**SUMMARY, "best_trial": None, "finalist": None, "rerun_command": None,
            "baseline": {"number": 0, "state": "FAIL", "value": None}}
    assert "no best trial" in summary_markdown(data, "fitness")


def test_report_lists_every_trial_and_each_plot_or_why_not(tmp_path: Path) -> None:
    study = _study([(TrialState.COMPLETE, [0.1, 0.3]), (TrialState.PRUNED, [0.0, 0.0])])
    plots = {"history": tmp_path / "report" / "history.png", "importance": "needs 2 trials"}
    text = report_markdown(SUMMARY, "fitness", study.get_trials(), plots, tmp_path)
    assert "| 0 | complete | 0.3 | 2 | completed |" in text
    assert "| 1 | pruned | 0 | 2 | pruned |" in text  # Optuna: its last reported value
    assert "![Optimization history](report/history.png)" in text
    assert "_Not drawn: needs 2 trials._" in text


def test_study_artifacts_replace_their_namesake(tmp_path: Path) -> None:
    """A resumed study shows the current summary once, not one per run."""
    study = optuna.create_study()
    store = open_store(tmp_path / "artifacts")
    summary = tmp_path / "summary.json"
    summary.write_text('{"run": 1}')
    first = keep_for_study(store, study, [summary, tmp_path / "absent.png"])
    summary.write_text('{"run": 2}')
    second = keep_for_study(store, study, [summary])
    assert first == second and list(first) == ["summary.json"]
    metas = get_all_artifact_meta(study)
    assert [m.filename for m in metas] == ["summary.json"]
    download_artifact(artifact_store=store, artifact_id=metas[0].artifact_id,
                      file_path=str(tmp_path / "back.json"))
    assert json.loads((tmp_path / "back.json").read_text()) == {"run": 2}


def test_artifacts_the_dashboard_deleted_are_skipped(tmp_path: Path) -> None:
    study = optuna.create_study()
    store = open_store(tmp_path / "artifacts")
    (tmp_path / "a.md").write_text("a")
    artifact_id = keep_for_study(store, study, [tmp_path / "a.md"])["a.md"]
    # what optuna-dashboard's delete button leaves behind
    study._storage.set_study_system_attr(study._study_id, f"artifacts:{artifact_id}", "null")
    assert study_artifacts(study) == {}
    assert list(keep_for_study(store, study, [tmp_path / "a.md"])) == ["a.md"]


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


def test_bookkeeping_is_kept_out_of_user_attrs(compose_cfg, tmp_path: Path) -> None:
    cfg = compose_cfg("debug=smoke", "study.metric=map50")
    study = open_study(cfg, "s", f"sqlite:///{tmp_path / 's.db'}", {})
    assert study.metric_names == ["map50"]  # the dashboard's charts say map50
    set_record(study, "finalist", {"key": "k", "weights": "w.pt"})
    assert study.user_attrs == {}
    assert get_record(study, "finalist") == {"key": "k", "weights": "w.pt"}
    study.set_user_attr("finalist_claim", {"key": "old"})  # a study from before the move
    assert get_record(study, "finalist_claim") == {"key": "old"}
    assert get_record(study, "absent") is None


def test_a_trials_log_holds_ultralytics_output_while_the_console_stays_quiet(
        tmp_path: Path) -> None:
    from ultralytics.utils import LOGGER

    from sweep.training import log_to

    level = LOGGER.level
    LOGGER.setLevel(logging.ERROR)  # what YOLO_VERBOSE=False leaves
    console = io.StringIO()
    try:
        with contextlib.redirect_stdout(console), log_to(tmp_path / "train.log"):
            LOGGER.warning("labels/x.txt: ignoring corrupt image/label")
            LOGGER.info("      Epoch    GPU_mem   box_loss")
            print("a progress line")
        LOGGER.warning("after the training: not in the log")
        assert LOGGER.level == logging.ERROR
    finally:
        LOGGER.setLevel(level)
    text = (tmp_path / "train.log").read_text()
    assert "ignoring corrupt image/label" in text and "Epoch" in text
    assert "a progress line" in text and "after the training" not in text
    assert console.getvalue() == ""


CONFIG = {"study": {"metric": "fitness"}, "trial": {"epochs": 10, "fraction": 0.5}}


@pytest.mark.parametrize(("values", "warned"), [
    ([0.0, 0.0, 0.0, 0.4], True),     # 3 of 4 share 0.0
    ([0.0, 0.0, 0.3, 0.4], True),     # half
    ([0.0, 0.2, 0.3, 0.4], False),
    ([0.0], False),                   # one trial: nothing to rank
])
def test_trials_that_cannot_be_ranked_are_said_with_the_fix(values: list[float],
                                                            warned: bool) -> None:
    from sweep.report import ranking_warnings

    study = _study([(TrialState.COMPLETE, [v]) for v in values])
    warnings = ranking_warnings(study, CONFIG)
    assert bool(warnings) == warned
    if warned:
        tied = max(values.count(v) for v in values)
        assert warnings[0].startswith(f"{tied} of {len(values)} completed trials share fitness")
        assert "trial.epochs (now 10)" in warnings[0] and "model=yolo11n.pt" in warnings[0]
        assert "the baseline (Ultralytics' defaults) is one of them" in warnings[0]  # trial 0
        assert ("the best trial (#" in warnings[0]) == (values.count(max(values)) == tied)
        assert f"**Warning**: {warnings[0]}" in summary_markdown(
            {**SUMMARY, "warnings": warnings}, "fitness")


def test_race_summary_ranks_candidates_and_correlates_the_rankings() -> None:
    from sweep.race import race_summary

    race = optuna.create_study(direction="maximize")
    # (source trial, low-fidelity value, full-size value, baseline)
    for source, low, full, baseline in [(3, 0.40, 0.70, False), (5, 0.30, 0.80, False),
                                        (0, 0.00, 0.85, True), (7, 0.35, None, False)]:
        race.enqueue_trial({}, user_attrs={"candidate_of": source, "low_fidelity": low,
                                           "baseline": baseline})
        trial = race.ask()
        trial.set_user_attr("epochs_run", 16 if full is not None else 5)
        if full is None:
            trial.report(0.1, 0)
            race.tell(trial, state=TrialState.PRUNED)
        else:
            race.tell(trial, full)
    summary = race_summary(race)
    rows = {c["trial"]: c for c in summary["candidates"]}
    assert rows[0]["baseline"] and rows[0]["full_size_rank"] == 1.0
    assert rows[0]["low_fidelity_rank"] == 3.0 and rows[3]["low_fidelity_rank"] == 1.0
    assert rows[7]["full_size"] is None and "full_size_rank" not in rows[7]  # stopped early
    assert summary["rank_correlation"] == -1.0  # the cheap trials ranked them backwards


def test_candidates_are_the_best_trials_plus_the_baseline() -> None:
    from sweep.race import candidates

    study = _study([(TrialState.COMPLETE, [0.0]), (TrialState.COMPLETE, [0.5]),
                    (TrialState.PRUNED, [0.9]), (TrialState.COMPLETE, [0.3]),
                    (TrialState.COMPLETE, [0.4])])
    assert [t.number for t in candidates(study, 2)] == [1, 4, 0]  # trial 0 is the baseline
    assert [t.number for t in candidates(study, 5)] == [1, 4, 3, 0]
