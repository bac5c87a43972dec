"""results.csv as every stage reads it: padded names, finite numbers, the metric's column."""

from __future__ import annotations

from pathlib import Path

from sweep.core.results import (
    best_epoch_metrics,
    metric_curve,
    named_metrics,
    results_history,
    results_rows,
)

CSV = ("                  epoch,     train/box_loss,  metrics/mAP50(B),  metrics/mAP50-95(B),"
       "  metrics/precision(B),  metrics/recall(B),  lr/pg0\n"
       "                      1,             1.5,             0.1,               0.05,"
       "                  0.2,                0.3,    nan\n"
       "                      2,             1.2,             0.4,               0.25,"
       "                  0.5,                0.6,   0.01\n"
       "                      3,             1.1,             0.3,               0.2,"
       "                   0.4,                0.5,   0.01\n")


def _run(tmp_path: Path) -> Path:
    (tmp_path / "results.csv").write_text(CSV)
    return tmp_path


def test_rows_have_stripped_names(tmp_path: Path) -> None:
    rows = results_rows(_run(tmp_path) / "results.csv")
    assert len(rows) == 3 and rows[1]["metrics/mAP50(B)"].strip() == "0.4"


def test_history_is_stepped_from_zero_and_drops_what_is_not_a_number(tmp_path: Path) -> None:
    history = results_history(_run(tmp_path))
    assert [step for step, _ in history] == [0, 1, 2]
    assert "lr/pg0" not in history[0][1] and history[1][1]["lr/pg0"] == 0.01
    assert results_history(tmp_path / "nowhere") == []


def test_the_metric_curve_and_the_best_epoch(tmp_path: Path) -> None:
    run = _run(tmp_path)
    assert metric_curve(run / "results.csv", "fitness") == {0: 0.05, 1: 0.25, 2: 0.2}
    assert metric_curve(run / "results.csv", "map50") == {0: 0.1, 1: 0.4, 2: 0.3}
    best = best_epoch_metrics(run / "results.csv")
    assert best == {"map50": 0.4, "map50-95": 0.25, "precision": 0.5, "recall": 0.6,
                    "fitness": 0.25}
    assert named_metrics({"metrics/mAP50(B)": 0.123456789}) == {"map50": 0.12346}
