"""The study's note and report.md, from summary.json's record."""

from __future__ import annotations

from pathlib import Path

from optuna.trial import TrialState

from sweep.review.markdown import report_markdown, summary_markdown
from sweep.testing.fakes import SUMMARY, study_with_curves


def test_the_note_names_best_trial_finalist_command_counts_and_gain() -> None:
    note = summary_markdown(SUMMARY, "fitness")
    assert "Best trial at low fidelity: #2, fitness 0.42" in note
    assert "`lr0` | 0.003" in note and "`optimizer` | SGD" in note
    assert "gain at low fidelity +0.12" in note and "trial #0" in note
    assert "2 complete, 1 pruned, 0 failed" in note and "pruned 1" in note
    assert "| fitness | 0.61 |" in note and "/x/final/best.pt" in note
    assert "https://wandb.ai/me/sweep/runs/abc" in note
    assert "python -m sweep --config-path /x --config-name best" in note


def test_the_note_without_a_completed_trial() -> None:
    data = {**SUMMARY, "best_trial": None, "finalist": None, "rerun_command": None,
            "baseline": {"number": 0, "state": "FAIL", "value": None}}
    assert "no best trial" in summary_markdown(data, "fitness")


def test_report_lists_every_trial_and_each_plot_or_why_not(tmp_path: Path) -> None:
    study = study_with_curves([(TrialState.COMPLETE, [0.1, 0.3]), (TrialState.PRUNED, [0.0, 0.0])])
    plots = {"history": tmp_path / "report" / "history.png", "importance": "needs 2 trials"}
    text = report_markdown(SUMMARY, "fitness", study.get_trials(), plots, tmp_path)
    assert "| 0 | complete | 0.3 | 2 | completed |" in text
    assert "| 1 | pruned | 0 | 2 | pruned |" in text  # Optuna: its last reported value
    assert "![Optimization history](report/history.png)" in text
    assert "_Not drawn: needs 2 trials._" in text


def test_the_note_leads_with_the_outcome_at_full_size() -> None:
    outcome = ("finalist: trial 2, +0.05 fitness over Ultralytics' defaults at full size (0.61 "
               "vs 0.56)")
    lines = summary_markdown({**SUMMARY, "outcome": outcome}, "fitness").splitlines()
    assert lines[0] == "## demo" and lines[2] == f"**F{outcome[1:]}.**"
    assert summary_markdown(SUMMARY, "fitness").splitlines()[2].startswith("**Trials**")


def test_the_report_names_the_study_once(tmp_path: Path) -> None:
    """The report's title names the study; its summary is headed "Summary", not the name again."""
    study = study_with_curves([(TrialState.COMPLETE, [0.1, 0.3])])
    text = report_markdown(SUMMARY, "fitness", study.get_trials(), {}, tmp_path)
    assert text.splitlines()[:3] == ["# Sweep report: demo", "", "## Summary"]
    assert text.count("demo") == 1
