"""The terminal's last block: read like the README shows it, no Python dicts."""

from __future__ import annotations

from pathlib import Path

from optuna.trial import TrialState
from rich.console import Console

from sweep.review.terminal import print_report
from sweep.testing.fakes import SUMMARY, study_with_curves


def test_the_finalist_metrics_are_a_table_and_the_best_params_read_as_arguments(
        tmp_path: Path) -> None:
    study = study_with_curves([(TrialState.COMPLETE, [0.1, 0.42])])
    console = Console(record=True, width=100)
    data = {**SUMMARY, "storage": "sqlite:///s.db", "artifacts": str(tmp_path / "artifacts"),
            "best_yaml": str(tmp_path / "best.yaml")}
    print_report(console, study, data, tmp_path)
    text = console.export_text()
    assert "{'" not in text
    assert "params lr0=0.003, optimizer=SGD" in text
    lines = text.splitlines()
    header = next(i for i, line in enumerate(lines) if "map50" in line and "fitness" in line)
    assert lines[header - 2] == "finalist at full size:"
    assert lines[header + 2].split() == ["│", "0.8", "│", "0.61", "│"]
    assert "weights:  /x/final/best.pt" in text
