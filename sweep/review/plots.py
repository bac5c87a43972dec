"""PNG plots of a study, drawn headless with Optuna's matplotlib visualizations where they
exist, and a learning curve per trial. A plot that cannot be drawn (one trial, every value
equal, no trial finished) is skipped with the reason; it never fails a sweep."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import optuna
from optuna.trial import FrozenTrial, TrialState

from sweep.core.optuna_api import maximizes, value_of
from sweep.core.record import Attr
from sweep.study.queries import feasible_complete

# File stem -> title, in the order the report shows them.
STUDY_PLOTS = {
    "history": "Optimization history",
    "intermediate": "Intermediate values (the pruning curves)",
    "importance": "Parameter importances",
    "parallel": "Parallel coordinate",
    "compute": "Best value against compute",
    "race": "The race: each candidate at low fidelity and at full size",
    "pareto": "Pareto front: the metric against latency, at low fidelity and at full size",
}


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")  # headless: sweep is a command, never an interactive session
    import matplotlib.pyplot as plt

    return plt


def load_pyplot() -> None:
    """pyplot and its font list loaded ahead of the first plot (a worker's start: about 1 s on
    2 cores that its first trial's curve would otherwise spend between training and `tell`)."""
    from matplotlib import font_manager

    _pyplot()
    font_manager.findfont(font_manager.FontProperties())


def _integer_ticks() -> Any:
    from matplotlib.ticker import MaxNLocator

    return MaxNLocator(integer=True)


def _save(figure: Any, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # matplotlib's layout notices on crowded legends
        figure.savefig(path, dpi=100, bbox_inches="tight")
    _pyplot().close(figure)
    return path


def learning_curve(values: dict[int, float], metric: str, title: str, path: Path) -> Path:
    """`metric` per epoch (Optuna step + 1), small enough to glance at in the dashboard."""
    plt = _pyplot()
    figure, ax = plt.subplots(figsize=(4, 3))
    epochs = sorted(values)
    ax.plot([e + 1 for e in epochs], [values[e] for e in epochs], marker="o")
    ax.set(xlabel="epoch", ylabel=metric, title=title)
    ax.xaxis.set_major_locator(_integer_ticks())
    ax.grid(alpha=0.3)
    return _save(figure, path)


def _finished(study: optuna.Study) -> list[FrozenTrial]:
    states = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL)
    trials = [t for t in study.get_trials(deepcopy=False, states=states)
              if not t.user_attrs.get(Attr.NOT_TRAINED) and t.datetime_complete is not None]
    return sorted(trials, key=lambda t: t.datetime_complete)  # type: ignore[arg-type,return-value]


def _compute(study: optuna.Study, metric: str, race: dict[str, Any] | None) -> Any:
    """Best value so far against cumulative training epochs (every trial's epochs count,
    pruned and failed ones too: that is what the sweep spent), then the race's full-size
    epochs and the best full-size value so far, as a second line."""
    maximize = maximizes(study)
    feasible = {t.number for t in feasible_complete(study)}
    spent, best, xs, ys = 0, None, [], []
    seconds = 0.0
    for trial in _finished(study):
        spent += int(trial.user_attrs.get(Attr.EPOCHS_RUN, len(trial.intermediate_values)))
        seconds += float(trial.user_attrs.get(Attr.TRAIN_S, 0.0))
        value = value_of(trial)
        if trial.number in feasible and value is not None:
            if best is None or (value > best if maximize else value < best):
                best = value
        if best is not None:
            xs.append(spent)
            ys.append(best)
    if not xs:
        raise ValueError("no trial completed")
    plt = _pyplot()
    figure, ax = plt.subplots(figsize=(6.4, 4.2))
    ax.step(xs, ys, where="post", marker="o", label="search (low fidelity)")
    race_x, race_y, full = [], [], None
    for candidate in (race or {}).get("candidates", []):
        spent += int(candidate.get("epochs_run") or 0)
        seconds += float(candidate.get("train_s") or 0.0)
        value = candidate.get("full_size")
        if value is not None and (full is None or (value > full if maximize else value < full)):
            full = value
        if full is not None:
            race_x.append(spent)
            race_y.append(full)
    if race_x:
        ax.step(race_x, race_y, where="post", marker="s", label="race (full size)")
        ax.legend()
    ax.set(xlabel="cumulative training epochs (all trials and race candidates)",
           ylabel=f"best {metric} so far",
           title=f"Best value against compute ({seconds / 60:.1f} min of training)")
    ax.xaxis.set_major_locator(_integer_ticks())
    ax.grid(alpha=0.3)
    return ax


def _race(race: dict[str, Any] | None, metric: str) -> Any:
    """Each race candidate's low-fidelity value against its full-size value: how far the short
    trials' ranking held at full size."""
    done = [c for c in (race or {}).get("candidates", []) if c["full_size"] is not None]
    if not done:
        raise ValueError("no race ran (final.candidates=1), or no candidate finished it")
    plt = _pyplot()
    figure, ax = plt.subplots(figsize=(5, 4.2))
    for c in done:
        ax.scatter(c["low_fidelity"], c["full_size"], marker="s" if c["baseline"] else "o",
                   color="tab:orange" if c["baseline"] else "tab:blue")
        ax.annotate(f"#{c['trial']}" + (" defaults" if c["baseline"] else ""),
                    (c["low_fidelity"], c["full_size"]), textcoords="offset points",
                    xytext=(5, 4))
    ax.set(xlabel=f"{metric} at low fidelity (trial)", ylabel=f"{metric} at full size (race)",
           title="The race: low fidelity against full size")
    ax.grid(alpha=0.3)
    return ax


def _pareto(study: optuna.Study, pareto: dict[str, Any] | None) -> Any:
    """Every feasible completed trial's metric against its latency, the front at low fidelity
    joined by a line, and the race's front at full size: what each millisecond buys."""
    if not pareto:
        raise ValueError("one objective (study.objectives=[fitness,latency_ms] draws it)")
    metric, speed = pareto["objectives"]
    trials = feasible_complete(study)
    if not trials:
        raise ValueError("no trial completed within the constraints")
    plt = _pyplot()
    figure, ax = plt.subplots(figsize=(6.4, 4.2))
    ax.scatter([t.values[1] for t in trials], [t.values[0] for t in trials], color="lightgray",
               label="trials (low fidelity)")
    for members, style, label in ((pareto["low_fidelity"], "o-", "front at low fidelity"),
                                  (pareto["full_size"], "s-", "front at full size (race)")):
        ordered = sorted(members, key=lambda m: m[speed])
        if ordered:
            ax.plot([m[speed] for m in ordered], [m[metric] for m in ordered], style,
                    drawstyle="steps-post", label=label)
            for m in ordered:
                ax.annotate(f"#{m['trial']}" + (" defaults" if m["baseline"] else ""),
                            (m[speed], m[metric]), textcoords="offset points", xytext=(5, 4))
    ax.set(xlabel=f"{speed} (ms per image)", ylabel=metric, title="Pareto front")
    ax.legend()
    ax.grid(alpha=0.3)
    return ax


def _axes(study: optuna.Study, name: str, metric: str, race: dict[str, Any] | None,
          pareto: dict[str, Any] | None = None) -> Any:
    from optuna.visualization import matplotlib as vis

    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    # a multi-objective study's plots show its metric (its first objective)
    target: Callable[[FrozenTrial], float] | None = (
        (lambda trial: float(trial.values[0])) if len(study.directions) > 1 else None)
    if name == "history":
        if not complete:
            raise ValueError("no trial completed")
        return vis.plot_optimization_history(study, target_name=metric, target=target)
    if name == "intermediate":
        if len(study.directions) > 1:
            raise ValueError("a multi-objective study has no per-epoch values in Optuna "
                             "(each trial's results.csv has them)")
        if not any(t.intermediate_values for t in study.get_trials(deepcopy=False)):
            raise ValueError("no trial reported a value")
        ax = vis.plot_intermediate_values(study)
        ax.set(ylabel=metric, xlabel="step (epoch - 1)")
        legend = ax.get_legend()
        if legend is not None and len(study.get_trials(deepcopy=False)) > 20:
            legend.remove()  # one legend line per trial outgrows the plot
        return ax
    if name == "importance":
        if len(complete) < 2 or len({value_of(t) for t in complete}) < 2:
            raise ValueError("needs at least 2 completed trials with different values")
        return vis.plot_param_importances(study, target_name=metric, target=target)
    if name == "parallel":
        if not complete:
            raise ValueError("no trial completed")
        return vis.plot_parallel_coordinate(study, target_name=metric, target=target)
    if name == "race":
        return _race(race, metric)
    if name == "pareto":
        return _pareto(study, pareto)
    return _compute(study, metric, race)


def study_plots(study: optuna.Study, metric: str, out_dir: Path,
                race: dict[str, Any] | None = None, pareto: dict[str, Any] | None = None
                ) -> dict[str, Path | str]:
    """Draw every plot of STUDY_PLOTS into `out_dir` (`race`, `pareto`: summary.json's); name
    -> its PNG, or why it was not drawn."""
    drawn: dict[str, Path | str] = {}
    plt = _pyplot()
    for name in STUDY_PLOTS:
        stale = out_dir / f"{name}.png"
        if name == "pareto" and pareto is None:  # one objective: no front to draw
            stale.unlink(missing_ok=True)
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # Optuna's "experimental" notices
                ax = _axes(study, name, metric, race, pareto)
            figure = ax.flat[0].figure if hasattr(ax, "flat") else ax.figure
            drawn[name] = _save(figure, stale)
        except Exception as err:  # noqa: BLE001 - a plot must never fail a sweep
            plt.close("all")
            stale.unlink(missing_ok=True)  # never show an earlier run's plot as this one's
            drawn[name] = str(err) or type(err).__name__
    return drawn
