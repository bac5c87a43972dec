"""The review's plots on in-memory studies: drawn when they can be, the reason when not."""

from __future__ import annotations

from pathlib import Path

import pytest
from optuna.trial import TrialState

from sweep.review.plots import STUDY_PLOTS, learning_curve, study_plots
from sweep.testing.fakes import study_with_curves

PNG = b"\x89PNG\r\n\x1a\n"




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
                                     (TrialState.FAIL, [0.05])],
     set(STUDY_PLOTS) - {"race", "pareto"}),  # no race here: summary.json's race draws it
])
def test_study_plots_draw_what_they_can_and_say_why_not(
        tmp_path: Path, case: str, values: list[tuple[TrialState, list[float]]],
        drawn: set[str]) -> None:
    plots = study_plots(study_with_curves(values), "fitness", tmp_path / "report")
    assert set(plots) == set(STUDY_PLOTS) - {"pareto"}  # one objective: no front
    assert {name for name, p in plots.items() if isinstance(p, Path)} == drawn, plots
    for name, result in plots.items():
        if isinstance(result, Path):
            assert _is_png(result), name
        else:
            assert result and not (tmp_path / "report" / f"{name}.png").exists()


def test_a_plot_from_an_earlier_run_is_not_shown_as_this_runs(tmp_path: Path) -> None:
    stale = tmp_path / "importance.png"
    stale.write_bytes(PNG)
    plots = study_plots(study_with_curves([(TrialState.COMPLETE, [0.1])]), "fitness", tmp_path)
    assert isinstance(plots["importance"], str) and not stale.exists()


def test_learning_curve_is_a_png(tmp_path: Path) -> None:
    curve = learning_curve({0: 0.1, 1: 0.3, 2: 0.2}, "map50", "trial 3", tmp_path / "c.png")
    assert _is_png(curve)


@pytest.mark.slow
def test_the_race_is_drawn_and_the_compute_plot_goes_on_through_it(tmp_path: Path) -> None:
    import matplotlib.pyplot as plt

    from sweep.review import plots as plot_module

    study = study_with_curves([(TrialState.COMPLETE, [0.1, 0.3]), (TrialState.COMPLETE, [0.2])])
    race = {"candidates": [
        {"trial": 0, "baseline": True, "low_fidelity": 0.3, "full_size": 0.7, "epochs_run": 5,
         "train_s": 10.0},
        {"trial": 1, "baseline": False, "low_fidelity": 0.2, "full_size": 0.8, "epochs_run": 4,
         "train_s": 8.0}]}
    plots = study_plots(study, "fitness", tmp_path / "report", race)
    assert _is_png(plots["race"]) and _is_png(plots["compute"])
    without = study_plots(study, "fitness", tmp_path / "plain")
    assert "no race ran" in str(without["race"])
    ax = plot_module._compute(study, "fitness", race)
    search, raced = ax.get_lines()[:2]
    assert list(search.get_xdata()) == [2, 3]  # the trials' epochs, then the race's after them
    assert list(raced.get_xdata()) == [8, 12] and list(raced.get_ydata()) == [0.7, 0.8]
    plt.close("all")
