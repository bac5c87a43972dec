"""The terminal's last lines: the top trials, the race, the finalist and where everything is."""

from __future__ import annotations

from pathlib import Path

import optuna
from optuna.trial import TrialState
from rich.console import Console
from rich.table import Table

from sweep.core.optuna_api import maximizes, value_of
from sweep.core.record import Attr, SummaryRecord
from sweep.core.text import fmt, fmt_args
from sweep.review.lines import budget_line, pareto_lines, race_lines, stopped_early_line


def print_report(console: Console, study: optuna.Study, data: SummaryRecord, study_dir: Path,
                 top: int = 5) -> None:
    """The outcome at full size first, then the top trials, the race, the finalist and where
    everything is."""
    if data.get("outcome"):
        console.print(data["outcome"], style="bold", markup=False, soft_wrap=True)
    trials = [t for t in study.get_trials(deepcopy=False) if t.state == TrialState.COMPLETE]
    trials.sort(key=lambda t: value_of(t) or 0.0, reverse=maximizes(study))
    timed = any(Attr.LATENCY_MS in t.user_attrs for t in trials)  # a column when measured
    table = Table(title=f"top trials of {study.study_name}")
    for column in ("trial", "value", *(["ms"] if timed else []), "epochs", "stop", "params"):
        table.add_column(column)
    for t in trials[:top]:
        params = fmt_args(t.params, none="None")
        speed = [fmt(t.user_attrs.get(Attr.LATENCY_MS))] if timed else []
        table.add_row(str(t.number), fmt(value_of(t), none='None'), *speed,
                      str(t.user_attrs.get(Attr.EPOCHS_RUN, "")),
                      str(t.user_attrs.get(Attr.STOP_REASON, "")), params)
    console.print(table)
    c = data["counts"]
    console.print(f"trials: {c['COMPLETE']} complete, {c['PRUNED']} pruned, {c['FAIL']} failed, "
                  f"{c['RUNNING']} running")
    if saved := data.get("stopped_early"):
        console.print(stopped_early_line(saved), markup=False, soft_wrap=True)
    spent = budget_line(data.get("budget"))
    if spent:
        console.print(spent, markup=False, soft_wrap=True)
    memory = data.get("memory")
    if memory:
        asked = ", ".join(f"{m['trial']} (batch {m.get('batch')}, imgsz {m.get('imgsz')})"
                          for m in memory["out_of_memory"])
        console.print(f"[yellow]out of memory (infeasible, steered away from): trials {asked}; "
                      f"{memory['not_trained']} larger proposal(s) closed untrained; "
                      f"largest batch that fit: {memory['largest_batch_that_fit']}")
    for warning in data.get("warnings") or []:
        console.print(f"warning: {warning}", style="yellow", markup=False, soft_wrap=True)
    if data["best_trial"]:
        best = data["best_trial"]
        params = fmt_args(best["params"], none="None")
        console.print(f"best trial at low fidelity {best['number']}: value "
                      f"{fmt(best['value'], none='None')}  params {params}", markup=False,
                      soft_wrap=True)
    race = data.get("race")
    if race:
        console.print("race of the top candidates at full size:")
        for line in race_lines(race):
            console.print(f"  {line}", markup=False, soft_wrap=True)
        if data.get("gain_over_defaults_at_full_size") is not None:
            console.print(f"  finalist over the defaults at full size: "
                          f"{data['gain_over_defaults_at_full_size']:+.4g}")
    pareto = data.get("pareto")
    if pareto and pareto["full_size"]:
        console.print("Pareto front at full size (deploy the member whose latency fits):")
        for line in pareto_lines(pareto):
            console.print(f"  {line}", markup=False, soft_wrap=True)
    finalist = data.get("finalist")
    if finalist:
        console.print("finalist at full size:")
        metrics = Table()
        for name in finalist["metrics"]:
            metrics.add_column(name, justify="right")
        metrics.add_row(*(fmt(value) for value in finalist["metrics"].values()))
        console.print(metrics)
        console.print(f"weights:  {finalist['weights']}", markup=False, soft_wrap=True)
    console.print(f"results:  {study_dir}")
    console.print(f"summary:  {study_dir / 'summary.json'}")
    console.print(f"report:   {study_dir / 'report.md'}  (plots in {study_dir / 'report'})")
    if data.get("best_yaml"):
        console.print(f"best:     {data['best_yaml']}")
        console.print(f"retrain:  {data['rerun_command']}")
    console.print(f"storage:  {data['storage']}")
    console.print("review:   python -m sweep.dashboard <this command's overrides>  (optuna-"
                  f"dashboard on 127.0.0.1 with the artifacts in {data['artifacts']})")
