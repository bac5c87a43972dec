"""The study in Markdown: the note optuna-dashboard shows on the study page, and `report.md`,
which adds every trial and the plots. Both read summary.json's record, nothing else of their
own."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from optuna.trial import FrozenTrial

from sweep.core.optuna_api import value_of
from sweep.core.record import Attr
from sweep.core.text import fmt, fmt_args
from sweep.review.lines import budget_line, pareto_lines, race_lines, stopped_early_line
from sweep.review.plots import STUDY_PLOTS


def _params_table(params: Mapping[str, Any]) -> list[str]:
    return ["| parameter | value |", "|---|---|",
            *(f"| `{key}` | {fmt(value)} |" for key, value in params.items())]


def summary_markdown(data: Mapping[str, Any], metric: str, heading: str | None = None) -> str:
    """The outcome at full size, then counts by state, stop reasons, the best trial at low
    fidelity and its gain over the baseline trial there, the race, the finalist and the command
    that reproduces it: the study's note (headed by the study's name), and the report's head
    (`heading`: the report names the study in its title already)."""
    lines = [f"## {heading or data['study_name']}", ""]
    if data.get("outcome"):
        lines += [f"**{data['outcome'][0].upper()}{data['outcome'][1:]}.**", ""]
    counts = data["counts"]
    lines.append(f"**Trials**: {counts['COMPLETE']} complete, {counts['PRUNED']} pruned, "
                 f"{counts['FAIL']} failed, {counts['RUNNING']} running, "
                 f"{counts['WAITING']} waiting. Stopped by: {fmt(data.get('stopped_by'))}.")
    reasons = data.get("stop_reasons") or {}
    if reasons:
        lines += ["", "**Stop reasons**: " + ", ".join(f"{k} {v}" for k, v in reasons.items())
                  + "."]
    if data.get("stopped_early"):
        line = stopped_early_line(data["stopped_early"])
        lines += ["", f"**{line[:13].capitalize()}**{line[13:]}."]
    spent = budget_line(data.get("budget"))
    if spent:
        lines += ["", f"**Budget**{spent[6:]}."]
    for warning in data.get("warnings") or []:
        lines += ["", f"**Warning**: {warning}"]
    lines.append("")
    best = data.get("best_trial")
    if best is None:
        lines.append("No trial completed yet, so there is no best trial.")
    else:
        lines.append(f"### Best trial at low fidelity: #{best['number']}, {metric} "
                     f"{fmt(best['value'])}")
        baseline = data.get("baseline")
        if baseline and baseline.get("value") is not None:
            gain = best["value"] - baseline["value"]
            lines.append(f"Baseline (Ultralytics' defaults, trial #{baseline['number']}): "
                         f"{metric} {fmt(baseline['value'])}; gain at low fidelity {gain:+.4g}.")
        elif baseline:
            lines.append(f"Baseline trial #{baseline['number']} (Ultralytics' defaults) did not "
                         f"complete ({baseline['state'].lower()}).")
        lines += ["", *_params_table(best["params"]), ""]
    pareto = data.get("pareto")
    if pareto and pareto["full_size"]:
        lines += ["### Pareto front at full size", "",
                  "Each member's weights are trained at full size: deploy the one whose "
                  "latency fits the target.", "", *(f"- {line}" for line in pareto_lines(pareto)),
                  ""]
    race = data.get("race")
    if race:
        lines += ["### Race of the top candidates at full size", "",
                  *(f"- {line}" for line in race_lines(race)), ""]
    finalist = data.get("finalist")
    if finalist:
        source = finalist.get("source_trial")
        lines.append(f"### Finalist ({finalist['epochs']} epochs on {finalist['train_images']} "
                     f"images, {fmt(finalist['wall_time_s'])} s, "
                     f"{'trial #' + str(source) if source is not None else 'fixed parameters'})")
        lines += ["| metric | value |", "|---|---|",
                  *(f"| {k} | {fmt(v)} |" for k, v in finalist["metrics"].items()), ""]
        lines.append(f"Weights: `{finalist['weights']}`")
        if finalist.get("wandb_url"):
            lines.append(f"W&B: {finalist['wandb_url']}")
        lines.append("")
    if data.get("rerun_command"):
        lines += ["Reproduce the finalist:", "", "```bash", data["rerun_command"], "```", ""]
    return "\n".join(lines)


def _trial_row(trial: FrozenTrial, latency: bool) -> str:
    attrs = trial.user_attrs
    params = fmt_args(trial.params)
    link = f"[run]({attrs[Attr.WANDB_URL]})" if attrs.get(Attr.WANDB_URL) else ""
    speed = f" {fmt(attrs.get(Attr.LATENCY_MS))} |" if latency else ""
    return (f"| {trial.number} | {trial.state.name.lower()} | {fmt(value_of(trial))} |{speed} "
            f"{fmt(attrs.get(Attr.EPOCHS_RUN))} | {fmt(attrs.get(Attr.STOP_REASON))} | {params} | "
            f"{link} |")


def report_markdown(data: Mapping[str, Any], metric: str, trials: list[FrozenTrial],
                    plots: Mapping[str, Path | str], report_dir: Path) -> str:
    """`report.md`: the summary, every trial, and the plots (by path relative to the report)."""
    latency = any(Attr.LATENCY_MS in t.user_attrs for t in trials)  # a column when measured
    speed = (" latency (ms) |", "---|") if latency else ("", "")
    lines = [f"# Sweep report: {data['study_name']}", "",
             summary_markdown(data, metric, heading="Summary"),
             "## Trials", "", f"| trial | state | {metric} |{speed[0]} epochs | stop reason | "
             "parameters | W&B |", f"|---|---|---|{speed[1]}---|---|---|---|"]
    lines += [_trial_row(t, latency) for t in sorted(trials, key=lambda t: t.number)]
    memory = data.get("memory")
    if memory:
        lines += ["", f"Out of memory (infeasible): trials "
                  f"{', '.join(str(m['trial']) for m in memory['out_of_memory'])}; largest batch "
                  f"that fit: {memory['largest_batch_that_fit']}."]
    lines += ["", "## Plots", ""]
    for name, title in STUDY_PLOTS.items():
        if name == "pareto" and name not in plots:  # a single-objective study has no front
            continue
        drawn = plots.get(name)
        lines.append(f"### {title}")
        if isinstance(drawn, Path):
            lines.append(f"![{title}]({drawn.relative_to(report_dir).as_posix()})")
        else:
            lines.append(f"_Not drawn: {drawn or 'not asked for'}._")
        lines.append("")
    return "\n".join(lines)
